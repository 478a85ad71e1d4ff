"""The reply started on a provisional answer: used when the answer is confirmed, dropped when the candidate goes on,
and never stored before the confirmed answer (which is stored exactly once)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from prepai_cli.agent.brain import Conversation
from prepai_cli.agent.events import AnswerEvaluated, BrainEvent, SegmentStarted, TextDelta, TurnEnded
from prepai_cli.audio.duplex import AnswerAudio, DuplexConfig, ProvisionalAnswer, ProvisionalWithdrawn
from prepai_cli.interview.io import AnswerContext, CandidateAnswer, Delivery
from prepai_cli.interview.runner import InterviewRunner
from prepai_cli.store import SessionStore
from tests.audio.conftest import silence
from tests.audio.harness import collect, make_duplex


class EchoBrain:
    """Asks one question, then repeats back what it heard; records every conversation it was given."""

    name = "echo"

    def __init__(self, store: SessionStore):
        self.store = store
        self.calls: list[tuple[str | None, int]] = []  # (last candidate text, candidate turns stored at the call)

    def respond(self, conversation: Conversation) -> Iterator[BrainEvent]:
        last = conversation.last_candidate_turn
        stored = [t for t in self.store.turns(conversation.session.id) if t.role == "candidate"]
        self.calls.append((last.text if last else None, len(stored)))
        if conversation.end_requested:
            yield SegmentStarted("closing")
            yield TextDelta("Thanks, that is all.")
            yield TurnEnded(finished=True)
            return
        if last is None:
            yield SegmentStarted("question", "q1")
            yield TextDelta("How would you find duplicates?")
            yield TurnEnded()
            return
        yield AnswerEvaluated("q1", {"score": len(last.text)})
        yield SegmentStarted("feedback")
        yield TextDelta("Okay.")
        yield SegmentStarted("follow_up", "q1")
        yield TextDelta(f"You said {len(last.text.split())} words. Why that approach?")
        yield TurnEnded()


class Output:
    def __init__(self) -> None:
        self.said: list[str] = []
        self.prepared: list[str] = []

    def begin_segment(self, kind: str, meta: dict[str, Any]) -> None:
        self.said.append("")

    def write(self, text: str) -> None:
        self.said[-1] += text

    def interrupted(self) -> bool:
        return False

    def end_turn(self) -> Delivery:
        return Delivery()

    def notice(self, message: str) -> None:
        pass

    def prepare(self, segment_text: str) -> None:
        self.prepared.append(segment_text)


class ProvisionalInput:
    """Plays a script per answer: provisional texts (None: the candidate went on) and then the confirmed one."""

    def __init__(self, script: list[tuple[list[str | None], str]]):
        self.script = list(script)
        self.speculation: Any = None

    def next_answer(self, context: AnswerContext) -> CandidateAnswer | None:
        if not self.script:
            return None
        provisional, final = self.script.pop(0)
        for text in provisional:
            if text is None:
                self.speculation.cancel()
            else:
                self.speculation.start(CandidateAnswer(text=text))
                time.sleep(0.05)  # the endpoint wait, during which the reply is made
        return CandidateAnswer(text=final)


def _run(store: SessionStore, script: list[tuple[list[str | None], str]]) -> tuple[EchoBrain, Output, str]:
    brain, output = EchoBrain(store), Output()
    session = store.create_session("google-sde", "offline", "tester")
    InterviewRunner(store, brain, output, ProvisionalInput(script)).run(session)
    return brain, output, session.id


def test_a_confirmed_provisional_answer_gets_the_reply_made_for_it(store: SessionStore) -> None:
    answer = "I would sort the array and compare neighbours"
    brain, output, session_id = _run(store, [([answer], answer)])
    # Opening, the speculative reply (made before the answer was stored), the closing: no second run.
    assert brain.calls == [(None, 0), (answer, 0), (None, 1)]
    assert "You said 8 words. Why that approach?" in output.said
    assert "You said 8 words. Why that approach?" in output.prepared, "the reply was synthesized ahead"
    candidates = [t for t in store.turns(session_id) if t.role == "candidate"]
    assert [t.text for t in candidates] == [answer], "stored exactly once"
    assert candidates[0].evaluation == {"score": len(answer)}, "the prepared reply's evaluation lands on it"


def test_a_withdrawn_or_different_provisional_answer_is_dropped(store: SessionStore) -> None:
    first, full = "I would sort the array", "I would sort the array and then compare each pair of neighbours"
    brain, output, session_id = _run(store, [([first, None], full), (["use a set"], "use a hash set")])
    texts = [t.text for t in store.turns(session_id) if t.role == "candidate"]
    assert texts == [full, "use a hash set"]
    assert not any("You said 5 words" in s for s in output.said), "nothing of the withdrawn reply was said"
    assert f"You said {len(full.split())} words. Why that approach?" in output.said
    assert "You said 4 words. Why that approach?" in output.said, "a mismatch is answered afresh"
    confirmed_runs = [c for c in brain.calls if c[0] in (full, "use a hash set")]
    assert confirmed_runs == [(full, 1), ("use a hash set", 2)], "the live runs saw the stored answers"
    assert ("I would sort the array", 0) in brain.calls and ("use a set", 1) in brain.calls


@pytest.mark.slow
def test_the_pipeline_announces_and_withdraws_provisional_answers(speak, recognizer, piper) -> None:
    """Silence paced in real time (as a speaker lives it): a thinking pause gets a provisional answer that is
    withdrawn when the candidate goes on; the answer's own pause gets one with the final words."""
    samples = np.concatenate([silence(0.4), speak("To find duplicates I would first, um"), silence(1.6),
                              speak("sort the array and compare neighbours."), silence(2.5)])
    duplex = make_duplex(samples, recognizer, piper, config=DuplexConfig(pace_silence=True))
    try:
        events = [e for _, e in collect(duplex)]
    finally:
        duplex.close()
    kinds = [type(e) for e in events]
    answer = next(e for e in events if isinstance(e, AnswerAudio))
    before = kinds[:kinds.index(AnswerAudio)]
    assert ProvisionalAnswer in before and ProvisionalWithdrawn in before
    assert before.index(ProvisionalAnswer) < before.index(ProvisionalWithdrawn)
    last_provisional = [e for e in events[:kinds.index(AnswerAudio)] if isinstance(e, ProvisionalAnswer)][-1]
    if kinds.index(ProvisionalWithdrawn) < events.index(last_provisional):
        # The answer's own pause was announced too (unless the machine was too busy to decode it in time).
        assert last_provisional.answer.transcript.text == answer.transcript.text
        assert last_provisional.answer.speech_segments == answer.speech_segments

