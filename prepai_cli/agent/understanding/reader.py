"""What a candidate turn is, before any brain acts on it: an answer, a clarifying question, a request to
repeat, a hint request in any phrasing, a request to end ...

The reader compares the turn with example turns of each kind (intents.yaml) and with the question's own
content (its text, key points and their phrasings). A turn is an answer unless it is clearly closer to one
of the examples than to the question's content, so "So could we use a hash map here? Yes, because ..." is
an answer while "I'm not sure where to start, could you give me a hint?" is a hint request, whatever its
length. Thresholds were chosen on the dev half of tests/data/turn_intents.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, Protocol, Sequence

import numpy as np
import yaml

from prepai_cli.agent.answers import WORD
from prepai_cli.bank.models import Clarification, Question, Term

Intent = Literal[
    "answer", "clarifying_question", "repeat_request", "rephrase_request", "term_question", "hint_request",
    "dont_know", "thinking_aloud", "fix_code", "small_talk", "end_request", "candidate_question", "silence", "code",
]
# Where in the interview the turn was said: some kinds only make sense in some phases.
Phase = Literal["question", "follow_up", "challenge", "coding", "closing_questions"]

META_INTENTS: tuple[Intent, ...] = (
    "clarifying_question", "repeat_request", "rephrase_request", "term_question", "hint_request", "dont_know",
    "thinking_aloud", "fix_code", "small_talk", "end_request", "candidate_question",
)


class Similarity(Protocol):
    def similarity(self, text: str, others: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class TurnReading:
    intent: Intent
    # Best similarity with an example of `intent` (meta kinds) and with the question's content.
    intent_similarity: float = 0.0
    content_similarity: float = 0.0
    clarification: Clarification | None = None
    term: Term | None = None

    @property
    def scored(self) -> bool:
        """Whether the turn is judged as (part of) an answer."""
        return self.intent in ("answer", "thinking_aloud", "code")


@dataclass(frozen=True)
class ReaderTuning:
    # A statement is a meta turn ("I'm stuck", "let me fix that") when its nearest example is this similar ...
    statement_min: float = 0.45
    # ... and closer than the question's own content by this margin.
    statement_margin: float = 0.02
    # A question form turn takes its nearest question-like kind at this similarity; below it, a question about
    # the problem is a clarifying question.
    question_min: float = 0.42
    # A sentence this close to the question's content is part of an answer, whatever else the turn says.
    answer_sentence: float = 0.55
    clarification_min: float = 0.45
    term_min: float = 0.40
    # A question this close to one of the bank question's own clarifications is that clarifying question.
    own_clarification: float = 0.62


QUESTION_KINDS: tuple[str, ...] = (
    "clarifying_question", "repeat_request", "rephrase_request", "term_question", "hint_request", "small_talk",
    "end_request", "answer_check",
)
STATEMENT_KINDS: tuple[str, ...] = (
    "hint_request", "dont_know", "thinking_aloud", "fix_code", "small_talk", "end_request", "repeat_request",
    "rephrase_request",
)
_INTERROGATIVE = re.compile(
    r"^(?:so|and|but|okay|ok|sorry|um|uh|hmm|well|also|actually|quick question)?[,\s]*"
    r"(?:what|what's|whats|how|why|when|where|which|who|can|could|is|are|do|does|did|should|would|will|may|am|"
    r"shall)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
# Asking what a word means has a grammar of its own: "what do you mean by X", "what does X mean", "what's a X"
# (an indefinite article: "what's the read to write ratio?" asks about the scenario, not a word).
_TERM = re.compile(
    r"\bwhat do you mean by\b|\bwhat does [\w' -]{1,40} mean\b|\bwhen you say [\w' -]{1,40}, what\b|"
    r"\bwhat(?:'s| is| are) (?:a|an)\b [\w' -]{1,30}\?|\bi(?:'m| am) not familiar with\b|\bnever heard the term\b",
    re.IGNORECASE,
)


def is_question(sentence: str) -> bool:
    stripped = sentence.strip()
    return stripped.endswith("?") or bool(_INTERROGATIVE.match(stripped))


@cache
def examples() -> dict[str, tuple[str, ...]]:
    raw = yaml.safe_load((resources.files("prepai_cli.agent.understanding") / "intents.yaml").read_text("utf-8"))
    return {intent: tuple(texts) for intent, texts in raw.items()}


class TurnReader:
    def __init__(self, similarity: Similarity, tuning: ReaderTuning = ReaderTuning()) -> None:
        self._sim = similarity
        self._tuning = tuning
        self._examples = examples()

    def read(self, text: str, question: Question | None, *, phase: Phase = "question",
             candidate_questions: Sequence[Clarification] = ()) -> TurnReading:
        if not WORD.findall(text):
            return TurnReading("silence")
        tune = self._tuning
        sentences = [s for s in _SENTENCE.split(text.strip()) if WORD.findall(s)]
        last = sentences[-1]
        questioning = is_question(last)

        def score(intent: str, *extra: str) -> float:
            return max(float(self._sim.similarity(x, self._examples[intent]).max()) for x in (text, *extra))

        if phase == "closing_questions":
            if score("end_request") >= 0.6:
                return TurnReading("end_request")
            if questioning:
                return TurnReading("candidate_question", clarification=self._clarification(text, candidate_questions))
            return TurnReading("dont_know")

        content = self._content(text, question)
        # A sentence that is about the question's content makes the turn (part of) an answer.
        statements = [s for s in sentences if not is_question(s)]
        if question is not None and statements and len(sentences) > 1:
            if max(self._content(s, question) for s in statements) >= tune.answer_sentence:
                return TurnReading("answer", 0.0, content)
        if questioning and _TERM.search(text):
            return self._detail("term_question", text, question, 1.0, content)
        # The question's own clarifications are the best examples of what a candidate asks about it.
        if questioning and question is not None and question.clarifications:
            asked = max(float(self._sim.similarity(text, c.asks).max()) for c in question.clarifications)
            if asked >= tune.own_clarification:
                return self._detail("clarifying_question", text, question, asked, content)
        if questioning:
            kinds = [k for k in QUESTION_KINDS if self._allowed(k, phase, question)]  # type: ignore[arg-type]
            scores = {k: score(k, last) for k in kinds}
            best = max(scores, key=scores.get)
            if scores[best] < tune.question_min:
                best = "clarifying_question" if content >= 0.3 else "small_talk"
            if best == "answer_check":
                return TurnReading("answer", scores[best], content)
            return self._detail(best, text, question, scores.get(best, 0.0), content)  # type: ignore[arg-type]
        kinds = [k for k in STATEMENT_KINDS if self._allowed(k, phase, question)]  # type: ignore[arg-type]
        # "... so maybe a deque, let me think" ends in the kind of turn it is.
        scores = {k: score(k, last) if k in ("thinking_aloud", "fix_code", "hint_request") and len(sentences) > 1
                  else score(k) for k in kinds}
        best = max(scores, key=scores.get)
        if scores[best] >= tune.statement_min and scores[best] - content >= tune.statement_margin:
            return self._detail(best, text, question, scores[best], content)  # type: ignore[arg-type]
        return TurnReading("answer", scores[best], content)

    def _detail(self, intent: Intent, text: str, question: Question | None, similarity: float,
                content: float) -> TurnReading:
        if intent == "clarifying_question" and question is not None:
            return TurnReading(intent, similarity, content, clarification=self._clarification(text, question.clarifications))
        if intent == "term_question" and question is not None:
            return TurnReading(intent, similarity, content, term=self._term(text, question))
        return TurnReading(intent, similarity, content)

    @staticmethod
    def _allowed(intent: Intent, phase: Phase, question: Question | None) -> bool:
        if intent == "candidate_question":
            return phase == "closing_questions"
        if phase == "closing_questions":
            return intent in ("end_request", "small_talk", "repeat_request", "dont_know")
        if intent == "fix_code":
            return question is None or question.coding is not None or question.category == "coding"
        return True

    def _content(self, text: str, question: Question | None) -> float:
        if question is None:
            return 0.0
        wordings = [question.text, *(question.rephrasing or "",)]
        for kp in question.key_points:
            wordings += [kp.text, *kp.phrasings]
        return float(self._sim.similarity(text, [w for w in wordings if w]).max())

    def _clarification(self, text: str, options: Sequence[Clarification]) -> Clarification | None:
        if not options:
            return None
        best, best_sim = None, -1.0
        for option in options:
            sim = float(self._sim.similarity(text, option.asks).max())
            if sim > best_sim:
                best, best_sim = option, sim
        return best if best_sim >= self._tuning.clarification_min else None

    def _term(self, text: str, question: Question) -> Term | None:
        lowered = text.lower()
        for term in question.terms:
            if term.term.lower() in lowered:
                return term
        if not question.terms:
            return None
        sims = self._sim.similarity(text, [f"What do you mean by {term.term}?" for term in question.terms])
        best = int(np.argmax(sims))
        return question.terms[best] if float(sims[best]) >= self._tuning.term_min else None
