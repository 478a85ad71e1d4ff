function min_window(s, t) {
  if (!s || !t) return "";
  const need = new Map();
  for (const ch of t) need.set(ch, (need.get(ch) || 0) + 1);
  let missing = need.size;
  const have = new Map();
  let bestStart = 0;
  let bestLen = -1;
  let left = 0;
  for (let right = 0; right < s.length; right++) {
    const ch = s[right];
    if (need.has(ch)) {
      have.set(ch, (have.get(ch) || 0) + 1);
      if (have.get(ch) === need.get(ch)) missing--;
    }
    while (missing === 0) {
      if (bestLen === -1 || right - left + 1 < bestLen) {
        bestStart = left;
        bestLen = right - left + 1;
      }
      const out = s[left];
      if (need.has(out)) {
        have.set(out, have.get(out) - 1);
        if (have.get(out) < need.get(out)) missing++;
      }
      left++;
    }
  }
  return bestLen === -1 ? "" : s.slice(bestStart, bestStart + bestLen);
}
if (typeof module !== 'undefined') module.exports = { min_window };
