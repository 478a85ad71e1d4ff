"""State of the conversation's audio side, the level meter, talk mode, mute and the 'type instead' box."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Static

from prepai_cli.interview.device_help import no_voice_note
from prepai_cli.widgets.level_meter import LevelMeter

STATES = {
    "loading": ("…", "loading"),
    "listening": ("◌", "listening"),
    "hearing": ("●", "hearing you"),
    "thinking": ("…", "thinking"),
    "speaking": ("♪", "speaking"),
    "muted": ("✕", "muted"),
    "typing": ("⌨", "type your answer"),
    "idle": ("·", "idle"),
}


class VoicePanel(Vertical):
    DEFAULT_CSS = """
    VoicePanel { width: 32; padding: 0 1; border-left: vkey $primary; height: 1fr; }
    VoicePanel .title { text-style: bold; }
    VoicePanel #voice-state { height: 1; }
    VoicePanel #voice-note { color: $text-muted; height: auto; margin-top: 1; }
    VoicePanel Horizontal { height: 1; margin-top: 1; }
    VoicePanel Horizontal Button { margin-right: 1; }
    """

    class ModeToggled(Message):
        pass

    class MuteToggled(Message):
        pass

    state: reactive[str] = reactive("loading")
    push_to_talk: reactive[bool] = reactive(False)
    muted: reactive[bool] = reactive(False)
    voice_available: reactive[bool | None] = reactive(None)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.unavailable_reason = ""
        self.source_label = "microphone"
        # A recorded file cannot be muted or pushed-to-talk; only a live microphone gets those controls.
        self.live = True

    def compose(self) -> ComposeResult:
        yield Static("Voice", classes="title")
        yield Static(id="voice-state")
        yield LevelMeter(id="level")
        with Horizontal(id="voice-controls"):
            yield Button("Hands-free", id="mode", compact=True)
            yield Button("Mute", id="mute", compact=True)
        yield Static(id="voice-note")

    def on_mount(self) -> None:
        self._show_state()
        self._show_note()
        self.query_one("#voice-controls").display = False  # shown once a live microphone is ready

    def set_level(self, level: float) -> None:
        self.query_one(LevelMeter).level = level

    def set_source(self, label: str, *, live: bool) -> None:
        self.source_label = label
        self.live = live
        self.voice_available = True
        self.watch_voice_available()

    def set_unavailable(self, reason: str) -> None:
        self.unavailable_reason = reason
        self.voice_available = False

    def watch_state(self) -> None:
        self._show_state()

    def watch_muted(self) -> None:
        if self.is_mounted:
            self.query_one("#mute", Button).label = "Unmute" if self.muted else "Mute"
            self._show_state()

    def watch_push_to_talk(self) -> None:
        if self.is_mounted:
            self.query_one("#mode", Button).label = "Push-to-talk" if self.push_to_talk else "Hands-free"
            self._show_note()

    def watch_voice_available(self) -> None:
        if self.is_mounted:
            voice = bool(self.voice_available)
            # Without a microphone there is nothing to switch or mute: the controls go, the note explains.
            self.query_one("#voice-controls").display = voice and self.live
            self.query_one(LevelMeter).display = voice
            self._show_note()

    def _show_state(self) -> None:
        if not self.is_mounted:
            return
        key = "muted" if self.muted and self.state in {"listening", "hearing"} else self.state
        glyph, label = STATES.get(key, ("·", key))
        self.query_one("#voice-state", Static).update(Text(f"{glyph} {label}", style="bold"))

    def _show_note(self) -> None:
        if not self.is_mounted:
            return
        if self.voice_available is None:
            note = "Getting ready…"
        elif not self.voice_available:
            if self.unavailable_reason in {"", "not set up"}:  # --text: typing was the choice, nothing failed
                note = "Typed interview: type your answers below the transcript (enter sends)."
            else:
                note = no_voice_note(self.unavailable_reason)
        elif not self.live:
            note = f"Listening to {self.source_label}. Typed answers (below the transcript) still work."
        elif self.push_to_talk:
            note = "Push-to-talk: press space to start talking, space again when done (f2: hands-free)."
        else:
            note = "Hands-free: just talk; a pause ends your answer (f2: push-to-talk, f3: mute)."
        self.query_one("#voice-note", Static).update(note)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "mode":
            self.post_message(self.ModeToggled())
        elif event.button.id == "mute":
            self.post_message(self.MuteToggled())
