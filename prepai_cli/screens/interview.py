"""The live interview: transcript, voice panel, coding pane and hint bar around one InterviewRunner.

The runner (brain, store writes, speech) runs on a worker thread; it talks to this screen only through the
messages in `prepai_cli.tui.messages`, so the UI loop never waits on a model, a microphone or the sandbox.
"""

from __future__ import annotations


from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, ProgressBar, Static, TextArea
from textual.worker import Worker, get_current_worker

from prepai_cli.agent.offline import interview_elapsed
from prepai_cli.bank import Question
from prepai_cli.domain import Session
from prepai_cli.errors import PrepAIError
from prepai_cli.interview.console import parse_answer
from prepai_cli.interview.io import CandidateAnswer
from prepai_cli.interview.runner import InterviewRunner
from prepai_cli.interview.setup import CV_TYPE, NO_CV_WARNING
from prepai_cli.screens.confirm import ConfirmScreen, QuitChoice, QuitScreen
from prepai_cli.tui import messages as m
from prepai_cli.tui.bridge import TuiInput, TuiOutput, VoiceFeed
from prepai_cli.tui.services import Services, VoiceIO
from prepai_cli.widgets.answer_box import AnswerBox
from prepai_cli.widgets.coding_pane import CodingPane
from prepai_cli.widgets.hint_bar import HintBar
from prepai_cli.widgets.session_header import SessionHeader
from prepai_cli.widgets.transcript import TranscriptPane
from prepai_cli.widgets.voice_panel import VoicePanel

# Share of the start-up progress bar each loading step gets.
_STEPS = {"brain": (0.0, 0.4), "voice": (0.4, 1.0)}
class InterviewScreen(Screen[None]):
    DEFAULT_CSS = """
    InterviewScreen #main { height: 1fr; }
    InterviewScreen #left { width: 1fr; }
    InterviewScreen TranscriptPane { height: 1fr; }
    InterviewScreen #loading { height: auto; padding: 0 1; }
    InterviewScreen #loading ProgressBar { width: 1fr; }
    InterviewScreen CodingPane { display: none; }
    InterviewScreen.-coding CodingPane { display: block; }
    InterviewScreen.-coding TranscriptPane { height: 2fr; max-height: 40%; }
    """

    # The answer box has the focus from the start: a paste or typing while the models load is not lost.
    AUTO_FOCUS = "#typed"

    BINDINGS = [
        Binding("f10", "end", "End"),
        Binding("ctrl+t", "type_instead", "Type"),
        Binding("f4", "code_editor", "Code"),
        Binding("ctrl+g", "hint", "Hint"),
        Binding("f2", "toggle_mode", "Talk mode"),
        Binding("f3", "toggle_mute", "Mute"),
        Binding("space", "push_to_talk", "Talk", show=False),
        Binding("q", "quit_interview", "Quit"),
    ]

    def __init__(self, services: Services, session: Session) -> None:
        super().__init__()
        self.services = services
        self.session = session
        self.input = TuiInput(self.post_message, alive=lambda: self.app.is_running and not self._closed)
        self.voice: VoiceIO | None = None
        self.question_number: tuple[int, int] | None = None
        self.current_question: Question | None = None
        self.ending = False
        self.quitting = False
        self._started_at = services.clock.monotonic()
        self._talking = False
        self._worker: Worker[None] | None = None
        # The segment being streamed, so a hint's text also lands in the hint bar.
        self._segment_kind: str | None = None
        self._hint_text = ""

    # Layout

    def compose(self) -> ComposeResult:
        yield SessionHeader(id="header")
        with Horizontal(id="main"):
            with Vertical(id="left"):
                with Vertical(id="loading"):
                    yield Static("Loading the interviewer…", id="loading-step")
                    yield ProgressBar(total=1.0, show_eta=False, id="loading-bar")
                yield TranscriptPane(id="transcript")
                yield AnswerBox(placeholder="Type your answer · enter sends · ctrl+j (or shift+enter): new line",
                                id="typed")
                yield CodingPane(can_run=self._can_run_code(), id="coding")
            yield VoicePanel(id="voice")
        yield HintBar(id="hint")
        yield Footer()

    def on_mount(self) -> None:
        header = self.query_one(SessionHeader)
        header.title = self.services.bank.interview_type(self.session.type).title
        header.brain = self.session.brain
        self._show_history()
        if self.session.type == CV_TYPE and not self.session.settings.get("cv_path") and not self.question_number:
            self.query_one(TranscriptPane).add_notice(NO_CV_WARNING, self.services.clock.now())
            self.notify(NO_CV_WARNING, severity="warning", timeout=12)
        self.set_interval(1.0, self._tick)
        self._tick()
        self._worker = self._start()

    def on_unmount(self) -> None:
        # The app is closing under a running interview (an exception, a test ending): let the runner save the
        # session as paused and return, instead of leaving its thread blocked on the next answer forever.
        if self._worker is not None and not self._worker.is_finished:
            self.quitting = True
            self.input.request_quit()

    def _show_history(self) -> None:
        """A resumed session: the conversation so far, the question being answered, its number and the time spent."""
        turns = self.services.store.turns(self.session.id)
        if not turns:
            return
        self._started_at = self.services.clock.monotonic() - interview_elapsed(turns).total_seconds()
        # The runner repeats the interviewer's last turn itself ("Welcome back" and the words again).
        shown = turns[:-1] if turns[-1].role == "interviewer" else turns
        transcript = self.query_one(TranscriptPane)
        for turn in shown:
            at = turn.started_at.astimezone()
            if turn.role == "interviewer":
                transcript.begin_interviewer(turn.kind, turn.meta, at)
                transcript.append_interviewer(turn.text, at)
                transcript.end_interviewer()
            else:
                transcript.add_candidate(turn.text, turn.kind, str(turn.meta.get("input", "voice")), at)
        last_question = next((t for t in reversed(turns) if t.role == "interviewer" and t.kind == "question"), None)
        if last_question is None:
            return
        number, of = last_question.meta.get("number"), last_question.meta.get("of")
        if number and of:
            self.question_number = (int(number), int(of))
            self.query_one(SessionHeader).question = self.question_number
        question = self.services.bank.question(last_question.question_id) if last_question.question_id else None
        self._set_question(question)
        since = turns[turns.index(last_question):]
        hints = [t.text for t in since if t.role == "interviewer" and t.kind == "hint"]
        if hints:
            self.query_one(HintBar).set_hint(hints[-1])

    def _can_run_code(self) -> bool:
        tools = self.services.tools
        return tools is not None and tools.has("run_code")

    def _tick(self) -> None:
        self.query_one(SessionHeader).elapsed = self.services.clock.monotonic() - self._started_at

    # The worker: load, then run the interview to the end.

    @work(thread=True, exclusive=True, group="interview", name="interview")
    def _start(self) -> None:
        worker = get_current_worker()
        post = self.post_message
        post(m.LoadProgress("Starting the interviewer", _STEPS["brain"][0]))
        try:
            brain = self.services.factory_for(self.session.brain)()
        except Exception as exc:  # nothing to interview with: say why instead of crashing the app
            post(m.InterviewFailed(f"Could not start the interviewer: {exc}"))
            return
        voice, voice_error = self._load_voice()
        post(m.InterviewReady(voice is not None, voice_error))
        if worker.is_cancelled or self.quitting:
            # Quit while loading: nothing was said, but the session exists; keep it resumable.
            if voice is not None and voice.close is not None:
                voice.close()
            post(m.InterviewFinished(self.services.store.set_status(self.session.id, "abandoned"), False))
            return
        self.input.attach_voice(voice.input if voice else None, live=voice.live if voice else False)
        output = TuiOutput(post, voice.output if voice else None)
        runner = InterviewRunner(self.services.store, brain, output, self.input, bank=self.services.bank)
        try:
            outcome = runner.run(self.session)
        except Exception as exc:  # the runner commits every turn, so what was said is saved even now
            post(m.InterviewFailed(f"The interview stopped: {exc}"))
            return
        finally:
            if voice is not None and voice.close is not None:
                voice.close()
        post(m.InterviewFinished(outcome.session, outcome.finished))

    def _load_voice(self) -> tuple[VoiceIO | None, str | None]:
        factory = self.services.voice_factory
        if factory is None:
            return None, "not set up"
        low, high = _STEPS["voice"]

        def progress(step: str, fraction: float) -> None:
            self.post_message(m.LoadProgress(step, low + (high - low) * max(0.0, min(1.0, fraction))))

        try:
            voice = factory(self.session, VoiceFeed(self.post_message), progress)
        except Exception as exc:  # no microphone, no model, no audio device: typing still works
            return None, str(exc) or type(exc).__name__
        self.voice = voice
        return voice, None

    # Messages from the worker

    def on_load_progress(self, message: m.LoadProgress) -> None:
        self.query_one("#loading-step", Static).update(f"{message.step}…")
        self.query_one("#loading-bar", ProgressBar).progress = message.fraction

    def on_interview_ready(self, message: m.InterviewReady) -> None:
        self.query_one("#loading").display = False
        panel = self.query_one(VoicePanel)
        if message.voice and self.voice is not None:
            panel.set_source(self.voice.label, live=self.voice.live)
            panel.state = "listening"
            box = self.query_one("#typed", AnswerBox)
            if box.has_focus and not box.text:
                self.query_one(TranscriptPane).focus()  # speaking is the mode: space is push-to-talk, not a space
        else:
            panel.set_unavailable(message.voice_error or "")
            panel.state = "typing"
            self.query_one("#typed", AnswerBox).focus()

    def on_segment_started(self, message: m.SegmentStarted) -> None:
        transcript = self.query_one(TranscriptPane)
        transcript.end_interviewer()
        transcript.begin_interviewer(message.kind, message.meta, self.services.clock.now())
        panel = self.query_one(VoicePanel)
        if panel.state != "speaking":
            panel.state = "thinking" if self.voice is None or self.voice.output is None else "speaking"
        if message.kind == "question":
            number, of = message.meta.get("number"), message.meta.get("of")
            if number and of:
                self.question_number = (int(number), int(of))
                self.query_one(SessionHeader).question = self.question_number
            question_id = message.meta.get("question_id")
            self._set_question(self.services.bank.question(question_id) if question_id else None)
        self._segment_kind = message.kind
        self._hint_text = ""

    def on_interviewer_text(self, message: m.InterviewerText) -> None:
        text = message.text
        self.query_one(TranscriptPane).append_interviewer(text, self.services.clock.now())
        if self._segment_kind == "hint":
            self._hint_text += text
            self.query_one(HintBar).set_hint(self._hint_text)

    def on_interviewer_turn_ended(self, message: m.InterviewerTurnEnded) -> None:
        self.query_one(TranscriptPane).end_interviewer()
        if message.interrupted:
            self.query_one(TranscriptPane).add_notice("(you talked over the interviewer)", self.services.clock.now())

    def on_notice(self, message: m.Notice) -> None:
        self.query_one(TranscriptPane).add_notice(message.text, self.services.clock.now())

    def on_answer_requested(self, message: m.AnswerRequested) -> None:
        panel = self.query_one(VoicePanel)
        if self.voice is None:
            panel.state = "typing"
        elif panel.muted:
            panel.state = "muted"
        else:
            panel.state = "listening"

    def on_candidate_partial(self, message: m.CandidatePartial) -> None:
        text = message.text
        if text.strip():
            self.query_one(TranscriptPane).show_partial(text, self.services.clock.now())
            self.query_one(VoicePanel).state = "hearing"

    def on_candidate_final(self, message: m.CandidateFinal) -> None:
        self.query_one(TranscriptPane).add_candidate(message.text, message.kind, message.source,
                                                     self.services.clock.now())
        self.query_one(VoicePanel).state = "thinking"
        self.query_one(VoicePanel).set_level(0.0)

    def on_voice_state(self, message: m.VoiceState) -> None:
        self.query_one(VoicePanel).state = message.state

    def on_input_level(self, message: m.InputLevel) -> None:
        self.query_one(VoicePanel).set_level(message.level)

    def on_interview_finished(self, message: m.InterviewFinished) -> None:
        self.session = message.session
        if self.quitting:
            self.app.exit(message.session)
            return
        from prepai_cli.screens.report import ReportScreen  # the report screen imports this module's siblings

        self.app.switch_screen(ReportScreen(self.services, message.session.id))

    def on_interview_failed(self, message: m.InterviewFailed) -> None:
        self.query_one("#loading").display = False
        self.query_one(TranscriptPane).add_notice(message.error, self.services.clock.now())
        self.notify(message.error, severity="error", timeout=10)
        if self.quitting:
            self.app.exit(self.session)

    # The coding pane

    def _set_question(self, question: Question | None) -> None:
        if question is None or self.current_question is None or question.id != self.current_question.id:
            self.query_one(HintBar).set_hint("")  # a hint belongs to its question
        self.current_question = question
        coding = question is not None and question.coding is not None
        self.set_class(coding, "-coding")
        self.refresh_bindings()  # the editor key is shown only while there is an editor
        if coding:
            assert question is not None
            pane = self.query_one(CodingPane)
            pane.load_question(question)
            # Code is written in the editor, not the answer box (which would send it as a spoken answer).
            self.call_after_refresh(pane.focus_editor)
        elif self.focused is not None and self.query_one(CodingPane) in self.focused.ancestors:
            self.query_one("#typed", AnswerBox).focus()  # the editor is hidden now; answers go in the box again

    @on(CodingPane.RunRequested)
    def _run_code(self, message: CodingPane.RunRequested) -> None:
        self._run_in_sandbox(message.code, message.language, message.question_id)

    @work(thread=True, group="sandbox", exclusive=True)
    def _run_in_sandbox(self, code: str, language: str, question_id: str) -> None:
        tools = self.services.tools
        if tools is None:
            self.post_message(m.CodeRunFailed("code execution is not available"))
            return
        try:
            result = tools.call("run_code", {"code": code, "language": language, "problem_id": question_id})
        except Exception as exc:  # a sandbox failure is shown in the pane, the interview goes on
            self.post_message(m.CodeRunFailed(str(exc)))
            return
        self.post_message(m.CodeRunFinished(result))

    def on_code_run_finished(self, message: m.CodeRunFinished) -> None:
        self.query_one(CodingPane).show_result(message.result)

    def on_code_run_failed(self, message: m.CodeRunFailed) -> None:
        self.query_one(CodingPane).show_error(message.error)

    @on(CodingPane.SubmitRequested)
    def _submit_code(self, message: CodingPane.SubmitRequested) -> None:
        self.input.submit(CandidateAnswer(text=message.code, kind="code", meta={"language": message.language}),
                          source="editor")

    @on(TextArea.Changed)
    def _typing(self) -> None:
        # The answer box or the code editor: a candidate typing is not silent (no spoken check-in over it).
        self.input.note_typing()

    # Answers typed in the answer box

    @on(AnswerBox.Submitted)
    def _typed(self, message: AnswerBox.Submitted) -> None:
        try:
            answer = parse_answer(message.text)  # a fenced block typed here is submitted as code, as in --text
        except PrepAIError as exc:
            self.notify(str(exc), severity="error")
            return
        self.input.submit(answer, source="typed")

    @on(VoicePanel.ModeToggled)
    def _mode_toggled(self) -> None:
        self.action_toggle_mode()

    @on(VoicePanel.MuteToggled)
    def _mute_toggled(self) -> None:
        self.action_toggle_mute()

    # Actions

    def action_code_editor(self) -> None:
        if self.has_class("-coding"):
            self.query_one(CodingPane).focus_editor()

    def action_type_instead(self) -> None:
        self.query_one("#typed", AnswerBox).focus()

    def action_hint(self) -> None:
        self.input.submit(CandidateAnswer(text="Can I get a hint?"), source="typed")

    def action_toggle_mode(self) -> None:
        if self.voice is None or not self.voice.live:
            self.notify("Talk modes need a microphone; type your answers instead.")
            return
        panel = self.query_one(VoicePanel)
        panel.push_to_talk = not panel.push_to_talk
        self.input.set_push_to_talk(panel.push_to_talk)
        if panel.push_to_talk and isinstance(self.focused, TextArea):
            self.query_one(TranscriptPane).focus()  # space must reach push-to-talk, not type into a box

    def action_toggle_mute(self) -> None:
        if self.voice is None or not self.voice.live:
            self.notify("There is no microphone to mute.")
            return
        panel = self.query_one(VoicePanel)
        panel.muted = not panel.muted
        self.input.set_muted(panel.muted)
        panel.state = "muted" if panel.muted else "listening"

    def action_push_to_talk(self) -> None:
        panel = self.query_one(VoicePanel)
        if self.voice is None or not panel.push_to_talk:
            return
        self._talking = not self._talking
        self.input.set_talking(self._talking)
        panel.state = "hearing" if self._talking else "thinking"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Space and q type into the answer box and the editor; only act on them elsewhere.
        if action in {"push_to_talk", "quit_interview"} and isinstance(self.focused, (Input, TextArea)):
            return False
        if action == "code_editor":
            return self.has_class("-coding")
        return True

    def action_end(self) -> None:
        if self.ending:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.end_interview()

        self.app.push_screen(ConfirmScreen("End the interview and see your report?", yes="End", no="Keep going"),
                             confirmed)

    def end_interview(self) -> None:
        """Asks the interviewer to close; the report opens when the runner returns."""
        self.ending = True
        self.query_one(VoicePanel).state = "thinking"
        self.query_one(TranscriptPane).add_notice("Ending the interview…", self.services.clock.now())
        self.input.request_end()

    def action_quit_interview(self) -> None:
        def chosen(choice: QuitChoice | None) -> None:
            if choice == "end":
                self.end_interview()
            elif choice == "save":
                self.save_and_quit()

        self.app.push_screen(QuitScreen(), chosen)

    def save_and_quit(self) -> None:
        """Pauses the session (status abandoned, resumable); the app exits once the runner has saved."""
        self.quitting = True
        self.query_one(TranscriptPane).add_notice("Saving…", self.services.clock.now())
        if self._worker is None or self._worker.is_finished:
            self.app.exit(self.services.store.set_status(self.session.id, "abandoned"))
            return
        if self.voice is not None and self.voice.stop_speaking is not None:
            self.voice.stop_speaking()  # so the runner reaches its next answer request (and the quit) at once
        self.input.request_quit()

    @on(Button.Pressed, "#end")
    def _end_pressed(self) -> None:
        self.action_end()

