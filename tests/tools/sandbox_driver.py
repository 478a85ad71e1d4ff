"""Runs a batch of sandbox jobs in its own process and prints one JSON result per line.

The hostile suite starts it as an unprivileged user (as real users run PrepAI) and as root, so the whole
runner, not only the candidate, runs with that user's rights. It imports nothing but the sandbox.
stdin: {"backend": "bubblewrap" | "landlock", "node_permission_model": bool,
        "jobs": [{"name", "language", "code", "problem", "limits"}]}
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback


def _without_node_permissions() -> None:
    """As if the candidate had defeated node's permission model (a verdict helper, not the boundary): node runs
    without it, so what JavaScript attacks meet is the kernel boundary alone."""
    from prepai_cli.agent.tools.sandbox import runner

    original = runner._inner_argv

    def unguarded(*args: object, **kwargs: object) -> list[str]:
        return [a for a in original(*args, **kwargs) if not a.startswith(("--experimental-permission", "--allow-fs"))]  # type: ignore[arg-type]

    runner._inner_argv = unguarded  # type: ignore[assignment]


def main() -> None:
    from prepai_cli.agent.tools.sandbox import Limits, Problem, run_code
    from prepai_cli.agent.tools.sandbox.isolation import detect_sandbox

    request = json.load(sys.stdin)
    if not request.get("node_permission_model", True):
        _without_node_permissions()
    sandbox = detect_sandbox(request["backend"])
    print(json.dumps({"name": "__sandbox__", "backend": sandbox.backend, "summary": sandbox.summary,
                      "uid": os.getuid()}), flush=True)
    for job in request["jobs"]:
        started = time.monotonic()
        try:
            result = run_code(job["code"], job["language"], Problem.model_validate(job["problem"]),
                              Limits.model_validate(job["limits"]), sandbox=sandbox)
            line = {"name": job["name"], "result": json.loads(result.model_dump_json())}
        except Exception:  # the suite reports any exception as a failure of that job
            line = {"name": job["name"], "exception": traceback.format_exc()}
        line["seconds"] = round(time.monotonic() - started, 3)
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
