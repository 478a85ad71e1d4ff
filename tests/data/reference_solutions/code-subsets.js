function subsets(nums) {
  const result = [];
  const chosen = [];
  function backtrack(start) {
    result.push(chosen.slice());
    for (let i = start; i < nums.length; i++) {
      chosen.push(nums[i]);
      backtrack(i + 1);
      chosen.pop();
    }
  }
  backtrack(0);
  return result;
}
if (typeof module !== 'undefined') module.exports = { subsets };
