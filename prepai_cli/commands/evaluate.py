from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from prepai_cli.bank import load_bank
from prepai_cli.commands.common import console
from prepai_cli.textfiles import read_user_text


def register(app: typer.Typer) -> None:
    @app.command("evaluate")
    def evaluate(
        type: str = typer.Option(..., "--type", help="Interview type (see `prepai types`)."),
        question: str = typer.Option(..., "--question", help="The question text, or a bank question id."),
        answer_file: Path = typer.Option(..., "--answer-file", help="A text file with the answer."),
        as_json: bool = typer.Option(False, "--json", help="Print the evaluation as JSON."),
    ) -> None:
        """Score one answer against the question's rubric."""
        bank = load_bank()
        interview_type = bank.interview_type(type)
        answer = read_user_text(answer_file, "answer file")
        from prepai_cli.agent.evaluator import load_evaluator

        evaluator = load_evaluator(bank)
        bank_question = bank.question(question.strip())
        if bank_question is not None:
            result = evaluator.evaluate(bank_question, answer, star=bank_question.story)
        else:
            result = evaluator.evaluate_text(question, answer, candidates=bank.questions(type),
                                             star=interview_type.star)
        if as_json:
            console.print_json(result.model_dump_json())
            return
        console.print(f"[bold]Score: {result.score:.1f}/10[/]")
        if result.match_note:
            console.print(f"[dim]{escape(result.match_note)}[/]")
        for kp in result.key_points:
            mark = "[green]✓[/]" if kp.covered else "[red]✗[/]"
            console.print(f" {mark} {escape(kp.text)}", highlight=False)
        if result.structure:
            parts = ", ".join(f"{k} {'✓' if v else '✗'}" for k, v in result.structure.items())
            console.print(f"Structure: {parts}")
        for flag in result.red_flags:
            console.print(f"[red]Red flag:[/] {escape(flag)}")
        for suggestion in result.suggestions:
            console.print(f"[yellow]→[/] {escape(suggestion)}")
