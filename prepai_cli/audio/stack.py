"""Assembles the voice pipeline for one interview: loads the models in parallel and picks source and sink."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field
from rich.console import Console

from prepai_cli.audio.duplex import Duplex, DuplexConfig
from prepai_cli.audio.endpointing import EndpointConfig
from prepai_cli.audio.playback import Player
from prepai_cli.audio.sinks import AudioSink, NullSink, TeeSink, WavFileSink, open_speaker
from prepai_cli.audio.devices import NoAudioDevice
from prepai_cli.audio.sources import AudioSource, FileSource, open_microphone
from prepai_cli.audio.speech_out import SpeechOutput
from prepai_cli.audio.stt import BackgroundRecognizer, resolve_model_dir
from prepai_cli.audio.tts import PiperSynthesizer, default_voice_paths
from prepai_cli.audio.vad import SileroVad


class VoiceOptions(BaseModel):
    input_path: Path | None = None  # None: the microphone
    fast: bool = False
    polite: bool = True
    output_audio: Path | None = None
    mute: bool = False
    stt_model: str | None = None
    models_dir: Path
    silence_ms: int = Field(default=600, ge=200, le=3000)
    max_turn_s: float = Field(default=180.0, ge=5, le=1800)
    silence_checkin_s: float = Field(default=20.0, ge=0, le=600)
    beam_size: int = Field(default=5, ge=1, le=10)
    speaking_rate: float = Field(default=1.0, ge=0.5, le=2.0)
    input_device: str | None = None
    output_device: str | None = None
    cpu_threads: int | None = None


@dataclass
class VoiceStack:
    duplex: Duplex
    recognizer: BackgroundRecognizer
    synthesizer: PiperSynthesizer
    sink: AudioSink
    load_s: float

    def close(self) -> None:
        self.duplex.close()
        self.duplex.speech.player.close()


def open_source(options: VoiceOptions) -> AudioSource:
    """The input first, before any model loads: a missing microphone must be reported at once."""
    if options.input_path is not None:
        return FileSource.from_path(options.input_path, realtime=not options.fast, polite=options.polite)
    device = _device(options.input_device)
    return open_microphone(device)


def _device(name: str | None) -> str | int | None:
    if name is None:
        return None
    return int(name) if name.isdigit() else name


def _open_sink(options: VoiceOptions, sample_rate: int, console: Console) -> AudioSink:
    realtime = not options.fast
    if not options.mute:
        try:
            speaker = open_speaker(sample_rate, _device(options.output_device))
        except NoAudioDevice as exc:
            console.print(f"[yellow]{exc}; the interviewer's words are shown as text only.[/]")
        else:
            if options.output_audio is not None:
                return TeeSink(speaker, WavFileSink(options.output_audio, sample_rate, realtime=False))
            return speaker
    if options.output_audio is not None:
        # Muted with a recording: the recording keeps the pace a speaker would have (unless --fast).
        return WavFileSink(options.output_audio, sample_rate, realtime=realtime)
    return NullSink(sample_rate, realtime=realtime)


def build_voice_stack(options: VoiceOptions, source: AudioSource, console: Console) -> VoiceStack:
    import time

    started = time.perf_counter()
    model_dir = resolve_model_dir(options.stt_model, options.models_dir)
    voice_model, voice_config = default_voice_paths()
    # Only the voice and the VAD are needed for the first question. Whisper loads in the background while the
    # interviewer speaks and is awaited when the candidate first talks. Measured on 2 busy cores: loading Whisper
    # alongside Piper stretched Piper's load from ~0.5 s to 1.9 s and the first question to ~4 s.
    with console.status("[dim]Loading the interviewer's voice…[/]"):
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="load") as pool:
            piper = pool.submit(PiperSynthesizer.load, voice_model, voice_config, speaking_rate=options.speaking_rate)
            vad = pool.submit(SileroVad)
            synthesizer, silero = piper.result(), vad.result()
    sink = _open_sink(options, synthesizer.sample_rate, console)
    player = Player(sink)
    speech = SpeechOutput(synthesizer, player)
    recognizer = BackgroundRecognizer(model_dir, cpu_threads=options.cpu_threads, beam_size=options.beam_size,
                                      after=player.first_audio)
    config = DuplexConfig(
        endpoint=EndpointConfig(silence_ms=options.silence_ms, max_turn_s=options.max_turn_s),
        pace_silence=options.fast and options.input_path is not None,
        final_beam_size=options.beam_size,
        silence_checkin_s=options.silence_checkin_s,
    )
    duplex = Duplex(source, recognizer, speech, config, vad=silero, audible_sink=sink.audible)
    return VoiceStack(duplex, recognizer, synthesizer, sink, time.perf_counter() - started)
