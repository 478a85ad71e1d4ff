"""Merging high-rate updates from worker threads so a flood of partials never floods the UI loop.

A worker `put`s values into a slot; only the first value after the UI drained the slot posts a message, and the
message reads the slot when it is dispatched. A recogniser emitting 100 partials a second while the UI is busy
therefore costs one message and one repaint, showing the newest partial (toolong merges file updates the same way).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Slot(Generic[T]):
    def __init__(self, merge: Callable[[T, T], T], empty: T) -> None:
        self._merge = merge
        self._empty = empty
        self._value = empty
        self._queued = False
        self._lock = threading.Lock()

    def put(self, value: T) -> bool:
        """Stores `value`; True means no message is queued for this slot, so the caller must post one."""
        with self._lock:
            self._value = self._merge(self._value, value) if self._queued else value
            first = not self._queued
            self._queued = True
            return first

    def take(self) -> T:
        """What arrived since the last take (called on the UI thread when the message is dispatched)."""
        with self._lock:
            value, self._value = self._value, self._empty
            self._queued = False
            return value


def latest_text() -> Slot[str]:
    """Partial transcripts are whole hypotheses: only the newest matters."""
    return Slot(lambda old, new: new, "")


def joined_text() -> Slot[str]:
    """Streamed text deltas: everything counts, joined in order."""
    return Slot(lambda old, new: old + new, "")


def latest_level() -> Slot[float]:
    return Slot(lambda old, new: new, 0.0)


class Lazy(Generic[T]):
    """A message payload read from its slot once, when first asked for (the message hook or the handler)."""

    def __init__(self, source: T | Slot[T]) -> None:
        self._slot: Slot[T] | None = source if isinstance(source, Slot) else None
        self._value: T | None = None if isinstance(source, Slot) else source

    def get(self) -> T:
        if self._slot is not None:
            self._value, self._slot = self._slot.take(), None
        return self._value  # type: ignore[return-value]  # always set above or in __init__
