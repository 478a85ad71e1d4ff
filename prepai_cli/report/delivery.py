"""How the answers were spoken: pace, fillers, pauses, think time and the interviewer's response latency."""

from __future__ import annotations

from collections import Counter
from typing import Any

from prepai_cli.report.fields import dicts, mapping, mean, number, percentile, round1
from prepai_cli.report.models import (
    AnswerDelivery, DeliverySummary, FillerCount, FillerLocation, FillerUse, LatencySummary, PauseRecord,
    QuestionReport,
)

# Latency parts the voice pipeline records, in the order a reply happens.
LATENCY_METRICS = (
    "response_latency_ms", "endpoint_wait_ms", "stt_final_ms", "brain_first_sentence_ms", "tts_first_audio_ms",
)
TEXT_ONLY_REASON = (
    "This session was typed or scripted, so there is no voice to measure: pace, fillers and pauses need a spoken "
    "interview."
)
MAX_PAUSES_SHOWN = 5


def is_spoken(metrics: dict[str, Any] | None) -> bool:
    """Latency alone can be recorded for typed answers; only speech metrics make an answer spoken."""
    return any(number(metrics, key) is not None for key in ("speaking_s", "wpm", "words"))


def answer_delivery(metrics: dict[str, Any] | None) -> AnswerDelivery | None:
    if not is_spoken(metrics):
        latency = number(mapping(metrics, "latency"), "response_latency_ms")
        return AnswerDelivery(response_latency_ms=latency) if latency is not None else None
    words = number(metrics, "words")
    fillers = [
        FillerUse(word=str(f.get("word", "")).strip().lower(), t=number(f, "t"))
        for f in dicts(metrics, "fillers") if str(f.get("word", "")).strip()
    ]
    return AnswerDelivery(
        speaking_s=number(metrics, "speaking_s"),
        words=None if words is None else int(words),
        wpm=number(metrics, "wpm"),
        fillers=fillers,
        longest_pause_s=number(metrics, "longest_pause_s"),
        think_time_s=number(metrics, "think_time_s"),
        response_latency_ms=number(mapping(metrics, "latency"), "response_latency_ms"),
    )


def summarise_delivery(questions: list[QuestionReport], raw_metrics: list[list[dict[str, Any] | None]]) -> DeliverySummary:
    """`raw_metrics[i][j]` is the stored metrics dict of answer j of question i (latency parts are read from it)."""
    spoken: list[tuple[int, int, AnswerDelivery]] = []
    latency_values: dict[str, list[float]] = {key: [] for key in LATENCY_METRICS}
    for question, metrics_list in zip(questions, raw_metrics):
        for index, (answer, metrics) in enumerate(zip(question.answers, metrics_list)):
            latency = mapping(metrics, "latency")
            for key in LATENCY_METRICS:
                value = number(latency, key)
                if value is not None:
                    latency_values[key].append(value)
            if answer.kind == "answer" and answer.delivery is not None and is_spoken(metrics):
                spoken.append((question.number, index, answer.delivery))
    latency = [
        LatencySummary(metric=key, samples=len(values), p50_ms=round(percentile(values, 0.5), 1),
                       p90_ms=round(percentile(values, 0.9), 1))
        for key, values in latency_values.items() if values
    ]
    if not spoken:
        return DeliverySummary(available=False, absent_reason=TEXT_ONLY_REASON, latency=latency)

    timed = [(d.words, d.speaking_s) for _, _, d in spoken if d.words is not None and d.speaking_s]
    total_words = sum(d.words or 0 for _, _, d in spoken)
    speaking_minutes = sum(s for _, s in timed if s) / 60
    # Pace is words over speaking time across all answers, so a long answer weighs more than a one-liner.
    average_wpm = sum(w for w, _ in timed if w) / speaking_minutes if speaking_minutes > 0 else mean(
        [d.wpm for _, _, d in spoken if d.wpm is not None]
    )
    locations = [
        FillerLocation(question_number=number_, answer_index=index, word=f.word, t=f.t)
        for number_, index, d in spoken for f in d.fillers
    ]
    counts = Counter(loc.word for loc in locations)
    pauses = sorted(
        (PauseRecord(question_number=n, answer_index=i, seconds=d.longest_pause_s)
         for n, i, d in spoken if d.longest_pause_s is not None),
        key=lambda p: -p.seconds,
    )[:MAX_PAUSES_SHOWN]
    return DeliverySummary(
        available=True,
        answers_measured=len(spoken),
        average_wpm=round1(average_wpm),
        total_words=total_words,
        total_fillers=len(locations),
        fillers_per_100_words=round(100 * len(locations) / total_words, 1) if total_words else None,
        filler_counts=[FillerCount(word=w, count=c) for w, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))],
        filler_locations=locations,
        longest_pauses=pauses,
        average_think_time_s=round1(mean([d.think_time_s for _, _, d in spoken if d.think_time_s is not None])),
        latency=latency,
    )
