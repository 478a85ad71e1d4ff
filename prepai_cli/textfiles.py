"""Reading the user's text files (answers, solutions, test cases) with one-line errors."""

from __future__ import annotations

from pathlib import Path

from prepai_cli.errors import PrepAIError


def read_user_text(path: Path, what: str) -> str:
    """The file's text; `what` names it in the error ("answers file", "solution file" ...)."""
    try:
        # utf-8-sig: a byte-order mark (Windows editors add one) is not part of the first answer.
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise PrepAIError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise PrepAIError(f"{what} is a directory: {path}") from None
    except UnicodeDecodeError:
        raise PrepAIError(f"{what} is not UTF-8 text: {path}") from None
    except OSError as exc:
        raise PrepAIError(f"cannot read {what} {path}: {exc.strerror}") from None
