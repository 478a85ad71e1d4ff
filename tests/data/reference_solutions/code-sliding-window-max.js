function max_sliding_window(nums, k) {
  const window = [];
  let head = 0;
  const result = [];
  for (let i = 0; i < nums.length; i++) {
    while (window.length > head && nums[window[window.length - 1]] <= nums[i]) window.pop();
    window.push(i);
    if (window[head] <= i - k) head++;
    if (i >= k - 1) result.push(nums[window[head]]);
  }
  return result;
}
if (typeof module !== 'undefined') module.exports = { max_sliding_window };
