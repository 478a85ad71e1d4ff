"""Delivery metrics from a real transcription of disfluent speech."""

from __future__ import annotations

import numpy as np
import pytest

from prepai_cli.audio.metrics import delivery_metrics, find_fillers, percentile
from prepai_cli.audio.stt import Transcript, Word
from prepai_cli.interview.io import AnswerContext
from prepai_cli.interview.voice import build_prompt
from tests.audio.conftest import silence

pytestmark = pytest.mark.slow


def test_fillers_are_found_with_their_time(speak, recognizer) -> None:
    text = "So, um, I think the main problem was, uh, the database."
    samples = np.concatenate([silence(0.4), speak(text, "en-us+f2"), silence(0.4)])
    prompt = build_prompt(AnswerContext(prompt_text="What was the main problem?", question_id=None,
                                        segment_kind="question"))
    transcript = recognizer.transcribe(samples, prompt=prompt, word_timestamps=True)
    fillers = find_fillers(transcript)
    assert {f.word for f in fillers} & {"um", "uh"}, transcript.text
    words = {w.text.strip(",.").lower(): w for w in transcript.words}
    for filler in fillers:
        assert filler.at_s is not None and 0.0 <= filler.at_s <= len(samples) / 16000
        if filler.word in words:
            assert filler.at_s == pytest.approx(words[filler.word].start)


def test_rates_and_pauses() -> None:
    words = tuple(Word(w, i * 0.5, i * 0.5 + 0.4, 0.9) for i, w in enumerate(
        "it was, like, slow and you know we fixed it".split()))
    transcript = Transcript(" ".join(w.text for w in words), words, 6.0, 0.1)
    metrics = delivery_metrics(transcript, [(0.0, 2.0), (3.2, 5.0)], think_time_s=1.234, partials=3,
                               time_to_first_partial_s=0.71)
    assert metrics.words == 10
    assert metrics.speaking_s == pytest.approx(3.8)
    assert metrics.wpm == pytest.approx(10 / (5.0 / 60), rel=0.01)
    assert metrics.longest_pause_s == pytest.approx(1.2)
    assert [f.word for f in metrics.fillers] == ["like", "you know"]
    assert metrics.fillers[0].at_s == pytest.approx(1.0)
    assert metrics.think_time_s == 1.23


def test_percentile() -> None:
    assert percentile([], 50) is None
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([0.0, 10.0], 90) == pytest.approx(9.0)
