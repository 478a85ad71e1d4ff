function minutes_to_spoil(grid) {
  const rows = grid.length;
  const cols = rows ? grid[0].length : 0;
  const cells = grid.map((row) => row.slice());
  let queue = [];
  let fresh = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (cells[r][c] === 2) queue.push([r, c]);
      else if (cells[r][c] === 1) fresh++;
    }
  }
  let minutes = 0;
  while (queue.length && fresh) {
    minutes++;
    const next = [];
    for (const [y, x] of queue) {
      for (const [ny, nx] of [[y + 1, x], [y - 1, x], [y, x + 1], [y, x - 1]]) {
        if (ny >= 0 && ny < rows && nx >= 0 && nx < cols && cells[ny][nx] === 1) {
          cells[ny][nx] = 2;
          fresh--;
          next.push([ny, nx]);
        }
      }
    }
    queue = next;
  }
  return fresh ? -1 : minutes;
}
