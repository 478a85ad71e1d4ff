"""Reading audio files of any common format, rate and channel count into 16 kHz mono float32."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import soundfile

from prepai_cli.audio.frames import SAMPLE_RATE
from prepai_cli.errors import PrepAIError

# Below this peak level a file holds no usable speech (16-bit dither is about 3e-5).
SILENCE_PEAK = 1e-3


def read_audio(path: Path) -> tuple[np.ndarray, int]:
    """Samples as float32 (frames × channels) and the file's sample rate."""
    if not path.exists():
        raise PrepAIError(f"audio file not found: {path}")
    if path.is_dir():
        raise PrepAIError(f"audio file is a directory: {path}")
    try:
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as sf_error:
        # libsndfile rejects a few WAV variants (odd chunk layouts) that the stdlib reader accepts.
        try:
            data, rate = _read_with_wave(path)
        except (wave.Error, EOFError, ValueError):
            raise PrepAIError(
                f"cannot read {path} as audio ({_short(sf_error)}); use a WAV, FLAC or OGG file"
            ) from None
    if data.shape[0] == 0:
        raise PrepAIError(f"audio file {path} is empty")
    return data, int(rate)


def _read_with_wave(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as reader:
        width, channels, rate = reader.getsampwidth(), reader.getnchannels(), reader.getframerate()
        raw = reader.readframes(reader.getnframes())
    if width == 1:
        samples = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 2:
        samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    elif width == 4:
        samples = np.frombuffer(raw, dtype="<i4").astype(np.float32) / 2147483648.0
    else:
        raise ValueError(f"unsupported sample width {width}")
    return samples.reshape(-1, channels), rate


def _short(error: BaseException) -> str:
    return str(error).strip().splitlines()[0][:120] if str(error).strip() else type(error).__name__


def load_speech(path: Path) -> np.ndarray:
    """A file as 16 kHz mono float32, rejecting files that cannot hold speech."""
    data, rate = read_audio(path)
    mono = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    if float(np.max(np.abs(mono))) < SILENCE_PEAK:
        raise PrepAIError(f"audio file {path} is silent: there is no speech to transcribe")
    if rate < 8000:
        raise PrepAIError(f"audio file {path} has a {rate} Hz sample rate; speech needs at least 8000 Hz")
    return resample(mono, rate, SAMPLE_RATE)


def resample(samples: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Band-limited resampling: a windowed-sinc low-pass before decimation, linear interpolation onto the new grid.

    Good enough for speech recognition (the loss is far above Whisper's 8 kHz band) and needs no scipy.
    """
    samples = np.asarray(samples, dtype=np.float32)
    if rate_in == rate_out or len(samples) == 0:
        return samples.copy()
    if rate_out < rate_in:
        samples = _lowpass(samples, cutoff=0.45 * rate_out / rate_in)
    duration = len(samples) / rate_in
    n_out = int(round(duration * rate_out))
    t_out = np.arange(n_out, dtype=np.float64) / rate_out
    t_in = np.arange(len(samples), dtype=np.float64) / rate_in
    return np.interp(t_out, t_in, samples).astype(np.float32)


def _lowpass(samples: np.ndarray, cutoff: float, taps: int = 101) -> np.ndarray:
    """`cutoff` is a fraction of the input sample rate (0.5 = Nyquist)."""
    n = np.arange(taps) - (taps - 1) / 2
    kernel = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(taps)
    kernel /= kernel.sum()
    return np.convolve(samples, kernel.astype(np.float32), mode="same")
