"""The interview loop with the real offline brain and evaluator, and in-memory ends."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from prepai_cli.agent.factory import LazyEvaluator
from prepai_cli.agent.offline import OfflineBrain, wants_to_end
from prepai_cli.bank import QuestionBank
from prepai_cli.errors import PrepAIError
from prepai_cli.interview.console import ScriptedInput, TypedInput
from prepai_cli.interview.io import AnswerContext, Delivery
from prepai_cli.interview.runner import InterviewRunner
from prepai_cli.store import SessionStore

STRONG = ("In my last team two engineers disagreed about the database migration. I was the tech lead, so I set up a "
          "meeting, asked each to write down their constraints, and we ran a one day benchmark. We picked the "
          "incremental plan, shipped two weeks early and cut downtime from four hours to ten minutes. I learned to "
          "turn opinions into experiments.")


class RecordingOutput:
    """Collects what the interviewer says; `interrupt_on` simulates the candidate talking over a segment kind
    as soon as its first words are played."""

    def __init__(self, interrupt_on: str | None = None):
        self.segments: list[list[Any]] = []
        self.interrupt_on = interrupt_on
        self._turn_start = 0
        self._interrupted = False

    def begin_segment(self, kind: str, meta: dict[str, Any]) -> None:
        self.segments.append([kind, ""])

    def write(self, text: str) -> None:
        self.segments[-1][1] += text
        if self.segments[-1][0] == self.interrupt_on:
            self._interrupted = True

    def interrupted(self) -> bool:
        return self._interrupted

    def end_turn(self) -> Delivery:
        turn = [text for kind, text in self.segments[self._turn_start:] if kind != "notice"]
        self._turn_start = len(self.segments)
        if not self._interrupted:
            return Delivery()
        self._interrupted = False
        # Only the first two words of the cut segment were heard.
        return Delivery(interrupted=True, spoken=turn[:-1] + [" ".join(turn[-1].split()[:2])])

    def notice(self, message: str) -> None:
        self.segments.append(["notice", message])


@pytest.fixture(scope="module")
def evaluator() -> LazyEvaluator:
    return LazyEvaluator()


def test_closing_summary_counts_the_scores_given_in_this_run(store: SessionStore, bank: QuestionBank,
                                                             evaluator: LazyEvaluator) -> None:
    session = store.create_session("behavioral", "offline", "ada", {"questions": 2})
    output = RecordingOutput()
    runner = InterviewRunner(store, OfflineBrain(bank, evaluator), output, ScriptedInput([STRONG] * 6), bank=bank)
    outcome = runner.run(session)
    assert outcome.finished and outcome.session.status == "ended"
    closing = [text for kind, text in output.segments if kind == "closing"][-1]
    assert "You answered two questions" in closing and "average of" in closing


def test_a_closing_talked_over_still_ends_the_interview(store: SessionStore, bank: QuestionBank,
                                                        evaluator: LazyEvaluator) -> None:
    session = store.create_session("behavioral", "offline", "ada", {"questions": 2})
    output = RecordingOutput(interrupt_on="closing")
    runner = InterviewRunner(store, OfflineBrain(bank, evaluator), output,
                             ScriptedInput(["Let's stop the interview.", STRONG, STRONG]), bank=bank)
    outcome = runner.run(session)
    assert outcome.finished and outcome.session.status == "ended"
    kinds = [t.kind for t in store.turns(session.id)]
    assert kinds[-1] == "closing" and kinds.count("question") == 1
    assert store.turns(session.id)[-1].meta.get("interrupted") is True


def test_a_story_that_mentions_stopping_a_session_is_an_answer() -> None:
    assert not wants_to_end("I decided to stop the session and regroup with the team, then we rewrote the plan "
                            "together and shipped a week later")
    assert wants_to_end("Can we end the interview here?")


def test_bad_code_fence_in_a_script_is_reported_before_anything_starts(tmp_path: Path) -> None:
    script = tmp_path / "answers.txt"
    script.write_text("First answer.\n\n```rust\nfn main() {}\n```\n")
    with pytest.raises(PrepAIError, match="unsupported code language 'rust'"):
        ScriptedInput.from_file(script)


def test_typed_bad_code_fence_asks_again() -> None:
    from rich.console import Console

    typed = TypedInput(Console(file=io.StringIO()), io.StringIO("```rust\nfn main() {}\n```\nmy real answer\n"))
    answer = typed.next_answer(AnswerContext("q", None, None))
    assert answer is not None and answer.text == "my real answer"
