from collections import Counter


def min_window(s: str, t: str) -> str:
    if not t or not s:
        return ""
    need = Counter(t)
    missing = len(need)
    have: dict[str, int] = {}
    best_start, best_len = 0, None
    left = 0
    for right, ch in enumerate(s):
        if ch in need:
            have[ch] = have.get(ch, 0) + 1
            if have[ch] == need[ch]:
                missing -= 1
        while missing == 0:
            if best_len is None or right - left + 1 < best_len:
                best_start, best_len = left, right - left + 1
            out = s[left]
            if out in need:
                have[out] -= 1
                if have[out] < need[out]:
                    missing += 1
            left += 1
    return "" if best_len is None else s[best_start:best_start + best_len]
