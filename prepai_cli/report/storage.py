"""Reports stored next to the session (report.json, report.md, report.html), rebuilt when they go stale.

A stored report is reused only if it has the current schema version, was made by the same evaluator version and
the same report code, and its evaluation fingerprint still matches the stored turns; anything else (a re-evaluated
answer, a resumed session, a newer evaluator, an upgraded PrepAI) rebuilds it.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from prepai_cli import privacy
from prepai_cli.bank import QuestionBank
from prepai_cli.errors import PrepAIError
from prepai_cli.report.build import build_report
from prepai_cli.report.fingerprint import builder_fingerprint, evaluation_fingerprint
from prepai_cli.report.html import render_html
from prepai_cli.report.markdown import render_markdown
from prepai_cli.report.models import REPORT_SCHEMA_VERSION, Report
from prepai_cli.store import SessionStore

FileFormat = Literal["json", "markdown", "html"]
FILE_NAMES: dict[FileFormat, str] = {"json": "report.json", "markdown": "report.md", "html": "report.html"}
# Names under which the evaluator package may declare its version, most specific first.
EVALUATOR_VERSION_NAMES = ("EVALUATOR_VERSION", "VERSION", "__version__")


def evaluator_version() -> str | None:
    try:
        module = importlib.import_module("prepai_cli.agent.evaluator")
    except Exception:  # noqa: BLE001 - the version is advisory; a broken evaluator must not block reading a report
        return None
    for name in EVALUATOR_VERSION_NAMES:
        value = getattr(module, name, None)
        if value is not None:
            return str(value)
    return None


def render(report: Report, fmt: FileFormat) -> str:
    if fmt == "json":
        return report.model_dump_json(indent=2) + "\n"
    if fmt == "markdown":
        return render_markdown(report)
    return render_html(report)


def report_path(store: SessionStore, session_id: str, fmt: FileFormat) -> Path:
    return store.session_dir(session_id) / FILE_NAMES[fmt]


def write_atomic(path: Path, text: str) -> None:
    """Write-then-rename, so a crash never leaves a half-written report for the next run to trip over."""
    try:
        privacy.private_dir(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise PrepAIError(f"cannot write the report to {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise PrepAIError(f"cannot write the report to {path}: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_stored_report(path: Path) -> Report | None:
    try:
        return Report.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, ValidationError):
        return None  # missing, unreadable or from another schema: the caller rebuilds it


def is_fresh(stored: Report, fingerprint: str, version: str | None) -> bool:
    return (
        stored.schema_version == REPORT_SCHEMA_VERSION
        and stored.provenance is not None
        and stored.provenance.evaluator_version == version
        and stored.provenance.evaluation_fingerprint == fingerprint
        and stored.provenance.builder_fingerprint == builder_fingerprint()
    )


def current_report(store: SessionStore, session_id: str, bank: QuestionBank, *, force: bool = False) -> tuple[Report, bool]:
    """The session's report and whether it had to be (re)built; report.json is rewritten when it was."""
    session = store.get_session(session_id)
    turns = store.turns(session_id)
    judgements = store.llm_judgements(session_id)
    version = evaluator_version()
    path = report_path(store, session_id, "json")
    stored = None if force else load_stored_report(path)
    if stored is not None and is_fresh(stored, evaluation_fingerprint(session, turns, judgements), version):
        return stored, False
    report = build_report(session, turns, bank, evaluator_version=version, llm_judgements=judgements)
    write_atomic(path, render(report, "json"))
    return report, True


def store_format(store: SessionStore, report: Report, fmt: FileFormat) -> Path:
    path = report_path(store, report.session_id, fmt)
    write_atomic(path, render(report, fmt))
    return path


def write_session_reports(store: SessionStore, session_id: str, bank: QuestionBank) -> Report:
    """Writes report.json, report.md and report.html into the session's folder; called when an interview ends."""
    report, _ = current_report(store, session_id, bank)
    for fmt in ("markdown", "html"):
        store_format(store, report, fmt)
    return report
