function combination_sum(candidates, target) {
  const values = candidates.slice().sort((a, b) => a - b);
  const result = [];
  const chosen = [];
  function backtrack(start, remaining) {
    if (remaining === 0) {
      result.push(chosen.slice());
      return;
    }
    for (let i = start; i < values.length; i++) {
      if (values[i] > remaining) break;
      chosen.push(values[i]);
      backtrack(i, remaining - values[i]);
      chosen.pop();
    }
  }
  backtrack(0, target);
  return result;
}
if (typeof module !== 'undefined') module.exports = { combination_sum };
