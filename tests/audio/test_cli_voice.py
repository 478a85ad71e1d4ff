"""`prepai interview` with audio: a whole spoken interview from a WAV file, and the fallbacks."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile
import typer
from typer.testing import CliRunner

from prepai_cli.audio.model_store import Manifest, pull, recorded_checksums
from prepai_cli.cli import app
from prepai_cli.commands import interview as interview_command
from prepai_cli.commands import models as models_command
from prepai_cli.errors import PrepAIError
from prepai_cli.store import SessionStore
from tests.audio.harness import wer


@pytest.mark.slow
def test_spoken_interview_from_a_file(three_answers, tmp_path: Path, prepai_home: Path) -> None:
    out = tmp_path / "interviewer.wav"
    result = CliRunner().invoke(app, [
        "interview", "--type", "behavioral", "--input", str(three_answers.path), "--fast", "--no-tui", "--mute",
        "--output-audio", str(out),
    ])
    assert result.exit_code == 0, (result.output, result.exception)
    store = SessionStore(prepai_home / "sessions.db", prepai_home / "sessions")
    [session] = store.list_sessions()
    turns = store.turns(session.id)
    answers = [t for t in turns if t.role == "candidate"]
    assert len(answers) == len(three_answers.texts)
    for turn, script in zip(answers, three_answers.texts):
        assert wer(script, turn.text) <= 0.35, turn.text
        metrics = turn.metrics or {}
        for key in ("speaking_s", "words", "wpm", "fillers", "longest_pause_s", "think_time_s", "partials",
                    "time_to_first_partial_s"):
            assert key in metrics, key
        assert metrics["speaking_s"] > 2 and metrics["words"] > 10
        latency = metrics["latency"]
        assert latency["response_latency_ms"] > 0
        for part in ("endpoint_wait_ms", "stt_final_ms", "brain_first_sentence_ms", "tts_first_audio_ms"):
            assert latency[part] is not None and latency[part] >= 0, part
        assert turn.audio_path and Path(turn.audio_path).name == f"turn-{turn.index:03d}.wav"
        assert soundfile.info(turn.audio_path).samplerate == 16000
    assert turns[-1].role == "interviewer" and turns[-1].kind == "closing"
    recording, rate = soundfile.read(str(out))
    assert len(recording) / rate > 10 and np.max(np.abs(recording)) > 0.1, "the interviewer's voice was recorded"
    store.close()


def test_no_microphone_falls_back_to_typed_answers(monkeypatch: pytest.MonkeyPatch, prepai_home: Path) -> None:
    import sounddevice

    def no_devices(*args: object, **kwargs: object) -> None:
        raise sounddevice.PortAudioError("Error querying device -1")

    monkeypatch.setattr(sounddevice, "query_devices", no_devices)
    monkeypatch.setattr(interview_command, "_interactive_stdin", lambda: True)
    result = CliRunner().invoke(app, ["interview", "--type", "behavioral", "--no-tui"], input="/end\n")
    assert result.exit_code == 0, (result.output, result.exception)
    # Said in words (issue 18): no PortAudio code, what happens instead, and the setting that picks a device.
    assert "No voice input: the computer reports no microphone" in result.output
    assert "Type your answers instead" in result.output and "audio.input_device" in result.output
    assert "Error querying device -1" not in result.output
    store = SessionStore(prepai_home / "sessions.db", prepai_home / "sessions")
    [session] = store.list_sessions()
    assert session.status == "ended"
    store.close()


def test_unknown_speech_model_is_one_clear_error(three_answers, prepai_home: Path) -> None:
    result = CliRunner().invoke(app, ["interview", "--type", "behavioral", "--input", str(three_answers.path),
                                      "--fast", "--mute", "--stt-model", "medium.en"])
    assert isinstance(result.exception, PrepAIError)
    assert "neither tiny.en, base.en, small nor a faster-whisper model folder" in str(result.exception)


def _models_app() -> typer.Typer:
    models_app = typer.Typer()
    models_command.register(models_app)

    @models_app.callback()
    def _root() -> None:
        pass

    return models_app


def test_pull_without_network_says_it_cannot_reach_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREPAI_MODELS_URL", "http://127.0.0.1:9")  # the discard port: connection refused
    result = CliRunner().invoke(_models_app(), ["models", "pull", "base.en"])
    assert isinstance(result.exception, PrepAIError)
    assert str(result.exception).startswith("cannot reach 127.0.0.1:9")


@pytest.fixture
def model_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "hub"
    files = root / "acme" / "whisper-test" / "resolve" / "main"
    files.mkdir(parents=True)
    (files / "config.json").write_text('{"alignment_heads": []}')
    (files / "model.bin").write_bytes(np.random.default_rng(1).bytes(300_000))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", files
    finally:
        server.shutdown()


def test_pull_records_checksums_on_first_use_and_rejects_changed_files(model_server, tmp_path: Path) -> None:
    url, files = model_server
    manifest = Manifest.model_validate({"models": {"test": {
        "description": "test", "repo": "acme/whisper-test", "approx_mb": 1,
        "files": {"config.json": None, "model.bin": None}}}})
    seen: list[tuple[str, int]] = []
    folder = pull("test", manifest, tmp_path / "models", lambda f, done, total: seen.append((f, done)), url=url)
    assert (folder / "model.bin").read_bytes() == (files / "model.bin").read_bytes()
    assert set(recorded_checksums(folder)) == {"config.json", "model.bin"}
    assert seen[-1] == ("model.bin", 300_000)
    (files / "model.bin").write_bytes(b"tampered")
    with pytest.raises(PrepAIError, match="checksum mismatch for test/model.bin"):
        pull("test", manifest, tmp_path / "models", lambda *a: None, url=url)
    assert not (folder / "model.bin").exists()


def test_manifest_lists_the_real_faster_whisper_files() -> None:
    manifest = json.loads((Path(__file__).resolve().parents[2] / "models" / "manifest.json").read_text())
    for name, repo in (("base.en", "Systran/faster-whisper-base.en"), ("small", "Systran/faster-whisper-small")):
        entry = manifest["models"][name]
        assert entry["repo"] == repo
        assert set(entry["files"]) == {"config.json", "model.bin", "tokenizer.json", "vocabulary.txt"}
