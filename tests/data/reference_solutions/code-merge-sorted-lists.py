class Node:
    def __init__(self, value, next_node=None):
        self.value = value
        self.next = next_node


def _build(values):
    head = None
    for value in reversed(values):
        head = Node(value, head)
    return head


def merge_sorted_lists(a: list[int], b: list[int]) -> list[int]:
    first, second = _build(a), _build(b)
    dummy = tail = Node(0)
    while first is not None and second is not None:
        if first.value <= second.value:
            tail.next, first = first, first.next
        else:
            tail.next, second = second, second.next
        tail = tail.next
    tail.next = first if first is not None else second
    result = []
    node = dummy.next
    while node is not None:
        result.append(node.value)
        node = node.next
    return result
