"""Installs the Lambda's third-party packages for Lambda's platform (Linux x86_64, CPython 3.12) with pip.

Wheels only (no builds on this machine), pinned to the versions installed here, into a cache folder named by the
requirement set, so a re-deploy reuses the same files and the zip stays byte-identical.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import platformdirs

from prepai_cli.errors import PrepAIError

PLATFORM = "manylinux2014_x86_64"
PYTHON_VERSION = "3.12"


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("prepai")) / "lambda-deps"


class PipVendorer:
    def __init__(self, cache_dir: Path | None = None) -> None:
        self._cache_dir = cache_dir or default_cache_dir()

    def __call__(self, requirements: list[str]) -> Path | None:
        if not requirements:
            return None
        key = hashlib.sha256("\n".join([PLATFORM, PYTHON_VERSION, *requirements]).encode()).hexdigest()[:16]
        target = self._cache_dir / key
        done = self._cache_dir / f"{key}.complete"  # beside the folder, so it never ends up in the zip
        if done.is_file() and target.is_dir():
            return target
        self._cache_dir.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(key + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        command = [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
            "--target", str(staging), "--platform", PLATFORM, "--python-version", PYTHON_VERSION,
            "--implementation", "cp", "--only-binary=:all:", *requirements,
        ]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["pip failed"])[-1]
            raise PrepAIError(f"could not fetch the Lambda's packages ({', '.join(requirements)}): {last}")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
        done.write_text("\n".join(requirements) + "\n", encoding="utf-8")
        return target
