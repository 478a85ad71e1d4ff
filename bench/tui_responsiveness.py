"""Key press → screen update latency in the interview screen while speech recognition runs on worker threads.

Load during the measurement, all off the UI loop as in a real spoken interview:
  * Whisper (the bundled tiny.en) transcribing a synthesized answer over and over, as the recogniser does for
    partials;
  * a partial-transcript flood (500 partials/s) and a level-meter flood (500/s) through the same VoiceFeed the
    voice pipeline uses, merged by prepai_cli.tui.coalesce.

Each sample types one character into the answer box and times until the first frame that shows it is composed.
Prints p50/p95/max in milliseconds, idle and under load.

    PYTHONPATH=. python bench/tui_responsiveness.py [--presses 40]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from textual import events

from prepai_cli.agent.brain import Conversation
from prepai_cli.agent.events import BrainEvent, SegmentStarted, TextDelta, TurnEnded
from prepai_cli.bank import load_bank
from prepai_cli.store import SessionStore
from prepai_cli.tui import messages as m
from prepai_cli.tui.app import PrepAIApp
from prepai_cli.widgets.answer_box import AnswerBox
from prepai_cli.tui.bridge import VoiceFeed
from prepai_cli.tui.services import InterviewSetup, Services


class OneQuestionBrain:
    """Asks one question and then waits for the answer; the benchmark never answers."""

    name = "bench"

    def respond(self, conversation: Conversation) -> Iterator[BrainEvent]:
        yield SegmentStarted("question", "gsde-two-sum", {"number": 1, "of": 1, "topic": "arrays"})
        yield TextDelta("Given an array and a target, return the indices of two numbers adding up to it.")
        yield TurnEnded()


def whisper_load(stop: threading.Event) -> tuple[threading.Thread, str]:
    """A thread running real speech recognition until `stop`; falls back to a numpy burner if Whisper is absent."""
    try:
        from prepai_cli.audio.decoding import load_speech
        from prepai_cli.audio.stt import WhisperRecognizer, resolve_model_dir

        if shutil.which("espeak-ng") is None:
            raise RuntimeError("espeak-ng not installed")
        wav = Path(tempfile.mkdtemp()) / "answer.wav"
        subprocess.run(["espeak-ng", "-w", str(wav), "I would use a hash map from value to index and look up "
                        "the complement of each number, which is linear time."], check=True)
        audio = load_speech(wav)
        recognizer = WhisperRecognizer(resolve_model_dir(None, Path(tempfile.mkdtemp())), cpu_threads=1)
        description = "Whisper tiny.en transcribing in a loop"

        def work() -> None:
            while not stop.is_set():
                recognizer.transcribe(audio)
    except Exception as exc:  # the benchmark still measures UI latency under CPU load, and says which load
        import numpy as np

        description = f"numpy CPU burner (Whisper unavailable: {exc})"
        matrix = np.random.default_rng(0).standard_normal((300, 300))

        def work() -> None:
            while not stop.is_set():
                matrix @ matrix

    return threading.Thread(target=work, name="bench-stt", daemon=True), description


def flood(feed: VoiceFeed, stop: threading.Event) -> threading.Thread:
    def work() -> None:
        words = "so I would put every value in a hash map and then look up the complement".split()
        i = 0
        while not stop.is_set():
            i += 1
            feed.partial(" ".join(words[: 1 + i % len(words)]))
            feed.level((i % 50) / 50)
            time.sleep(0.002)

    return threading.Thread(target=work, name="bench-flood", daemon=True)


async def measure(app: PrepAIApp, presses: int) -> list[float]:
    """Latency per press: posting the key event → the first composed frame whose input already shows the key."""
    box = app.screen.query_one("#typed", AnswerBox)
    frames: list[tuple[float, str]] = []
    original = app._display

    def display(screen: Any, renderable: Any) -> None:
        frames.append((time.perf_counter(), box.text))
        original(screen, renderable)

    app._display = display  # type: ignore[method-assign]  # instrumentation for this benchmark only
    box.focus()
    latencies = []
    for i in range(presses):
        char = "abcdefghij"[i % 10]
        before = box.text
        start = time.perf_counter()
        box.post_message(events.Key(char, char))
        while True:
            shown = next((t for t, value in frames if t >= start and value != before), None)
            if shown is not None:
                break
            await asyncio.sleep(0.0005)
        latencies.append((shown - start) * 1000)
        await asyncio.sleep(0.05)
    app._display = original  # type: ignore[method-assign]
    return latencies


def summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"{name}: p50 {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms (n={len(ordered)})"


async def run(presses: int) -> None:
    home = Path(tempfile.mkdtemp())
    store = SessionStore(home / "sessions.db", home / "sessions")
    services = Services(store=store, bank=load_bank(), brain_name="bench", candidate="bench",
                        brain_factory=OneQuestionBrain)
    app = PrepAIApp(services, setup=InterviewSetup(type="google-sde"))
    asked = threading.Event()
    async with app.run_test(size=(100, 30),
                            message_hook=lambda msg: asked.set() if isinstance(msg, m.AnswerRequested) else None):
        while not asked.is_set():
            await asyncio.sleep(0.05)
        idle = await measure(app, presses)
        stop = threading.Event()
        stt, load = whisper_load(stop)
        feed = VoiceFeed(app.screen.post_message)
        threads = [stt, flood(feed, stop)]
        for thread in threads:
            thread.start()
        await asyncio.sleep(1.0)
        loaded = await measure(app, presses)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    print(f"load: {load} + 500 partials/s + 500 level updates/s")
    print(summary("idle      ", idle))
    print(summary("under load", loaded))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=40)
    args = parser.parse_args()
    asyncio.run(run(args.presses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
