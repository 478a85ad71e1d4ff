"""Sandbox overhead per run: a sandboxed one-test run vs starting the bare interpreter.

Usage: PYTHONPATH=. python bench/sandbox_overhead.py [--runs 10]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable

from prepai_cli.agent.tools.sandbox import Problem, TestCase, run_code
from prepai_cli.agent.tools.sandbox.isolation import plan_isolation
from prepai_cli.agent.tools.sandbox.runner import python_interpreter

PROBLEM = Problem(function_name="f", tests=[TestCase(args=[1], expected=1)])
CODE = {"python": "def f(x):\n    return x\n", "javascript": "function f(x) { return x; }\n"}


def _times(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm caches (page cache, isolation probe) so the numbers show steady state
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _row(label: str, samples: list[float]) -> tuple[str, float]:
    median = statistics.median(samples)
    p90 = sorted(samples)[int(0.9 * (len(samples) - 1))]
    print(f"  {label:<34} median {median:7.1f} ms   p90 {p90:7.1f} ms")
    return label, median


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    plan = plan_isolation()
    print("isolation: " + "; ".join(plan.notes))
    interpreter, _ = python_interpreter(plan)
    print("python:")
    _, bare_py = _row(f"bare {interpreter} -I -S -c pass",
                      _times(lambda: subprocess.run([interpreter, "-I", "-S", "-c", "pass"], check=True), runs))
    _, boxed_py = _row("sandboxed run (1 test)", _times(lambda: run_code(CODE["python"], "python", PROBLEM), runs))
    print(f"  overhead: {boxed_py - bare_py:.1f} ms per run")
    node = shutil.which("node")
    if node is None:
        print("javascript: node not installed, skipped")
        return
    print("javascript:")
    _, bare_js = _row(f"bare {node} -e 0", _times(lambda: subprocess.run([node, "-e", "0"], check=True), runs))
    _, boxed_js = _row("sandboxed run (1 test)", _times(lambda: run_code(CODE["javascript"], "javascript", PROBLEM), runs))
    print(f"  overhead: {boxed_js - bare_js:.1f} ms per run")


if __name__ == "__main__":
    main()
