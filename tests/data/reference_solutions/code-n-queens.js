function count_n_queens(n) {
  const full = (1 << n) - 1;
  function place(columns, left, right) {
    if (columns === full) return 1;
    let count = 0;
    let free = full & ~(columns | left | right);
    while (free !== 0) {
      const bit = free & -free;
      free -= bit;
      count += place(columns | bit, ((left | bit) << 1) & full, (right | bit) >> 1);
    }
    return count;
  }
  return place(0, 0, 0);
}
if (typeof module !== 'undefined') module.exports = { count_n_queens };
