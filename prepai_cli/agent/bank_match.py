"""Scores a cloud interview's answers with the offline rubric, so reports work the same for every brain.

A cloud model words its questions freely, so each answer is scored against the bank question closest to what was
asked (TF-IDF cosine over the type's questions). The prompt lists bank questions for the model to use, which keeps
the match close; below `MIN_SIMILARITY` nothing is scored rather than scoring against the wrong rubric.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from prepai_cli.agent.brain import Conversation
from prepai_cli.agent.events import AnswerEvaluated
from prepai_cli.agent.offline import Evaluator, is_stuck
from prepai_cli.bank import Question, QuestionBank
from prepai_cli.domain import Turn
from prepai_cli.errors import PrepAIError

log = logging.getLogger("prepai.cloud")

MIN_SIMILARITY = 0.18
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "a an the and or of to in on for with what how why when where who which is are was were be been do does did you "
    "your i me my we our us it its this that these those can could would should will tell about walk through "
    "explain describe give let's lets next question first last here's here so then now okay good great".split()
)
_QUESTION_KINDS = ("intro", "question", "follow_up")


def may_ask_a_question(turn: Turn) -> bool:
    """An interviewer turn that may ask a bank question. A reply that reports a code run quotes test inputs and
    outputs, which can look like another problem's wording: it never opens a new question."""
    if turn.role != "interviewer" or turn.kind not in _QUESTION_KINDS:
        return False
    return not any(record.get("call") == "run_code" or record.get("result") == "run_code"
                   for record in turn.meta.get("tools", []))


def _terms(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1]


@dataclass(frozen=True)
class Match:
    question: Question
    similarity: float


class QuestionMatcher:
    """Finds the bank question a free-text interviewer turn asked."""

    def __init__(self, bank: QuestionBank):
        self._bank = bank
        self._indexes: dict[str, tuple[list[Question], list[dict[str, float]], dict[str, float]]] = {}

    def _index(self, slug: str) -> tuple[list[Question], list[dict[str, float]], dict[str, float]]:
        if slug not in self._indexes:
            questions = self._bank.questions(slug)
            docs = [Counter(_terms(f"{q.topic} {q.text}")) for q in questions]
            df = Counter(term for doc in docs for term in doc)
            idf = {term: math.log((1 + len(docs)) / (1 + n)) + 1 for term, n in df.items()}
            self._indexes[slug] = (questions, [self._weigh(doc, idf) for doc in docs], idf)
        return self._indexes[slug]

    @staticmethod
    def _weigh(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
        vector = {term: n * idf.get(term, 0.0) for term, n in counts.items() if term in idf}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {term: v / norm for term, v in vector.items()}

    def best(self, slug: str, text: str) -> Match | None:
        questions, vectors, idf = self._index(slug)
        query = self._weigh(Counter(_terms(text)), idf)
        if not query:
            return None
        scored = [(sum(w * vector.get(t, 0.0) for t, w in query.items()), q) for q, vector in zip(questions, vectors)]
        similarity, question = max(scored, key=lambda pair: pair[0])
        return Match(question, similarity) if similarity >= MIN_SIMILARITY else None

    def annotate(self, slug: str, turns: list[Turn]) -> list[Turn]:
        """Gives cloud-asked question turns the id of their bank question, so the offline brain can take over."""
        out = []
        for turn in turns:
            if turn.role == "interviewer" and turn.kind == "question" and not turn.question_id:
                match = self.best(slug, turn.text)
                if match is not None:
                    turn = turn.model_copy(update={"question_id": match.question.id, "meta": {
                        **turn.meta, "target_difficulty": match.question.difficulty}})
            out.append(turn)
        return out


class AnswerJudge:
    """Runs the offline evaluator on the latest answer in the background while the cloud model is talking."""

    def __init__(self, bank: QuestionBank, evaluator: Callable[[], Evaluator], matcher: QuestionMatcher):
        self._bank = bank
        self._evaluator = evaluator
        self._matcher = matcher
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="answer-judge")

    def start(self, conversation: Conversation) -> Future[AnswerEvaluated | None]:
        return self._pool.submit(self._judge, conversation)

    def question(self, slug: str, text: str) -> Question | None:
        """The bank question an interviewer turn asked, if it asked one."""
        match = self._matcher.best(slug, text)
        return match.question if match is not None else None

    def reader(self) -> "LazyTurnReader":
        """Reads candidate turns with the evaluator's embeddings (loaded on the first read)."""
        return LazyTurnReader(self._evaluator)

    def _judge(self, conversation: Conversation) -> AnswerEvaluated | None:
        try:
            return self.judge(conversation)
        except PrepAIError as exc:
            # The rubric score is an extra for cloud interviews; the interview goes on without it.
            log.warning("answer not scored: %s", exc)
            return None

    def judge(self, conversation: Conversation) -> AnswerEvaluated | None:
        found = answered_question(conversation, self._matcher)
        if found is None:
            return None
        target, answer = found
        evaluation = self._evaluator().evaluate(target.question, answer, star=target.question.story)
        data: dict[str, Any] = evaluation.model_dump(mode="json")
        data["matched_question_id"] = target.question.id
        data["match_similarity"] = round(target.similarity, 3)
        return AnswerEvaluated(question_id=target.question.id, evaluation=data)


class LazyTurnReader:
    """The offline brain's turn reader on the judge's evaluator; an evaluator that cannot compare texts (a test's
    stand-in) reads nothing, and the cloud brains fall back to their keyword check."""

    def __init__(self, evaluator: Callable[[], Evaluator]):
        self._evaluator = evaluator

    def read(self, text: str, question: Question | None, **kwargs: Any) -> Any:
        from prepai_cli.agent.understanding import TurnReader

        similarity = self._evaluator()
        if not hasattr(similarity, "similarity"):
            return None
        return TurnReader(similarity).read(text, question, **kwargs)


def answered_question(conversation: Conversation, matcher: QuestionMatcher) -> tuple[Match, str] | None:
    """The bank question the latest answer replies to, and all the answers to it so far (oldest first)."""
    last = conversation.last_candidate_turn
    if last is None or (last.kind != "code" and is_stuck(last.text)):
        return None
    slug = conversation.session.type
    target: Match | None = None
    answers: list[str] = []
    pending: list[str] = []
    # Walk back to the question being answered. Follow-ups in the model's own words match nothing and belong
    # to the question before them; answers before the target count only if the same question was asked there
    # too (the model came back to it), never once another question shows up.
    for turn in reversed(conversation.turns):
        if turn.role == "candidate":
            if (turn.evaluation or {}).get("scored") is False:
                continue  # read as a clarifying question, a repeat or hint request ...: not part of an answer
            if turn.kind == "code" or not is_stuck(turn.text):
                (answers if target is None else pending).append(turn.text)
            continue
        if not may_ask_a_question(turn):
            continue
        match = matcher.best(slug, turn.text)
        if match is None:
            continue
        if target is None:
            target = match
        elif match.question.id == target.question.id:
            answers.extend(pending)
            pending = []
        else:
            break
    if target is None or not answers:
        return None
    return target, "\n".join(reversed(answers))
