"""tiny.en sometimes writes a short utterance twice; the stored answer must be what was said, once."""

from __future__ import annotations

from prepai_cli.audio.stt import Word
from prepai_cli.audio.transcriber import collapse_repeats


def _words(text: str, step: float) -> list[Word]:
    return [Word(" " + w, i * step, (i + 1) * step, 0.9) for i, w in enumerate(text.split())]


def test_a_sentence_written_twice_from_too_little_audio_is_kept_once() -> None:
    text = "Sorry, could you repeat the question? Sorry, could you repeat the question?"
    kept, words = collapse_repeats(text, _words(text, 0.14), audio_s=1.7)
    assert kept == "Sorry, could you repeat the question?"
    assert [w.text.strip() for w in words] == text.split()[:6]


def test_a_repetition_the_audio_can_hold_is_what_the_candidate_said() -> None:
    text = "No. No. I would not cache it at all."
    kept, words = collapse_repeats(text, _words(text, 0.4), audio_s=4.0)
    assert kept == text and len(words) == 9
