"""Scripted candidates for the self-simulation suite: each reacts to what the interviewer just said.

A persona is deterministic and offline. It sees what a real candidate sees (the interviewer's words, what kind
of turn it was, which question is open) plus the bank, which stands in for what the candidate knows: the strong
persona answers from the key points, the confidently wrong one from their misconceptions.

`reply(interviewer_text, segment_kind, question_id, bank)` returns `(kind, text)` with kind "answer" or
"code", or None to end the interview.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from prepai_cli.bank import Question, QuestionBank
from prepai_cli.bank.models import FollowUp, Misconception
from prepai_cli.interview.io import AnswerContext, CandidateAnswer

Reply = tuple[str, str] | None

REFERENCE_SOLUTIONS = Path(__file__).resolve().parent.parent / "data" / "reference_solutions"

# Light rewording, so answers are not the bank's exact strings (credit must follow meaning, not wording).
_SWAPS = (
    (r"\bwhich\b", "that"), (r"\bbecause\b", "since"), (r"\blets you\b", "allows you to"),
    (r"\buse\b", "go with"), (r"\buses\b", "relies on"), (r"\bquickly\b", "fast"), (r"\bgives\b", "provides"),
    (r"\bfor example\b", "for instance"), (r"\bmust\b", "has to"), (r"\bcan\b", "is able to"),
)
STRONG_OPENERS = ("I would say", "The way I see it,", "So,", "In short,")
REPEAT_REQUESTS = (
    "Sorry, could you repeat the question please?",
    "Sorry, I didn't catch all of that. Can you say it again?",
    "Could you say that one more time?",
)
HINT_REQUESTS = (
    "I'm not sure where to begin with this one, could you give me a hint?",
    "I'm still stuck, can you give me another hint?",
    "Sorry, I'm still not getting it. Could I have one more hint?",
    "I really can't see it, any other hint?",
)
VAGUE = (
    "I think it depends on the situation. I would try to do it in a good way and make sure it works well.",
    "I would probably look into it more and then decide. There are many options and trade-offs to consider.",
    "Generally you want to keep things simple and clean, and check that everything is fine at the end.",
)
GIBBERISH = (
    "Flurb wobble zanket quorp, the blinster grooves under a teal moon of spoons.",
    "Zibble zabble, nine frongs in a wickery pouch, hoo hah minty.",
)
COOKING = (
    "Last weekend I made lasagna for my family. I layered fresh pasta with ricotta, spinach and a tomato sauce "
    "I had simmered for three hours, then baked it for forty minutes until the top was golden. Everyone had "
    "seconds and my sister asked for the recipe."
)
FILLER = (
    "and you know, there are a lot of things to think about here, and honestly it reminds me of a project I "
    "once heard about from a friend, where people talked for a long time about many different options, some "
    "good and some not so good, and in the end it all depended on lots of factors that are hard to pin down"
)
WRAP_UP_QUESTION = "What should I practise next before the real interview?"
NO_QUESTIONS = "No, that's all from me. Thank you."


def reword(text: str, opener: str = "") -> str:
    out = text.strip()
    for pattern, replacement in _SWAPS:
        out = re.sub(pattern, replacement, out, count=1)
    if opener:
        out = f"{opener} {out[:1].lower()}{out[1:]}"
    return out


def normalized(text: str) -> str:
    """Lower case, Markdown and punctuation dropped, spaces collapsed: for 'does the reply contain X'."""
    out = re.sub(r"[*_`#>]+", "", text.lower())
    out = re.sub(r"[^\w\s'-]", " ", out)
    return re.sub(r"\s+", " ", out).strip()


def contains(haystack: str, needle: str) -> bool:
    return normalized(needle) in normalized(haystack)


def reference_solution(question: Question) -> str | None:
    path = REFERENCE_SOLUTIONS / f"{question.id}.py"
    return path.read_text(encoding="utf-8") if path.exists() else None


def wrong_solution(question: Question) -> str:
    """Code with the right signature that fails the tests (it returns the first argument unchanged)."""
    assert question.coding is not None
    signature = question.coding.python_signature.strip()
    inside = signature[signature.find("(") + 1: signature.rfind(")")]
    first = inside.split(",")[0].split(":")[0].split("=")[0].strip() or "None"
    return f"{signature}\n    return {first}\n"


def strong_answer(question: Question) -> str:
    parts: list[str] = []
    for i, kp in enumerate(question.key_points):
        # A story is told in the first person: the phrasings are how candidates say each part.
        base = kp.phrasings[0] if question.story and kp.phrasings else kp.text
        parts.append(reword(base, STRONG_OPENERS[i % len(STRONG_OPENERS)] if not question.story else ""))
    return " ".join(p if p.endswith((".", "?", "!")) else p + "." for p in parts)


def follow_up_asked(question: Question, interviewer_text: str) -> FollowUp | None:
    return next((f for f in question.follow_ups if contains(interviewer_text, f.text)), None)


def misconception_challenged(question: Question, interviewer_text: str) -> Misconception | None:
    for kp in question.key_points:
        for m in kp.misconceptions:
            if contains(interviewer_text, m.challenge):
                return m
    return None


def first_misconception(question: Question) -> tuple[str, Misconception] | None:
    for kp in question.key_points:
        if kp.misconceptions:
            return kp.id, kp.misconceptions[0]
    return None


def strong_reply_to_prompt(question: Question, interviewer_text: str, segment_kind: str | None) -> str:
    """What a candidate who knows the material says to a follow-up or a challenge."""
    if segment_kind == "challenge":
        m = misconception_challenged(question, interviewer_text)
        if m is not None:
            return reword(m.correction, "You're right, I was wrong there.")
    follow_up = follow_up_asked(question, interviewer_text)
    if follow_up is not None:
        kp = question.key_point(follow_up.key_point)
        return reword(kp.text, "Good point.")
    if "complexity" in interviewer_text.lower():
        return "Time is linear in the input size, and the extra space is linear too in the worst case."
    return strong_answer(question)


class Persona:
    """Counts what it has replied to, so a persona can ask first and answer next."""

    name = "persona"

    def __init__(self) -> None:
        self.replies: Counter[tuple[str | None, str | None]] = Counter()

    def reply(self, interviewer_text: str, segment_kind: str | None, question_id: str | None,
              bank: QuestionBank) -> Reply:
        if segment_kind == "wrap_up":
            return "answer", self.wrap_up()
        question = bank.question(question_id) if question_id else None
        if question is None:
            return "answer", VAGUE[0]
        key = (question_id, segment_kind)
        self.replies[key] += 1
        return self.respond(question, interviewer_text, segment_kind, self.replies[key])

    def wrap_up(self) -> str:
        return NO_QUESTIONS

    def respond(self, question: Question, interviewer_text: str, segment_kind: str | None, nth: int) -> Reply:
        raise NotImplementedError


class Strong(Persona):
    name = "strong"

    def wrap_up(self) -> str:
        return WRAP_UP_QUESTION

    def respond(self, question: Question, interviewer_text: str, segment_kind: str | None, nth: int) -> Reply:
        code = reference_solution(question) if question.coding is not None else None
        if code is not None and "write the code" in interviewer_text.lower():
            return "code", code
        if segment_kind == "question":
            return "answer", strong_answer(question)
        return "answer", strong_reply_to_prompt(question, interviewer_text, segment_kind)


class Weak(Persona):
    name = "weak"

    def respond(self, question: Question, interviewer_text: str, segment_kind: str | None, nth: int) -> Reply:
        return "answer", VAGUE[(sum(self.replies.values()) - 1) % len(VAGUE)]


class Silent(Persona):
    name = "silent"

    def respond(self, question: Question, interviewer_text: str, segment_kind: str | None, nth: int) -> Reply:
        return "answer", ""

    def wrap_up(self) -> str:
        return ""


class Gibberish(Persona):
    name = "gibberish"

    def respond(self, question: Question, interviewer_text: str, segment_kind: str | None, nth: int) -> Reply:
        return "answer", GIBBERISH[(sum(self.replies.values()) - 1) % len(GIBBERISH)]


class Repeater(Persona):
    """Asks to hear every prompt again once, then answers it well."""

    name = "repeater"

    def __init__(self) -> None:
        super().__init__()
        self._asked_again: set[str] = set()

    def respond(self, question: Question, interviewer_text: str, segment_kind: str | None, nth: int) -> Reply:
        if segment_kind in ("question", "follow_up", "challenge"):
            prompt = normalized(interviewer_text.splitlines()[-1] if interviewer_text else "")
            if prompt not in self._asked_again:
                self._asked_again.add(prompt)
                return "answer", REPEAT_REQUESTS[len(self._asked_again) % len(REPEAT_REQUESTS)]
        if segment_kind == "repeat" and "write the code" in interviewer_text.lower():
            code = reference_solution(question)
            if code is not None:
                return "code", code
        if segment_kind in ("question", "repeat") and nth == 1 and not follow_up_asked(question, interviewer_text):
            return "answer", strong_answer(question)
        return "answer", strong_reply_to_prompt(question, interviewer_text, segment_kind)


def clarifying_question(question: Question) -> tuple[str, str | None]:
    """A clarifying question for `question`, reworded from the bank's when it has some, and the answer expected."""
    if question.clarifications:
        clarification = question.clarifications[0]
        ask = clarification.asks[0]
        return f"Before I answer, {ask[:1].lower()}{ask[1:]}", clarification.answer
    if question.story:
        return "Before I start, should the example come from work, or is a side project okay?", None
    if question.coding is not None or question.category in ("dsa", "coding"):
        return "Before I start, how large can the input get?", None
    return "Before I start, what scale should I assume? How many users are we talking about?", None


class Clarifier(Persona):
    name = "clarifier"

    def respond(self, question: Question, interviewer_text: str, segment_kind: str | None, nth: int) -> Reply:
        if segment_kind == "question" and nth == 1:
            return "answer", clarifying_question(question)[0]
        if segment_kind == "clarification":
            return "answer", strong_answer(question)
        return Strong.respond(self, question, interviewer_text, segment_kind, nth)  # type: ignore[arg-type]


class OffTopic(Persona):
    name = "off-topic"

    def respond(self, question: Question, interviewer_text: str, segment_kind: str | None, nth: int) -> Reply:
        return "answer", COOKING


class ConfidentlyWrong(Persona):
    """States a misconception from the bank as fact, then corrects itself when challenged."""

    name = "confidently-wrong"

    def respond(self, question: Question, interviewer_text: str, segment_kind: str | None, nth: int) -> Reply:
        if segment_kind == "challenge":
            return "answer", strong_reply_to_prompt(question, interviewer_text, segment_kind)
        found = first_misconception(question)
        if segment_kind == "question" and found is not None:
            return "answer", reword(found[1].claim, "I'm quite sure about this one:")
        if segment_kind == "question":
            return "answer", VAGUE[0]
        return "answer", strong_reply_to_prompt(question, interviewer_text, segment_kind)


def ramble(question: Question) -> str:
    words = (question.key_points[0].text.rstrip(".") + ", " + FILLER).split()
    out: list[str] = []
    while len(out) < 520:
        out += words
    return " ".join(out) + "."


class Rambler(Persona):
    name = "rambler"

    def respond(self, question: Question, interviewer_text: str, segment_kind: str | None, nth: int) -> Reply:
        return "answer", ramble(question)


class HintSeeker(Persona):
    """Asks for hints (in different words) until the interviewer moves on."""

    name = "hint-seeker"

    def respond(self, question: Question, interviewer_text: str, segment_kind: str | None, nth: int) -> Reply:
        asked = sum(n for (qid, _), n in self.replies.items() if qid == question.id)
        return "answer", HINT_REQUESTS[min(asked - 1, len(HINT_REQUESTS) - 1)]


class CodeFailsThenFixed(Persona):
    """On a coding question: submits wrong code first, then the reference solution; otherwise answers well."""

    name = "code-fails-then-fixed"

    def __init__(self) -> None:
        super().__init__()
        self.submissions: Counter[str] = Counter()

    def respond(self, question: Question, interviewer_text: str, segment_kind: str | None, nth: int) -> Reply:
        code = reference_solution(question) if question.coding is not None else None
        if code is not None and self.submissions[question.id] == 0 and segment_kind == "question":
            self.submissions[question.id] += 1
            return "code", wrong_solution(question)
        if code is not None and self.submissions[question.id] == 1 and "submit again" in interviewer_text.lower():
            self.submissions[question.id] += 1
            return "code", code
        return Strong.respond(self, question, interviewer_text, segment_kind, nth)  # type: ignore[arg-type]


PERSONAS: dict[str, type[Persona]] = {
    p.name: p for p in (Strong, Weak, Silent, Gibberish, Repeater, Clarifier, OffTopic, ConfidentlyWrong, Rambler,
                        HintSeeker, CodeFailsThenFixed)
}


class PersonaInput:
    """A CandidateInput that asks a persona for each turn; past `max_turns` it ends the interview (and says so)."""

    def __init__(self, persona: Persona, bank: QuestionBank, max_turns: int = 40) -> None:
        self.persona = persona
        self.bank = bank
        self.max_turns = max_turns
        self.turns = 0
        self.exhausted = False

    def next_answer(self, context: AnswerContext) -> CandidateAnswer | None:
        if self.turns >= self.max_turns:
            self.exhausted = True
            return None
        self.turns += 1
        got = self.persona.reply(context.prompt_text, context.segment_kind, context.question_id, self.bank)
        if got is None:
            return None
        kind, text = got
        if kind == "code":
            return CandidateAnswer(text=text, kind="code", meta={"language": "python"})
        return CandidateAnswer(text=text)
