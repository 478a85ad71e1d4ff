"""Phrases lifted from documents (a CV's headings, companies, bullet points) made fit to be said out loud:
no Markdown marks, no bracket or quote left open."""

from __future__ import annotations

import re

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_HEADING = re.compile(r"(?:^|(?<=\s))#{1,6}(?=\s|$)")
_EMPHASIS = re.compile(r"\*\*|__|\*|`|~~")
_BULLET = re.compile(r"^\s*(?:[-•+]|\d+[.)])\s+")
_PAIRS = {")": "(", "]": "["}


def _balance_brackets(text: str) -> str:
    """An unmatched closing bracket is dropped; an unmatched opening one becomes a comma ('GmbH (Berlin' → 'GmbH,
    Berlin'), which is how the phrase would be said."""
    chars = list(text)
    open_at: list[int] = []
    for i, ch in enumerate(chars):
        if ch in "([":
            open_at.append(i)
        elif ch in _PAIRS:
            if open_at and chars[open_at[-1]] == _PAIRS[ch]:
                open_at.pop()
            else:
                chars[i] = ""
    for i in open_at:
        chars[i] = ", "
    return "".join(chars)


def for_the_ear(phrase: str) -> str:
    text = _LINK.sub(r"\1", phrase)
    text = _BULLET.sub("", text)
    text = _HEADING.sub(" ", text)
    text = _EMPHASIS.sub("", text)
    text = _balance_brackets(text)
    if text.count('"') % 2:
        text = text.replace('"', "")
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.;:!?)\]])", r"\1", text)
    text = re.sub(r"([(\[])\s+", r"\1", text)
    text = re.sub(r",(?:\s*,)+", ",", text)
    return text.strip(" \t,;:-–—")
