"""WAV ⇄ FLAC for sync: FLAC is lossless and roughly halves speech audio on the wire and in the bucket."""

from __future__ import annotations

from pathlib import Path

import soundfile as sf
from pydantic import BaseModel

from prepai_cli.errors import PrepAIError

_BLOCK_FRAMES = 65536
# FLAC stores integers only, up to 24 bits; wider or float WAVs are carried at 24 bits (≈144 dB, beyond any mic).
_FLAC_SUBTYPE = {"PCM_S8": "PCM_S8", "PCM_U8": "PCM_S8", "PCM_16": "PCM_16", "PCM_24": "PCM_24"}


class AudioFormat(BaseModel):
    samplerate: int
    channels: int
    frames: int
    wav_subtype: str


def wav_to_flac(wav: Path, flac: Path) -> AudioFormat:
    try:
        with sf.SoundFile(wav) as src:
            fmt = AudioFormat(samplerate=src.samplerate, channels=src.channels, frames=src.frames,
                              wav_subtype=src.subtype)
            flac_subtype = _FLAC_SUBTYPE.get(src.subtype, "PCM_24")
            dtype = "int16" if flac_subtype in {"PCM_16", "PCM_S8"} else "int32"
            flac.parent.mkdir(parents=True, exist_ok=True)
            with sf.SoundFile(flac, "w", samplerate=src.samplerate, channels=src.channels, format="FLAC",
                              subtype=flac_subtype) as dst:
                for block in src.blocks(blocksize=_BLOCK_FRAMES, dtype=dtype, always_2d=True):
                    dst.write(block)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise PrepAIError(f"cannot compress audio {wav} for sync: {exc}") from exc
    return fmt


def flac_to_wav(flac: Path, wav: Path, wav_subtype: str) -> None:
    try:
        with sf.SoundFile(flac) as src:
            dtype = "int16" if src.subtype in {"PCM_16", "PCM_S8"} else "int32"
            subtype = wav_subtype if sf.check_format("WAV", wav_subtype) else "PCM_16"
            wav.parent.mkdir(parents=True, exist_ok=True)
            with sf.SoundFile(wav, "w", samplerate=src.samplerate, channels=src.channels, format="WAV",
                              subtype=subtype) as dst:
                for block in src.blocks(blocksize=_BLOCK_FRAMES, dtype=dtype, always_2d=True):
                    dst.write(block)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise PrepAIError(f"cannot restore audio {wav} from the bucket copy: {exc}") from exc
