function reverse_list(values) {
  let head = null;
  for (let i = values.length - 1; i >= 0; i--) head = { value: values[i], next: head };
  let previous = null;
  while (head !== null) {
    const following = head.next;
    head.next = previous;
    previous = head;
    head = following;
  }
  const result = [];
  for (let node = previous; node !== null; node = node.next) result.push(node.value);
  return result;
}
if (typeof module !== 'undefined') module.exports = { reverse_list };
