function max_profit(prices) {
  let best = 0;
  let lowest = Infinity;
  for (const price of prices) {
    if (price < lowest) lowest = price;
    best = Math.max(best, price - lowest);
  }
  return best;
}
if (typeof module !== 'undefined') module.exports = { max_profit };
