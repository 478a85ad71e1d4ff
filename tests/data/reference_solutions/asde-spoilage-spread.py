from collections import deque


def minutes_to_spoil(grid: list[list[int]]) -> int:
    rows = len(grid)
    cols = len(grid[0]) if rows else 0
    cells = [row[:] for row in grid]
    queue: deque[tuple[int, int]] = deque()
    fresh = 0
    for r in range(rows):
        for c in range(cols):
            if cells[r][c] == 2:
                queue.append((r, c))
            elif cells[r][c] == 1:
                fresh += 1
    minutes = 0
    while queue and fresh:
        minutes += 1
        for _ in range(len(queue)):
            y, x = queue.popleft()
            for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                if 0 <= ny < rows and 0 <= nx < cols and cells[ny][nx] == 1:
                    cells[ny][nx] = 2
                    fresh -= 1
                    queue.append((ny, nx))
    return -1 if fresh else minutes
