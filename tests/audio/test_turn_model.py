"""Semantic end of turn: the vendored Smart Turn model, its features, and how the endpointer uses its verdicts."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from prepai_cli.audio.decoding import load_speech
from prepai_cli.audio.duplex import DuplexConfig
from prepai_cli.audio.endpointing import EndpointConfig, Endpointer, EndpointEvent
from prepai_cli.audio.frames import SAMPLE_RATE, WINDOW
from prepai_cli.audio.turn_model import MODEL_PATH, MODEL_SHA256, SmartTurn, fit_window, log_mel_features
from prepai_cli.audio.vad import SileroVad
from tests.audio.conftest import silence, write_wav
from tests.audio.harness import answers, collect, make_duplex


@pytest.fixture(scope="module")
def smart_turn() -> SmartTurn:
    return SmartTurn()


def test_the_vendored_model_is_the_recorded_file_with_its_licence() -> None:
    assert hashlib.sha256(MODEL_PATH.read_bytes()).hexdigest() == MODEL_SHA256
    licence = (MODEL_PATH.parent / "LICENSE-smart-turn").read_text()
    assert "BSD 2-Clause" in licence and "Daily" in licence


def test_features_match_whispers_own_extractor(speak) -> None:
    """The model was trained on transformers' WhisperFeatureExtractor output; faster-whisper computes the same."""
    from faster_whisper.feature_extractor import FeatureExtractor

    audio = fit_window(speak("I would keep a min heap of size k."))
    normalized = (audio - audio.mean()) / np.sqrt(audio.var() + 1e-7)
    reference = FeatureExtractor(chunk_length=8)(normalized, padding=0)[:, :800]
    ours = log_mel_features(audio)
    assert ours.shape == (80, 800)
    assert np.abs(ours - reference).max() < 1e-4


def test_window_keeps_the_end_and_pads_the_front() -> None:
    short = np.ones(SAMPLE_RATE, dtype=np.float32)
    fitted = fit_window(short)
    assert len(fitted) == 8 * SAMPLE_RATE and fitted[-1] == 1 and fitted[0] == 0
    long = np.arange(10 * SAMPLE_RATE, dtype=np.float32)
    assert fit_window(long)[-1] == long[-1] and len(fit_window(long)) == 8 * SAMPLE_RATE


@pytest.mark.slow
def test_a_finished_answer_sounds_finished_and_a_dangling_one_does_not(speak, smart_turn: SmartTurn) -> None:
    tail = silence(0.2)
    done = [smart_turn.probability(np.concatenate([silence(0.3), speak(text, voice), tail])) for text, voice in [
        ("I would use a hash map from each value to its index, which gives linear time overall.", "en-us"),
        ("That gives linear time and linear space.", "piper"),
    ]]
    unfinished = [smart_turn.probability(np.concatenate([silence(0.3), speak(text, voice), tail])) for text, voice in [
        ("I would use a hash map from each value to its index, and then", "en-us"),
        ("So the first thing I would do is, um", "piper"),
        ("I would partition the data by user identifier so the load", "piper"),
    ]]
    assert min(done) > 0.5, done
    assert max(unfinished) < 0.5, unfinished


def _ends(audio: np.ndarray, verdict: float | None, unfinished: bool = False,
          coming: bool = False) -> list[EndpointEvent]:
    vad = SileroVad()
    endpointer = Endpointer(EndpointConfig(), unfinished=lambda: unfinished, verdict=lambda pause_at_s: verdict,
                            verdict_coming=lambda pause_at_s: coming)
    events: list[EndpointEvent] = []
    for start in range(0, len(audio) - WINDOW + 1, WINDOW):
        events += [e for e in endpointer.step(start / SAMPLE_RATE, WINDOW / SAMPLE_RATE,
                                              vad(audio[start:start + WINDOW])) if e.kind in ("check", "end")]
    return events


@pytest.fixture(scope="module")
def thinking_pause(speak) -> np.ndarray:
    """A 1.5 s thinking pause in mid-sentence, then the rest of the answer and a long silence."""
    return np.concatenate([silence(0.4), speak("I would partition the data by user identifier so the load"),
                           silence(1.5), speak("spreads evenly across the shards."), silence(3.0)])


@pytest.mark.slow
def test_verdicts_set_the_wait(thinking_pause: np.ndarray) -> None:
    cfg = EndpointConfig()
    done = _ends(thinking_pause, verdict=0.9)
    assert [e.kind for e in done][:2] == ["check", "end"], "a finished-sounding pause ends the turn"
    mid = _ends(thinking_pause, verdict=0.1)
    assert [e.kind for e in mid].count("end") == 1, "a mid-thought pause waits for the candidate"
    dangling = _ends(thinking_pause, verdict=0.9, unfinished=True)
    assert [e.kind for e in dangling].count("end") == 1, "dangling words wait, whatever the model says"
    late = _ends(thinking_pause, verdict=None, coming=True)
    assert [e.kind for e in late].count("end") == 1, "a model still thinking (busy machine) is waited for"
    without = _ends(thinking_pause, verdict=None)
    assert [e.kind for e in without].count("end") == 2, "no model: the fixed silence cuts a long pause"
    assert cfg.complete_silence_ms < cfg.silence_ms < cfg.mid_thought_ms


@pytest.mark.slow
def test_the_pipeline_waits_through_a_thinking_pause_and_answers_fast_at_the_end(
        speak, recognizer, piper, tmp_path) -> None:
    first, second = "So to find the duplicates I would, um", "sort the array and compare each pair of neighbours."
    samples = np.concatenate([silence(0.5), speak(first), silence(1.6), speak(second), silence(3.0)])
    write_wav(tmp_path / "thinking.wav", samples)
    # No bound on waiting for the model and the transcript: the decision is then the same in audio time at any
    # load (the bound is a safety valve for live input; a loaded CI machine can exceed it).
    duplex = make_duplex(load_speech(tmp_path / "thinking.wav"), recognizer, piper,
                         config=DuplexConfig(turn_model_wait_s=10))
    try:
        endpoints: list[float] = []
        got = answers(collect(duplex, endpoints_s=endpoints))
    finally:
        duplex.close()
    assert len(got) == 1, [a.transcript.text for a in got]
    assert "neighbour" in got[0].transcript.text.lower() or "neighbor" in got[0].transcript.text.lower()
    assert len(got[0].speech_segments) >= 2
    # Measured in audio time (the polite file stops being read at the endpoint), so load cannot change it.
    speech_end_s = len(samples) / SAMPLE_RATE - 3.0
    assert endpoints and endpoints[0] - speech_end_s < 1.0, "the turn ended soon after the last words, not after the 2.5 s wait"
    assert duplex.turn_verdicts is not None and duplex.turn_verdicts.latencies_s


def test_the_model_can_be_switched_off() -> None:
    assert DuplexConfig(turn_model=False).turn_model is False


def test_a_model_that_cannot_load_leaves_the_endpointer_on_its_old_rule() -> None:
    from prepai_cli.audio.turn_model import TurnVerdicts

    def broken() -> SmartTurn:
        raise RuntimeError("model file truncated")

    verdicts = TurnVerdicts(loader=broken)
    verdicts.submit((1, 0.5), np.zeros(SAMPLE_RATE, dtype=np.float32))
    assert verdicts.wait((1, 0.5), timeout=5) is None
    assert verdicts.failed == "model file truncated"
    assert not verdicts.coming((1, 0.5)), "nobody waits for a verdict that will never come"
    verdicts.close()


@pytest.mark.slow
def test_verdicts_come_back_per_pause(speak) -> None:
    from prepai_cli.audio.turn_model import TurnVerdicts

    verdicts = TurnVerdicts()
    audio = np.concatenate([silence(0.3), speak("That gives linear time and linear space."), silence(0.2)])
    verdicts.submit((1, 2.0), audio)
    assert verdicts.coming((1, 2.0)) or verdicts.get((1, 2.0)) is not None
    probability = verdicts.wait((1, 2.0), timeout=30)
    assert probability is not None and probability > 0.5
    assert not verdicts.coming((1, 2.0)) and verdicts.latencies_s
    verdicts.close()
