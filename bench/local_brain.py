"""What --brain local adds on PrepAI's side: looking for servers, and stream handling through the openai client.

Against the test suite's OpenAI-compatible SSE server (no model: the numbers are PrepAI's own overhead, not
generation time). Prints: discovery on the four usual ports when nothing listens (what the app's picker pays at
start), the delay from the server sending the first content chunk to the brain's first TextDelta, and the cost
of importing the openai client (paid once, only by --brain local).

Usage: PYTHONPATH=. python bench/local_brain.py [--turns 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from prepai_cli.agent.bank_match import AnswerJudge, QuestionMatcher
from prepai_cli.agent.events import TextDelta
from prepai_cli.agent.local_servers import discover
from prepai_cli.agent.openai_compat import OpenAICompatBrain
from prepai_cli.bank import load_bank
from prepai_cli.config import LocalLLMSettings
from tests.localllm.fake_openai import MODEL, FakeOpenAI, ollama_routes, text_reply


def _row(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    print(f"  {label:<46} median {statistics.median(samples):7.2f} ms   p90 {p90:7.2f} ms   n={len(samples)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=30)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

    timings = []
    for _ in range(20):
        started = time.perf_counter()
        found = discover()
        timings.append((time.perf_counter() - started) * 1000)
    print(f"  (servers found on the usual ports: {[s.label for s in found] or 'none'})")
    _row("discovery, 4 ports", timings)

    server = FakeOpenAI(routes=ollama_routes(MODEL)).start()
    bank = load_bank()
    evaluator = lambda: None  # noqa: E731 - no answers are scored here
    brain = OpenAICompatBrain(LocalLLMSettings(base_url=server.base_url, model=MODEL, judge=False), bank,
                              AnswerJudge(bank, evaluator, QuestionMatcher(bank)))
    from tests.bedrock.scripts import conversation
    from prepai_cli.store import SessionStore
    import tempfile
    from pathlib import Path

    store = SessionStore(Path(tempfile.mkdtemp()) / "bench.db")
    first_delta = []
    for _ in range(args.turns):
        server.sent.clear()
        server.expect(text_reply("Hi, I'm your interviewer. ", *["Some more words. "] * 40, delay=0.002))
        for event in brain.respond(conversation(store, "google-sde")):
            if isinstance(event, TextDelta):
                received = time.monotonic()
                sent = next(t for t, what in server.sent if what == "event 1")
                first_delta.append((received - sent) * 1000)
                break
    server.stop()
    _row("server sends first chunk -> brain's TextDelta", first_delta)

    wall, cpu = [], []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", "import time; t, c = time.perf_counter(), time.process_time(); "
                              "import openai; print((time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000)"],
                             capture_output=True, text=True, check=True)
        w, c = out.stdout.split()
        wall.append(float(w))
        cpu.append(float(c))
    _row("import openai, wall clock (fresh interpreter)", wall)
    _row("import openai, CPU time", cpu)


if __name__ == "__main__":
    main()
