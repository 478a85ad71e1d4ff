def subsets(nums: list[int]) -> list[list[int]]:
    result = []
    chosen = []

    def backtrack(start: int) -> None:
        result.append(list(chosen))
        for i in range(start, len(nums)):
            chosen.append(nums[i])
            backtrack(i + 1)
            chosen.pop()

    backtrack(0)
    return result
