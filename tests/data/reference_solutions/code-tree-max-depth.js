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

function max_depth(tree) {
  const root = build(tree);
  let depth = 0;
  let level = root ? [root] : [];
  while (level.length > 0) {
    depth++;
    const next = [];
    for (const node of level) {
      if (node.left) next.push(node.left);
      if (node.right) next.push(node.right);
    }
    level = next;
  }
  return depth;
}
if (typeof module !== 'undefined') module.exports = { max_depth };
