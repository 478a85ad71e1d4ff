function course_order(num_courses, prerequisites) {
  const dependents = Array.from({ length: num_courses }, () => []);
  const indegree = new Array(num_courses).fill(0);
  for (const [course, before] of prerequisites) {
    dependents[before].push(course);
    indegree[course]++;
  }
  // Binary min-heap of available course numbers.
  const heap = [];
  const push = (x) => {
    heap.push(x);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p] <= heap[i]) break;
      [heap[p], heap[i]] = [heap[i], heap[p]];
      i = p;
    }
  };
  const pop = () => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l] < heap[m]) m = l;
        if (r < heap.length && heap[r] < heap[m]) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  };
  for (let c = 0; c < num_courses; c++) if (indegree[c] === 0) push(c);
  const order = [];
  while (heap.length > 0) {
    const course = pop();
    order.push(course);
    for (const nxt of dependents[course]) {
      indegree[nxt]--;
      if (indegree[nxt] === 0) push(nxt);
    }
  }
  return order.length === num_courses ? order : [];
}
if (typeof module !== 'undefined') module.exports = { course_order };
