"""The PrepAI Textual app and `run_tui`, the entry point `prepai interview` calls when stdout is a terminal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen, ScreenResultType

from prepai_cli.agent.brain import Brain
from prepai_cli.bank import QuestionBank
from prepai_cli.domain import Session
from prepai_cli.errors import PrepAIError
from prepai_cli.interview.setup import new_session_settings
from prepai_cli.screens.interview import InterviewScreen
from prepai_cli.screens.picker import PickerScreen
from prepai_cli.screens.report import ReportScreen
from prepai_cli.screens.sessions import SessionsScreen
from prepai_cli.store import SessionStore
from prepai_cli.tui.clock import Clock, SystemClock
from prepai_cli.tui.services import BrainChoice, InterviewSetup, Services, ToolBox, VoiceFactory


class PrepAIApp(App[Session | None]):
    """Returns the last interview's session (as saved) from `run()`, or None if no interview was started."""

    TITLE = "PrepAI"
    BINDINGS = [
        Binding("ctrl+c", "request_quit", "Quit", priority=True, show=False),
        Binding("ctrl+q", "request_quit", "Quit", priority=True, show=False),
    ]

    def __init__(
        self,
        services: Services,
        *,
        setup: InterviewSetup | None = None,
        resume: str | None = None,
        show_sessions: bool = False,
    ) -> None:
        super().__init__()
        self.services = services
        self._initial_setup = setup
        self._initial_resume = resume
        self._show_sessions = show_sessions
        self.session: Session | None = None

    def on_mount(self) -> None:
        if self._initial_resume:
            self.action_resume(self._initial_resume)
        elif self._initial_setup is not None:
            self.start_interview(self._initial_setup)
        elif self._show_sessions:
            self._show(SessionsScreen(self.services))
        else:
            self.action_new_interview()

    def _show(self, screen: Screen[ScreenResultType], callback: Callable[[ScreenResultType | None], None] | None = None) -> None:
        """Replaces everything above the default screen: the new screen is where the user now is."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(screen, callback)

    def action_new_interview(self) -> None:
        def picked(setup: InterviewSetup | None) -> None:
            if setup is not None:
                self.start_interview(setup)

        self._show(PickerScreen(self.services), picked)

    def start_interview(self, setup: InterviewSetup) -> None:
        services = self.services
        try:
            services.bank.interview_type(setup.type)
            settings = new_session_settings(
                services.store, services.bank, setup.type,
                questions=setup.questions or services.default_questions,
                minutes=setup.minutes or services.default_minutes, difficulty=setup.difficulty,
                cv_path=setup.cv_path,
            )
        except PrepAIError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        self.session = services.store.create_session(setup.type, setup.brain or services.brain_name,
                                                     services.candidate, settings)
        self._show(InterviewScreen(services, self.session))

    def action_resume(self, session_id: str) -> None:
        try:
            session = self.services.store.get_session(session_id)
        except PrepAIError as exc:
            self.notify(str(exc), severity="error", timeout=10)
            return
        if session.status == "ended":
            self._show(ReportScreen(self.services, session.id))
            return
        self.session = session
        self._show(InterviewScreen(self.services, session))

    def action_request_quit(self) -> None:
        screen = self.screen
        if isinstance(screen, InterviewScreen) and not screen.quitting:
            screen.action_quit_interview()
        elif not isinstance(screen, InterviewScreen):
            self.exit(self.session)


def run_tui(
    store: SessionStore,
    bank: QuestionBank,
    *,
    brain_name: str,
    candidate: str,
    brain_factory: Callable[[], Brain],
    interview_type: str | None = None,
    resume: str | None = None,
    difficulty: int | None = None,
    questions: int | None = None,
    minutes: int | None = None,
    cv_path: Path | None = None,
    voice_factory: VoiceFactory | None = None,
    tools: ToolBox | None = None,
    clock: Clock | None = None,
    brain_choices: list[BrainChoice] | None = None,
) -> Session | None:
    """Runs the full-screen app until the user quits; returns the last interview's session as saved.

    With `resume` the session continues; with `interview_type` the interview starts at once; otherwise the picker
    opens. `brain_factory` and `voice_factory` run on a worker thread with progress shown, so slow model loading
    never freezes the screen; `voice_factory=None` means typed answers only (the voice panel says so).
    """
    services = Services(
        store=store, bank=bank, brain_name=brain_name, candidate=candidate, brain_factory=brain_factory,
        voice_factory=voice_factory, tools=tools, clock=clock or SystemClock(),
        default_questions=questions, default_minutes=minutes, brain_choices=brain_choices or [],
    )
    setup = None
    if interview_type is not None:
        bank.interview_type(interview_type)  # an unknown type fails here, with the valid ones listed
        setup = InterviewSetup(type=interview_type, difficulty=difficulty, questions=questions, minutes=minutes,
                               cv_path=cv_path)
    app = PrepAIApp(services, setup=setup, resume=resume)
    return app.run()
