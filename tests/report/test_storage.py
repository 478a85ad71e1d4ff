"""Reports stored with the session, rebuilt when stale, and the `prepai report` command end to end."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from prepai_cli.bank import QuestionBank
from prepai_cli.commands import report as report_command
from prepai_cli.errors import PrepAIError
from prepai_cli.report import storage
from prepai_cli.report.models import Report
from prepai_cli.report.storage import current_report, write_session_reports
from prepai_cli.store import SessionStore
from tests.clihelpers import run_prepai
from tests.report.builders import evaluation
from tests.report.conftest import SpokenSession, TypedSession


def test_write_session_reports_stores_three_formats_with_the_session(spoken: SpokenSession, store: SessionStore, bank: QuestionBank) -> None:
    report = write_session_reports(store, spoken.session.id, bank)
    folder = store.session_dir(spoken.session.id)
    assert sorted(p.name for p in folder.iterdir()) == ["report.html", "report.json", "report.md"]
    assert Report.model_validate_json((folder / "report.json").read_text()) == report
    assert spoken.questions[0].text.strip() in (folder / "report.md").read_text()
    HTMLParser().feed((folder / "report.html").read_text())
    assert report.provenance is not None and len(report.provenance.evaluation_fingerprint) == 64


def test_fresh_report_is_reused_and_a_changed_evaluation_rebuilds_it(spoken: SpokenSession, store: SessionStore, bank: QuestionBank) -> None:
    first, built = current_report(store, spoken.session.id, bank)
    assert built
    again, built = current_report(store, spoken.session.id, bank)
    assert not built and again == first
    # Re-evaluating the last answer (a newer evaluator run) must show up in the report.
    q3 = spoken.questions[2]
    last_answer = [t for t in store.turns(spoken.session.id) if t.role == "candidate"][-1]
    store.update_turn(last_answer.id, evaluation=evaluation(q3, [kp.id for kp in q3.key_points], 9.0))
    rebuilt, built = current_report(store, spoken.session.id, bank)
    assert built and rebuilt.questions[2].score == 9.0
    assert rebuilt.overall_score == round((5.0 + 8.0 + 9.0) / 3, 1)
    stored = Report.model_validate_json(storage.report_path(store, spoken.session.id, "json").read_text())
    assert stored.questions[2].score == 9.0


def test_new_evaluator_version_or_old_schema_rebuilds(spoken: SpokenSession, store: SessionStore, bank: QuestionBank,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    current_report(store, spoken.session.id, bank)
    monkeypatch.setattr(storage, "evaluator_version", lambda: "evaluator-2")
    report, built = current_report(store, spoken.session.id, bank)
    assert built and report.provenance is not None and report.provenance.evaluator_version == "evaluator-2"
    path = storage.report_path(store, spoken.session.id, "json")
    old = json.loads(path.read_text())
    old["schema_version"] = 1
    path.write_text(json.dumps(old))
    report, built = current_report(store, spoken.session.id, bank)
    assert built and report.schema_version == 2
    path.write_text("{not json")
    _, built = current_report(store, spoken.session.id, bank)
    assert built


def test_report_command_writes_requested_format_and_prints_json(typed: TypedSession, store: SessionStore, prepai_home: Path, tmp_path: Path) -> None:
    session_id = typed.session.id
    out = tmp_path / "report.html"
    result = run_prepai("report", session_id, "--format", "html", "--output", str(out), home=prepai_home)
    assert result.returncode == 0, result.stderr
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and typed.questions[0].topic in page
    folder = store.session_dir(session_id)
    assert (folder / "report.html").read_text() == page and (folder / "report.json").exists()
    printed = run_prepai("report", session_id, "--format", "json", home=prepai_home)
    assert printed.returncode == 0, printed.stderr
    data = json.loads(printed.stdout)
    assert data["overall_score"] == 5.2 and data["delivery"]["available"] is False
    shown = run_prepai("report", session_id, home=prepai_home)
    assert shown.returncode == 0 and "not scored: typed or scripted session" in shown.stdout


def _cli() -> typer.Typer:
    app = typer.Typer()
    report_command.register(app)

    @app.command("noop")
    def noop() -> None:
        """Keeps typer in multi-command mode so `report` is addressed by name."""

    return app


@pytest.mark.parametrize("args, message", [
    (["--format", "pdf"], "unknown report format 'pdf'"),
    (["--output", "x.txt"], "cannot tell the report format from 'x.txt'"),
    (["--format", "terminal", "--output", "x.md"], "--output needs a file format"),
])
def test_report_command_rejects_bad_options(typed: TypedSession, args: list[str], message: str) -> None:
    result = CliRunner().invoke(_cli(), ["report", typed.session.id, *args])
    assert isinstance(result.exception, PrepAIError) and message in str(result.exception)


def test_report_made_by_older_report_code_is_rebuilt(spoken: SpokenSession, store: SessionStore, bank: QuestionBank,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    current_report(store, spoken.session.id, bank)
    monkeypatch.setattr(storage, "builder_fingerprint", lambda: "upgraded")
    _, built = current_report(store, spoken.session.id, bank)
    assert built


def test_unwritable_session_folder_is_a_one_line_error(spoken: SpokenSession, store: SessionStore, bank: QuestionBank) -> None:
    folder = store.session_dir(spoken.session.id)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("a file where the session folder should be")
    with pytest.raises(PrepAIError, match="cannot write the report to"):
        write_session_reports(store, spoken.session.id, bank)
