function build(values) {
  if (values.length === 0 || values[0] === null) return null;
  const root = { value: values[0], left: null, right: null };
  const queue = [root];
  let head = 0;
  let i = 1;
  while (head < queue.length && i < values.length) {
    const node = queue[head++];
    if (i < values.length && values[i] !== null) {
      node.left = { value: values[i], left: null, right: null };
      queue.push(node.left);
    }
    i++;
    if (i < values.length && values[i] !== null) {
      node.right = { value: values[i], left: null, right: null };
      queue.push(node.right);
    }
    i++;
  }
  return root;
}

function max_path_sum(tree) {
  const root = build(tree);
  let best = root.value;
  const order = [];
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    order.push(node);
    if (node.left) stack.push(node.left);
    if (node.right) stack.push(node.right);
  }
  const gain = new Map();
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    const left = node.left ? Math.max(gain.get(node.left), 0) : 0;
    const right = node.right ? Math.max(gain.get(node.right), 0) : 0;
    best = Math.max(best, node.value + left + right);
    gain.set(node, node.value + Math.max(left, right));
  }
  return best;
}
if (typeof module !== 'undefined') module.exports = { max_path_sum };
