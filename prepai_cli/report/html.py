"""The report as one self-contained HTML file: inline CSS and SVG, no scripts, fonts, images or links out."""

from __future__ import annotations

from html import escape

from prepai_cli.report import format as fmt
from prepai_cli.report.models import DeliverySummary, QuestionReport, Report
from prepai_cli.report.svg import bar_chart

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#1d1d1f;line-height:1.5}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
.meta{color:#666}.partial{background:#fff4e5;border-left:4px solid #f57c00;padding:.6rem 1rem}
.overall{font-size:2.2rem;font-weight:700}table{border-collapse:collapse;width:100%;margin:.6rem 0}
th,td{border:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#f5f5f7}
blockquote{margin:.4rem 0;padding:.3rem .8rem;border-left:3px solid #bbb;background:#fafafa;white-space:pre-wrap}
pre{background:#f5f5f7;padding:.6rem;overflow-x:auto}.covered{color:#2e7d32}.missed{color:#c62828}
.question{border:1px solid #e0e0e0;border-radius:6px;padding:.2rem 1rem 1rem;margin:1rem 0}
.llm{border-left:3px solid #1565c0;padding-left:.8rem}
.chart .label,.chart .value{font-size:12px;fill:#333}.chart .track{fill:#eee}.muted{color:#777;font-style:italic}
"""


def _e(text: object) -> str:
    return escape(str(text))


def _list(items: list[str], css: str = "") -> str:
    if not items:
        return ""
    cls = f' class="{css}"' if css else ""
    return "<ul>" + "".join(f"<li{cls}>{_e(i)}</li>" for i in items) + "</ul>"


def _llm(q: QuestionReport) -> str:
    j = q.llm_judgement
    if j is None:
        return ""
    out = [f'<div class="llm"><p><strong>Judged by {_e(j.judged_by)}:</strong> {_e(fmt.score(j.score))}</p>']
    if j.verdict:
        out.append(f"<p>{_e(j.verdict)}</p>")
    out.append(_list([f"✓ {t}" for t in j.covered], "covered") + _list([f"✗ {t}" for t in j.missed], "missed"))
    if j.misconceptions:
        out.append("<p><strong>Misconceptions</strong></p>" + _list(j.misconceptions, "missed"))
    out.append("</div><p><strong>Offline check (rubric)</strong></p>")
    return "".join(out)


def _question(q: QuestionReport) -> str:
    out = [f'<section class="question" id="q{q.number}"><h3>Question {q.number}: {_e(q.topic or "question")}</h3>',
           f"<blockquote>{_e(q.question)}</blockquote>", _llm(q),
           f"<p><strong>Score:</strong> {_e(fmt.score(q.score))} · <strong>Time taken:</strong> "
           f"{_e(fmt.seconds(q.time_taken_s))} · <strong>Follow-ups:</strong> {len(q.follow_ups)} · "
           f"<strong>Hints used:</strong> {len(q.hints)}</p>"]
    if not q.answers:
        out.append('<p class="muted">Not answered.</p>')
    for i, a in enumerate(q.answers, start=1):
        pace = f", {fmt.wpm(a.delivery.wpm)}" if a.delivery and a.delivery.wpm else ""
        label = fmt.answer_label(a.kind)
        out.append(f"<p><strong>{label} {i}</strong> ({_e(fmt.seconds(a.duration_s))}{_e(pace)})</p>")
        out.append(f"<pre>{_e(a.text)}</pre>" if a.kind == "code" else f"<blockquote>{_e(a.text)}</blockquote>")
    if q.covered:
        out.append("<p><strong>Covered</strong></p>" + _list([f"✓ {t}" for t in q.covered], "covered"))
    if q.missed:
        out.append("<p><strong>Missed</strong></p>" + _list([f"✗ {t}" for t in q.missed], "missed"))
    if q.structure:
        parts = fmt.star(q.structure)
        out.append(f"<p><strong>STAR structure:</strong> {_e(parts)}</p>")
    if q.specificity is not None:
        out.append(f"<p><strong>Specificity:</strong> {q.specificity:.2f}</p>")
    if q.code:
        out.append(f"<p><strong>Code:</strong> {_e(q.code)}</p>")
    for label, items in (("Wrong", q.wrong_claims), ("Behaviours", q.behaviours), ("Follow-ups asked", q.follow_ups),
                         ("Hints", q.hints), ("Red flags", q.red_flags), ("Suggestions", q.suggestions)):
        if items:
            out.append(f"<p><strong>{label}</strong></p>" + _list(items))
    out.append("</section>")
    return "".join(out)


def _delivery(d: DeliverySummary, questions: list[QuestionReport]) -> str:
    out = ["<h2>Delivery</h2>"]
    if not d.available:
        out.append(f'<p class="muted">{_e(d.absent_reason)}</p>')
    else:
        filler_text = ", ".join(f"{c.word} ×{c.count}" for c in d.filler_counts) or "none"
        rate = f" ({d.fillers_per_100_words:.1f} per 100 words)" if d.fillers_per_100_words is not None else ""
        out.append(_list([
            f"Average pace: {fmt.wpm(d.average_wpm)} over {d.answers_measured} spoken answers ({d.total_words} words)",
            f"Fillers: {d.total_fillers}{rate}: {filler_text}",
            f"Average think time: {fmt.seconds(d.average_think_time_s)}",
        ]))
        rows = []
        for q in questions:
            for i, a in enumerate(q.answers, start=1):
                if a.delivery is None or a.delivery.words is None and a.delivery.wpm is None:
                    continue
                rows.append(f"<tr><td>{q.number}</td><td>{i}</td><td>{_e(fmt.wpm(a.delivery.wpm))}</td>"
                            f"<td>{a.delivery.words or 0}</td><td>{_e(fmt.fillers(a.delivery))}</td>"
                            f"<td>{_e(fmt.seconds(a.delivery.longest_pause_s))}</td>"
                            f"<td>{_e(fmt.seconds(a.delivery.think_time_s))}</td></tr>")
        out.append("<table><tr><th>Question</th><th>Answer</th><th>Pace</th><th>Words</th><th>Fillers</th>"
                   "<th>Longest pause</th><th>Think time</th></tr>" + "".join(rows) + "</table>")
        if d.filler_locations:
            out.append("<p><strong>Where the fillers were</strong></p>" + _list([
                f"Question {loc.question_number}, answer {loc.answer_index + 1}: “{loc.word}”{fmt.filler_where(loc.t)}"
                for loc in d.filler_locations]))
        if d.longest_pauses:
            out.append("<p><strong>Longest pauses:</strong> " + _e(", ".join(
                f"{p.seconds:.1f} s (question {p.question_number})" for p in d.longest_pauses)) + "</p>")
    if d.latency:
        out.append("<table><tr><th>Latency</th><th>Samples</th><th>p50</th><th>p90</th></tr>" + "".join(
            f"<tr><td>{_e(fmt.LATENCY_LABELS.get(l.metric, l.metric))}</td><td>{l.samples}</td>"
            f"<td>{l.p50_ms:.0f} ms</td><td>{l.p90_ms:.0f} ms</td></tr>" for l in d.latency) + "</table>")
    return "".join(out)


def render_html(report: Report) -> str:
    body = [f"<h1>Interview report: {_e(fmt.title(report))}</h1>", f'<p class="meta">{_e(fmt.status_line(report))}</p>']
    if report.partial:
        body.append(f'<p class="partial"><strong>Partial report.</strong> {_e(report.partial_reason)}</p>')
    if report.llm_overall_score is not None:
        body.append(f'<p>LLM judge</p><p class="overall">{_e(fmt.score(report.llm_overall_score))}</p>'
                    f'<p class="meta">Judged by {_e(report.llm_judged_by)}; the rubric score below is the offline '
                    "check.</p>")
    body.append(f'<p>Overall score</p><p class="overall">{_e(fmt.score(report.overall_score))}</p>')
    body.append("<h2>Dimensions</h2>")
    body.append(bar_chart("Dimension scores", [(d.name, d.score) for d in report.dimensions]))
    body.append("<table><tr><th>Dimension</th><th>Score</th><th>How it is measured</th></tr>" + "".join(
        f"<tr><td>{_e(d.name)}</td><td>{_e(fmt.score(d.score))}</td>"
        f"<td>{_e(d.basis if d.score is not None else 'not scored: ' + (d.absent_reason or ''))}</td></tr>"
        for d in report.dimensions) + "</table>")
    if report.questions:
        body.append("<h2>Scores per question</h2>")
        body.append(bar_chart("Per-question scores",
                              [(f"{q.number}. {q.topic or 'question'}", q.score) for q in report.questions]))
    if report.strengths:
        body.append("<h2>Strengths</h2>" + _list(report.strengths))
    if report.work_on:
        body.append("<h2>Work on next</h2><ol>" + "".join(
            f"<li><strong>{_e(w.title)}</strong>: {_e(w.detail)}</li>" for w in report.work_on) + "</ol>")
    if report.practice:
        body.append("<h2>Practise next</h2>" + "<ul>" + "".join(
            f"<li><strong>{_e(p.topic)}</strong> (difficulty {p.difficulty}, <code>{_e(p.question_id)}</code>): "
            f"{_e(p.text)} <em>{_e(p.reason)}</em></li>" for p in report.practice) + "</ul>")
    body.append("<h2>Questions</h2>")
    if not report.questions:
        body.append('<p class="muted">No question was asked in this session.</p>')
    body.extend(_question(q) for q in report.questions)
    body.append(_delivery(report.delivery, report.questions))
    ins = report.insights
    body.append("<h2>Insights</h2>" + _list([
        "Job-related terms you used: " + (", ".join(f"{t.term} ({t.count})" for t in ins.job_terms) or "none yet"),
        "Words you repeated most: " + (", ".join(f"{t.term} ({t.count})" for t in ins.repeated_words) or "none"),
        *[f"Talking point {'✓' if tp.covered else '✗'} {tp.name}" + (f": “{tp.evidence[0]}”" if tp.evidence else "")
          for tp in ins.talking_points],
    ]))
    if report.provenance:
        body.append(f'<p class="meta">Generated {_e(report.provenance.generated_at[:19].replace("T", " "))} · '
                    f"report schema {report.schema_version} · evaluator "
                    f"{_e(report.provenance.evaluator_version or 'unversioned')}</p>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>PrepAI report {_e(report.session_id)}</title><style>{CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )
