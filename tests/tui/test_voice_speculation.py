"""The TUI's ends of the runner forward the reply made ahead (interview/speculation.py) as the voice console does:
the voice input gets the runner's Speculation, and the speaker synthesizes the provisional reply ahead."""

from __future__ import annotations

import threading
from typing import Any

from prepai_cli.interview.io import AnswerContext, CandidateAnswer, Delivery
from prepai_cli.interview.runner import InterviewRunner
from prepai_cli.store import SessionStore
from prepai_cli.tui.bridge import TuiInput, TuiOutput
from tests.audio.test_speculation import EchoBrain, Output, ProvisionalInput


class Speaker(Output):
    """The voice output behind the TUI: records what it was asked to say and to prepare."""

    def end_turn(self) -> Delivery:
        return Delivery()


def _run(store: SessionStore, voice: Any, brain: EchoBrain) -> tuple[Speaker, list[Any], str]:
    speaker, posted = Speaker(), []
    session = store.create_session("google-sde", "offline", "tester")
    runner = InterviewRunner(store, brain, TuiOutput(posted.append, speaker), TuiInput(posted.append, voice))
    runner.run(session)
    return speaker, posted, session.id


def test_the_tui_hands_the_speculation_to_the_voice_input_and_prepares_the_reply(store: SessionStore) -> None:
    answer = "I would sort the array and compare neighbours"
    brain = EchoBrain(store)
    speaker, _, session_id = _run(store, ProvisionalInput([([answer], answer)]), brain)
    # Opening, the reply made on the provisional answer (before it was stored), the closing: no second run.
    assert brain.calls == [(None, 0), (answer, 0), (None, 1)]
    assert "You said 8 words. Why that approach?" in speaker.prepared, "synthesized ahead through TuiOutput"
    assert "You said 8 words. Why that approach?" in speaker.said
    assert [t.text for t in store.turns(session_id) if t.role == "candidate"] == [answer], "stored exactly once"


class TypedWins(ProvisionalInput):
    """A provisional spoken answer, but the candidate's typed answer arrives first."""

    def __init__(self, tui: list[TuiInput], typed: str, provisional: str):
        super().__init__([])
        self._tui, self._typed, self._provisional = tui, typed, provisional
        self.cancelled = threading.Event()

    def next_answer(self, context: AnswerContext) -> CandidateAnswer | None:
        if self._provisional:
            assert self.speculation is not None, "the runner's speculation reached the voice input"
            self.speculation.start(CandidateAnswer(text=self._provisional))
            self._provisional = ""
            self._tui[0].submit(CandidateAnswer(text=self._typed))
            self.cancelled.wait(timeout=10)
            return None
        return None

    def cancel(self) -> None:
        self.cancelled.set()


def test_a_typed_answer_drops_the_reply_made_for_a_spoken_one(store: SessionStore) -> None:
    brain = EchoBrain(store)
    tui: list[TuiInput] = []
    voice = TypedWins(tui, typed="use a hash set", provisional="I would sort the array")
    speaker, posted = Speaker(), []
    session = store.create_session("google-sde", "offline", "tester")
    tui.append(TuiInput(posted.append, voice))
    InterviewRunner(store, brain, TuiOutput(posted.append, speaker), tui[0]).run(session)
    said = " ".join(speaker.said)
    assert "You said 4 words. Why that approach?" in said, "the typed answer got its own reply"
    assert "You said 5 words" not in said, "nothing of the spoken provisional reply was said"
    assert ("use a hash set", 1) in brain.calls, "the live run saw the stored typed answer"


class SilenceThenAnswer:
    """A voice input whose first listen ends in a long silence (a check-in turn), the next in an answer."""

    def __init__(self) -> None:
        self.listens = 0

    def next_answer(self, context: AnswerContext) -> CandidateAnswer | None:
        self.listens += 1
        if self.listens == 1:
            return CandidateAnswer(text="", meta={"input": "voice", "silence": True, "silence_s": 20.0})
        return CandidateAnswer(text="I would use a hash map")


def _first_answer(typing: bool) -> tuple[CandidateAnswer | None, SilenceThenAnswer]:
    voice = SilenceThenAnswer()
    tui = TuiInput(lambda message: None, voice)
    if typing:
        tui.note_typing()
    return tui.next_answer(AnswerContext("Two sum: how?", "gsde-two-sum", "question")), voice


def test_a_long_silence_is_a_check_in_turn_unless_the_candidate_is_typing() -> None:
    answer, _ = _first_answer(typing=False)
    assert answer is not None and answer.meta.get("silence") and answer.text == ""
    answer, voice = _first_answer(typing=True)
    assert answer is not None and answer.text == "I would use a hash map", "typing holds the check-in back"
    assert voice.listens == 2, "and listening went on"
