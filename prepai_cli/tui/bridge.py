"""The runner's two ends, implemented for the TUI: both run on the runner's worker thread and only post messages.

`TuiOutput` shows the interviewer's words (and hands them to a speaker when there is voice output);
`TuiInput` waits for whichever answer comes first: spoken (from a voice input) or typed/submitted in the UI.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.message import Message

from prepai_cli.interview.io import AnswerContext, CandidateAnswer, CandidateInput, Delivery, InterviewerOutput
from prepai_cli.tui import messages as m
from prepai_cli.tui.coalesce import Slot, joined_text, latest_level, latest_text

Post = Callable[[Message], object]


class TuiOutput:
    def __init__(self, post: Post, speaker: InterviewerOutput | None = None) -> None:
        self._post = post
        self._speaker = speaker
        self._text: Slot[str] = joined_text()

    def begin_segment(self, kind: str, meta: dict[str, Any]) -> None:
        # A fresh slot per segment: text still queued for the previous one cannot leak into this one.
        self._text = joined_text()
        self._post(m.SegmentStarted(kind, dict(meta)))
        if self._speaker is not None:
            self._speaker.begin_segment(kind, meta)

    def write(self, text: str) -> None:
        if self._text.put(text):
            self._post(m.InterviewerText(self._text))
        if self._speaker is not None:
            self._speaker.write(text)

    def interrupted(self) -> bool:
        return self._speaker.interrupted() if self._speaker is not None else False

    def end_turn(self) -> Delivery:
        if self._speaker is None:
            delivery = Delivery()
        else:
            self._post(m.VoiceState("speaking"))
            delivery = self._speaker.end_turn()
        self._post(m.InterviewerTurnEnded(delivery.interrupted))
        return delivery

    def prepare(self, segment_text: str) -> None:
        """A speculative reply's segment: synthesized ahead by the speaker (interview/speculation.py); nothing is
        shown until the runner plays the confirmed reply."""
        prepare = getattr(self._speaker, "prepare", None)
        if callable(prepare):
            prepare(segment_text)

    def notice(self, message: str) -> None:
        # Not forwarded to the speaker: notices are for reading ("saved", errors), not for the interviewer's voice.
        self._post(m.Notice(message))


class QuitRequested(KeyboardInterrupt):
    """Raised from `next_answer` so the runner takes its Ctrl-C path: the session is saved as abandoned."""


@dataclass(frozen=True)
class _Spoken:
    answer: CandidateAnswer | None


_END = object()
# How often a waiting runner checks that the app is still there.
_ALIVE_CHECK_S = 0.25
_QUIT = object()
# A spoken check-in after a long silence (Silence in audio/duplex.py) is dropped if the candidate typed this
# recently: they are writing an answer or code, not stuck.
_TYPING_HOLDS_CHECK_IN_S = 20.0


class VoiceFeed:
    """Callbacks a voice input calls from its own threads; each becomes a (merged) UI message."""

    def __init__(self, post: Post) -> None:
        self._post = post
        self._partial = latest_text()
        self._level = latest_level()

    def partial(self, text: str) -> None:
        if self._partial.put(text):
            self._post(m.CandidatePartial(self._partial))

    def level(self, value: float) -> None:
        if self._level.put(max(0.0, min(1.0, value))):
            self._post(m.InputLevel(self._level))

    def state(self, name: str) -> None:
        self._post(m.VoiceState(name))


class TuiInput:
    """Answers come from the UI (typed, code) or from a voice input listening on its own thread."""

    def __init__(self, post: Post, voice: CandidateInput | None = None,
                 alive: Callable[[], bool] = lambda: True) -> None:
        self._post = post
        # False once the app is gone: the runner must not wait forever for an answer nobody can give.
        self._alive = alive
        self._voice = voice
        self._inbox: queue.Queue[object] = queue.Queue()
        self._listener: threading.Thread | None = None
        self._cancelled = threading.Event()
        self._muted = False
        self._live = voice is not None
        # The question the runner is waiting on an answer for, if it is waiting.
        self._waiting: AnswerContext | None = None
        self._lock = threading.Lock()
        self._typed_at: float | None = None

    @property
    def has_voice(self) -> bool:
        return self._voice is not None

    # The runner lends a Speculation for one answer (interview/speculation.py); the voice input is what can
    # start it on a provisional answer, as in the console. A typed answer never matches it, so it is dropped.
    @property
    def speculation(self) -> Any:
        return getattr(self._voice, "speculation", None)

    @speculation.setter
    def speculation(self, value: Any) -> None:
        voice = self._voice
        if voice is not None and hasattr(voice, "speculation"):
            voice.speculation = value

    # Called from the UI thread (attach_voice: from the loading worker, before the runner starts).

    def attach_voice(self, voice: CandidateInput | None, *, live: bool) -> None:
        with self._lock:
            self._voice = voice
            self._live = live

    def set_push_to_talk(self, enabled: bool) -> None:
        """Forwarded to a live voice input that supports it (`set_push_to_talk(bool)`)."""
        self._forward("set_push_to_talk", enabled)

    def set_talking(self, talking: bool) -> None:
        """Push-to-talk: space starts (True) and ends (False) an answer; terminals report no key releases."""
        self._forward("set_talking", talking)

    def _forward(self, name: str, value: bool) -> None:
        method = getattr(self._voice, name, None) if self._live else None
        if callable(method):
            method(value)

    def note_typing(self) -> None:
        self._typed_at = time.monotonic()

    def _typed_recently(self) -> bool:
        typed = self._typed_at
        return typed is not None and time.monotonic() - typed < _TYPING_HOLDS_CHECK_IN_S

    def submit(self, answer: CandidateAnswer, source: str = "typed") -> None:
        answer.meta.setdefault("input", source)
        self._inbox.put(answer)

    def request_end(self) -> None:
        self._inbox.put(_END)

    def request_quit(self) -> None:
        self._inbox.put(_QUIT)

    def set_muted(self, muted: bool) -> None:
        with self._lock:
            self._muted = muted
            waiting = self._waiting
        self._forward("set_muted", muted)
        if muted:
            self._cancel_listening()
        elif waiting is not None:
            self._listen(waiting)  # unmuted mid-answer: start listening for the question still open

    # Called by the runner on its worker thread.

    def next_answer(self, context: AnswerContext) -> CandidateAnswer | None:
        self._post(m.AnswerRequested(context.question_id, context.segment_kind))
        with self._lock:
            self._waiting = context
        try:
            return self._wait(context)
        finally:
            with self._lock:
                self._waiting = None

    def _wait(self, context: AnswerContext) -> CandidateAnswer | None:
        self._listen(context)
        while True:
            try:
                item = self._inbox.get(timeout=_ALIVE_CHECK_S)
            except queue.Empty:
                if not self._alive():
                    item = _QUIT
                else:
                    continue
            if item is _QUIT:
                self._cancel_listening()
                raise QuitRequested()
            if item is _END:
                self._cancel_listening()
                return None
            if isinstance(item, _Spoken):
                if item.answer is None:
                    return None  # the voice input ran out (a WAV file ended): the candidate is done
                answer = item.answer
                if answer.meta.get("silence") and self._typed_recently():
                    # Silent but typing: keep listening, no check-in. The listen that sent it is ending.
                    listener = self._listener
                    if listener is not None:
                        listener.join(timeout=1.0)
                    self._listen(context)
                    continue
            else:
                assert isinstance(item, CandidateAnswer)
                answer = item
                self._cancel_listening()
            self._post(m.CandidateFinal(answer.text, answer.kind, str(answer.meta.get("input", "voice")),
                                        dict(answer.meta)))
            return answer

    def _listen(self, context: AnswerContext) -> None:
        with self._lock:
            if self._voice is None or self._muted:
                self._post(m.VoiceState("muted" if self._voice is not None else "typing"))
                return
            if self._listener is not None and self._listener.is_alive():
                if not self._cancelled.is_set():
                    return  # still listening from before a typed answer won; that listen serves this request
                # A cancelled listen posts nothing: it cannot serve this request (waiting on it hung the answer
                # after a typed one won). Let it wind down, then listen afresh.
                self._listener.join(timeout=1.0)
            self._cancelled = threading.Event()
            self._listener = threading.Thread(
                target=self._listen_worker, args=(self._voice, context, self._cancelled),
                name="voice-listen", daemon=True,
            )
            self._listener.start()

    def _listen_worker(self, voice: CandidateInput, context: AnswerContext, cancelled: threading.Event) -> None:
        try:
            answer = voice.next_answer(context)
        except Exception as exc:  # the microphone failing must not end the interview; typing still works
            with self._lock:
                self._voice = None  # do not retry a broken pipeline on every question
            self._post(m.Notice(f"Voice input stopped: {exc}. Type your answers instead."))
            self._post(m.VoiceState("typing"))
            return
        if cancelled.is_set():
            return  # a typed answer, mute or End won; what the cancelled listen returns is not an answer
        if answer is not None:
            answer.meta.setdefault("input", "voice")
        # Without a cancel hook a listen outlives the request it started for; its answer then serves the next one.
        self._inbox.put(_Spoken(answer))

    def _cancel_listening(self) -> None:
        cancel = getattr(self._voice, "cancel", None)
        if callable(cancel) and self._listener is not None and self._listener.is_alive():
            self._cancelled.set()
            cancel()
