import heapq


def course_order(num_courses: int, prerequisites: list[list[int]]) -> list[int]:
    dependents: list[list[int]] = [[] for _ in range(num_courses)]
    indegree = [0] * num_courses
    for course, before in prerequisites:
        dependents[before].append(course)
        indegree[course] += 1
    available = [c for c in range(num_courses) if indegree[c] == 0]
    heapq.heapify(available)
    order: list[int] = []
    while available:
        course = heapq.heappop(available)
        order.append(course)
        for nxt in dependents[course]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                heapq.heappush(available, nxt)
    return order if len(order) == num_courses else []
