function build(values) {
  let head = null;
  for (let i = values.length - 1; i >= 0; i--) head = { value: values[i], next: head };
  return head;
}

function merge_sorted_lists(a, b) {
  let first = build(a);
  let second = build(b);
  const dummy = { value: 0, next: null };
  let tail = dummy;
  while (first !== null && second !== null) {
    if (first.value <= second.value) {
      tail.next = first;
      first = first.next;
    } else {
      tail.next = second;
      second = second.next;
    }
    tail = tail.next;
  }
  tail.next = first !== null ? first : second;
  const result = [];
  for (let node = dummy.next; node !== null; node = node.next) result.push(node.value);
  return result;
}
if (typeof module !== 'undefined') module.exports = { merge_sorted_lists };
