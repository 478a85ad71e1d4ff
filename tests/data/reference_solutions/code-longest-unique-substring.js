function longest_unique_substring(s) {
  const lastSeen = new Map();
  let left = 0;
  let best = 0;
  for (let right = 0; right < s.length; right++) {
    const ch = s[right];
    if (lastSeen.has(ch)) left = Math.max(left, lastSeen.get(ch) + 1);
    lastSeen.set(ch, right);
    best = Math.max(best, right - left + 1);
  }
  return best;
}
if (typeof module !== 'undefined') module.exports = { longest_unique_substring };
