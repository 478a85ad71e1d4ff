"""Audio files used as the microphone: odd formats are converted, broken ones give one clear error."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from prepai_cli.audio.decoding import load_speech
from prepai_cli.audio.frames import SAMPLE_RATE
from prepai_cli.errors import PrepAIError
from tests.audio.conftest import silence, write_wav
from tests.audio.harness import wer

TEXT = "I would cache the results and invalidate them whenever the user updates a profile."


@pytest.fixture(scope="module")
def reference(speak, audio_dir: Path) -> Path:
    return write_wav(audio_dir / "reference.wav", np.concatenate([silence(0.3), speak(TEXT, "en-us"), silence(0.3)]))


@pytest.mark.parametrize("sox_args, name", [
    (["-r", "8000"], "phone-8k.wav"),
    (["-r", "48000", "-c", "2"], "stereo-48k.wav"),
    (["-r", "44100", "-c", "2"], "stereo-44k.flac"),
    (["-r", "22050"], "voice-22k.ogg"),
])
def test_other_rates_and_channels_are_resampled_to_16k_mono(reference: Path, audio_dir: Path, recognizer,
                                                             sox_args: list[str], name: str) -> None:
    converted = audio_dir / name
    subprocess.run(["sox", str(reference), *sox_args, str(converted)], check=True)
    original = load_speech(reference)
    samples = load_speech(converted)
    assert samples.ndim == 1 and samples.dtype == np.float32
    assert abs(len(samples) - len(original)) <= SAMPLE_RATE * 0.01
    assert wer(TEXT, recognizer.transcribe(samples).text) <= 0.3


def test_corrupt_header_is_a_clear_error(reference: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.wav"
    data = bytearray(reference.read_bytes())
    data[8:16] = b"JUNKJUNK"  # destroys the WAVE/fmt chunk ids
    broken.write_bytes(bytes(data))
    with pytest.raises(PrepAIError, match=r"cannot read .*broken\.wav as audio"):
        load_speech(broken)


def test_text_file_is_not_audio(tmp_path: Path) -> None:
    notes = tmp_path / "answers.wav"
    notes.write_text("these are my answers, not a recording\n")
    with pytest.raises(PrepAIError, match="as audio"):
        load_speech(notes)


def test_silence_only_is_rejected(tmp_path: Path) -> None:
    quiet = write_wav(tmp_path / "quiet.wav", np.zeros(SAMPLE_RATE * 2, dtype=np.float32))
    with pytest.raises(PrepAIError, match="silent"):
        load_speech(quiet)


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(PrepAIError, match="not found"):
        load_speech(tmp_path / "nope.wav")
    empty = write_wav(tmp_path / "empty.wav", np.zeros(0, dtype=np.float32))
    with pytest.raises(PrepAIError, match="empty"):
        load_speech(empty)
