"""Defensive reads of the evaluation and metrics dicts stored on turns.

Those dicts are written by other components (the evaluator, the voice pipeline, Bedrock brains) and by older
versions of them, so every read tolerates a missing key or a value of the wrong type instead of failing the report.
"""

from __future__ import annotations

import math
from typing import Any


def number(data: dict[str, Any] | None, key: str) -> float | None:
    if not data:
        return None
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def strings(data: dict[str, Any] | None, key: str) -> list[str]:
    if not data:
        return []
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [str(v) for v in value if isinstance(v, (str, int, float)) and str(v).strip()]


def dicts(data: dict[str, Any] | None, key: str) -> list[dict[str, Any]]:
    if not data:
        return []
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, dict)]


def mapping(data: dict[str, Any] | None, key: str) -> dict[str, Any] | None:
    if not data:
        return None
    value = data.get(key)
    return value if isinstance(value, dict) else None


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def round1(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), so p50 of [1, 2] is 1.5."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    position = (len(ordered) - 1) * fraction
    lower = math.floor(position)
    upper = math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)
