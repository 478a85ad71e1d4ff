"""Real synthesized speech for the voice-pipeline tests, made once per session.

Piper (joe voice) is the realistic case, espeak-ng the hard one. Whisper is loaded once and shared.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile

from prepai_cli.audio.decoding import load_speech, resample
from prepai_cli.audio.frames import SAMPLE_RATE
from prepai_cli.audio.stt import WhisperRecognizer, resolve_model_dir
from prepai_cli.audio.tts import PiperSynthesizer, default_voice_paths

ANSWERS = [
    ("piper", "In my last role our payment service missed its latency target. I profiled the database queries "
              "and added a cache, which cut the latency in half."),
    ("en-us+m3", "I would use a hash map from each value to its index, so every lookup takes constant time."),
    ("piper", "When a teammate disagreed with my design, we ran a small benchmark together and picked the "
              "cheaper approach."),
]
GAP_S = 3.5


@dataclass(frozen=True)
class SpokenScript:
    path: Path
    texts: list[str]


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="session")
def piper() -> PiperSynthesizer:
    return PiperSynthesizer.load(*default_voice_paths())


@pytest.fixture(scope="session")
def recognizer() -> WhisperRecognizer:
    return WhisperRecognizer(resolve_model_dir(None, Path("/nonexistent")))


@pytest.fixture(scope="session")
def speak(piper: PiperSynthesizer, audio_dir: Path) -> Callable[..., np.ndarray]:
    """speak(text, voice) → 16 kHz mono float32; voice "piper" or an espeak-ng voice name."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is required for the audio tests: apt-get install espeak-ng")
    counter = iter(range(10_000))

    def _speak(text: str, voice: str = "piper") -> np.ndarray:
        if voice == "piper":
            pcm = piper.synthesize(text).astype(np.float32) / 32768.0
            return _trim(resample(pcm, piper.sample_rate, SAMPLE_RATE))
        path = audio_dir / f"espeak-{next(counter)}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "160", "-w", str(path), text], check=True)
        return _trim(load_speech(path))

    return _speak


def _trim(samples: np.ndarray, level: float = 0.01, keep_s: float = 0.05) -> np.ndarray:
    """Drops the synthesizer's own lead-in and trailing silence, so the pauses a test inserts are the pauses."""
    loud = np.flatnonzero(np.abs(samples) > level)
    keep = int(keep_s * SAMPLE_RATE)
    return samples[max(0, loud[0] - keep):loud[-1] + keep] if len(loud) else samples


def silence(seconds: float) -> np.ndarray:
    """Digital silence with a faint noise floor, as a real recording has."""
    rng = np.random.default_rng(7)
    return (rng.standard_normal(int(seconds * SAMPLE_RATE)) * 1e-4).astype(np.float32)


def write_wav(path: Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    soundfile.write(str(path), samples, rate, subtype="PCM_16")
    return path


@pytest.fixture(scope="session")
def three_answers(speak, audio_dir: Path) -> SpokenScript:
    parts = [silence(1.0)]
    for voice, text in ANSWERS:
        parts += [speak(text, voice), silence(GAP_S)]
    return SpokenScript(write_wav(audio_dir / "three-answers.wav", np.concatenate(parts)), [t for _, t in ANSWERS])


@pytest.fixture(scope="session")
def paused_answer(speak, audio_dir: Path) -> SpokenScript:
    first, second = "I would start with a hash map,", "and then check the complement for every number."
    samples = np.concatenate([silence(0.5), speak(first), silence(0.35), speak(second), silence(1.5)])
    return SpokenScript(write_wav(audio_dir / "paused-answer.wav", samples), [f"{first} {second}"])
