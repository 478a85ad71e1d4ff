"""The report as a Markdown document (report.md)."""

from __future__ import annotations

from prepai_cli.report import format as fmt
from prepai_cli.report.models import DeliverySummary, QuestionReport, Report


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _quote(text: str) -> list[str]:
    return [f"> {line}" if line.strip() else ">" for line in text.strip().splitlines()] or ["> (empty)"]


def _llm(q: QuestionReport) -> list[str]:
    j = q.llm_judgement
    if j is None:
        return []
    lines = [f"**Judged by {j.judged_by}:** {fmt.score(j.score)}", ""]
    if j.verdict:
        lines += [j.verdict, ""]
    if j.covered or j.missed:
        lines += [*[f"- ✓ {t}" for t in j.covered], *[f"- ✗ {t}" for t in j.missed], ""]
    if j.misconceptions:
        lines += ["**Misconceptions:**", *[f"- {m}" for m in j.misconceptions], ""]
    return lines + ["**Offline check (rubric):**", ""]


def _question(q: QuestionReport) -> list[str]:
    lines = [f"### Question {q.number}: {q.topic or 'question'}", "", *_quote(q.question), "", *_llm(q)]
    facts = [f"**Score:** {fmt.score(q.score)}", f"**Time taken:** {fmt.seconds(q.time_taken_s)}",
             f"**Follow-ups:** {len(q.follow_ups)}", f"**Hints used:** {len(q.hints)}"]
    lines += [" · ".join(facts), ""]
    if not q.answers:
        lines += ["_Not answered._", ""]
    for i, answer in enumerate(q.answers, start=1):
        label = fmt.answer_label(answer.kind)
        lines.append(f"**{label} {i}** ({fmt.seconds(answer.duration_s)}"
                     + (f", {fmt.wpm(answer.delivery.wpm)}" if answer.delivery and answer.delivery.wpm else "") + "):")
        lines.append("")
        if answer.kind == "code":
            lines += ["```", answer.text, "```"]
        else:
            lines += _quote(answer.text)
        lines.append("")
    if q.covered:
        lines += ["**Covered:**", *[f"- ✓ {t}" for t in q.covered], ""]
    if q.missed:
        lines += ["**Missed:**", *[f"- ✗ {t}" for t in q.missed], ""]
    if q.structure:
        parts = fmt.star(q.structure)
        lines += [f"**STAR structure:** {parts}", ""]
    if q.specificity is not None:
        lines += [f"**Specificity:** {q.specificity:.2f}", ""]
    if q.code:
        lines += [f"**Code:** {q.code}", ""]
    for label, items in (("Wrong", q.wrong_claims), ("Behaviours", q.behaviours), ("Follow-ups asked", q.follow_ups),
                         ("Hints", q.hints), ("Red flags", q.red_flags), ("Suggestions", q.suggestions)):
        if items:
            lines += [f"**{label}:**", *[f"- {t}" for t in items], ""]
    return lines


def _delivery(d: DeliverySummary, questions: list[QuestionReport]) -> list[str]:
    lines = ["## Delivery", ""]
    if not d.available:
        lines += [f"_{d.absent_reason}_", ""]
    else:
        lines += [
            f"- Average pace: {fmt.wpm(d.average_wpm)} over {d.answers_measured} spoken answers ({d.total_words} words)",
            f"- Fillers: {d.total_fillers}"
            + (f" ({d.fillers_per_100_words:.1f} per 100 words)" if d.fillers_per_100_words is not None else "")
            + (": " + ", ".join(f"{c.word} ×{c.count}" for c in d.filler_counts) if d.filler_counts else ""),
            f"- Average think time: {fmt.seconds(d.average_think_time_s)}",
            "",
            "| Question | Answer | Pace | Words | Fillers | Longest pause | Think time |",
            "|---|---|---|---|---|---|---|",
        ]
        for q in questions:
            for i, a in enumerate(q.answers, start=1):
                if a.delivery is None or a.delivery.words is None and a.delivery.wpm is None:
                    continue
                lines.append(f"| {q.number} | {i} | {fmt.wpm(a.delivery.wpm)} | {a.delivery.words or 0} | "
                             f"{_cell(fmt.fillers(a.delivery))} | {fmt.seconds(a.delivery.longest_pause_s)} | "
                             f"{fmt.seconds(a.delivery.think_time_s)} |")
        lines.append("")
        if d.filler_locations:
            lines += ["Where the fillers were:", ""]
            lines += [f"- Question {loc.question_number}, answer {loc.answer_index + 1}: “{loc.word}”"
                      f"{fmt.filler_where(loc.t)}" for loc in d.filler_locations]
            lines.append("")
        if d.longest_pauses:
            lines += ["Longest pauses: " + ", ".join(
                f"{p.seconds:.1f} s (question {p.question_number})" for p in d.longest_pauses), ""]
    if d.latency:
        lines += ["| Latency | Samples | p50 | p90 |", "|---|---|---|---|"]
        lines += [f"| {fmt.LATENCY_LABELS.get(l.metric, l.metric)} | {l.samples} | {l.p50_ms:.0f} ms | {l.p90_ms:.0f} ms |"
                  for l in d.latency]
        lines.append("")
    return lines


def render_markdown(report: Report) -> str:
    lines = [f"# Interview report: {fmt.title(report)}", "", fmt.status_line(report), ""]
    if report.partial:
        lines += [f"> **Partial report.** {report.partial_reason}", ""]
    if report.llm_overall_score is not None:
        lines += [f"## LLM judge: {fmt.score(report.llm_overall_score)}", "",
                  f"Judged by {report.llm_judged_by}; the rubric score below is the offline check.", ""]
    lines += [f"## Overall score: {fmt.score(report.overall_score)}", "",
              "| Dimension | Score | How it is measured |", "|---|---|---|"]
    for d in report.dimensions:
        how = d.basis if d.score is not None else f"not scored: {d.absent_reason}"
        lines.append(f"| {d.name} | {fmt.score(d.score)} | {_cell(how)} |")
    lines.append("")
    if report.strengths:
        lines += ["## Strengths", "", *[f"- {s}" for s in report.strengths], ""]
    if report.work_on:
        lines += ["## Work on next", ""]
        lines += [f"{i}. **{w.title}**: {w.detail}" for i, w in enumerate(report.work_on, start=1)]
        lines.append("")
    if report.practice:
        lines += ["## Practise next", ""]
        lines += [f"- **{p.topic}** (difficulty {p.difficulty}, `{p.question_id}`): {p.text} _{p.reason}_"
                  for p in report.practice]
        lines.append("")
    lines += ["## Questions", ""]
    if not report.questions:
        lines += ["_No question was asked in this session._", ""]
    for q in report.questions:
        lines += _question(q)
    lines += _delivery(report.delivery, report.questions)
    ins = report.insights
    lines += ["## Insights", ""]
    lines.append("- Job-related terms you used: " + (
        ", ".join(f"{t.term} ({t.count})" for t in ins.job_terms) or "none yet"))
    lines.append("- Words you repeated most: " + (
        ", ".join(f"{t.term} ({t.count})" for t in ins.repeated_words) or "none"))
    for tp in ins.talking_points:
        mark = "✓" if tp.covered else "✗"
        example = f": “{tp.evidence[0]}”" if tp.evidence else ""
        lines.append(f"- Talking point {mark} {tp.name}{example}")
    lines.append("")
    if report.provenance:
        lines += [f"_Generated {report.provenance.generated_at[:19].replace('T', ' ')} · report schema "
                  f"{report.schema_version} · evaluator {report.provenance.evaluator_version or 'unversioned'}_", ""]
    return "\n".join(lines)
