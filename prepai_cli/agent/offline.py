"""The offline interviewer: question bank + rubric judgement, no network.

It answers what the candidate actually said. Each candidate turn is first read for what it is (an answer, a
clarifying question, a request to repeat, a hint request ... see agent/understanding); only answers are judged,
and the judgement (agent/evaluator) decides what comes next: a challenge when a wrong claim was stated, a
follow-up on a missed point whose preconditions the candidate met, a redirect when the answer was about
something else, or the next question. It keeps no state of its own between turns: everything is read back from
the stored turns (interviewer_plan.py), so `--resume` after a crash just works.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any, Protocol

from prepai_cli.agent.answers import NO_ANSWER_MAX_WORDS, is_non_answer
from prepai_cli.agent.brain import Conversation
from prepai_cli.agent.events import (
    AnswerEvaluated, BrainEvent, SegmentStarted, TextDelta, ToolCall, ToolResult, TurnEnded,
)
from prepai_cli.agent.interviewer_plan import InterviewPlan, QuestionState, rebuild
from prepai_cli.agent.interviewer_speech import acknowledgement, plural, quote, sentence, signature_sentence
from prepai_cli.agent.understanding import TurnReader, TurnReading
from prepai_cli.bank import Question, QuestionBank
from prepai_cli.bank.loader import session_questions
from prepai_cli.domain import Turn

MAX_FOLLOW_UPS = 2
MAX_CODE_ATTEMPTS = 3
# A question whose answers reach this score needs no more probing.
GOOD_ENOUGH = 7.5
RAISE_AT = 7.0
LOWER_AT = 4.0
# About three minutes of speech: past this an interviewer steps in.
RAMBLE_WORDS = 450
RAMBLE_SECONDS = 180.0
# Gaps longer than this (a paused or resumed session) do not count against the time budget.
MAX_COUNTED_GAP = timedelta(minutes=5)
TIME_WARNING_MINUTES = 10


class Evaluation(Protocol):
    score: float
    missed: list[str]
    covered: list[str]
    suggestions: list[str]

    def model_dump(self, **kwargs: Any) -> dict[str, Any]: ...


class Evaluator(Protocol):
    def evaluate(self, question: Question, answer: str, *, star: bool) -> Evaluation: ...

    def judge_question(self, question: Question, turns: Any, *, star: bool, hints: int = 0, code: Any = None,
                       match_note: str | None = None) -> Evaluation: ...

    def similarity(self, text: str, others: Any) -> Any: ...


class ToolBox(Protocol):
    def has(self, name: str) -> bool: ...

    def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]: ...


# Kept for the cloud brains, which plan their turns from the text alone.
# A sentence of a type's intro that promises its usual questions ("I will ask about two situations ...").
_LISTS_QUESTIONS = re.compile(r"\bI will\b|\bsix questions\b|\bthree problems\b", re.IGNORECASE)
_WANTS_HINT = re.compile(r"\b(hint|clue|nudge|help)\b", re.IGNORECASE)
_END = re.compile(
    r"\b(end|stop|finish|quit)\s+(the\s+|this\s+)?(interview|session)\b|\blet'?s\s+(stop|end)\b", re.IGNORECASE
)
END_MAX_WORDS = 12


def is_stuck(answer: str) -> bool:
    """A non-answer or a short request for a hint (the cloud brains' cheap check; the offline brain reads turns)."""
    if is_non_answer(answer):
        return True
    stripped = answer.strip()
    return len(stripped.split()) <= NO_ANSWER_MAX_WORDS + 4 and bool(_WANTS_HINT.search(stripped))


def wants_to_end(answer: str) -> bool:
    return len(answer.split()) <= END_MAX_WORDS and bool(_END.search(answer))


def interview_elapsed(turns: list[Turn]) -> timedelta:
    """Time spent in the interview; long gaps (a pause, a resume days later) count as MAX_COUNTED_GAP."""
    total = timedelta()
    for previous, turn in zip(turns, turns[1:]):
        total += min(max(turn.ended_at - previous.ended_at, timedelta()), MAX_COUNTED_GAP)
    return total


class OfflineBrain:
    name = "offline"
    # Replies may be started on a provisional answer and thrown away (interview/speculation.py): it costs nothing.
    speculative = True

    def __init__(self, bank: QuestionBank, evaluator: Callable[[], Evaluator], tools: ToolBox | None = None):
        # `evaluator` is a provider so the embedding model can finish loading while the intro is spoken.
        self._bank = bank
        self._evaluator = evaluator
        self._tools = tools

    # ------------------------------------------------------------ public

    def respond(self, conversation: Conversation) -> Iterator[BrainEvent]:
        session = conversation.session
        self._bank.interview_type(session.type)  # an unknown type fails before anything is said
        plan = rebuild(conversation.turns, self._bank, session_questions(session.settings))
        last = conversation.last_candidate_turn

        if not plan.introduced:
            yield from self._intro(conversation)
            yield from self._ask_next(conversation, plan, first=True)
            return
        if plan.closed or conversation.end_requested:
            yield from self._close(conversation, plan, ended_by_candidate=True)
            return
        current = plan.current
        if current is None or last is None:
            yield from self._ask_next(conversation, plan, first=False)
            return

        reading = self._read(conversation, last, current, plan)
        if not reading.scored:
            yield AnswerEvaluated(question_id=current.question.id,
                                  evaluation={"intent": reading.intent, "scored": False})
        yield from self._reply(conversation, plan, current, last, reading)

    # ------------------------------------------------------------ understanding

    def _read(self, conversation: Conversation, last: Turn, current: QuestionState,
              plan: InterviewPlan) -> TurnReading:
        if last.kind == "code":
            return TurnReading("code")
        if not last.text.strip():
            # Typed, an empty line asks for a hint; spoken, a long silence gets a check-in.
            return TurnReading("silence" if last.meta.get("silence") else "hint_request")
        phase = plan.phase if plan.phase in ("follow_up", "challenge", "closing_questions") else "question"
        candidate_questions = self._bank.interview_type(conversation.session.type).candidate_questions
        return TurnReader(self._evaluator()).read(last.text, current.question, phase=phase,  # type: ignore[arg-type]
                                                 candidate_questions=candidate_questions)

    def _reply(self, conversation: Conversation, plan: InterviewPlan, current: QuestionState, last: Turn,
               reading: TurnReading) -> Iterator[BrainEvent]:
        question = current.question
        qid = question.id
        intent = reading.intent
        if plan.phase == "closing_questions":
            yield from self._answer_candidate_question(conversation, plan, reading)
            return
        if intent == "end_request":
            yield from self._close(conversation, plan, ended_by_candidate=True)
            return
        if intent == "silence":
            # A first long silence gets a check-in; the next one a hint; after that the interview moves on.
            if plan.silences_in_a_row <= 1:
                yield SegmentStarted("check_in", qid, {"silence": True})
                yield TextDelta("Take your time. If it helps, I can repeat the question or give you a hint.")
                yield TurnEnded()
                return
            yield from self._hint(conversation, plan, current)
            return
        if intent == "repeat_request":
            yield SegmentStarted("repeat", qid, {"of": current.last_prompt_kind})
            yield TextDelta("Sure. " + sentence(current.last_prompt))
            yield TurnEnded()
            return
        if intent == "rephrase_request" or (intent == "term_question" and reading.term is None):
            yield SegmentStarted("repeat", qid, {"of": "rephrasing"})
            other = question.rephrasing if current.last_prompt_kind == "question" and question.rephrasing else None
            yield TextDelta("Let me put it another way. " + sentence(other or current.last_prompt))
            yield TurnEnded()
            return
        if intent == "term_question" and reading.term is not None:
            yield SegmentStarted("clarification", qid, {"term": reading.term.term})
            yield TextDelta(sentence(reading.term.meaning) + " Does that help?")
            yield TurnEnded()
            return
        if intent == "clarifying_question":
            yield SegmentStarted("clarification", qid, {"matched": reading.clarification is not None})
            if reading.clarification is not None:
                yield TextDelta("Good question. " + sentence(reading.clarification.answer))
            else:
                yield TextDelta("Good question. That's up to you: state your assumption and go ahead.")
            yield TurnEnded()
            return
        if intent in ("hint_request", "dont_know"):
            yield from self._hint(conversation, plan, current)
            return
        if intent == "thinking_aloud":
            # A partial answer counts toward the question (scored now, so an interview that ends here has a score).
            evaluation = self._judgement(current)
            current.last_evaluation = evaluation
            yield AnswerEvaluated(question_id=qid, evaluation=evaluation)
            yield SegmentStarted("check_in", qid)
            yield TextDelta("Sure, take your time.")
            yield TurnEnded()
            return
        if intent == "fix_code":
            yield SegmentStarted("check_in", qid)
            yield TextDelta("Sure, go ahead. Submit it again when you're ready.")
            yield TurnEnded()
            return
        if intent == "small_talk":
            yield SegmentStarted("check_in", qid)
            yield TextDelta("Thanks. Let's get back to the question. " + sentence(current.last_prompt))
            yield TurnEnded()
            return
        if intent == "code":
            yield from self._review_code(conversation, plan, current, last)
            return
        yield from self._judge_answer(conversation, plan, current, last)

    # ------------------------------------------------------------ answers

    def _judgement(self, current: QuestionState, code: dict[str, Any] | None = None) -> dict[str, Any]:
        from prepai_cli.agent.evaluator.evaluator import AnswerTurn
        from prepai_cli.agent.evaluator.models import CodeResult

        question = current.question
        turns = [AnswerTurn(a.text, a.reply_to) for a in current.spoken_answers]
        results = list(current.code_results) + ([code] if code else [])
        latest_code = CodeResult.model_validate(results[-1]) if results else None
        evaluation = self._evaluator().judge_question(question, turns, star=question.story,
                                                      hints=current.hints_given, code=latest_code)
        data = evaluation.model_dump(mode="json")
        data["intent"] = "answer"
        return data

    def _judge_answer(self, conversation: Conversation, plan: InterviewPlan, current: QuestionState,
                      last: Turn) -> Iterator[BrainEvent]:
        question = current.question
        evaluation = self._judgement(current)
        current.last_evaluation = evaluation
        yield AnswerEvaluated(question_id=question.id, evaluation=evaluation)

        too_long = (len(last.text.split()) > RAMBLE_WORDS
                    or float((last.metrics or {}).get("speaking_s") or 0.0) > RAMBLE_SECONDS)
        # A wrong claim said in this turn, not yet pushed back on: challenge it the way an interviewer would (a
        # three-minute ramble is stopped first).
        if plan.phase != "challenge" and not (too_long and not current.stopped_ramble):
            for hit in evaluation.get("misconceptions", []):
                if hit["claim"] not in current.challenged and hit["said"] in last.text:
                    yield SegmentStarted("challenge", question.id, {"key_point": hit["key_point"], "claim": hit["claim"]})
                    yield TextDelta(sentence(hit["challenge"]))
                    yield TurnEnded()
                    return
        words = len(last.text.split())
        seconds = float((last.metrics or {}).get("speaking_s") or (last.metrics or {}).get("duration_s") or 0.0)
        rambling = (words > RAMBLE_WORDS or seconds > RAMBLE_SECONDS) and not current.stopped_ramble
        off_topic = bool(evaluation.get("off_topic")) and not current.redirected and plan.phase == "question"
        probe = self._next_follow_up(current, evaluation, answers_text=" ".join(a.text for a in current.spoken_answers))
        if rambling or off_topic:
            yield SegmentStarted("redirect", question.id, {"ramble": rambling})
            if rambling:
                yield TextDelta("Let me stop you there so we keep time. ")
            if off_topic:
                yield TextDelta(f"Let's come back to what I asked, which was about {question.topic}. ")
                yield TextDelta(sentence(question.rephrasing or question.text))
                yield TurnEnded()
                return
            if probe is not None:
                key_point, text = probe
                yield SegmentStarted("follow_up", question.id, {"key_point": key_point})
                yield TextDelta("In one or two sentences: " + _lower_first(sentence(text)))
                yield TurnEnded()
                return
            yield from self._ask_next(conversation, plan, first=False)
            return
        yield SegmentStarted("feedback", question.id)
        yield TextDelta(acknowledgement(evaluation, last.text, question) + " ")
        if probe is not None:
            key_point, text = probe
            yield SegmentStarted("follow_up", question.id, {"key_point": key_point})
            yield TextDelta(sentence(text))
            yield TurnEnded()
            return
        if question.coding is not None and not current.code_results and self._tools is not None \
                and self._tools.has("run_code") and "code" not in current.follow_ups:
            yield SegmentStarted("follow_up", question.id, {"key_point": "code"})
            yield TextDelta(f"Sounds good. Go ahead and write the code. {signature_sentence(question)}")
            yield TurnEnded()
            return
        yield from self._ask_next(conversation, plan, first=False)

    def _next_follow_up(self, current: QuestionState, evaluation: dict[str, Any], *,
                        answers_text: str) -> tuple[str, str] | None:
        if float(evaluation.get("score", 0.0)) >= GOOD_ENOUGH or len(current.follow_ups) >= MAX_FOLLOW_UPS:
            return None
        covered = set(evaluation.get("covered", []))
        said = answers_text.lower()
        for key_point_id in evaluation.get("missed", []):
            if key_point_id in current.follow_ups or key_point_id in covered:
                continue
            follow_up = current.question.follow_up_for(key_point_id)
            if follow_up is None:
                continue
            # A follow-up about "the cache" makes no sense to a candidate who never mentioned one.
            if follow_up.requires and not any(_mentions(said, term) for term in follow_up.requires):
                continue
            return key_point_id, follow_up.text.strip()
        return None

    # ------------------------------------------------------------ hints and code

    def _hint(self, conversation: Conversation, plan: InterviewPlan, current: QuestionState) -> Iterator[BrainEvent]:
        hints = current.question.hints
        if current.hints_given < len(hints):
            level = current.hints_given
            yield SegmentStarted("hint", current.question.id, {"hint_index": level, "of": len(hints)})
            opener = "No problem. Here's a hint. " if level == 0 else "Okay, here's a bigger hint. "
            yield TextDelta(opener + sentence(hints[level]) + " Take your time.")
            yield TurnEnded()
            return
        yield SegmentStarted("feedback", current.question.id)
        yield TextDelta("That's okay. This one is hard, so let's move on. ")
        yield from self._ask_next(conversation, plan, first=False)

    def _review_code(self, conversation: Conversation, plan: InterviewPlan, current: QuestionState,
                     code_turn: Turn) -> Iterator[BrainEvent]:
        question = current.question
        language = str(code_turn.meta.get("language", "python"))
        if question.coding is None or self._tools is None or not self._tools.has("run_code"):
            yield SegmentStarted("feedback", question.id)
            yield TextDelta("I can't run code in this setup, so I'll judge your explanation instead. ")
            evaluation = self._judgement(current)
            yield AnswerEvaluated(question_id=question.id, evaluation=evaluation)
            yield from self._ask_next(conversation, plan, first=False)
            return
        arguments = {"code": code_turn.text, "language": language, "problem_id": question.id}
        call_id = f"run-{code_turn.id}"
        yield ToolCall(call_id, "run_code", arguments)
        result = self._tools.call("run_code", arguments)
        yield ToolResult(call_id, "run_code", ok=result.get("verdict") == "passed", result=result)
        code = {"verdict": str(result.get("verdict", "error")), "passed": int(result.get("passed", 0)),
                "total": int(result.get("total", 0)), "first_failure": result.get("first_failure"),
                "language": language}
        evaluation = self._judgement(current, code)
        yield AnswerEvaluated(question_id=question.id, evaluation={**evaluation, "code": code})
        attempts = current.code_attempts + 1
        passed, total = code["passed"], code["total"]
        yield SegmentStarted("feedback", question.id, {"code_verdict": code["verdict"], "attempt": attempts})
        if code["verdict"] == "passed":
            yield TextDelta(f"I ran your code and all {plural(total, 'test')} pass. ")
            if "complexity" not in " ".join(a.text.lower() for a in current.spoken_answers) \
                    and "complexity" not in current.follow_ups:
                yield SegmentStarted("follow_up", question.id, {"key_point": "complexity"})
                yield TextDelta("What are the time and space complexity of your solution?")
                yield TurnEnded()
                return
            yield from self._ask_next(conversation, plan, first=False)
            return
        yield TextDelta(f"I ran your code. {number_passed(passed, total)} ")
        failure = result.get("first_failure") or result.get("message")
        if failure:
            yield TextDelta(sentence(str(failure)) + " ")
        if attempts < MAX_CODE_ATTEMPTS:
            yield TextDelta("Take a look, fix it and submit again when you're ready.")
            yield TurnEnded()
            return
        yield TextDelta("Let's leave the code there and move on. ")
        yield from self._ask_next(conversation, plan, first=False)

    # ------------------------------------------------------------ running the interview

    def _intro(self, conversation: Conversation) -> Iterator[BrainEvent]:
        session = conversation.session
        interview_type = self._bank.interview_type(session.type)
        questions, minutes = self._budget(conversation)
        yield SegmentStarted("intro")
        intro = interview_type.intro.replace("Let's begin.", "").strip()
        if questions != interview_type.default_questions:
            # The type's intro lists its usual questions; a shorter or longer session must not promise them.
            first, *rest = re.split(r"(?<=[.!?])\s+", intro)
            kind = re.split(r":| with ", first)[0].rstrip(".")
            advice = [s for s in rest if not _LISTS_QUESTIONS.search(s)]
            if questions == 1:
                advice = [re.sub(r"^For each, (\w)", lambda m: m.group(1).upper(), s) for s in advice]
            intro = " ".join([f"{kind} with {plural(questions, 'question')}.", *advice])
        # About fifteen seconds of speech in all: the type's intro is at most forty words.
        yield TextDelta("Hi. " + sentence(intro) + " ")
        if session.type == "cv-grilling" and session_questions(session.settings):
            yield TextDelta("I've read your CV. ")
        elif session.type == "cv-grilling" and not conversation.cv_summary:
            yield TextDelta("Without your CV, I'll ask about your background. ")
        else:
            yield TextDelta(f"We have about {minutes} minutes. ")
        yield TextDelta("Let's begin.")

    def _ask_next(self, conversation: Conversation, plan: InterviewPlan, *, first: bool) -> Iterator[BrainEvent]:
        questions, minutes = self._budget(conversation)
        elapsed = interview_elapsed(conversation.turns)
        if len(plan.asked) >= questions or elapsed >= timedelta(minutes=minutes):
            yield from self._wrap_up(conversation, plan)
            return
        target = self._next_target(plan, conversation)
        question = self._pick(conversation, plan, target, questions)
        if question is None:
            yield from self._wrap_up(conversation, plan)
            return
        self._prepare(question)
        number = len(plan.asked) + 1
        left = timedelta(minutes=minutes) - elapsed
        time_note = (not plan.time_warned and not first and minutes > TIME_WARNING_MINUTES * 2
                     and left <= timedelta(minutes=TIME_WARNING_MINUTES))
        meta: dict[str, Any] = {"target_difficulty": target, "number": number, "of": questions, "topic": question.topic}
        if time_note:
            meta["time_note"] = True
        yield SegmentStarted("question", question.id, meta)
        if time_note:
            yield TextDelta(f"We have about {max(1, round(left.total_seconds() / 60))} minutes left. ")
        lead = "Here's the first question. " if first else ("Here's the last question. " if number == questions
                                                              else "Next question. ")
        yield TextDelta(lead + sentence(question.text))
        if question.coding is not None:
            yield TextDelta(" " + signature_sentence(question) + " Talk me through your approach first.")
        yield TurnEnded()

    def _wrap_up(self, conversation: Conversation, plan: InterviewPlan) -> Iterator[BrainEvent]:
        interview_type = self._bank.interview_type(conversation.session.type)
        if interview_type.candidate_questions and not plan.wrap_up_asked:
            yield SegmentStarted("wrap_up")
            yield TextDelta("That's all the questions I have. Before we finish, do you have any questions for me?")
            yield TurnEnded()
            return
        yield from self._close(conversation, plan, ended_by_candidate=False)

    def _answer_candidate_question(self, conversation: Conversation, plan: InterviewPlan,
                                   reading: TurnReading) -> Iterator[BrainEvent]:
        if reading.intent == "candidate_question":
            yield SegmentStarted("answer_question")
            if reading.clarification is not None:
                yield TextDelta(sentence(reading.clarification.answer) + " ")
            else:
                yield TextDelta("That's a good question to ask your real interviewer: it depends on the team. ")
        yield from self._close(conversation, plan, ended_by_candidate=reading.intent == "end_request")

    def _close(self, conversation: Conversation, plan: InterviewPlan, *, ended_by_candidate: bool) -> Iterator[BrainEvent]:
        yield SegmentStarted("closing", None, {"ended_by_candidate": ended_by_candidate})
        scored = [q for q in plan.asked if q.last_score is not None]
        yield TextDelta("Let's stop here. " if ended_by_candidate else "Thanks, that's the end of our interview. ")
        if not scored:
            yield TextDelta("We didn't get far enough for me to score your answers. Come back when you're ready.")
            yield TurnEnded(finished=True)
            return
        average = sum(q.last_score or 0 for q in scored) / len(scored)
        yield TextDelta(f"You answered {plural(len(scored), 'question')}, with an average of {average:.1f} out of ten. ")
        best = max(scored, key=lambda q: q.last_score or 0)
        strength = _strength(best)
        if strength is not None:
            yield TextDelta(strength + " ")
        weakest = min(scored, key=lambda q: q.last_score or 0)
        gap = _gap(weakest if weakest is not best or len(scored) == 1 else weakest)
        if gap is not None:
            yield TextDelta(gap + " ")
        yield TextDelta("Your full report is ready. Thanks, and good luck.")
        yield TurnEnded(finished=True)

    def _prepare(self, question: Question) -> None:
        """Encodes what the judgement needs for `question` while it is being spoken, so the answer's judgement
        only encodes the answer. Not a daemon: a short job an exit waits for rather than cuts inside onnxruntime."""
        def work() -> None:
            try:
                prepare = getattr(self._evaluator(), "prepare", None)
                if prepare is not None:
                    prepare(question)
            except Exception:  # the judgement encodes what it needs itself; this is only a head start
                pass

        threading.Thread(target=work, name="evaluator-prepare", daemon=False).start()

    # ------------------------------------------------------------ decisions

    def _budget(self, conversation: Conversation) -> tuple[int, int]:
        interview_type = self._bank.interview_type(conversation.session.type)
        settings = conversation.session.settings
        questions = int(settings.get("questions") or interview_type.default_questions)
        minutes = int(settings.get("minutes") or interview_type.default_minutes)
        available = len(self._bank.questions(conversation.session.type)) + len(session_questions(settings))
        return min(questions, available), minutes

    @staticmethod
    def _next_target(plan: InterviewPlan, conversation: Conversation) -> int:
        current = plan.current
        if current is None:
            return int(conversation.session.settings.get("difficulty") or 2)
        target = current.target_difficulty
        if current.last_score is not None:
            if current.last_score >= RAISE_AT:
                target += 1
            elif current.last_score <= LOWER_AT:
                target -= 1
        return max(1, min(3, target))

    def _pick(self, conversation: Conversation, plan: InterviewPlan, target: int, budget: int) -> Question | None:
        session = conversation.session
        asked_ids = {q.question.id for q in plan.asked}
        from_cv = session_questions(session.settings)
        cv_ids = {q.id for q in from_cv}
        type_questions = self._bank.questions(session.type)
        pool = from_cv + type_questions
        candidates = [q for q in pool if q.id not in asked_ids]
        if not candidates:
            return None
        # The category this slot of the interview promised (the type's mix, spread over the budget).
        mix = list(self._bank.interview_type(session.type).mix)
        wanted: str | None = None
        if mix:
            slot = len(plan.asked)
            wanted = mix[slot % len(mix)]  # in the order the intro promised; a shorter interview stops early
        type_categories = [q.category for q in type_questions]
        main_category = max(set(type_categories), key=type_categories.count)
        category_use: dict[str, int] = {}
        for state in plan.asked:
            category_use[state.question.category] = category_use.get(state.question.category, 0) + 1
        focus = {str(x).lower() for x in session.settings.get("focus_topics", [])}
        # Seeded by the session so a resumed interview picks the same way and sessions differ from each other.
        rng = random.Random(f"{session.id}:{len(plan.asked)}")
        jitter = {q.id: rng.random() for q in candidates}

        def rank(q: Question) -> tuple[float, ...]:
            in_focus = q.topic.lower() in focus or q.id in focus
            off_slot = (q.category != wanted) if wanted else bool(not plan.asked and q.category != main_category)
            return (0 if q.id in cv_ids else 1, off_slot, abs(q.difficulty - target), 0 if in_focus else 1,
                    category_use.get(q.category, 0), jitter[q.id])

        return min(candidates, key=rank)


def number_passed(passed: int, total: int) -> str:
    if passed == 0:
        return f"None of the {plural(total, 'test')} pass."
    return f"{number_words_cap(passed)} of {plural(total, 'test')} pass."


def number_words_cap(n: int) -> str:
    from prepai_cli.agent.interviewer_speech import number_words

    word = number_words(n)
    return word[:1].upper() + word[1:]


def _mentions(said: str, term: str) -> bool:
    return re.search(r"\b" + re.escape(term.lower()) + r"s?\b", said) is not None


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if len(text) > 1 and not text[1].isupper() else text


def _strength(state: QuestionState) -> str | None:
    evaluation = state.last_evaluation or {}
    if (state.last_score or 0) < 5.0:
        return None
    for kp in evaluation.get("key_points", []):
        if kp.get("covered") and kp.get("evidence"):
            return (f"A real strength was {state.question.topic}: when you said {quote(kp['evidence'])}, "
                    "that was exactly right.")
    return f"Your strongest answer was on {state.question.topic}."


def _gap(state: QuestionState) -> str | None:
    evaluation = state.last_evaluation or {}
    for hit in evaluation.get("misconceptions", []):
        return f"One thing to fix: on {state.question.topic}, {_lower_first(sentence(hit['correction']))}"
    if (state.last_score or 0) >= GOOD_ENOUGH:
        return None
    texts = {kp["id"]: kp["text"] for kp in evaluation.get("key_points", [])}
    for missed in evaluation.get("missed", []):
        if missed in texts:
            return f"The gap to work on is {state.question.topic}: {_lower_first(sentence(texts[missed]))}"
    return f"The area to work on most is {state.question.topic}."
