from collections import deque


class TreeNode:
    def __init__(self, value):
        self.value = value
        self.left = None
        self.right = None


def _build(values):
    if not values or values[0] is None:
        return None
    root = TreeNode(values[0])
    queue = deque([root])
    i = 1
    while queue and i < len(values):
        node = queue.popleft()
        if i < len(values) and values[i] is not None:
            node.left = TreeNode(values[i])
            queue.append(node.left)
        i += 1
        if i < len(values) and values[i] is not None:
            node.right = TreeNode(values[i])
            queue.append(node.right)
        i += 1
    return root


def max_path_sum(tree: list) -> int:
    root = _build(tree)
    best = root.value
    # Post-order without recursion: deep chains must not hit the recursion limit.
    order, stack = [], [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(child for child in (node.left, node.right) if child)
    gain = {}
    for node in reversed(order):
        left = max(gain.get(id(node.left), 0), 0) if node.left else 0
        right = max(gain.get(id(node.right), 0), 0) if node.right else 0
        best = max(best, node.value + left + right)
        gain[id(node)] = node.value + max(left, right)
    return best
