"""The endpointer on real VAD output: thinking pauses, the maximum turn length, unfinished-sounding text."""

from __future__ import annotations

import numpy as np
import pytest

from prepai_cli.audio.duplex import sounds_unfinished
from prepai_cli.audio.endpointing import EndpointConfig, Endpointer, EndpointEvent
from prepai_cli.audio.frames import SAMPLE_RATE, WINDOW
from prepai_cli.audio.vad import SileroVad
from tests.audio.conftest import silence


def _events(audio: np.ndarray, endpointer: Endpointer) -> list[EndpointEvent]:
    vad = SileroVad()
    events: list[EndpointEvent] = []
    for start in range(0, len(audio) - WINDOW + 1, WINDOW):
        events += endpointer.step(start / SAMPLE_RATE, WINDOW / SAMPLE_RATE, vad(audio[start:start + WINDOW]))
    return events


@pytest.fixture(scope="module")
def thinking(speak) -> np.ndarray:
    """An answer with a 0.9 s pause after a dangling "and"."""
    return np.concatenate([silence(0.4), speak("I would put the users in a queue and"), silence(0.9),
                           speak("then process them in batches."), silence(2.0)])


def test_a_pause_after_unfinished_words_gets_the_thinking_grace(thinking: np.ndarray) -> None:
    config = EndpointConfig(silence_ms=600, thinking_grace_ms=700)
    hurried = [e for e in _events(thinking, Endpointer(config, unfinished=lambda: False)) if e.kind == "end"]
    patient = [e for e in _events(thinking, Endpointer(config, unfinished=lambda: True)) if e.kind == "end"]
    assert len(hurried) == 2, "without the grace the pause ends the turn"
    assert len(patient) == 1, "with the grace the candidate may finish the sentence"


def test_speech_events_come_in_order_with_a_speculation_before_the_end(thinking: np.ndarray) -> None:
    events = _events(thinking, Endpointer(EndpointConfig(silence_ms=600, thinking_grace_ms=0)))
    kinds = [e.kind for e in events]
    assert kinds[0] == "start" and kinds[-1] == "end"
    last_end = len(kinds) - 1
    assert "speculate" in kinds[:last_end], "the final transcription starts before the endpoint is certain"
    assert events[0].at_s == pytest.approx(0.4, abs=0.15)


def test_the_maximum_turn_length_forces_an_end(speak) -> None:
    long_answer = np.concatenate([speak("I would start by measuring the traffic and then I would estimate the "
                                        "storage we need for five years of data, including replicas."), silence(1)])
    endpointer = Endpointer(EndpointConfig(max_turn_s=5.0))
    events = _events(long_answer, endpointer)
    start = next(e for e in events if e.kind == "start")
    ends = [e for e in events if e.kind == "end"]
    # Forced no later than 5 s (plus one VAD window) after the speech began, though the speech goes on longer;
    # measured from the start because the synthesized lead-in varies run to run.
    assert ends and ends[0].forced
    assert ends[0].at_s - start.at_s <= 5.0 + WINDOW / SAMPLE_RATE
    assert len(long_answer) / SAMPLE_RATE - 1 > start.at_s + 5.5


@pytest.mark.parametrize("text, unfinished", [
    ("I would use a hash map and", True),
    ("So the main thing is, um", True),
    ("First, we shard by user,", True),
    ("I would shard the table by.", True),
    ("The trade off is between", True),
    ("That gives linear time.", False),
    ("", False),
])
def test_unfinished_text(text: str, unfinished: bool) -> None:
    assert sounds_unfinished(text) is unfinished
