"""Past sessions: open a report, resume an unfinished interview, delete (after asking)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from prepai_cli.domain import Session, status_word
from prepai_cli.screens.confirm import ConfirmScreen
from prepai_cli.screens.browse import BrowsingScreen
from prepai_cli.tui.services import Services


class SessionsScreen(BrowsingScreen):
    DEFAULT_CSS = """
    SessionsScreen #title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    SessionsScreen #empty { padding: 1 2; color: $text-muted; }
    SessionsScreen DataTable { height: 1fr; }
    """

    BINDINGS = [
        Binding("enter", "open", "Report", show=True),
        Binding("r", "resume", "Resume"),
        Binding("d", "delete", "Delete"),
        Binding("n", "new", "New interview"),
        Binding("q,escape", "close", "Back"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.sessions: list[Session] = []

    def compose(self) -> ComposeResult:
        yield Static("Past sessions", id="title")
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Static("No sessions yet. Press n to start an interview.", id="empty")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Session", "Type", "Status", "Started", "Answers")
        self.reload()
        table.focus()

    def reload(self) -> None:
        store = self.services.store
        # Newest first: the session you want is usually the one you just did.
        self.sessions = list(reversed(store.list_sessions()))
        table = self.query_one(DataTable)
        table.clear()
        for session in self.sessions:
            answers = sum(1 for t in store.turns(session.id) if t.role == "candidate")
            status = status_word(session.status)
            table.add_row(session.id, session.type, status,
                          session.created_at.astimezone().strftime("%Y-%m-%d %H:%M"), str(answers), key=session.id)
        table.display = bool(self.sessions)
        self.query_one("#empty").display = not self.sessions

    @property
    def selected(self) -> Session | None:
        table = self.query_one(DataTable)
        if not self.sessions or table.cursor_row < 0 or table.cursor_row >= len(self.sessions):
            return None
        return self.sessions[table.cursor_row]

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        from prepai_cli.screens.report import ReportScreen  # the report screen links back here

        session = self.selected
        if session is not None:
            self.app.push_screen(ReportScreen(self.services, session.id))

    def action_resume(self) -> None:
        session = self.selected
        if session is None:
            return
        if session.status == "ended":
            self.notify("That interview has ended; open its report instead.", severity="warning")
            return
        self.app.call_later(self.app.run_action, f"app.resume({session.id!r})")

    def action_delete(self) -> None:
        session = self.selected
        if session is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.services.store.delete_session(session.id)
                self.notify(f"Deleted {session.id}.")
                self.reload()

        self.app.push_screen(
            ConfirmScreen(f"Delete session {session.id} ({session.type}) and its audio? This cannot be undone.",
                          yes="Delete", no="Keep"),
            confirmed,
        )
