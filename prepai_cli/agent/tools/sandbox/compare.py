"""Structural comparison of a returned value with the expected one (JSON values on both sides)."""

from __future__ import annotations

import math
from typing import Any, Literal


def _numbers_equal(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def values_equal(actual: Any, expected: Any) -> bool:
    # bool is an int in Python; `True` must not pass for 1, nor 0 for False.
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and actual == expected
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return _numbers_equal(float(actual), float(expected))
    if isinstance(expected, list) and isinstance(actual, list):
        return len(actual) == len(expected) and all(values_equal(a, e) for a, e in zip(actual, expected))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return actual.keys() == expected.keys() and all(values_equal(actual[k], expected[k]) for k in expected)
    return type(actual) is type(expected) and actual == expected


def unordered_equal(actual: Any, expected: Any) -> bool:
    """Top-level lists match as multisets; their elements still compare exactly."""
    if not (isinstance(actual, list) and isinstance(expected, list)):
        return values_equal(actual, expected)
    if len(actual) != len(expected):
        return False
    unmatched = list(expected)
    for item in actual:
        for position, candidate in enumerate(unmatched):
            if values_equal(item, candidate):
                del unmatched[position]
                break
        else:
            return False
    return True


def matches(actual: Any, expected: Any, mode: Literal["exact", "unordered"]) -> bool:
    return unordered_equal(actual, expected) if mode == "unordered" else values_equal(actual, expected)
