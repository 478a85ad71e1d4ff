"""`prepai cv analyze`: what an interviewer would probe in your CV."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table
from rich.markup import escape

from prepai_cli.agent.tools.cv import CVProfile, analyze_file, cv_questions
from prepai_cli.commands.common import console


def _print(profile: CVProfile, show_questions: bool) -> None:
    # Everything taken from the CV is escaped: a bracket in it is text, not Rich markup.
    sections = escape(', '.join(profile.sections) or 'none found')
    console.print(f"[bold]{escape(profile.name or 'CV')}[/]  ·  sections: {sections}")
    console.print(f"Experience: about {profile.years_of_experience:g} years")
    if profile.roles:
        table = Table(title="Roles")
        table.add_column("title")
        table.add_column("company")
        table.add_column("from")
        table.add_column("to")
        for role in profile.roles:
            end = "present" if role.current else (f"{role.end:%b %Y}" if role.end else "")
            table.add_row(escape(role.title), escape(role.company or ""), f"{role.start:%b %Y}" if role.start else "", end)
        console.print(table)
    if profile.skills:
        strong = {s.name for s in profile.strong_skills}
        names = [f"[bold]{escape(s.name)}[/]" if s.name in strong else escape(s.name) for s in profile.skills]
        console.print("Skills ([bold]bold[/] = used in your experience): " + ", ".join(names))
    for gap in profile.gaps:
        console.print(f"[yellow]Gap:[/] {gap.months} months, {gap.start:%b %Y} to {gap.end:%b %Y}")
    if profile.projects:
        console.print("Projects: " + ", ".join(p.name for p in profile.projects), markup=False)
    if profile.claims:
        console.print("[bold]Claims an interviewer will probe:[/]")
        for claim in profile.claims:
            console.print(f"  • {claim.text}", markup=False)
    if show_questions:
        console.print("[bold]Questions to prepare:[/]")
        for question in cv_questions(profile):
            console.print(f"  • {question.text}", markup=False)


def register(app: typer.Typer) -> None:
    cv_app = typer.Typer(help="Analyse your CV the way an interviewer reads it.", no_args_is_help=True)

    @cv_app.command("analyze")
    def analyze(
        path: Path = typer.Argument(..., help="Your CV: .pdf, .docx, .txt or .md."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
        questions: bool = typer.Option(False, "--questions", help="Also list the questions it raises."),
    ) -> None:
        """Extract skills, roles, experience, gaps, projects and quantified claims from a CV."""
        profile = analyze_file(path)
        if as_json:
            body = profile.model_dump(mode="json")
            if questions:
                body["questions"] = [q.model_dump(mode="json") for q in cv_questions(profile)]
            console.print_json(json.dumps(body))
            return
        _print(profile, questions)

    app.add_typer(cv_app, name="cv")
