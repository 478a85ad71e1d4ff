function cycle_start(next_nodes, head) {
  if (head === -1) return -1;
  let slow = head;
  let fast = head;
  for (;;) {
    if (fast === -1 || next_nodes[fast] === -1) return -1;
    slow = next_nodes[slow];
    fast = next_nodes[next_nodes[fast]];
    if (slow === fast) break;
  }
  slow = head;
  while (slow !== fast) {
    slow = next_nodes[slow];
    fast = next_nodes[fast];
  }
  return slow;
}
if (typeof module !== 'undefined') module.exports = { cycle_start };
