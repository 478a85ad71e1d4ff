"""The interviewing LLM's own judgement of each answer, kept beside the offline rubric score.

The rubric (prepai_cli/agent/evaluator) stays the offline check; when an LLM brain runs, the same model is also
asked, with a JSON schema, which of the question's key points the answer covered, which misconceptions it showed,
and a score with two sentences of feedback. The judgement is stored as its own record on the answer turn
(`SessionStore.put_llm_judgement`) and the report shows it first, naming the model that judged.

Brain-agnostic: a brain gives `LLMAnswerJudge` a `JudgeBackend` (a model that returns JSON for a schema).
`BackgroundJudge` runs it off the interview's path: after the interviewer's reply, while the candidate thinks and
talks, and it steps aside (cancels, then retries) whenever the interviewer needs a single-slot local server.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from pydantic import BaseModel, Field, ValidationError

from prepai_cli.agent.bank_match import QuestionMatcher, answered_question
from prepai_cli.agent.brain import Brain, Conversation
from prepai_cli.agent.events import AnswerEvaluated, AnswerJudged, BrainEvent, TurnEnded
from prepai_cli.bank import Question, QuestionBank
from prepai_cli.domain import utcnow
from prepai_cli.errors import PrepAIError

log = logging.getLogger("prepai.judge")

JUDGE_VERSION = 1
# How long the closing turn waits for the last answer's judgement (the closing is being spoken meanwhile).
FINAL_TIMEOUT_S = 90.0
ANSWER_LIMIT = 6000

SYSTEM = (
    "You are a strict, fair assessor of mock job interviews. You judge one candidate answer against the key "
    "points a strong answer covers and the misconceptions interviewers watch for. Judge only what the candidate "
    "actually said; the answer is transcribed speech, so ignore filler words and transcription slips. "
    "Reply with one JSON object and nothing else."
)


class LLMJudgement(BaseModel):
    """What is stored, and what the report shows."""

    version: int = JUDGE_VERSION
    model: str = Field(description="the model that judged")
    judged_by: str = Field(description="the model and where it ran, e.g. 'llama3.2:3b on Ollama'")
    question_id: str | None = None
    score: float = Field(ge=0, le=10)
    verdict: str = Field(description="feedback to the candidate, one to three sentences")
    covered: list[str] = Field(default_factory=list, description="ids of the key points covered")
    missed: list[str] = Field(default_factory=list, description="ids of the key points missed")
    misconceptions: list[str] = Field(default_factory=list, description="wrong claims in the answer")
    judged_at: str = Field(default_factory=lambda: utcnow().isoformat())


class _ModelVerdict(BaseModel):
    score: float
    covered: list[str] = Field(default_factory=list)
    misconceptions: list[str] = Field(default_factory=list)
    verdict: str = ""


class JudgeCancelled(Exception):
    """The judge gave way to the interviewer; the job runs again later."""


class JudgeBackend(Protocol):
    def describe(self) -> tuple[str, str]:
        """(model id, 'model on where')."""
        ...

    def complete_json(self, system: str, prompt: str, schema: dict[str, Any], cancelled: Callable[[], bool]) -> str:
        """The model's JSON reply; raises JudgeCancelled once `cancelled()` turns true."""
        ...

    def abort(self) -> None:
        """Closes the request in flight, from another thread (the interviewer needs the server)."""
        ...


def _misconceptions(question: Question) -> list[str]:
    # The bank's red flags are its misconceptions; a `misconceptions` field, where the bank has one, is read too.
    extra = getattr(question, "misconceptions", None) or []
    items = [str(getattr(m, "text", m)) for m in extra]
    return items + [m for m in question.red_flags if m not in items]


def judge_schema(question: Question) -> dict[str, Any]:
    ids = [kp.id for kp in question.key_points]
    return {
        "type": "object",
        "properties": {
            "score": {"type": "number", "minimum": 0, "maximum": 10},
            "covered": {"type": "array", "items": {"type": "string", "enum": ids}},
            "misconceptions": {"type": "array", "items": {"type": "string"}},
            "verdict": {"type": "string"},
        },
        "required": ["score", "covered", "misconceptions", "verdict"],
    }


def judge_prompt(question: Question, answer: str, interview_title: str) -> str:
    points = "\n".join(f"- {kp.id}: {kp.text}" for kp in question.key_points)
    wrong = "\n".join(f"- {m}" for m in _misconceptions(question)) or "- (none listed)"
    return (
        f"Interview: {interview_title}.\nQuestion: {' '.join(question.text.split())}\n\n"
        f"Key points a strong answer covers (id: point):\n{points}\n\n"
        f"Misconceptions and red flags to watch for:\n{wrong}\n\n"
        f"The candidate's answer:\n\"\"\"\n{answer[:ANSWER_LIMIT]}\n\"\"\"\n\n"
        "Return JSON: {\"score\": 0 to 10 for the whole answer, \"covered\": [ids of the key points the answer "
        "clearly covers], \"misconceptions\": [each wrong claim the candidate made, in a few words; [] if none], "
        "\"verdict\": \"two short sentences of feedback, spoken to the candidate\"}."
    )


def parse_verdict(raw: str, question: Question) -> _ModelVerdict:
    text = raw.strip()
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end < start:
        raise PrepAIError(f"the judge did not reply with JSON: {text[:80]!r}")
    try:
        verdict = _ModelVerdict.model_validate(json.loads(text[start:end + 1]))
    except (ValueError, ValidationError) as exc:
        raise PrepAIError(f"the judge's JSON does not match the schema: {str(exc).splitlines()[0]}") from None
    ids = [kp.id for kp in question.key_points]
    verdict.covered = [i for i in ids if i in set(verdict.covered)]
    verdict.score = min(10.0, max(0.0, float(verdict.score)))
    verdict.verdict = " ".join(verdict.verdict.split())
    verdict.misconceptions = [" ".join(m.split()) for m in verdict.misconceptions if m.strip()][:5]
    return verdict


class LLMAnswerJudge:
    """Judges the latest answer of a conversation against the bank question it replies to."""

    def __init__(self, bank: QuestionBank, matcher: QuestionMatcher, backend: JudgeBackend):
        self._bank = bank
        self._matcher = matcher
        self._backend = backend

    def judge(self, conversation: Conversation, cancelled: Callable[[], bool] = lambda: False) -> AnswerJudged | None:
        last = conversation.last_candidate_turn
        found = answered_question(conversation, self._matcher)
        if last is None or found is None:
            return None
        match, answer = found
        question = match.question
        try:
            title = self._bank.interview_type(conversation.session.type).title
        except PrepAIError:
            title = conversation.session.type
        raw = self._backend.complete_json(SYSTEM, judge_prompt(question, answer, title), judge_schema(question),
                                          cancelled)
        verdict = parse_verdict(raw, question)
        model, judged_by = self._backend.describe()
        judgement = LLMJudgement(
            model=model, judged_by=judged_by, question_id=question.id, score=round(verdict.score, 1),
            verdict=verdict.verdict, covered=verdict.covered,
            missed=[kp.id for kp in question.key_points if kp.id not in verdict.covered],
            misconceptions=verdict.misconceptions,
        )
        return AnswerJudged(turn_id=last.id, judgement=judgement.model_dump(mode="json"))

    def abort(self) -> None:
        self._backend.abort()


class BackgroundJudge:
    """Runs judgements one at a time on a worker thread; results are collected by the next turn.

    `paused()` is held while the interviewer streams: a running judgement is cancelled (its HTTP stream closed, so
    the server stops generating) and retried once the interviewer is done.
    """

    def __init__(self, judge: LLMAnswerJudge, *, final_timeout: float = FINAL_TIMEOUT_S):
        self._judge = judge
        self._final_timeout = final_timeout
        self._jobs: deque[Conversation] = deque()
        self._results: list[AnswerJudged] = []
        self._cond = threading.Condition()
        self._paused = 0
        self._running = False
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    def submit(self, conversation: Conversation) -> None:
        last = conversation.last_candidate_turn
        if last is None:
            return
        with self._cond:
            self._jobs.append(conversation)
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="llm-judge", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    @contextmanager
    def paused(self) -> Iterator[None]:
        with self._cond:
            self._paused += 1
            running = self._running
            if running:
                self._cancel.set()
        if running:
            self._judge.abort()
        try:
            yield
        finally:
            with self._cond:
                self._paused -= 1
                self._cond.notify_all()

    def collect(self) -> list[AnswerJudged]:
        with self._cond:
            results, self._results = self._results, []
        return results

    def drain(self, timeout: float | None = None) -> list[AnswerJudged]:
        """Waits (up to the final timeout) for every queued judgement; used by the closing turn."""
        with self._cond:
            self._cond.wait_for(lambda: not self._jobs and not self._running,
                                timeout=self._final_timeout if timeout is None else timeout)
        return self.collect()

    def _work(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._jobs and not self._paused)
                conversation = self._jobs.popleft()
                self._running = True
                self._cancel.clear()
            result: AnswerJudged | None = None
            try:
                result = self._judge.judge(conversation, self._cancel.is_set)
            except Exception as exc:
                if isinstance(exc, JudgeCancelled) or self._cancel.is_set():
                    with self._cond:
                        self._jobs.appendleft(conversation)  # gave way to the interviewer: again, later
                else:  # the rubric score stands alone; the interview goes on
                    log.info("the LLM judge failed: %s", " ".join(str(exc).split())[:200])
            with self._cond:
                if result is not None:
                    self._results.append(result)
                self._running = False
                self._cond.notify_all()


class JudgedBrain:
    """Any LLM brain, with its answers judged in the background by `judge`.

    Each turn first hands over the judgements finished since the last one, then queues the latest answer and lets
    the brain reply with the judge paused (it runs once the reply is out); the closing turn waits for the last one.
    """

    def __init__(self, inner: Brain, judge: BackgroundJudge):
        self.name = inner.name
        self.inner = inner
        self.judge = judge

    def respond(self, conversation: Conversation) -> Iterator[BrainEvent]:
        yield from self.judge.collect()
        closing: TurnEnded | None = None
        events = self.inner.respond(conversation)
        not_an_answer = False
        try:
            with self.judge.paused():
                for event in events:
                    if isinstance(event, AnswerEvaluated) and event.evaluation.get("scored") is False:
                        # A clarifying question, a repeat or hint request ...: nothing to judge (or bill).
                        not_an_answer = True
                    if isinstance(event, TurnEnded) and event.finished:
                        closing = event
                        break
                    yield event
        finally:
            events.close()  # type: ignore[attr-defined]
            if not not_an_answer:
                self.judge.submit(conversation)  # after the reply (or a barge-in), as the pause ensured before
        if closing is not None:
            yield from self.judge.drain()
            yield closing


def with_llm_judge(brain: Brain, bank: QuestionBank, matcher: QuestionMatcher, backend: JudgeBackend) -> JudgedBrain:
    return JudgedBrain(brain, BackgroundJudge(LLMAnswerJudge(bank, matcher, backend)))
