"""`prepai sync`: push sessions to S3, pull them back (--pull), or show what is pending (--status)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.progress import (
    BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from prepai_cli.commands.common import console, open_store
from prepai_cli.config import load_settings
from prepai_cli.errors import PrepAIError
from prepai_cli.store import SessionStore
from prepai_cli.sync.layout import Layout
from prepai_cli.sync.lock import lock_file, sync_lock
from prepai_cli.sync.models import OutboxEntry, PullSummary, PushSummary
from prepai_cli.sync.status import sync_status

if TYPE_CHECKING:  # boto3 costs ~0.15 s to import: only `prepai sync` itself should pay it
    from prepai_cli.sync.s3 import SyncTarget


class _PushProgress:
    """Two bars: preparing sessions (FLAC encoding, hashing), then bytes on the wire."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.prepare: TaskID = progress.add_task("preparing sessions", total=None, detail="")
        self.upload: TaskID | None = None
        self.sent = 0
        self.total = 0

    def preparing(self, done: int, total: int) -> None:
        self.progress.update(self.prepare, completed=done, total=total, detail=f"{done}/{total} sessions")

    def planned(self, objects: int, total_bytes: int) -> None:
        self.progress.update(self.prepare, visible=False)
        self.total = total_bytes
        self.upload = self.progress.add_task(f"uploading {objects} object(s)", total=total_bytes,
                                             detail=f"0.0/{_mb(total_bytes)}")

    def transferred(self, nbytes: int) -> None:
        if self.upload is not None:
            self.sent += nbytes
            self.progress.update(self.upload, advance=nbytes, detail=f"{self.sent / 1e6:.1f}/{_mb(self.total)}")

    def finished(self, entry: OutboxEntry, uploaded: bool) -> None:
        pass


class _PullProgress:
    def __init__(self, progress: Progress):
        self.progress = progress
        self.task: TaskID = progress.add_task("looking for sessions", total=None)

    def found(self, sessions: int) -> None:
        self.progress.update(self.task, total=sessions, description="restoring sessions")

    def session_done(self, session_id: str) -> None:
        self.progress.advance(self.task)


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def _print_push(summary: PushSummary) -> None:
    rate = summary.bytes_uploaded / summary.upload_seconds / 1_000_000 if summary.upload_seconds > 0 else 0.0
    console.print(f"Synced {summary.sessions} session(s): uploaded {summary.uploaded} object(s) "
                  f"({_mb(summary.bytes_uploaded)}, {rate:.1f} MB/s), {summary.already_there} already in the bucket.")
    for note in summary.skipped_sources:
        console.print(f"[yellow]skipped:[/] {note}", markup=True)


def _push(store: SessionStore, target: SyncTarget, session: str | None, quiet: bool) -> None:
    from prepai_cli.sync.push import Pusher

    ids = [store.get_session(session).id] if session else None
    if quiet:
        summary = Pusher(store, target).run(ids)
    else:
        columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[detail]}"),
                   TransferSpeedColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
            summary = Pusher(store, target, _PushProgress(progress)).run(ids)
    if not quiet:
        _print_push(summary)


def _pull(store: SessionStore, target: SyncTarget, quiet: bool) -> None:
    from prepai_cli.sync.pull import Puller

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console,
                  transient=True, disable=quiet or not console.is_terminal) as progress:
        summary = Puller(store, target, _PullProgress(progress)).run()
    if not quiet:
        _print_pull(summary)
    if summary.failed:
        first = summary.failed[0]
        more = f" (and {len(summary.failed) - 1} more)" if len(summary.failed) > 1 else ""
        raise PrepAIError(f"could not restore session {first.session_id}{more}: {first.reason}")


def _print_pull(summary: PullSummary) -> None:
    console.print(f"Restored {len(summary.restored)} session(s) ({summary.objects} object(s), "
                  f"{_mb(summary.bytes_downloaded)}, checksums verified); "
                  f"{len(summary.up_to_date)} already up to date.")
    for conflict in summary.conflicts:
        console.print(f"[yellow]conflict[/] {conflict.session_id}: ", markup=True, end="")
        console.print(conflict.reason, markup=False)


def _status(store: SessionStore, bucket: str, layout: Layout, as_json: bool) -> None:
    report = sync_status(store, bucket, layout)
    if as_json:
        console.print_json(report.model_dump_json())
        return
    console.print(f"bucket {bucket}: {report.done_count} object(s) synced ({_mb(report.done_bytes)}), "
                  f"{len(report.pending)} pending, {len(report.failed)} failed, "
                  f"{len(report.unqueued_sessions)} session(s) not yet queued.")
    if report.unqueued_sessions:
        console.print("not yet queued: " + ", ".join(report.unqueued_sessions), markup=False)
    if report.changed_sessions:
        console.print("changed since the last sync: " + ", ".join(report.changed_sessions), markup=False)
    rows = report.failed + report.pending
    if rows:
        table = Table(title="Waiting to upload")
        for column in ("state", "session", "object", "size", "attempts", "last error"):
            table.add_column(column)
        for e in rows:
            name = e.key.rsplit(f"{e.session_id}/", 1)[-1]
            table.add_row(e.state, e.session_id, name, _mb(e.size), str(e.attempts), e.last_error or "-")
        console.print(table)
    if rows or report.unqueued_sessions or report.changed_sessions:
        console.print("Run [bold]prepai sync[/] to upload them.")
    else:
        console.print("Everything is in the bucket.")


def register(app: typer.Typer) -> None:
    @app.command("sync")
    def sync(
        pull: bool = typer.Option(False, "--pull", help="Restore sessions from the bucket to this machine."),
        status: bool = typer.Option(False, "--status", help="Show what is pending or failed, and why."),
        session: str = typer.Option(None, "--session", help="Push only this session (and anything already queued)."),
        as_json: bool = typer.Option(False, "--json", help="With --status: machine-readable output."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars or summary."),
    ) -> None:
        """Back up sessions, audio, reports and CVs to S3 (sync.bucket); resumable and idempotent."""
        if pull and status:
            raise PrepAIError("choose one of --pull and --status")
        if pull and session:
            raise PrepAIError("--session only applies to pushing; `prepai sync --pull` restores every session")
        settings = load_settings()
        store = open_store()
        try:
            if status:
                if not settings.sync.bucket:
                    raise PrepAIError("no sync bucket configured; run `prepai config set sync.bucket YOUR-BUCKET` first")
                _status(store, settings.sync.bucket, Layout.for_settings(settings), as_json)
                return
            from prepai_cli.sync.s3 import SyncTarget

            target = SyncTarget.from_settings(settings)
            with sync_lock(lock_file(store.path)):
                if pull:
                    _pull(store, target, quiet)
                else:
                    _push(store, target, session, quiet)
        finally:
            store.close()

