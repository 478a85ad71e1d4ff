import heapq


def min_rooms(meetings: list[list[int]]) -> int:
    ends: list[int] = []
    peak = 0
    for start, end in sorted(meetings):
        if ends and ends[0] <= start:
            heapq.heapreplace(ends, end)
        else:
            heapq.heappush(ends, end)
        peak = max(peak, len(ends))
    return peak
