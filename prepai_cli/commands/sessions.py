from __future__ import annotations

import json

import typer
from rich.table import Table

from prepai_cli.bank import load_bank
from prepai_cli.commands.common import console, open_store
from prepai_cli.domain import status_word

sessions_app = typer.Typer(help="List, show and delete your interview sessions.", no_args_is_help=True)


@sessions_app.command("list")
def list_sessions(
    type: str = typer.Option(None, "--type", help="Only sessions of this interview type."),
    all_sessions: bool = typer.Option(False, "--all", help="Also list sessions in which nothing was answered."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON (machine-readable) instead of a table."),
) -> None:
    """List sessions, oldest first. Sessions with no answers (started, then left) are hidden unless --all."""
    if type is not None:
        load_bank().interview_type(type)  # an unknown type is an error listing the valid ones, not "no sessions"
    store = open_store()
    sessions = store.list_sessions(type)
    rows = []
    for s in sessions:
        turns = store.turns(s.id)
        rows.append({**s.model_dump(mode="json"), "turns": len(turns),
                     "answers": sum(1 for t in turns if t.role == "candidate")})
    hidden = 0 if all_sessions else sum(1 for row in rows if row["answers"] == 0)
    if not all_sessions:
        rows = [row for row in rows if row["answers"] > 0]
    if as_json:
        console.print_json(json.dumps(rows))
        return
    note = f"{hidden} session{'s' if hidden != 1 else ''} with no answers hidden (--all lists them)." if hidden else ""
    if not rows:
        kind = f" of type {type}" if type else ""
        console.print(f"No sessions{kind}{'' if all_sessions else ' with answers'} yet. Start one with: "
                      f"[bold]prepai interview --type {type or 'google-sde'}[/]")
        if note:
            console.print(f"[dim]{note}[/]")
        return
    table = Table(title="Sessions")
    # The id is what every other command takes: never cut it short.
    table.add_column("id", no_wrap=True, min_width=len(rows[0]["id"]))
    for column in ("type", "brain", "status", "created"):
        table.add_column(column, no_wrap=True)
    table.add_column("ans", justify="right", min_width=3)
    for row in rows:
        table.add_row(row["id"], row["type"], row["brain"], status_word(row["status"]), row["created_at"][5:16].replace("T", " "),
                      str(row["answers"]))
    console.print(table)
    if note:
        console.print(f"[dim]{note}[/]")


@sessions_app.command("show")
def show_session(
    session_id: str = typer.Argument(..., help="Session id (see `prepai sessions list`)."),
    as_json: bool = typer.Option(False, "--json", help="Print the session and its turns as JSON."),
) -> None:
    """Show one session's transcript."""
    store = open_store()
    session = store.get_session(session_id)
    turns = store.turns(session_id)
    if as_json:
        console.print_json(json.dumps({"session": session.model_dump(mode="json"),
                                       "turns": [t.model_dump(mode="json") for t in turns]}))
        return
    console.print(f"[bold]{session.id}[/]  {session.type}  brain={session.brain}  status={status_word(session.status)}")
    for turn in turns:
        who = "[cyan]Interviewer[/]" if turn.role == "interviewer" else "[magenta]You[/]"
        extra = ""
        if turn.evaluation and "score" in turn.evaluation:
            extra = f"  [dim](score {turn.evaluation['score']})[/]"
        console.print(f"{turn.started_at:%H:%M:%S} {who} [dim]{turn.kind}[/]: ", end="")
        console.print(turn.text, markup=False, end="")
        console.print(extra)


@sessions_app.command("delete")
def delete_session(session_id: str, yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask.")) -> None:
    """Delete a session and its audio from this machine."""
    store = open_store()
    store.get_session(session_id)
    if not yes and not typer.confirm(f"Delete session {session_id} and its audio?"):
        raise typer.Exit(1)
    store.delete_session(session_id)
    console.print(f"Deleted {session_id}.")


def register(app: typer.Typer) -> None:
    app.add_typer(sessions_app, name="sessions")
