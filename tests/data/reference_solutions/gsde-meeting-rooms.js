function min_rooms(meetings) {
  const starts = meetings.map((m) => m[0]).sort((a, b) => a - b);
  const ends = meetings.map((m) => m[1]).sort((a, b) => a - b);
  let rooms = 0;
  let peak = 0;
  let j = 0;
  for (let i = 0; i < starts.length; i++) {
    while (j < ends.length && ends[j] <= starts[i]) {
      j++;
      rooms--;
    }
    rooms++;
    peak = Math.max(peak, rooms);
  }
  return peak;
}
