"""Recognising answers that are not answers ("I don't know", "pass"). Shared by the evaluator, which scores them
0, and the offline brain, which offers a hint; kept free of heavy imports so the brain can use it at start-up."""

from __future__ import annotations

import re

WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'._%$/+-]*")

_NO_ANSWER = re.compile(
    r"^\W*(?:(?:um+|uh+|hmm+|well|so|sorry|honestly|okay|ok)\W+)*"
    r"(?:i\s*(?:do\s*n[o']?t|dunno|don'?t|have\s+no|really\s+don'?t)\s*(?:know|idea|clue|remember|recall)"
    r"|no\s+(?:idea|clue)|not\s+sure|i'?m\s+(?:not\s+sure|stuck|lost|blank)|i\s+(?:can'?t|cannot)\s+(?:remember|recall|answer)"
    r"|(?:i'?ll\s+)?pass|skip(?:\s+this)?|next\s+question|nothing|no)\b",
    re.IGNORECASE,
)
# Past this length "I don't know the exact figure, but ..." is an answer, not a non-answer (the same
# cut-off the offline brain uses to decide the candidate is stuck).
NO_ANSWER_MAX_WORDS = 8


def is_non_answer(text: str) -> bool:
    count = len(WORD.findall(text))
    if count == 0:
        return True
    return count <= NO_ANSWER_MAX_WORDS and bool(_NO_ANSWER.match(text.strip()))
