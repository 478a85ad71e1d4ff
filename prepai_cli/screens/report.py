"""One session's report: overall and per-question scores, covered/missed key points, delivery, what to work on.

The report is built on a worker thread (the evaluator's numbers are already stored, but building walks every
turn); exports go through the report package's renderers into the session's folder.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Static

from prepai_cli.report import format as fmt
from prepai_cli.report.models import Report
from prepai_cli.screens.browse import BrowsingScreen
from prepai_cli.tui.services import Services

EXPORTS = {"markdown": "Markdown", "html": "HTML", "json": "JSON"}


class ReportLoaded(Message, bubble=False):
    def __init__(self, report: Report) -> None:
        super().__init__()
        self.report = report


class ReportFailed(Message, bubble=False):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class ReportExported(Message, bubble=False):
    def __init__(self, fmt: str, path: Path) -> None:
        super().__init__()
        self.fmt = fmt
        self.path = path


def _score_style(score: float | None) -> str:
    if score is None:
        return "dim"
    return "green" if score >= 7 else ("yellow" if score >= 4 else "red")


def summary(report: Report) -> RenderableType:
    text = Text()
    text.append(fmt.title(report), style="bold")
    text.append(f"\n{fmt.status_line(report)}\n", style="dim")
    if report.partial_reason:
        text.append(f"{report.partial_reason}\n", style="yellow")
    if report.llm_overall_score is not None:
        text.append("\nLLM judge ")
        text.append(fmt.score(report.llm_overall_score), style=f"bold {_score_style(report.llm_overall_score)}")
        text.append(f"   judged by {report.llm_judged_by}; the rubric below is the offline check", style="dim")
    text.append("\nOverall ")
    text.append(fmt.score(report.overall_score), style=f"bold {_score_style(report.overall_score)}")
    dimensions = [d for d in report.dimensions if d.score is not None]
    if dimensions:
        text.append("   " + " · ".join(f"{d.name} {d.score:.1f}" for d in dimensions))
    return text


def questions_table(report: Report) -> RenderableType:
    if not report.questions:
        return Text("No questions were asked in this session.", style="dim")
    table = Table(expand=True, show_lines=True, title="Questions", title_justify="left")
    table.add_column("#", justify="right", width=2)
    table.add_column("Topic", ratio=2)
    table.add_column("Score", justify="right", width=7)
    table.add_column("Covered / missed", ratio=5)
    for q in report.questions:
        points = Text()
        if q.llm_judgement is not None:
            j = q.llm_judgement
            points.append(f"{j.judged_by}: {fmt.score(j.score)}", style=f"bold {_score_style(j.score)}")
            points.append(f" {j.verdict}\n" if j.verdict else "\n")
            for wrong in j.misconceptions:
                points.append(f"Misconception: {wrong}\n", style="red")
            points.append("Offline check (rubric):\n", style="dim")
        for covered in q.covered:
            points.append(f"✓ {covered}\n", style="green")
        for missed in q.missed:
            points.append(f"✗ {missed}\n", style="red")
        if not q.answers:
            points.append("not answered", style="dim")
        points.rstrip()
        table.add_row(str(q.number), q.topic or "-", Text(fmt.score(q.score), style=_score_style(q.score)),
                      points if points.plain else Text("-"))
    return table


def delivery(report: Report) -> RenderableType:
    d = report.delivery
    text = Text("Delivery\n", style="bold")
    if not d.available:
        text.append(d.absent_reason or "No spoken answers to measure.", style="dim")
        return text
    text.append(f"Pace {fmt.wpm(d.average_wpm)} over {d.answers_measured} spoken answers · ")
    text.append(f"fillers {d.total_fillers}")
    if d.filler_counts:
        text.append(" (" + ", ".join(f"{c.word} ×{c.count}" for c in d.filler_counts[:4]) + ")")
    text.append(f" · think time {fmt.seconds(d.average_think_time_s)}")
    return text


def coaching(report: Report) -> RenderableType:
    parts: list[RenderableType] = []
    if report.strengths:
        strengths = Text("Strengths\n", style="bold")
        for s in report.strengths:
            strengths.append(f"• {s}\n")
        parts.append(strengths)
    if report.work_on:
        work_on = Text("Work on\n", style="bold")
        for item in report.work_on:
            work_on.append(f"• {item.title}: ", style="bold")
            work_on.append(f"{item.detail}\n")
        parts.append(work_on)
    suggestions = [(q.number, s) for q in report.questions for s in q.suggestions]
    if suggestions:
        text = Text("Suggestions\n", style="bold")
        for number, s in suggestions:
            text.append(f"• Q{number}: {s}\n")
        parts.append(text)
    if report.practice:
        practice = Text("Practise next\n", style="bold")
        for p in report.practice[:3]:
            practice.append(f"• {p.topic}: ", style="bold")
            practice.append(f"{p.reason}\n")
        parts.append(practice)
    return Group(*parts) if parts else Text("No suggestions yet: answer a few questions first.", style="dim")


class ReportScreen(BrowsingScreen):
    DEFAULT_CSS = """
    ReportScreen #report { padding: 0 1; }
    ReportScreen #report > Static { margin-bottom: 1; }
    """

    BINDINGS = [
        Binding("m", "export('markdown')", "Markdown"),
        Binding("h", "export('html')", "HTML"),
        Binding("j", "export('json')", "JSON"),
        Binding("s", "sessions", "Sessions"),
        Binding("n", "new", "New interview"),
        Binding("q,escape", "close", "Back/quit"),
    ]

    def __init__(self, services: Services, session_id: str) -> None:
        super().__init__()
        self.services = services
        self.session_id = session_id
        self.report: Report | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="report"):
            yield Static("Building your report…", id="summary")
            yield Static(id="questions")
            yield Static(id="delivery")
            yield Static(id="coaching")
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="report")
    def _load(self) -> None:
        from prepai_cli.report.storage import current_report

        try:
            report, _ = current_report(self.services.store, self.session_id, self.services.bank)
        except Exception as exc:  # a broken session still opens the screen, with the reason
            self.post_message(ReportFailed(str(exc)))
            return
        self.post_message(ReportLoaded(report))

    def on_report_loaded(self, message: ReportLoaded) -> None:
        self.report = message.report
        self.query_one("#summary", Static).update(summary(message.report))
        self.query_one("#questions", Static).update(questions_table(message.report))
        self.query_one("#delivery", Static).update(delivery(message.report))
        self.query_one("#coaching", Static).update(coaching(message.report))

    def on_report_failed(self, message: ReportFailed) -> None:
        self.query_one("#summary", Static).update(Text(f"Could not build the report: {message.error}", style="red"))

    def action_export(self, fmt_name: str) -> None:
        if self.report is None:
            self.notify("The report is still being built.")
            return
        self._export(self.report, fmt_name)

    @work(thread=True, group="export")
    def _export(self, report: Report, fmt_name: str) -> None:
        from prepai_cli.report.storage import store_format

        try:
            path = store_format(self.services.store, report, fmt_name)  # type: ignore[arg-type]  # EXPORTS keys
        except Exception as exc:  # disk full, permissions: say so, keep the screen
            self.post_message(ReportFailed(f"export failed: {exc}"))
            return
        self.post_message(ReportExported(fmt_name, path))

    def on_report_exported(self, message: ReportExported) -> None:
        self.notify(f"{EXPORTS[message.fmt]} report written to {message.path}", timeout=8)

    def action_sessions(self) -> None:
        from prepai_cli.screens.sessions import SessionsScreen  # sessions opens reports: import at use

        self.app.switch_screen(SessionsScreen(self.services))
