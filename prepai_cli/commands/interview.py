from __future__ import annotations

import sys
from pathlib import Path

import typer

from prepai_cli.agent.factory import build_brain
from prepai_cli.bank import load_bank
from prepai_cli.commands.common import console, open_store
from prepai_cli.config import load_settings
from prepai_cli.errors import PrepAIError
from prepai_cli.interview.console import ConsoleOutput, ScriptedInput, TypedInput
from prepai_cli.interview.runner import InterviewRunner


def register(app: typer.Typer) -> None:
    @app.command("interview")
    def interview(
        type: str = typer.Option(None, "--type", "-t", help="Interview type (see `prepai types`)."),
        text: bool = typer.Option(False, "--text", help="Type your answers instead of speaking."),
        answers: Path = typer.Option(None, "--answers", help="Scripted answers: one per blank-line-separated paragraph."),
        no_tui: bool = typer.Option(False, "--no-tui", help="Plain console instead of the full-screen app."),
        resume: str = typer.Option(None, "--resume", help="Continue an unfinished session."),
        questions: int = typer.Option(None, "--questions", min=1, max=30, help="How many main questions."),
        minutes: int = typer.Option(None, "--minutes", min=1, max=180, help="Time budget in minutes."),
        difficulty: int = typer.Option(None, "--difficulty", min=1, max=3, help="Starting difficulty 1-3."),
        brain: str = typer.Option(None, "--brain", help="offline (default), bedrock-agent or bedrock."),
        candidate: str = typer.Option(None, "--candidate", help="Your name, for the records."),
    ) -> None:
        """Run a mock interview."""
        settings = load_settings(brain=brain, candidate=candidate, questions=questions, minutes=minutes)
        bank = load_bank()
        store = open_store()
        if resume:
            session = store.get_session(resume)
            if session.status == "ended":
                raise PrepAIError(f"session {resume} has already ended; see `prepai report {resume}`")
        else:
            if type is None:
                raise PrepAIError(f"choose an interview type with --type; valid types: {', '.join(bank.slugs)}")
            bank.interview_type(type)  # unknown type → one clear line listing the valid ones
            session = store.create_session(
                type, settings.brain, settings.candidate,
                {"questions": settings.questions, "minutes": settings.minutes, "difficulty": difficulty},
            )
        if answers is not None:
            candidate_input = ScriptedInput.from_file(answers, console)
        elif text or not sys.stdin.isatty():
            candidate_input = TypedInput(console)
        else:
            raise PrepAIError(
                "spoken interviews are not built yet in this version; use --text to type your answers"
            )
        brain_impl = build_brain(settings, bank)
        runner = InterviewRunner(store, brain_impl, ConsoleOutput(console), candidate_input, bank=bank)
        console.print(f"[dim]Session {session.id} · {session.type} · brain {session.brain}[/]")
        outcome = runner.run(session)
        if outcome.session.status == "ended":
            console.print(f"\n[dim]Saved. See your report: prepai report {session.id}[/]")
