"""Behaviours an interviewer weighs in a story whatever its shape: blame, heroics, skipped safeguards,
going around the manager, "I never fail", all "we" and no "I".

A perfectly structured STAR story about working 80-hour weeks and skipping code review is a red flag to
any bar raiser; structure detection alone rewards it. These are the phrases candidates actually use for
each behaviour, so the report can quote the sentence that showed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from prepai_cli.agent.evaluator.text import BLAME, NO_LEARNING, words


@dataclass(frozen=True)
class Behaviour:
    name: str
    # How the report and the suggestions name it.
    label: str
    advice: str
    pattern: re.Pattern[str] | None = None
    # A failure story may honestly include the behaviour ("we skipped the tests, and that was my mistake"):
    # told as a mistake it shows ownership, not a red flag.
    excused_as_mistake: bool = False


BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour(
        "blame", "blames others for the problem",
        "Own your part of the problem instead of pointing at others; interviewers listen for ownership.",
        pattern=BLAME,
    ),
    Behaviour(
        "no_learning", "names nothing learned",
        "Close with what you learned and what you changed afterwards.",
        pattern=NO_LEARNING,
    ),
    Behaviour(
        "heroics", "relies on heroics such as working nights or 80-hour weeks",
        "Heroics are not a plan: talk about how you fixed the cause so nobody had to work nights again.",
        excused_as_mistake=True,
        pattern=re.compile(
            r"\b(?:\d{2,3}|sixty|seventy|eighty|ninety|hundred)[- ]hours?(?: a| per| every)? ?weeks?\b|"
            r"\b(?:\d{2,3}|sixty|seventy|eighty|ninety)[- ]hour (?:work ?)?weeks?\b|"
            r"\ball[- ]nighters?\b|\b(?:worked|working|coded|stayed) (?:through|all) (?:the )?(?:night|nights|weekend|weekends)\b|"
            r"\bevery (?:night|weekend) (?:for|until)\b|\bdidn'?t (?:sleep|go home)\b|\baround the clock\b|"
            r"\bno sleep\b|\bskipped (?:my )?(?:vacation|holiday|weekends?)\b",
            re.IGNORECASE,
        ),
    ),
    Behaviour(
        "skipped_safeguards", "skips code review, testing or other safeguards",
        "Skipping review or tests to go faster is a red flag; say how you kept quality while moving fast.",
        excused_as_mistake=True,
        pattern=re.compile(
            r"\b(?:skip(?:ped|ping)?|bypass(?:ed|ing)?|ignor(?:ed|ing)|didn'?t (?:bother with|do|wait for|need)|without)"
            r"\s+(?:any\s+|a\s+|the\s+)?(?:code\s+)?(?:reviews?|tests?|testing|qa|approvals?|sign[- ]off)\b|"
            r"\bpushed (?:it )?(?:straight|directly) (?:to|into) (?:prod|production|main|master)\b|"
            r"\b(?:no|didn'?t have) time (?:for|to write) (?:tests?|reviews?|code reviews?)\b|"
            r"\bturned off (?:the )?(?:tests|alerts|checks)\b|"
            r"\bdidn'?t bother (?:going through|with|getting|waiting for|asking for) (?:their |the |a |any )?(?:code )?"
            r"(?:reviews?|approvals?|tests?|sign[- ]off)\b|"
            r"\b(?:merged|pushed|deployed) it (?:myself )?(?:with|using) my admin (?:rights|access)\b|\bforce[- ](?:pushed|merged)\b",
            re.IGNORECASE,
        ),
    ),
    Behaviour(
        "went_around", "keeps the manager or stakeholders in the dark",
        "Keep your manager and stakeholders informed; going it alone reads as poor judgement, not initiative.",
        excused_as_mistake=True,
        pattern=re.compile(
            r"\b(?:didn'?t|did not|never) (?:bother|tell|inform|loop in|involve|ask|update|warn)(?:ing)? "
            r"(?:my |the )?(?:manager|boss|lead|team lead|stakeholders?|customer|anyone|anybody)\b|"
            r"\bwithout (?:telling|asking|informing) (?:my |the )?(?:manager|boss|lead|anyone|anybody|the team)\b|"
            r"\bkept it (?:to myself|quiet|secret)\b|\bhid (?:it|the \w+) from\b",
            re.IGNORECASE,
        ),
    ),
    Behaviour(
        "escalated_first", "escalates or overrules instead of working it out",
        "Talk it through with the person first; escalate only when that fails, and say what you tried.",
        excused_as_mistake=True,
        pattern=re.compile(
            r"\bwent (?:straight|directly|right) (?:to|over (?:his|her|their) head to) (?:my |our |the )?"
            r"(?:manager|boss|director|vp|lead)\b|"
            r"\basked (?:her|him|them|my manager|our manager) to overrule\b|\bgot (?:my|our|the) manager to overrule\b|"
            r"\b(?:told|showed) (?:him|her|them) (?:his|her|their) (?:approach|idea|design|code) was (?:wrong|bad|stupid)\b",
            re.IGNORECASE,
        ),
    ),
    Behaviour(
        "never_failed", "claims never to have made a mistake",
        "Everyone has failed at something: pick a real mistake, own it and say what you changed.",
        pattern=re.compile(
            r"\b(?:i(?:'ve| have)? )?never (?:really )?(?:made|make|had) (?:a |any )?(?:real )?(?:mistakes?|failures?)\b|"
            r"\bi(?:'ve| have)? never (?:really )?(?:broken|broke|failed|missed a deadline)\b|"
            r"\b(?:can'?t|cannot) (?:really )?think of (?:a|any) (?:time|failure|mistake)\b|"
            r"\bi don'?t (?:really )?(?:fail|make mistakes)\b",
            re.IGNORECASE,
        ),
    ),
    Behaviour(
        "took_credit", "takes credit for the team's work",
        "Give the team its credit and be precise about your own part.",
        pattern=re.compile(r"\btook (?:all )?(?:the )?credit\b|\bit was all (?:me|my idea|my doing)\b|\bi did (?:it )?all (?:of it )?myself\b",
                   re.IGNORECASE),
    ),
)

_WE = re.compile(r"\b(?:we|we're|we've|we'd|our|us)\b", re.IGNORECASE)
_I = re.compile(r"\b(?:i|i'm|i've|i'd|my|me|myself)\b", re.IGNORECASE)
# A story of this length with no "I" at all does not tell the interviewer what the candidate did.
WE_NOT_I_MIN_WORDS = 50

WE_NOT_I = Behaviour(
    "we_not_i", "says only what the team did, never what you did",
    "Say what you did yourself: use I for your own actions, and we only for the team's.",
)


@dataclass(frozen=True)
class BehaviourHit:
    behaviour: Behaviour
    sentence: str


# "I would never skip code review" rejects the behaviour it names.
_REJECTS = re.compile(r"\b(?:never|wouldn'?t|won'?t|refuse[sd]?|insist(?:ed|s)?|always)\b", re.IGNORECASE)
_TOLD_AS_MISTAKE = re.compile(
    r"\b(?:mistake|shouldn'?t have|should not have|in hindsight|looking back|lesson|regret|never again|wrong call|"
    r"my fault|on me|i own(?:ed)? (?:it|that)|bad (?:call|decision))\b",
    re.IGNORECASE,
)


def _shows(behaviour: Behaviour, sentences: list[str], i: int) -> bool:
    assert behaviour.pattern is not None
    match = behaviour.pattern.search(sentences[i])
    if match is None:
        return False
    if behaviour.name != "went_around" and _REJECTS.search(sentences[i][: match.start()]):
        return False
    if behaviour.excused_as_mistake and any(_TOLD_AS_MISTAKE.search(s) for s in sentences[i : i + 4]):
        return False
    return True


def behaviour_hits(sentences: list[str]) -> list[BehaviourHit]:
    """The behaviours a story shows, each with the first sentence that shows it."""
    hits: list[BehaviourHit] = []
    for behaviour in BEHAVIOURS:
        index = next((i for i in range(len(sentences)) if _shows(behaviour, sentences, i)), None)
        if index is not None:
            hits.append(BehaviourHit(behaviour, sentences[index]))
    text = " ".join(sentences)
    we, i = len(_WE.findall(text)), len(_I.findall(text))
    if len(words(text)) >= WE_NOT_I_MIN_WORDS and we >= 4 and i <= max(1, we // 6):
        hits.append(BehaviourHit(WE_NOT_I, next((s for s in sentences if _WE.search(s)), sentences[0])))
    return hits
