"""STAR structure (situation, task, action, result, measurable result) in a spoken story.

A sentence counts for a part when it has one of the part's cue phrases, or when its embedding is
close to the part's prototype sentences and closer to them than to any other part's.
"""

from __future__ import annotations

import re

import numpy as np

from prepai_cli.agent.evaluator.text import NUMBER

PARTS = ("situation", "task", "action", "result")
STRUCTURE_KEYS = (*PARTS, "measurable_result")

CUES: dict[str, re.Pattern[str]] = {
    "situation": re.compile(
        r"\b(?:at my (?:last|previous|current|first|old) (?:job|company|role|team|employer)|"
        r"(?:last|this|that) (?:year|quarter|month|summer|spring|autumn|winter)|a (?:few|couple of) (?:years|months) ago|"
        r"when i (?:was|worked|joined)|i was (?:working|on|part of|leading|a|an|the)|we were (?:building|running|migrating|"
        r"working|about|rebuilding|launching)|on my (?:last|previous|old|current) team|the (?:situation|context|background) was|"
        r"in my (?:last|previous|current) (?:job|role|company)|at (?:my )?previous company|at (?:a|an) [\w-]+ (?:company|startup|bank))",
        re.IGNORECASE,
    ),
    "task": re.compile(
        r"\b(?:my (?:task|job|goal|responsibility|role|assignment|mission) was|i was (?:asked|responsible|tasked|"
        r"supposed|expected|hired) (?:to|for)|i (?:needed|had) to|the (?:goal|task|challenge|problem) was|we (?:needed|had) to|"
        r"i owned|i was in charge|it was my job|i had been asked)\b",
        re.IGNORECASE,
    ),
    "action": re.compile(
        r"\bi (?:then |first |also |immediately |personally )?(?:decided|proposed|built|wrote|set up|created|organi[sz]ed|led|"
        r"ran|added|rolled|posted|implemented|scheduled|asked|volunteered|moved|changed|introduced|talked|spoke|met|"
        r"reached out|suggested|presented|designed|fixed|migrated|automated|analy[sz]ed|investigated|started|took|"
        r"called|booked|drafted|paired|prototyped|measured|benchmarked|escalated|convinced|gathered|collected|"
        r"reviewed|refactored|documented|mentored|shipped|negotiated|prioriti[sz]ed|split|cut|wrote up|went|told|"
        r"explained|pushed|insisted|owned|kept|made|tried|worked|replaced|removed|deployed|released|tested)\b"
        # Any other first-person past tense of a regular verb ("I profiled", "I lazy-loaded").
        r"|\bi (?:then |first |also |immediately |personally |quickly )?(?!needed\b|wanted\b|hoped\b|liked\b)"
        r"[a-z-]+ed\b",
        re.IGNORECASE,
    ),
    "result": re.compile(
        r"\b(?:as a result|in the end|the (?:result|outcome|impact) was|eventually|ended up|(?:which|that) (?:led|meant|"
        r"resulted)|we (?:shipped|launched|delivered|hit|met|reduced|cut|saved|improved|increased|finished)|"
        r"it (?:worked|paid off)|since then|afterwards|the (?:project|launch|migration) (?:shipped|succeeded|went)|"
        r"(?:reduced|cut|improved|increased|dropped|saved|grew|went (?:down|up|back)|fell|rose|doubled|halved) "
        r"(?:by|from|to)|what i learned|i learned|(?:showed|shows) (?:a |an )?\d|(?:went|came|got it) (?:down |up )?"
        r"from \S+ (?:\w+ )?to|(?:lift|drop|increase|reduction|improvement) (?:in|of)|went live|"
        r"(?:we|they|the team) (?:went with|chose|picked|agreed on|adopted|kept|switched)|"
        r"(?:it's|it has|it had|that's|has) been (?:running|working|stable|in production)|"
        r"(?:was|got|were) (?:adopted|approved|merged|accepted|rolled out|fixed|resolved)|"
        r"(?:by|at) the end of|(?:a|two|three|a few|some) (?:days|weeks|months) later|"
        r"(?:never|didn't) (?:happened|come back|recurred) again|(?:the|our) team now)\b",
        re.IGNORECASE,
    ),
}

# Looking back: what the candidate learned or would do differently. Interviewers weigh it heavily in a story,
# and a story without it ("I've never really failed") is a warning sign, so it is its own signal.
LESSON = re.compile(
    r"\b(?:what i (?:took away|learned|learnt|realised|realized|took from)|i (?:learned|learnt|realised|realized)|"
    r"(?:the|my|a|big|biggest|main|key) (?:lesson|takeaway)|next time|in hindsight|looking back|i should have|"
    r"(?:it )?taught me|i now (?:always|make|ask|start|write|check)|these days i|since then i|"
    r"i(?:'d| would) (?:do it|have|book|start|ask|push|involve|raise|write|check|spend)|"
    r"(?:if|when) i did it again|i changed how i)\b",
    re.IGNORECASE,
)
# Key points (rubric lines) that ask for a facet any story can show, whatever its topic.
LESSON_POINT = re.compile(r"\b(?:learn\w*|lessons?|reflects?|reflection|differently|next time|take ?aways?)\b",
                          re.IGNORECASE)
OUTCOME_POINT = re.compile(r"\b(?:outcome|results?|impact|what happened|measurable|afterwards)\b", re.IGNORECASE)

# Prototype sentences per part, in the first-person voice of a spoken story.
PROTOTYPES: dict[str, tuple[str, ...]] = {
    "situation": (
        "At my previous company I was working on the payments team and we had a problem.",
        "The context was that our team was migrating a large system under time pressure.",
    ),
    "task": (
        "My responsibility was to fix it and deliver the feature by the deadline.",
        "I was asked to own the project and make a decision.",
    ),
    "action": (
        "So I wrote a proposal, talked to each person and built a prototype to test it.",
        "I set up a meeting, gathered the data and rolled out the change step by step.",
    ),
    "result": (
        "In the end the project shipped on time and the problem went away.",
        "As a result we reduced errors and the team adopted the new process.",
    ),
}


def part_labels(sentences: list[str], vectors: np.ndarray, prototypes: dict[str, np.ndarray],
                threshold: float) -> list[set[str]]:
    """Which STAR parts each sentence expresses."""
    names = list(PARTS)
    # Best similarity of each sentence to each part's prototypes: [n_sentences, 4].
    sims = np.stack([(vectors @ prototypes[name].T).max(axis=1) for name in names], axis=1) if len(sentences) else \
        np.zeros((0, len(names)))
    labels: list[set[str]] = []
    for i, sentence in enumerate(sentences):
        found = {name for name in names if CUES[name].search(sentence)}
        if len(sims):
            best = int(np.argmax(sims[i]))
            if sims[i, best] >= threshold:
                found.add(names[best])
        labels.append(found)
    return labels


def structure(sentences: list[str], labels: list[set[str]]) -> dict[str, bool]:
    found = {name: any(name in parts for parts in labels) for name in PARTS}
    # A measurable result is a result sentence, or anything after the first action, that carries a quantity.
    first_action = next((i for i, parts in enumerate(labels) if "action" in parts), None)
    measurable = any(
        NUMBER.search(sentence) and ("result" in parts or (first_action is not None and i > first_action))
        for i, (sentence, parts) in enumerate(zip(sentences, labels))
    )
    found["measurable_result"] = bool(measurable and found["result"])
    return found


def facets(sentences: list[str], labels: list[set[str]]) -> frozenset[str]:
    """Story facets shown anywhere in the story: 'outcome' (a result part) and 'lesson' (looking back)."""
    found = set()
    if any("result" in parts for parts in labels):
        found.add("outcome")
    if any(LESSON.search(sentence) for sentence in sentences):
        found.add("lesson")
    return frozenset(found)


def point_facet(key_point_text: str) -> str | None:
    """The facet a rubric line asks for, when it asks for one ('Reflects on what they learned' -> 'lesson')."""
    if LESSON_POINT.search(key_point_text):
        return "lesson"
    if OUTCOME_POINT.search(key_point_text):
        return "outcome"
    return None
