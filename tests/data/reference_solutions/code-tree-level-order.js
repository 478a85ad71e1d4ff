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

function level_order(tree) {
  const root = build(tree);
  const levels = [];
  let level = root ? [root] : [];
  while (level.length > 0) {
    levels.push(level.map((node) => node.value));
    const next = [];
    for (const node of level) {
      if (node.left) next.push(node.left);
      if (node.right) next.push(node.right);
    }
    level = next;
  }
  return levels;
}
if (typeof module !== 'undefined') module.exports = { level_order };
