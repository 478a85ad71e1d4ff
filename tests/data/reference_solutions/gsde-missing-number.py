def missing_number(nums: list[int]) -> int:
    result = len(nums)
    for i, value in enumerate(nums):
        result ^= i ^ value
    return result
