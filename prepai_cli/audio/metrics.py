"""Delivery metrics for one spoken answer, and the percentiles the latency benchmark reports."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from prepai_cli.audio.stt import Transcript

# Words that are almost always hesitation when spoken in an answer.
_FILLER_WORDS = {"um", "umm", "uh", "uhh", "er", "erm", "ah", "hmm", "mm", "basically", "literally"}
_FILLER_PHRASES = (("you", "know"), ("sort", "of"), ("kind", "of"), ("i", "mean"))
_WORD = re.compile(r"[a-z0-9']+")


class Filler(BaseModel):
    word: str
    at_s: float | None  # seconds into the answer's recording (turn-NNN.wav)


class DeliveryMetrics(BaseModel):
    speaking_s: float
    words: int
    wpm: float
    fillers: list[Filler]
    filler_count: int
    longest_pause_s: float
    think_time_s: float | None
    partials: int
    time_to_first_partial_s: float | None


def _bare(word: str) -> str:
    return "".join(_WORD.findall(word.lower()))


def find_fillers(transcript: Transcript) -> list[Filler]:
    """Fillers with the time they were said. "like" only counts set off by a comma ("it was, like, slow"):
    as a verb or preposition it is not a filler."""
    if transcript.words:
        tokens = [(w.text, w.start) for w in transcript.words]
    else:
        tokens = [(t, None) for t in transcript.text.split()]
    fillers: list[Filler] = []
    skip = 0
    for i, (raw, at) in enumerate(tokens):
        if skip:
            skip -= 1
            continue
        word = _bare(raw)
        nxt = _bare(tokens[i + 1][0]) if i + 1 < len(tokens) else ""
        previous_raw = tokens[i - 1][0] if i > 0 else ""
        if word in _FILLER_WORDS:
            fillers.append(Filler(word=word, at_s=at))
        elif word == "like" and (raw.rstrip().endswith(",") or previous_raw.rstrip().endswith(",")):
            fillers.append(Filler(word="like", at_s=at))
        elif (word, nxt) in _FILLER_PHRASES and (raw.endswith(",") or tokens[i + 1][0].endswith(",")
                                                 or (word, nxt) in (("you", "know"), ("i", "mean"))):
            # "you know, ..." is a filler; "sort of" / "kind of" only when set off by commas ("kind of, slow").
            fillers.append(Filler(word=f"{word} {nxt}", at_s=at))
            skip = 1
    return fillers


def delivery_metrics(
    transcript: Transcript,
    speech_segments: list[tuple[float, float]],
    *,
    think_time_s: float | None,
    partials: int,
    time_to_first_partial_s: float | None,
) -> DeliveryMetrics:
    """`speech_segments` are the VAD's speech stretches of this answer, in seconds."""
    speaking = sum(max(0.0, end - start) for start, end in speech_segments)
    span = (speech_segments[-1][1] - speech_segments[0][0]) if speech_segments else 0.0
    words = len([w for w in transcript.text.split() if _bare(w)])
    pauses = [b[0] - a[1] for a, b in zip(speech_segments, speech_segments[1:])]
    fillers = find_fillers(transcript)
    return DeliveryMetrics(
        speaking_s=round(speaking, 2),
        words=words,
        wpm=round(words / (span / 60.0), 1) if span > 0 else 0.0,
        fillers=fillers,
        filler_count=len(fillers),
        longest_pause_s=round(max(pauses, default=0.0), 2),
        think_time_s=None if think_time_s is None else round(max(0.0, think_time_s), 2),
        partials=partials,
        time_to_first_partial_s=None if time_to_first_partial_s is None else round(time_to_first_partial_s, 3),
    )


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100); None for no data."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(values: list[float]) -> dict[str, Any]:
    return {"n": len(values), "p50": percentile(values, 50), "p90": percentile(values, 90),
            "max": max(values) if values else None}
