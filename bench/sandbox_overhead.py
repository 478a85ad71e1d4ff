"""Sandbox overhead per run: a sandboxed one-test run vs starting the same bare interpreter (target ≤ 100 ms).

Both backends are measured where they work here: bubblewrap (the default) and the Landlock fallback.
Usage: PYTHONPATH=. python bench/sandbox_overhead.py [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from collections.abc import Callable

from prepai_cli.agent.tools.sandbox import Problem, TestCase, run_code
from prepai_cli.agent.tools.sandbox.interpreters import node_files, python_files
from prepai_cli.agent.tools.sandbox.isolation import SandboxUnavailable, detect_sandbox

PROBLEM = Problem(function_name="f", tests=[TestCase(args=[1], expected=1)])
CODE = {"python": "def f(x):\n    return x\n", "javascript": "function f(x) { return x; }\n"}
TARGET_MS = 100.0


def _times(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm caches (page cache, the backend probe, the interpreter's file list)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _row(label: str, samples: list[float]) -> float:
    median = statistics.median(samples)
    p90 = sorted(samples)[int(0.9 * (len(samples) - 1))]
    print(f"  {label:<44} median {median:7.1f} ms   p90 {p90:7.1f} ms")
    return median


def _bare(argv: list[str]) -> Callable[[], object]:
    return lambda: subprocess.run(argv, check=True, stdin=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}, "
          f"{os.cpu_count()} CPUs, {'root (throwaway uid per run)' if os.geteuid() == 0 else 'normal user'}")
    as_uid = os.geteuid() == 0
    python = python_files(as_throwaway_uid=as_uid)[0].executable
    try:
        node: str | None = node_files(as_throwaway_uid=as_uid).executable
    except SandboxUnavailable:
        node = None
    bare = {"python": [python, "-I", "-S", "-c", "pass"], "javascript": [node or "node", "-e", "0"]}
    for language in ("python", "javascript"):
        if language == "javascript" and node is None:
            print("javascript: node not installed, skipped")
            continue
        print(f"{language}:")
        base = _row(f"bare {' '.join(bare[language])}", _times(_bare(bare[language]), runs))
        for backend in ("bubblewrap", "landlock"):
            sandbox = detect_sandbox(backend)  # type: ignore[arg-type]
            if sandbox.backend != backend:
                print(f"  {backend}: not available here ({sandbox.reason})")
                continue
            boxed = _row(f"{backend} sandboxed run (1 test)",
                         _times(lambda: run_code(CODE[language], language, PROBLEM, sandbox=sandbox), runs))  # type: ignore[arg-type]
            verdict = "within" if boxed - base <= TARGET_MS else "OVER"
            print(f"    overhead: {boxed - base:.1f} ms per run ({verdict} the {TARGET_MS:.0f} ms target)")


if __name__ == "__main__":
    main()
