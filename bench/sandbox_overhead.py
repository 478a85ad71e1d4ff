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
from prepai_cli.agent.tools.sandbox.bubblewrap import ENV
from prepai_cli.agent.tools.sandbox.interpreters import node_files, python_files
from prepai_cli.agent.tools.sandbox.isolation import SandboxUnavailable, detect_sandbox

PROBLEM = Problem(function_name="f", tests=[TestCase(args=[1], expected=1)])
CODE = {"python": "def f(x):\n    return x\n", "javascript": "function f(x) { return x; }\n"}
TARGET_MS = 100.0


def _wall_ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def _bare(argv: list[str]) -> Callable[[], object]:
    # The sandbox's own environment, so only the confinement differs (node reads less at start with it).
    return lambda: subprocess.run(argv, check=True, stdin=subprocess.DEVNULL, env=dict(ENV))


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
    sandboxes = {}
    for backend in ("bubblewrap", "landlock"):
        sandbox = detect_sandbox(backend)  # type: ignore[arg-type]
        if sandbox.backend == backend:
            sandboxes[backend] = sandbox
        else:
            print(f"{backend}: not available here ({sandbox.reason})")
    for language in ("python", "javascript"):
        if language == "javascript" and node is None:
            print("javascript: node not installed, skipped")
            continue
        actions = {"bare": _bare(bare[language])}
        for backend, sandbox in sandboxes.items():
            actions[backend] = (lambda s=sandbox, lang=language: run_code(CODE[lang], lang, PROBLEM, sandbox=s))  # type: ignore[misc]
        for action in actions.values():
            action()  # warm caches (page cache, the backend probe, the interpreter's file list)
        # Interleaved, so a busy machine slows every variant alike.
        samples: dict[str, list[float]] = {name: [] for name in actions}
        for _ in range(runs):
            for name, action in actions.items():
                samples[name].append(_wall_ms(action))
        print(f"{language} (bare: {' '.join(bare[language])}; sandboxed: a one-test run):")
        for name in actions:
            median = statistics.median(samples[name])
            p90 = sorted(samples[name])[int(0.9 * (runs - 1))]
            line = f"  {name:<11} median {median:7.1f} ms   p90 {p90:7.1f} ms"
            if name != "bare":
                overhead = median - statistics.median(samples["bare"])
                line += f"   overhead {overhead:+6.1f} ms ({'within' if overhead <= TARGET_MS else 'OVER'} the {TARGET_MS:.0f} ms target)"
            print(line)

if __name__ == "__main__":
    main()
