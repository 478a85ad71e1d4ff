"""Messages the interview's worker threads post to the UI.

Every piece of brain, speech and sandbox work runs off the UI loop; these are the only way results come back,
so tests assert on them (via `run_test(message_hook=...)`) as well as on what the widgets show. They are posted
to the screen that owns the work and do not bubble: nothing above it has a use for them.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message

from prepai_cli.domain import Session
from prepai_cli.tui.coalesce import Lazy, Slot


class LoadProgress(Message, bubble=False):
    """One start-up step (brain, speech recognition, voice) began or finished; `fraction` is overall progress."""

    def __init__(self, step: str, fraction: float, detail: str = "") -> None:
        super().__init__()
        self.step = step
        self.fraction = fraction
        self.detail = detail


class InterviewReady(Message, bubble=False):
    """Everything the interview needs is loaded; `voice_error` says why speech is unavailable, if it is."""

    def __init__(self, voice: bool, voice_error: str | None = None) -> None:
        super().__init__()
        self.voice = voice
        self.voice_error = voice_error


class SegmentStarted(Message, bubble=False):
    """The interviewer starts a question, hint, follow-up ...; `meta` carries number/of/topic for questions."""

    def __init__(self, kind: str, meta: dict[str, Any]) -> None:
        super().__init__()
        self.kind = kind
        self.meta = meta


class InterviewerText(Message, bubble=False):
    """Text streamed by the brain; several deltas may be merged into one message when they arrive fast."""

    def __init__(self, text: str | Slot[str]) -> None:
        super().__init__()
        self._text = Lazy(text)

    @property
    def text(self) -> str:
        return self._text.get()


class InterviewerTurnEnded(Message, bubble=False):
    def __init__(self, interrupted: bool) -> None:
        super().__init__()
        self.interrupted = interrupted


class Notice(Message, bubble=False):
    """An out-of-band line from the runner (errors, 'saved', 'resuming')."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class AnswerRequested(Message, bubble=False):
    """The runner is waiting for the candidate's next answer."""

    def __init__(self, question_id: str | None, segment_kind: str | None) -> None:
        super().__init__()
        self.question_id = question_id
        self.segment_kind = segment_kind


class CandidatePartial(Message, bubble=False):
    """The speech recogniser's current guess at what the candidate is saying; replaced by `CandidateFinal`."""

    def __init__(self, text: str | Slot[str]) -> None:
        super().__init__()
        self._text = Lazy(text)

    @property
    def text(self) -> str:
        return self._text.get()


class CandidateFinal(Message, bubble=False):
    """The answer handed to the interviewer (spoken, typed or code)."""

    def __init__(self, text: str, kind: str, source: str, meta: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.text = text
        self.kind = kind
        self.source = source
        self.meta = meta or {}


class VoiceState(Message, bubble=False):
    """listening / hearing / thinking / speaking / muted / typing."""

    def __init__(self, state: str) -> None:
        super().__init__()
        self.state = state


class InputLevel(Message, bubble=False):
    """Microphone level in 0..1 (the latest value; older ones are dropped when the UI is behind)."""

    def __init__(self, level: float | Slot[float]) -> None:
        super().__init__()
        self._level = Lazy(level)

    @property
    def level(self) -> float:
        return self._level.get()


class InterviewFinished(Message, bubble=False):
    """The runner returned: `finished` is False when the interview was paused (abandoned) rather than closed."""

    def __init__(self, session: Session, finished: bool) -> None:
        super().__init__()
        self.session = session
        self.finished = finished


class InterviewFailed(Message, bubble=False):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class CodeRunFinished(Message, bubble=False):
    """The sandbox's verdict on the editor's code: the LocalToolBox `run_code` result dict."""

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__()
        self.result = result


class CodeRunFailed(Message, bubble=False):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error
