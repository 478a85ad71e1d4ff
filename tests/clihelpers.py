"""Run the real `prepai` entry point in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_prepai(*args: str, home: Path, stdin: str | None = None, timeout: float = 120,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PREPAI_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "120", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "prepai_cli", *args], input=stdin, capture_output=True, text=True,
        timeout=timeout, env=full_env, cwd=Path(__file__).resolve().parent.parent,
    )
