"""Splits the interviewer's streamed text into sentences as it arrives, so each can be spoken while the next is
still being generated."""

from __future__ import annotations

import re

# Words ending in a full stop that do not end a sentence.
_ABBREVIATIONS = {"e.g.", "i.e.", "etc.", "vs.", "mr.", "mrs.", "ms.", "dr.", "prof.", "approx.", "no.", "st.",
                  "inc.", "ltd.", "jr.", "sr.", "fig.", "u.s."}
_END = re.compile(r"[.!?]+[\"')\]]*(?=\s)")
# A very long sentence without a full stop is cut at a clause boundary so speech can start sooner.
_CLAUSE = re.compile(r"[;:,](?=\s)")


class SentenceSplitter:
    def __init__(self, max_chars: int = 220):
        self._buffer = ""
        self._max_chars = max_chars

    def feed(self, text: str) -> list[str]:
        """Adds streamed text; returns the sentences it completed."""
        self._buffer += text
        sentences: list[str] = []
        while True:
            cut = self._find_cut()
            if cut is None:
                break
            sentence, self._buffer = self._buffer[:cut].strip(), self._buffer[cut:].lstrip()
            if sentence:
                sentences.append(sentence)
        return sentences

    def flush(self) -> list[str]:
        """Whatever is left (the segment or turn ended without a full stop)."""
        rest, self._buffer = self._buffer.strip(), ""
        return [rest] if rest else []

    def _find_cut(self) -> int | None:
        for match in _END.finditer(self._buffer):
            word_start = self._buffer.rfind(" ", 0, match.start()) + 1
            word = self._buffer[word_start:match.end()].lower()
            if word in _ABBREVIATIONS:
                continue
            if match.group().startswith(".") and re.fullmatch(r"[a-z]\.", word):
                continue  # a middle initial or a single letter like "O."
            return match.end()
        if len(self._buffer) > self._max_chars:
            clauses = [m.end() for m in _CLAUSE.finditer(self._buffer, 0, self._max_chars)]
            if clauses:
                return clauses[-1]
        return None
