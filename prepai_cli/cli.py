"""The `prepai` entry point. Each command group lives in prepai_cli/commands/.

This module stays light: importing the commands takes a second or two (numpy, the audio libraries), and a Ctrl-C in
that second must end the program with one word, not a traceback from inside an import.
"""

from __future__ import annotations

import signal
import sys
from typing import Any

_INTERRUPTED = 130


def main(argv: list[str] | None = None) -> None:
    # Ctrl-C during the imports below would land inside a C extension's initialisation (onnxruntime, a dataclass
    # being built) and come out as an ImportError or RuntimeError traceback: it is held until they are done.
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        from prepai_cli import privacy
        from prepai_cli.paths import data_home

        # Interview data is private: whatever this process creates is 0600/0700, and older installs are tightened.
        privacy.restrict_umask()
        privacy.tighten(data_home())

        from rich.console import Console

        from prepai_cli.commands.root import app
        from prepai_cli.errors import PrepAIError
    except KeyboardInterrupt:
        _interrupted()
    finally:
        signal.signal(signal.SIGINT, previous)
    if held:
        _interrupted()
    err = Console(stderr=True, highlight=False)
    try:
        app(args=argv, prog_name="prepai")
    except PrepAIError as exc:
        # The message may contain brackets (paths, lists), so it is printed without markup.
        err.print("[bold red]error:[/] ", end="")
        err.print(str(exc), markup=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _interrupted()
    except OSError as exc:
        # A file system refusal no command anticipated (a full disk, a read-only folder): one line, not a traceback.
        from prepai_cli.paths import os_error_words

        err.print("[bold red]error:[/] ", end="")
        err.print(os_error_words(exc), markup=False, soft_wrap=True)
        sys.exit(1)


def _interrupted() -> None:
    sys.stderr.write("interrupted\n")
    sys.exit(_INTERRUPTED)


def __getattr__(name: str) -> Any:
    # `from prepai_cli.cli import app` (tests, scripts) still works, loading the commands on first use.
    if name == "app":
        from prepai_cli.commands.root import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
