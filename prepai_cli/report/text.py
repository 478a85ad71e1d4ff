"""Word-level text helpers for the insights: tokens, stopwords and a light normalisation for matching."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9+#'-]*[A-Za-z0-9+#]|[A-Za-z0-9]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")

STOPWORDS = frozenset("""
a about above after again against all almost also although always am among an and another any anyone anything are
aren't around as at away back be because been before being below between both but by can can't cannot could couldn't
did didn't do does doesn't doing don't done down during each either else enough even ever every everything few first
for from further get gets getting go goes going got had hadn't has hasn't have haven't having he her here hers herself
him himself his how however i i'd i'll i'm i've if in into is isn't it it's its itself just know last later least
less let let's like lot lots made make makes making many may maybe me might mine more most much must my myself near
need needs never new next no nor not nothing now of off often on once one ones only onto or other others our ours
ourselves out over own per perhaps put quite rather really right said same say says see seen several shall she should
shouldn't since so some someone something sometimes still such sure take takes than that that's the their theirs them
themselves then there there's these they they're thing things think this those though through thus till to together
too took toward towards two under until up upon us use used uses using very via want wanted was wasn't way ways we
we'd we'll we're we've well went were weren't what what's whatever when where whether which while who whom whose why
will with within without won't would wouldn't yes yet you you'd you'll you're you've your yours yourself yourselves
""".split())

# Words the rubric uses to describe an answer ("Describes a specific situation") rather than the job's vocabulary.
RUBRIC_WORDS = frozenset("""
answer approach candidate clear clearly concrete correct correctly describe described describes description detail
details example examples explain explained explains explanation give gives given good mention mentioned mentions
names note notes point points reason reasons shows show state states strong talk talks touch understand understanding
whole instead rather versus vs able already across actual actually based better cost costs specific specifically
time times small chose choose chosen kind part real someone something often first later thing
""".split())

FILLER_WORDS = frozenset("um uh erm er ah hmm like basically actually literally so okay ok yeah kinda sorta".split())


def tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def normalise(token: str) -> str:
    """Folds simple plurals so "queues" in an answer matches "queue" in a key point."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def is_content_word(token: str) -> bool:
    if token in STOPWORDS or token in RUBRIC_WORDS or token in FILLER_WORDS:
        return False
    # Short words are mostly noise, except acronyms and names with digits (S3, EC2, SQL).
    return len(token) >= 4 or any(c.isdigit() for c in token) or token in {"sql", "api", "cpu", "xor", "dns", "cdn"}


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]
