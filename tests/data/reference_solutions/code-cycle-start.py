def cycle_start(next_nodes: list[int], head: int) -> int:
    if head == -1:
        return -1
    slow = fast = head
    while True:
        if fast == -1 or next_nodes[fast] == -1:
            return -1
        slow = next_nodes[slow]
        fast = next_nodes[next_nodes[fast]]
        if slow == fast:
            break
    slow = head
    while slow != fast:
        slow = next_nodes[slow]
        fast = next_nodes[fast]
    return slow
