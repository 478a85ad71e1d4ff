"""Number and label formatting shared by the terminal, Markdown and HTML renderers, so they always agree."""

from __future__ import annotations

from prepai_cli.domain import status_word
from prepai_cli.report.models import AnswerDelivery, Report

LATENCY_LABELS = {
    "response_latency_ms": "Response latency (you stop → interviewer speaks)",
    "endpoint_wait_ms": "End-of-answer detection",
    "stt_final_ms": "Final transcript",
    "brain_first_sentence_ms": "Interviewer's first sentence",
    "tts_first_audio_ms": "First audio",
}


STAR_ORDER = ("situation", "task", "action", "result", "measurable_result")


def answer_label(kind: str) -> str:
    """How a candidate turn is headed in a report: 'Answer', 'Code', or what it was ('Clarifying question')."""
    if kind in ("answer", "code"):
        return kind.capitalize()
    return kind.replace("_", " ").capitalize()


def star(structure: dict[str, bool]) -> str:
    """STAR elements in story order (stored dicts come back sorted by key), unknown extras last."""
    keys = [k for k in STAR_ORDER if k in structure] + sorted(k for k in structure if k not in STAR_ORDER)
    return ", ".join(f"{k.replace('_', ' ')} {'✓' if structure[k] else '✗'}" for k in keys)


def score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}/10"


def seconds(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value < 60:
        return f"{value:.1f} s"
    minutes, rest = divmod(round(value), 60)
    return f"{minutes} min {rest:02d} s"


def wpm(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} wpm"


def fillers(delivery: AnswerDelivery) -> str:
    if not delivery.fillers:
        return "none"
    counts: dict[str, int] = {}
    for f in delivery.fillers:
        counts[f.word] = counts.get(f.word, 0) + 1
    return ", ".join(f"{w} ×{c}" for w, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def filler_where(t: float | None) -> str:
    return "" if t is None else f" at {t:.1f} s"


def title(report: Report) -> str:
    return f"{report.type_title or report.type} interview · {report.created_at[:16].replace('T', ' ')}"


def status_line(report: Report) -> str:
    if report.status == "ended":
        state = f"ended {report.ended_at[:16].replace('T', ' ')}" if report.ended_at else "ended"
    else:
        state = f"{status_word(report.status)} (resume with: prepai interview --resume {report.session_id})"
    return f"Session {report.session_id} · {report.candidate} · brain {report.brain} · {state}"
