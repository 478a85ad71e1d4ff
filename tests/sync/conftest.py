"""A real S3 endpoint over HTTP for every test: moto's threaded server behind a counting/fault-injecting proxy."""

from __future__ import annotations

import shutil
import subprocess
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from prepai_cli.domain import NewTurn, Session
from prepai_cli.store import SessionStore
from tests.sync.s3proxy import S3Proxy

BUCKET = "prepai-test-bucket"
USER = "ada"
ANSWERS = [
    "I would start by clarifying the requirements and the expected traffic.",
    "A consistent hash ring spreads the keys evenly across the cache nodes.",
    "I once led a migration of a payment service to a new database without downtime.",
    "The trade off is latency against durability, so I would batch the writes.",
]


class MotoHandle:
    """A moto server that can be stopped and started again on the same port, keeping its buckets."""

    def __init__(self) -> None:
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        self.port = self.server.get_host_and_port()[1]

    def stop(self) -> None:
        self.server.stop()
        # stop() leaves the listening socket open (connections would hang in the backlog); a dead server refuses them.
        self.server._server.server_close()  # type: ignore[union-attr]

    def restart(self) -> None:
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="session")
def speech_clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Real synthesized speech (espeak-ng), one clip per answer."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    folder = tmp_path_factory.mktemp("speech")
    clips = []
    for i, text in enumerate(ANSWERS):
        path = folder / f"answer-{i}.wav"
        subprocess.run(["espeak-ng", "-w", str(path), text], check=True, capture_output=True)
        clips.append(path)
    return clips


@pytest.fixture
def aws_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config, credentials = tmp_path / "aws-config", tmp_path / "aws-credentials"
    config.write_text("[default]\nregion = us-east-1\n")
    credentials.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREPAI_CANDIDATE", USER)
    monkeypatch.setenv("PREPAI_SYNC__BUCKET", BUCKET)


@pytest.fixture
def moto() -> Iterator[MotoHandle]:
    handle = MotoHandle()
    # moto keeps its state per process: start every test from an empty account.
    urllib.request.urlopen(urllib.request.Request(f"{handle.url}/moto-api/reset", method="POST")).close()
    yield handle
    handle.server.stop()


@pytest.fixture
def proxy(moto: MotoHandle, aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Proxy]:
    p = S3Proxy(moto.port).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", p.url)
    yield p
    p.stop()


@pytest.fixture
def s3(moto: MotoHandle, aws_env: None) -> object:
    """A client straight to moto, for arranging and inspecting the bucket without going through the proxy."""
    client = boto3.client("s3", endpoint_url=moto.url, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    return client


def make_session(store: SessionStore, clips: list[Path], *, cv: Path | None = None, report: bool = True,
                 end: bool = True) -> Session:
    """A realistic ended session: interviewer questions, spoken answers with WAV audio, a report, a CV."""
    settings = {"questions": 2, "minutes": 20, "difficulty": 2}
    if cv is not None:
        settings["cv_path"] = str(cv)
    session = store.create_session("system-design", "offline", USER, settings)
    folder = store.session_dir(session.id)
    folder.mkdir(parents=True, exist_ok=True)
    for i, clip in enumerate(clips):
        store.add_turn(session.id, NewTurn(role="interviewer", kind="question", text=f"Question {i + 1}?",
                                           question_id=f"q{i}", meta={"n": i}))
        audio = folder / f"turn-{2 * i + 1:03d}.wav"  # absolute, inside the session folder: as the voice pipeline does
        shutil.copyfile(clip, audio)
        turn = store.add_turn(session.id, NewTurn(role="candidate", kind="answer", text=ANSWERS[i % len(ANSWERS)],
                                                  audio_path=str(audio), metrics={"wpm": 130 + i}))
        store.update_turn(turn.id, evaluation={"score": 6 + i, "missed": ["capacity estimate"]})
    if report:
        (folder / "report.json").write_text('{"overall": 7.5}\n')
        (folder / "report.md").write_text("# Report\n\nGood structure.\n")
    if end:
        session = store.set_status(session.id, "ended")
    return session


def later(session: Session, minutes: int) -> Session:
    assert session.ended_at is not None
    return session.model_copy(update={"ended_at": session.ended_at + timedelta(minutes=minutes)})
