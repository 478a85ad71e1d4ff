class Node:
    def __init__(self, value, next_node=None):
        self.value = value
        self.next = next_node


def reverse_list(values: list[int]) -> list[int]:
    head = None
    for value in reversed(values):
        head = Node(value, head)
    previous = None
    while head is not None:
        following = head.next
        head.next = previous
        previous = head
        head = following
    result = []
    while previous is not None:
        result.append(previous.value)
        previous = previous.next
    return result
