"""The report in the terminal, as rich panels and tables."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from prepai_cli.report import format as fmt
from prepai_cli.report.models import DeliverySummary, QuestionReport, Report


def _score_style(value: float | None) -> str:
    if value is None:
        return "dim"
    return "green" if value >= 7.5 else ("yellow" if value >= 5 else "red")


def _summary(report: Report) -> RenderableType:
    table = Table.grid(padding=(0, 2))
    table.add_column()
    table.add_column(justify="right")
    table.add_column(style="dim")
    overall = Text(fmt.score(report.overall_score), style=f"bold {_score_style(report.overall_score)}")
    if report.llm_overall_score is not None:
        table.add_row(Text("LLM judge", style="bold"),
                      Text(fmt.score(report.llm_overall_score), style=f"bold {_score_style(report.llm_overall_score)}"),
                      f"judged by {report.llm_judged_by}")
    table.add_row(Text("Overall", style="bold"), overall,
                  "mean of the question scores" + (" (rubric, the offline check)" if report.llm_judged_by else ""))
    for d in report.dimensions:
        table.add_row(d.name, Text(fmt.score(d.score), style=_score_style(d.score)),
                      d.basis if d.score is not None else f"not scored: {d.absent_reason}")
    parts: list[RenderableType] = [Text(fmt.status_line(report), style="dim"), table]
    if report.partial:
        parts.insert(0, Text(f"PARTIAL REPORT: {report.partial_reason}", style="bold yellow"))
    return Panel(Group(*parts), title=f"[bold]{escape(fmt.title(report))}[/]", border_style="cyan")


def _llm(q: QuestionReport) -> list[RenderableType]:
    j = q.llm_judgement
    if j is None:
        return []
    parts: list[RenderableType] = [Text(f"Judged by {j.judged_by}: {fmt.score(j.score)}", style=f"bold {_score_style(j.score)}")]
    if j.verdict:
        parts.append(Text(j.verdict))
    parts += [Text(f"✓ {t}", style="green") for t in j.covered] + [Text(f"✗ {t}", style="red") for t in j.missed]
    parts += [Text(f"Misconception: {m}", style="red") for m in j.misconceptions]
    return parts


def _question(q: QuestionReport) -> RenderableType:
    offline = "Offline check (rubric): " if q.llm_judgement else ""
    parts: list[RenderableType] = [
        Text(q.question, style="italic"),
        *_llm(q),
        Text(f"{offline}Score {fmt.score(q.score)} · time {fmt.seconds(q.time_taken_s)} · "
             f"{len(q.follow_ups)} follow-up(s) · {len(q.hints)} hint(s)", style=_score_style(q.score)),
    ]
    if not q.answers:
        parts.append(Text("Not answered.", style="dim"))
    for i, a in enumerate(q.answers, start=1):
        pace = f", {fmt.wpm(a.delivery.wpm)}" if a.delivery and a.delivery.wpm else ""
        parts.append(Text(f"{fmt.answer_label(a.kind)} {i} ({fmt.seconds(a.duration_s)}{pace}):",
                          style="bold"))
        parts.append(Text(a.text))
    for text in q.covered:
        parts.append(Text(f"✓ {text}", style="green"))
    for text in q.missed:
        parts.append(Text(f"✗ {text}", style="red"))
    if q.structure:
        parts.append(Text("STAR: " + fmt.star(q.structure)))
    if q.code:
        parts.append(Text(f"Code: {q.code}", style="bold"))
    for text in q.wrong_claims:
        parts.append(Text(f"Wrong: {text}", style="red"))
    for text in q.behaviours:
        parts.append(Text(f"Behaviour: {text}", style="red"))
    for label, items in (("Follow-up", q.follow_ups), ("Hint", q.hints), ("Red flag", q.red_flags)):
        for item in items:
            parts.append(Text(f"{label}: {item}", style="dim" if label != "Red flag" else "red"))
    return Panel(Group(*parts), title=f"Question {q.number}: {escape(q.topic or 'question')}", title_align="left")


def _delivery(d: DeliverySummary, questions: list[QuestionReport]) -> RenderableType:
    if not d.available:
        body: list[RenderableType] = [Text(d.absent_reason or "", style="dim")]
    else:
        rate = f" ({d.fillers_per_100_words:.1f}/100 words)" if d.fillers_per_100_words is not None else ""
        body = [Text(f"Pace {fmt.wpm(d.average_wpm)} · {d.total_fillers} fillers{rate} · "
                     f"think time {fmt.seconds(d.average_think_time_s)}")]
        table = Table("Q", "Answer", "Pace", "Words", "Fillers", "Longest pause", "Think time", expand=False)
        for q in questions:
            for i, a in enumerate(q.answers, start=1):
                if a.delivery is None or a.delivery.words is None and a.delivery.wpm is None:
                    continue
                table.add_row(str(q.number), str(i), fmt.wpm(a.delivery.wpm), str(a.delivery.words or 0),
                              fmt.fillers(a.delivery), fmt.seconds(a.delivery.longest_pause_s),
                              fmt.seconds(a.delivery.think_time_s))
        body.append(table)
        if d.filler_locations:
            body.append(Text("Fillers: " + "; ".join(
                f"Q{loc.question_number}.{loc.answer_index + 1} {loc.word}{fmt.filler_where(loc.t)}"
                for loc in d.filler_locations)))
    if d.latency:
        latency = Table("Latency", "n", "p50", "p90")
        for l in d.latency:
            latency.add_row(fmt.LATENCY_LABELS.get(l.metric, l.metric), str(l.samples), f"{l.p50_ms:.0f} ms",
                            f"{l.p90_ms:.0f} ms")
        body.append(latency)
    return Panel(Group(*body), title="Delivery", title_align="left")


def _coaching(report: Report) -> RenderableType:
    body: list[RenderableType] = []
    if report.strengths:
        body.append(Text("Strengths", style="bold green"))
        body.extend(Text(f"• {s}") for s in report.strengths)
    if report.work_on:
        body.append(Text("Work on next", style="bold yellow"))
        body.extend(Text(f"{i}. {w.title}: {w.detail}") for i, w in enumerate(report.work_on, start=1))
    if report.practice:
        body.append(Text("Practise next", style="bold cyan"))
        body.extend(Text(f"• [{p.question_id}] {p.topic}: {p.text} ({p.reason})") for p in report.practice)
    ins = report.insights
    body.append(Text("Insights", style="bold"))
    body.append(Text("Job terms: " + (", ".join(f"{t.term} ({t.count})" for t in ins.job_terms) or "none yet")))
    body.append(Text("Most repeated: " + (", ".join(f"{t.term} ({t.count})" for t in ins.repeated_words) or "none")))
    body.append(Text("Talking points: " + ", ".join(f"{tp.name} {'✓' if tp.covered else '✗'}"
                                                    for tp in ins.talking_points)))
    return Panel(Group(*body), title="Coaching", title_align="left")


def render_terminal(report: Report, console: Console) -> None:
    # soft_wrap=False: the CLI's console leaves long lines to the terminal, which inside a panel means cropping
    # them at the border, mid-word. A report's panels wrap their text at word boundaries instead.
    def show(renderable: RenderableType) -> None:
        console.print(renderable, soft_wrap=False)

    show(_summary(report))
    show(_coaching(report))
    for q in report.questions:
        show(_question(q))
    if not report.questions:
        show(Text("No question was asked in this session.", style="dim"))
    show(_delivery(report.delivery, report.questions))
