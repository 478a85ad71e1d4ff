def combination_sum(candidates: list[int], target: int) -> list[list[int]]:
    values = sorted(candidates)
    result = []
    chosen = []

    def backtrack(start: int, remaining: int) -> None:
        if remaining == 0:
            result.append(list(chosen))
            return
        for i in range(start, len(values)):
            if values[i] > remaining:
                break
            chosen.append(values[i])
            backtrack(i, remaining - values[i])
            chosen.pop()

    backtrack(0, target)
    return result
