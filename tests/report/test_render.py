"""The rendered formats carry the report's content; HTML is self-contained; JSON matches its published schema."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
from rich.console import Console

from prepai_cli.bank import QuestionBank
from prepai_cli.report.build import build_report
from prepai_cli.report.html import render_html
from prepai_cli.report.markdown import render_markdown
from prepai_cli.report.models import REPORT_SCHEMA_VERSION, Report
from prepai_cli.report.terminal import render_terminal
from prepai_cli.store import SessionStore
from tests.report.builders import SessionWriter, evaluation
from tests.report.conftest import SpokenSession, TypedSession

DOCS = Path(__file__).resolve().parents[2] / "docs" / "report-schema.md"
URL_ATTRIBUTES = {"src", "href", "xlink:href", "action", "formaction", "srcset", "poster", "data", "background"}


def _report(store: SessionStore, bank: QuestionBank, session_id: str) -> Report:
    return build_report(store.get_session(session_id), store.turns(session_id), bank)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.url_values: list[str] = []
        self.styles: list[str] = []
        self.bars: list[float] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_style = tag == "style"
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value is not None:
                self.url_values.append(value)
            if name == "style" and value:
                self.styles.append(value)
            if name == "data-value" and value:
                self.bars.append(float(value))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def test_html_is_one_file_with_nothing_external_and_charts_of_the_scores(spoken: SpokenSession, store: SessionStore, bank: QuestionBank) -> None:
    report = _report(store, bank, spoken.session.id)
    page = render_html(report)
    parsed = _Collector()
    parsed.feed(page)
    parsed.close()
    assert parsed.url_values == []
    assert not any(re.search(r"url\s*\(|@import", css, re.IGNORECASE) for css in parsed.styles)
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(parsed.tags)
    assert "http://" not in page and "https://" not in page
    assert parsed.tags.count("svg") == 2
    # Bars: the scored dimensions, then one per question, in order.
    dimension_scores = [d.score for d in report.dimensions if d.score is not None]
    assert parsed.bars == [*dimension_scores, 5.0, 8.0, 3.0]
    for q in spoken.questions:
        assert q.topic in page
    assert "Partial report" not in page


def test_markdown_contains_each_question_its_score_and_key_points(spoken: SpokenSession, store: SessionStore, bank: QuestionBank) -> None:
    report = _report(store, bank, spoken.session.id)
    text = render_markdown(report)
    for q, rq in zip(spoken.questions, report.questions):
        assert q.text.strip() in text
        assert f"**Score:** {rq.score:.1f}/10" in text
        for missed in rq.missed:
            assert f"- ✗ {missed}" in text
    assert "## Overall score: 5.3/10" in text
    assert "| Response latency (you stop → interviewer speaks) | 4 | 1100 ms | 1760 ms |" in text
    assert "- Question 3, answer 1: “basically” at 2.0 s" in text
    for item in report.work_on:
        assert item.title in text


def test_markdown_of_typed_and_partial_sessions_says_why(typed: TypedSession, store: SessionStore, bank: QuestionBank) -> None:
    text = render_markdown(_report(store, bank, typed.session.id))
    assert "typed or scripted" in text and "| Pace |" not in text
    q1, q2 = bank.questions("cv-grilling")[:2]
    w = SessionWriter(store, "cv-grilling")
    w.question(q1, at=0)
    w.answer(q1, "I led the billing rewrite.", at=10, duration=20, evaluation=evaluation(q1, [], 2.0))
    w.question(q2, at=40)
    session = w.finish("abandoned")
    text = render_markdown(_report(store, bank, session.id))
    assert "> **Partial report.**" in text and f"prepai interview --resume {session.id}" in text
    assert "_Not answered._" in text


def test_json_validates_against_the_exported_schema(spoken: SpokenSession, typed: TypedSession, store: SessionStore, bank: QuestionBank) -> None:
    schema = Report.model_json_schema()
    for session_id in (spoken.session.id, typed.session.id):
        data = json.loads(_report(store, bank, session_id).model_dump_json())
        jsonschema.validate(data, schema)
        assert data["schema_version"] == REPORT_SCHEMA_VERSION
    broken = json.loads(_report(store, bank, spoken.session.id).model_dump_json())
    broken["questions"][0]["score"] = "high"
    try:
        jsonschema.validate(broken, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("a string score should not validate")


def test_schema_document_describes_every_field() -> None:
    doc = DOCS.read_text(encoding="utf-8")
    schema = Report.model_json_schema()
    models = [schema, *schema.get("$defs", {}).values()]
    for model in models:
        for field in model.get("properties", {}):
            assert f"`{field}`" in doc, f"docs/report-schema.md does not describe `{field}`"
    assert f"currently **{REPORT_SCHEMA_VERSION}**" in doc


def test_terminal_shows_scores_questions_and_delivery(spoken: SpokenSession, store: SessionStore, bank: QuestionBank) -> None:
    report = _report(store, bank, spoken.session.id)
    console = Console(record=True, width=140, color_system=None)
    render_terminal(report, console)
    out = console.export_text()
    assert "5.3/10" in out and "Communication / delivery" in out
    for q in spoken.questions:
        assert f"Question {spoken.questions.index(q) + 1}: {q.topic}" in out
    assert "Pace 141 wpm · 6 fillers (1.5/100 words)" in out
    assert "1100 ms" in out and "1760 ms" in out
