"""Spoken interviews: the InterviewerOutput and CandidateInput protocols on top of the voice pipeline."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import soundfile
from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.text import Text

from prepai_cli import privacy
from prepai_cli.audio.duplex import (
    AnswerAudio, Duplex, InputEnded, InputFailed, PartialText, ProvisionalAnswer, ProvisionalWithdrawn, Silence,
)
from prepai_cli.audio.frames import SAMPLE_RATE, to_int16
from prepai_cli.audio.metrics import delivery_metrics
from prepai_cli.audio.sentences import SentenceSplitter
from prepai_cli.audio.speech_out import STOCK_PHRASES
from prepai_cli.audio.vocabulary import interview_terms
from prepai_cli.domain import utcnow
from prepai_cli.errors import PrepAIError
from prepai_cli.interview.console import ConsoleOutput
from prepai_cli.interview.io import AnswerContext, CandidateAnswer, Delivery
from prepai_cli.store import SessionStore

# Ends Whisper's prompt: disfluent but complete, so fillers are kept in the text and the answer starts cleanly.
# Measured (tiny.en, beam 5) on 10 Piper/espeak-ng answers: no prompt 11.4% WER, "Um, so, uh, I think, you know,
# like," 12.5%, this sentence 8.5%.
_DISFLUENT_PRIMER = "Um, well, I think the answer is, uh, this."
# Generous: Whisper keeps the last 200 prompt tokens; cutting key points shorter by characters measured worse
# (23.2% vs 14.9% WER on the espeak-ng answers below).
_PROMPT_CHARS = 2000


class VoiceOutput:
    """Shows the interviewer's text as it streams and speaks it sentence by sentence."""

    def __init__(self, duplex: Duplex, display: ConsoleOutput):
        self.duplex = duplex
        self.display = display
        self._splitter = SentenceSplitter()
        self._segment = -1
        self._texts: list[str] = []
        self._kinds: list[str] = []

    def begin_segment(self, kind: str, meta: dict[str, Any]) -> None:
        self.duplex.interviewer_begins()
        self._flush()
        self._segment += 1
        self._texts.append("")
        self._kinds.append(kind)
        self.display.begin_segment(kind, meta)

    def write(self, text: str) -> None:
        self.duplex.interviewer_begins()
        if self._segment < 0:
            self._segment, self._texts = 0, [""]
        self._texts[self._segment] += text
        self.display.write(text)
        for sentence in self._splitter.feed(text):
            self.duplex.speech.say(self._segment, sentence)

    def interrupted(self) -> bool:
        return self.duplex.barged_in.is_set()

    def end_turn(self) -> Delivery:
        self._flush()
        speech = self.duplex.speech
        speech.wait_played()
        interrupted = self.duplex.barged_in.is_set()
        spoken: list[str] | None = None
        if interrupted:
            spoken = [" ".join(s.text for s in speech.sentences if s.segment == i and s.heard)
                      for i in range(len(self._texts))]
            self.display.notice("(interrupted)")
        latency = self._latency()
        self.duplex.interviewer_ends()
        self.display.end_turn()
        self._segment, self._texts, self._kinds = -1, [], []
        return Delivery(interrupted=interrupted, spoken=spoken, latency=latency)

    def notice(self, message: str) -> None:
        self.display.notice(message)

    def prepare(self, segment_text: str) -> None:
        """Synthesizes ahead the sentences of a segment that may be said soon (a speculative reply), split as
        `write()` will split them, so saying them later plays at once."""
        splitter = SentenceSplitter()
        for sentence in [*splitter.feed(segment_text), *splitter.flush()]:
            self.duplex.speech.prepare(sentence)

    def _flush(self) -> None:
        for sentence in self._splitter.flush():
            self.duplex.speech.say(max(0, self._segment), sentence)

    def _latency(self) -> dict[str, Any] | None:
        timing, returned = self.duplex.reply_timing, self.duplex.answer_returned_at
        self.duplex.reply_timing = None
        if timing is None or returned is None:
            return None
        speech = self.duplex.speech
        first_sentence, first_audio = speech.first_sentence_at, speech.first_audio_at

        def ms(later: float | None, earlier: float | None) -> int | None:
            return None if later is None or earlier is None else int(round((later - earlier) * 1000))

        # The first sentence that says something (the follow-up or next question), not a stock acknowledgement.
        def says_something(sentence: Any) -> bool:
            return sentence.text.strip() not in STOCK_PHRASES

        substantive = speech.first_audio_of(says_something)
        substantive_sentence = speech.first_of(says_something)
        kinds = list(self._kinds)

        def beyond_feedback(sentence: Any) -> bool:
            # The follow-up, challenge, hint or next question: past the acknowledgement ("feedback") segment.
            return 0 <= sentence.segment < len(kinds) and kinds[sentence.segment] != "feedback"

        return {
            "response_latency_ms": ms(first_audio, timing.speech_end),
            "substantive_latency_ms": ms(substantive, timing.speech_end),
            "endpoint_wait_ms": ms(timing.endpoint, timing.speech_end),
            "stt_final_ms": max(0, ms(timing.final, timing.endpoint) or 0),
            "brain_first_sentence_ms": ms(first_sentence, returned),
            "tts_first_audio_ms": ms(first_audio, first_sentence),
            "speculative_final": timing.speculative_hit,
            # Where the endpoint wait goes: the final transcript's decode (started how long after the speech
            # ended, how long it took, when it was in) and the end-of-turn model's answer.
            "final_decode_start_ms": ms(timing.final_started, timing.speech_end),
            "final_decode_ms": None if timing.final_decode_s is None else int(round(timing.final_decode_s * 1000)),
            "final_ready_ms": ms(timing.final_ready, timing.speech_end),
            "turn_model_ready_ms": ms(timing.verdict_ready, timing.speech_end),
            "turn_model_complete_p": None if timing.verdict is None else round(timing.verdict, 3),
            # The substantive sentence: when the brain said it (relative to the end of speech) and whether its
            # audio was synthesized ahead, during the pause.
            "substantive_said_ms": ms(substantive_sentence.queued_at if substantive_sentence else None,
                                      timing.speech_end),
            "substantive_prepared": substantive_sentence.prepared if substantive_sentence else None,
            # Stricter: the first audio after the acknowledgement segment, whatever its words.
            "after_acknowledgement_ms": ms(speech.first_audio_of(beyond_feedback), timing.speech_end),
        }


class AnswerView(Protocol):
    """Where the candidate's words show up while they speak: the console's dim line, or the TUI."""

    def listening(self) -> None: ...

    def partial(self, text: str) -> None: ...

    def final(self, text: str) -> None: ...

    def stopped(self) -> None: ...


class ConsoleAnswerView:
    """Partial text as one updating dim line, replaced by the final text."""

    def __init__(self, console: Console):
        self.console = console
        self._live: Live | None = None

    def listening(self) -> None:
        pass

    def partial(self, text: str) -> None:
        if self._live is None:
            self._live = Live(console=self.console, transient=True, auto_refresh=False)
            self._live.start()
        self._live.update(Text(f"You: {text}", style="dim"), refresh=True)

    def final(self, text: str) -> None:
        self.stopped()
        self.console.print(f"[bold magenta]You:[/] {escape(text)}", markup=True, highlight=False)

    def stopped(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


class VoiceInput:
    """Listens for the candidate's next answer; `cancel()` (from another thread) lets a typed answer win."""

    def __init__(self, duplex: Duplex, console: Console | None, store: SessionStore, session_id: str, *,
                 view: AnswerView | None = None):
        self.duplex = duplex
        self.view: AnswerView = view or ConsoleAnswerView(console or Console())
        self.store = store
        self.session_id = session_id
        self._ended = False
        self._cancelled = threading.Event()
        # Lent by the runner for one answer: a reply is started on a provisional answer (interview/speculation.py).
        self.speculation: Any = None
        self._terms: tuple[str, ...] | None = None

    def cancel(self) -> None:
        self._cancelled.set()

    def next_answer(self, context: AnswerContext) -> CandidateAnswer | None:
        if self._ended:
            return None
        self._cancelled.clear()
        self.duplex.set_prompt(build_prompt(context, self._interview_terms()))
        self.duplex.give_floor()
        self.view.listening()
        try:
            while not self._cancelled.is_set():
                event = self.duplex.next_event(timeout=0.1)
                if event is None:
                    continue
                if isinstance(event, InputEnded):
                    self._ended = True
                    return None
                if isinstance(event, InputFailed):
                    raise PrepAIError(event.message)
                if isinstance(event, PartialText):
                    self.view.partial(event.text)
                    continue
                if isinstance(event, ProvisionalAnswer):
                    if self.speculation is not None:
                        self.speculation.start(self._answer(event.answer, save=False))
                    continue
                if isinstance(event, ProvisionalWithdrawn):
                    if self.speculation is not None:
                        self.speculation.cancel()
                    continue
                if isinstance(event, Silence):
                    if not self.duplex.still_silent(event) or not self.check_in_on_silence(context):
                        continue
                    # An empty turn marked as silence: the brain checks in (then hints, then moves on).
                    self.duplex.reply_timing = None
                    return CandidateAnswer(text="", meta={"input": "voice", "silence": True,
                                                          "silence_s": event.waited_s},
                                           metrics={"speaking_s": 0.0})
                if not event.transcript.text.strip():
                    # A cough or a door: nothing to answer with, keep listening.
                    self.view.stopped()
                    self.duplex.give_floor()
                    continue
                answer = self._answer(event)
                self.view.final(answer.text)
                self.duplex.reply_timing = event.timing
                self.duplex.answer_returned_at = time.monotonic()
                return answer
            return None
        finally:
            self.view.stopped()

    def check_in_on_silence(self, context: AnswerContext) -> bool:
        """Whether a long silence is worth a check-in now (the TUI says no while the candidate is typing)."""
        return True

    def _interview_terms(self) -> tuple[str, ...]:
        if self._terms is None:
            from prepai_cli.bank import load_bank

            try:
                self._terms = interview_terms(load_bank(), self.store.get_session(self.session_id).type)
            except Exception:  # a bias for the recognizer only: never a reason to stop the interview
                self._terms = ()
        return self._terms

    def _answer(self, event: AnswerAudio, *, save: bool = True) -> CandidateAnswer:
        """`save=False` for a provisional answer: the same answer, with nothing written."""
        index = len(self.store.turns(self.session_id))
        path = self.store.session_dir(self.session_id) / f"turn-{index:03d}.wav"
        if save:
            save_wav(path, event.samples)
        transcript = event.transcript
        metrics = delivery_metrics(
            transcript, event.speech_segments, think_time_s=event.think_time_s, partials=event.partials,
            time_to_first_partial_s=event.time_to_first_partial_s,
        ).model_dump(mode="json")
        started = _wall(event.started_wall)
        ended = _wall(event.timing.endpoint)
        meta: dict[str, Any] = {"input": "voice", "stt_decode_s": round(transcript.decode_s, 3)}
        if event.barged_in:
            meta["barged_in"] = True
        if event.forced_end:
            meta["cut_at_max_length"] = True
        return CandidateAnswer(text=transcript.text, started_at=started, ended_at=ended, audio_path=str(path),
                               metrics=metrics, meta=meta)


def build_prompt(context: AnswerContext, terms: tuple[str, ...] = (), max_chars: int = _PROMPT_CHARS) -> str:
    """Whisper's initial prompt: the question's key points, the question, then disfluent speech.

    Measured on 24 technical answers that matched their question (6 questions × Piper and 3 espeak-ng voices):
    question + primer 8.9% WER (Piper) / 28.2% (espeak-ng); key points + question + primer 3.7% / 14.9%;
    question + key points + primer 2.1% / 45% (the last words before the answer steer Whisper most, and rubric
    sentences there derail the harder voices). On answers unrelated to the question the key points cost ~1 point.
    The prompt is cut from the front, so long key points give way before the question does.
    `terms` (the interview type's vocabulary, audio/vocabulary.py) go first, so they are the first to give way.
    """
    vocabulary = " ".join(context.vocabulary)
    question = context.prompt_text.strip().splitlines()[-1] if context.prompt_text.strip() else ""
    lexicon = f"{', '.join(terms)}." if terms else ""
    body = f"{lexicon} {vocabulary} {question}".strip()[-max_chars:]
    return f"{body} {_DISFLUENT_PRIMER}".strip()


def save_wav(path: Path, samples: Any) -> None:
    privacy.private_dir(path.parent)
    soundfile.write(str(path), to_int16(samples), SAMPLE_RATE, subtype="PCM_16")
    privacy.private_file(path)


def _wall(monotonic_at: float) -> datetime:
    return utcnow() - timedelta(seconds=max(0.0, time.monotonic() - monotonic_at))
