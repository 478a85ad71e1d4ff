"""What the offline interviewer says, written for the ear: short grammatical sentences built from what the
candidate actually said and what the judgement found."""

from __future__ import annotations

import re
from typing import Any

from prepai_cli.agent.evaluator import text as t
from prepai_cli.bank import Question

_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
                 10: "ten", 15: "fifteen", 20: "twenty", 30: "thirty", 45: "forty-five", 60: "sixty"}


def number_words(n: int) -> str:
    return _NUMBER_WORDS.get(n, str(n))


def plural(n: int, word: str) -> str:
    return f"{number_words(n)} {word}{'' if n == 1 else 's'}"


def sentence(text: str) -> str:
    """One spoken sentence: whitespace collapsed, Markdown and stray punctuation removed, a final full stop."""
    out = re.sub(r"[*_`#>]+", "", text)
    out = re.sub(r"\s+", " ", out).strip().strip(",;:")
    if out and out[-1] not in ".?!":
        out += "."
    return out[:1].upper() + out[1:]


def signature_sentence(question: Question, language: str = "python") -> str:
    """The function the tests call, said aloud: "Write a function called two_sum that takes nums and target."."""
    coding = question.coding
    if coding is None:
        return ""
    signature = coding.python_signature if language == "python" else coding.javascript_signature
    inside = signature[signature.find("(") + 1: signature.rfind(")")] if "(" in signature else ""
    names = [p.split(":")[0].split("=")[0].strip() for p in inside.split(",") if p.strip()]
    names = [n for n in names if n and n != "self"]
    if not names:
        return f"Write a function called {coding.function_name}."
    args = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Write a function called {coding.function_name} that takes {args}."


def _terms(text: str, echo: str) -> list[str]:
    """Technical terms the candidate used, in the order they said them, not already in the question."""
    lowered_echo = echo.lower()
    found: list[tuple[int, str]] = []
    for match in t.TECH_PHRASES.finditer(text):
        if match.group(0).lower() not in lowered_echo:
            found.append((match.start(), match.group(0).lower()))
    for match in re.finditer(r"[A-Za-z][\w+#./-]*", text):
        word = match.group(0).lower().strip(".,")
        if word in t.TECH_TERMS and word not in lowered_echo and len(word) > 2:
            found.append((match.start(), match.group(0).strip(".,")))
    seen: list[str] = []
    for _, term in sorted(found, key=lambda item: (item[0], -len(item[1]))):
        if not any(term.lower() in s.lower() or s.lower() in term.lower() for s in seen):
            seen.append(term)
    return seen


def acknowledgement(evaluation: dict[str, Any], answer: str, question: Question) -> str:
    """A short reaction that reflects what was said and how well: never praise for a wrong claim."""
    score = float(evaluation.get("score", 0.0))
    if evaluation.get("misconceptions") or evaluation.get("off_topic"):
        return "Okay."
    if question.story:
        structure = evaluation.get("structure") or {}
        if score >= 7.5:
            return "Thanks, that's a clear example."
        if structure and not structure.get("result"):
            return "Okay, thanks."
        return "Thanks for walking me through that."
    terms = _terms(answer, question.text)[:2]
    if terms and score >= 4.0:
        said = terms[0] if len(terms) == 1 else f"{terms[0]} and {terms[1]}"
        said = said[:1].upper() + said[1:]
        return f"{said}, okay." if score < 7.5 else f"{said}. Good."
    if score >= 7.5:
        return "Good, that covers it."
    return "Okay."


_OPENERS = re.compile(r"^(?:(?:okay|ok|so|um+|uh+|well|right|yeah|and|basically)[,\s]+)+", re.IGNORECASE)


def quote(text: str, limit: int = 16) -> str:
    """The candidate's words, short enough to say back: their first sentence without "okay, so", cut at a comma
    when it is long."""
    first = re.split(r"(?<=[.!?])\s+", text.strip())[0].rstrip(".!?")
    first = _OPENERS.sub("", first).strip()
    words = first.split()
    if len(words) <= limit:
        return first
    clause = " ".join(words[:limit])
    cut = clause.rfind(",")
    return clause[:cut] if cut > len(" ".join(words[:5])) else clause
