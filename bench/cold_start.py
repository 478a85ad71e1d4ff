"""Cold start: time from launching `prepai interview --text` to the first question on screen.

Usage: python bench/cold_start.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def one_run() -> float:
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "PREPAI_HOME": home, "NO_COLOR": "1"}
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "prepai_cli", "interview", "--type", "google-sde", "--text"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True, bufsize=1,
        )
        assert proc.stdout is not None
        buffer = ""
        while "question 1/" not in buffer:
            char = proc.stdout.read(1)
            if not char:
                raise SystemExit("prepai exited before asking a question")
            buffer += char
        elapsed = time.perf_counter() - started
        proc.kill()
        proc.wait()
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    times = [one_run() for _ in range(runs)]
    print(f"cold start to first question (text mode), {runs} runs: "
          f"median {statistics.median(times):.2f} s, min {min(times):.2f} s, max {max(times):.2f} s")


if __name__ == "__main__":
    main()
