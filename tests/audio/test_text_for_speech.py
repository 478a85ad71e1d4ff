"""What the interviewer's voice is given to read, and where sentences are cut while text streams in."""

from __future__ import annotations

import pytest

from prepai_cli.audio.sentences import SentenceSplitter
from prepai_cli.audio.text_normalize import normalize_for_speech


@pytest.mark.parametrize("text, spoken", [
    ("Can you do it in O(n log n)?", "Can you do it in O of n log n?"),
    ("That's O(n^2) in the worst case.", "That's O of n squared in the worst case."),
    ("It cut costs by 10%.", "It cut costs by 10 percent."),
    ("Use a cache, e.g. Redis.", "Use a cache, for example, Redis."),
    ("The p99 was 200ms.", "The P 99 was 200 milliseconds."),
    ("Design a URL shortener for 10k QPS.", "Design a U R L shortener for 10 thousand Q P S."),
    ("Is your API read/write heavy?", "Is your A P I read or write heavy?"),
    ("Mention the `SQL` schema.", "Mention the sequel schema."),
])
def test_normalization(text: str, spoken: str) -> None:
    assert normalize_for_speech(text) == spoken


def test_sentences_are_released_as_soon_as_they_are_complete() -> None:
    splitter = SentenceSplitter()
    assert splitter.feed("Okay. ") == ["Okay."]
    assert splitter.feed("Next question. How would you, e.g., shard") == ["Next question."]
    assert splitter.feed(" a table in O(n) time? Take your") == ["How would you, e.g., shard a table in O(n) time?"]
    assert splitter.flush() == ["Take your"]
    assert splitter.flush() == []


def test_a_long_sentence_without_a_full_stop_is_cut_at_a_clause() -> None:
    splitter = SentenceSplitter(max_chars=60)
    parts = splitter.feed("First we read the requirements carefully, then we estimate the traffic, and then more")
    assert parts == ["First we read the requirements carefully,"]
    assert splitter.flush() == ["then we estimate the traffic, and then more"]
