"""Plain-text analysis of spoken answers: segmentation, specificity cues, negation and rubric phrasing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from prepai_cli.agent.answers import WORD

# Sentence ends; Whisper punctuates, but "\n" also separates the answers of one question joined by the brain.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])|\n+")
# Spoken answers without punctuation arrive as one long "sentence"; windows keep each unit on one idea.
WINDOW_WORDS = 24
WINDOW_STRIDE = 12
LONG_SENTENCE_WORDS = 36
# About five minutes of speech; anything longer is judged on its first part.
MAX_SENTENCES = 80


def words(text: str) -> list[str]:
    return WORD.findall(text)


_FUNCTION_WORDS = frozenset(
    "a an the and or but if so of to in on at by for with from into onto over under about as is are was were be been "
    "being it its this that these those there their they them you your we our i my me he she his her just very really "
    "can could would should will may might must do does did has have had not no never than then also only each every "
    "all any some one which what when where who how because like get gets got make makes use uses used using".split()
)


def _stem(word: str) -> str:
    word = word.lower().strip("'")
    return word[:5] if len(word) > 5 else word


def anchors(claim: str, context: list[str]) -> frozenset[str]:
    """The content words of a wrong claim that the right answer's wording does not share: what a sentence must
    say, in some form, to be making that claim rather than talking about the same thing."""
    known = {_stem(w) for text in context for w in words(text)}
    return frozenset(_stem(w) for w in words(claim)
                     if w.lower() not in _FUNCTION_WORDS and len(w) > 2 and _stem(w) not in known)


def mentions_any(sentence: str, stems: frozenset[str]) -> bool:
    return not stems or any(_stem(w) in stems for w in words(sentence))


def sentences(text: str) -> list[str]:
    parts = [p.strip() for p in _SENTENCE_END.split(text.strip()) if p and p.strip()]
    out: list[str] = []
    for part in parts:
        tokens = part.split()
        if len(tokens) <= LONG_SENTENCE_WORDS:
            out.append(part)
            continue
        for start in range(0, len(tokens) - WINDOW_STRIDE, WINDOW_STRIDE):
            out.append(" ".join(tokens[start : start + WINDOW_WORDS]))
    return out


@dataclass(frozen=True)
class Unit:
    """A span of the answer compared against key points: one sentence, or two neighbours together."""

    text: str
    first: int  # index of its first sentence
    last: int


def units(sents: list[str]) -> list[Unit]:
    # Pairs catch a point made across two sentences ("I used a map. It points at list nodes.").
    singles = [Unit(s, i, i) for i, s in enumerate(sents)]
    pairs = [Unit(f"{a} {b}", i, i + 1) for i, (a, b) in enumerate(zip(sents, sents[1:]))]
    # Singles come first, so a unit's index is its sentence's index for the first len(sents) units.
    return singles + pairs


# ---------------------------------------------------------------- specificity

# "one" is left out: "one time", "in one case" are not quantities.
_NUMBER_WORDS = (
    "two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty "
    "seventy eighty ninety hundred hundreds thousand thousands million millions billion billions trillion half "
    "twice triple"
).split()
NUMBER = re.compile(r"\b\d[\d,.]*\s*(?:%|k|m|x|ms|s|gb|tb|mb|kb)?\b|\$\s?\d|\b(?:" + "|".join(_NUMBER_WORDS) + r")\b",
                    re.IGNORECASE)
UNIT = re.compile(
    r"\b(?:percent|percentage|%|ms|milliseconds?|seconds?|minutes?|hours?|days?|weeks?|months?|quarters?|years?|"
    r"[kmgt]b|bytes?|requests? (?:per|a) (?:second|minute)|rps|qps|tps|dollars?|euros?|pounds?|users?|customers?|"
    r"orders?|nodes?|servers?|regions?|p\d\d|nines)\b|[$€£%]",
    re.IGNORECASE,
)
COMPLEXITY = re.compile(
    r"\bO\s*\(|\bbig[ -]o\b|\b(?:n|k) log (?:n|k)\b|\blog (?:n|k)\b|\bn squared\b|"
    r"\b(?:constant|linear|logarithmic|quadratic|exponential)(?: time| space)?\b|\bamorti[sz]ed\b",
    re.IGNORECASE,
)
# Named technologies and well-known techniques; naming the actual thing is what makes an answer concrete.
TECH_TERMS = frozenset(
    """
    redis memcached kafka kinesis rabbitmq sqs sns eventbridge pub/sub pubsub zookeeper etcd consul postgres postgresql
    mysql aurora dynamodb cassandra mongodb cosmos spanner bigquery bigtable snowflake redshift elasticsearch opensearch
    s3 glacier ec2 lambda fargate ecs eks gke aks kubernetes k8s docker terraform cloudformation helm istio envoy nginx
    haproxy cloudfront cdn route53 iam kms vpc nat alb elb rds efs ebs imds imdsv2 sso oauth jwt saml tls https http grpc
    rest graphql websocket websockets webhooks json protobuf avro parquet spark flink airflow hadoop datadog prometheus
    grafana splunk sentry pagerduty jenkins github gitlab argo canary blue/green feature-flag python java javascript
    typescript golang rust c++ c# kotlin swift react node.js django flask spring hash hashmap heap min-heap max-heap
    trie bfs dfs dijkstra quickselect quicksort mergesort binary-search bloom lru lfu ttl sharding replica replicas
    quorum raft paxos crdt etag etags idempotency idempotent 429 301 302 lua base62 sha256 md5 uuid snowflake-id
    ordereddict dict deque bitmap b-tree lsm wal acid sla slo sli rto rpo azure gcp aws entra keyvault servicebus
    """.split()
)
TECH_PHRASES = re.compile(
    r"\b(?:hash (?:map|table|set)|linked list|binary (?:search|tree)|min heap|max heap|priority queue|token bucket|"
    r"sliding window|fixed window|consistent hashing|read replicas?|multi-az|availability zones?|load balancer|"
    r"instance profile|session token|circuit breaker|exponential backoff|dead letter|two pointers|dynamic programming|"
    r"union find|topological sort|median of medians|a/b test|post-?mortem|runbook|on-call|root cause|rollback|"
    r"rolled (?:it )?back|staged rollout|code review|unit tests?|integration tests?|property-based tests?)\b",
    re.IGNORECASE,
)
# Mid-sentence capitals in a transcript are names: people, products, places, teams.
_PROPER = re.compile(r"(?<=[a-z,;:] )[A-Z][a-zA-Z0-9]+")


@dataclass(frozen=True)
class Specifics:
    numbers: int
    units: int
    complexity: int
    tech: int
    names: int

    @property
    def total(self) -> float:
        # Names are the weakest signal (any capitalised word), so they count half.
        return self.numbers + 0.5 * self.units + self.complexity + self.tech + 0.5 * self.names


def specifics(text: str, echo: str = "") -> Specifics:
    """Counts specific facts in `text`; terms that already appear in `echo` (the question) do not count,
    since repeating the question's own nouns back is not being specific."""
    known = {w.lower().strip(".,;:?") for w in words(echo)}
    echo_lower = echo.lower()
    tokens = {w.lower().strip(".,;:") for w in words(text)}
    tech = len((tokens & TECH_TERMS) - known)
    tech += sum(1 for phrase in TECH_PHRASES.findall(text) if phrase.lower() not in echo_lower)
    numbers = [m for m in NUMBER.findall(text) if m.lower().strip() not in known]
    return Specifics(
        numbers=len(numbers),
        units=len(UNIT.findall(text)),
        complexity=len(COMPLEXITY.findall(text)),
        tech=tech,
        names=len({m for m in _PROPER.findall(text) if m.lower() not in TECH_TERMS and m.lower() not in known}),
    )


def specificity(text: str, word_count: int, echo: str = "") -> float:
    """0-1: specific facts per length, saturating; a long answer needs more of them than a short one."""
    if word_count == 0:
        return 0.0
    needed = max(4.0, word_count / 18.0)
    return round(min(1.0, specifics(text, echo).total / needed), 3)


def concreteness(text: str, echo: str = "") -> float:
    """0-1 for one unit: does this sentence carry at least a couple of specifics?"""
    return min(1.0, specifics(text, echo).total / 2.0)


# ---------------------------------------------------------------- complexity notation

# MiniLM does not know that "O(n squared)" means quadratic; spelling it out lets "O(1) lookup" match
# a key point that says "constant time lookup".
_COMPLEXITY_WORDS = (
    (re.compile(r"O\s*(?:\(|of\s+)\s*1\s*\)?", re.IGNORECASE), "constant time"),
    (re.compile(r"O\s*(?:\(|of\s+)\s*(?:n|k)\s*\)", re.IGNORECASE), "linear time"),
    (re.compile(r"O\s*(?:\(|of\s+)\s*log\s*(?:n|k)\s*\)", re.IGNORECASE), "logarithmic time"),
    (re.compile(r"O\s*(?:\(|of\s+)\s*n\s*log\s*(?:n|k)\s*\)", re.IGNORECASE), "n log n time"),
    (re.compile(r"O\s*(?:\(|of\s+)\s*(?:n\s*\^?\s*2|n\s*squared|n\s*\*\s*n)\s*\)", re.IGNORECASE), "quadratic time"),
    (re.compile(r"n squared", re.IGNORECASE), "quadratic"),
)


def for_embedding(text: str) -> str:
    out = text
    for pattern, words_ in _COMPLEXITY_WORDS:
        out = pattern.sub(lambda m, w=words_: f"{m.group(0)} {w}", out)
    return out


# ---------------------------------------------------------------- negation

NEGATION = re.compile(
    r"\b(?:not|no|never|none|nothing|without|avoid|avoids|instead|rather than|cannot|can't|won't|don't|doesn't|"
    r"didn't|isn't|aren't|wasn't|shouldn't|wouldn't|couldn't|neither|nor)\b|n't\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=16384)
def negated(text: str) -> bool:
    return bool(NEGATION.search(text))


# ---------------------------------------------------------------- contradictions

# Mutually exclusive claims the embedding cannot tell apart ("O(1)" and "O(n)" sentences embed almost
# identically). A sentence that matches a key point but states only a different member of a group
# contradicts it.
EXCLUSIVE_GROUPS: tuple[tuple[tuple[str, re.Pattern[str]], ...], ...] = (
    (
        ("constant", re.compile(r"\bconstant(?:[ -]time| extra space| space| time amortized)\b|\bO\s*(?:\(|of\s+)\s*1\b", re.I)),
        ("logarithmic", re.compile(r"\blogarithmic\b|\bO\s*(?:\(|of\s+)\s*log\b|(?<!n )\blog (?:n|k) (?:time|steps)\b", re.I)),
        ("linear", re.compile(r"\blinear(?: expected| extra| worst[- ]case)? (?:time|space)\b|\bin linear\b|"
                              r"\bO\s*(?:\(|of\s+)\s*(?:n|k|n \+ k)\s*\)?(?!\s*(?:log|\^|squared|\*))", re.I)),
        ("linearithmic", re.compile(r"\bn log (?:n|k)\b", re.I)),
        ("quadratic", re.compile(r"\bquadratic\b|\bn squared\b|\bn\s*\^\s*2\b", re.I)),
    ),
    (
        ("synchronous", re.compile(r"(?<!a)synchronous(?:ly)?\b", re.I)),
        ("asynchronous", re.compile(r"\basynchronous(?:ly)?\b|\basync\b", re.I)),
    ),
    (
        ("singly", re.compile(r"\bsingly\b", re.I)),
        # "prev and next pointers" is how many candidates say doubly linked.
        ("doubly", re.compile(r"\bdoubly\b|\bprev(?:ious)? and next\b|\bnext and prev(?:ious)?\b|\bback pointers?\b",
                              re.I)),
    ),
    (
        ("min-heap", re.compile(r"\bmin[- ]?heap\b", re.I)),
        ("max-heap", re.compile(r"\bmax[- ]?heap\b", re.I)),
    ),
)


@lru_cache(maxsize=16384)
def _claims(text: str) -> list[set[str]]:
    return [{label for label, pattern in group if pattern.search(text)} for group in EXCLUSIVE_GROUPS]


_SMALL_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_COUNTED = re.compile(
    r"\b(\d{1,2}|" + "|".join(_SMALL_NUMBERS) + r")\s+(?:[a-z-]+\s+)?"
    r"(levels|tiers|classes|types|modes|kinds|layers|phases|options|characters|replicas|zones)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=16384)
def _counts(text: str) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for number, noun in _COUNTED.findall(text):
        value = int(number) if number.isdigit() else _SMALL_NUMBERS[number.lower()]
        out.setdefault(noun.lower(), set()).add(value)
    return out


def contradicts(unit: str, key_point: str) -> bool:
    """True when the unit names only alternatives the key point does not: 'constant' vs 'linear' time,
    or a different count of the same thing ('three consistency levels' vs 'five levels')."""
    if any(u and k and not (u & k) for u, k in zip(_claims(unit), _claims(key_point))):
        return True
    unit_counts, kp_counts = _counts(unit), _counts(key_point)
    return any(noun in kp_counts and not (values & kp_counts[noun]) for noun, values in unit_counts.items())


# ---------------------------------------------------------------- stance (behavioural answers)

# Embeddings cannot tell "I take ownership" from "it wasn't my fault": both are about ownership.
# Behavioural red flags about blame and about learning nothing are therefore also matched by the
# standard phrases candidates use for them.
BLAME = re.compile(
    r"\b(?:(?:was ?n'?t|was not|is ?n'?t|not) (?:really |entirely |actually )?my fault|(?:their|his|her|the other team'?s) "
    r"(?:fault|failure|problem|mistake)|(?:should|could) have (?:caught|found|noticed|tested|flagged) (?:it|that|this|the problem)|"
    r"nothing i could(?: have)? (?:do|done)|there was nothing i could|it was (?:really |all )?(?:their|his|her) "
    r"(?:fault|failure|problem)|blame[ds]? (?:the|them|him|her|my)|(?:that|which) was (?:his|her|their) problem|"
    r"(?:it|that|this) (?:was ?n'?t|was not|is ?n'?t|is not) (?:on me|my (?:call|problem|responsibility))|"
    # Pointing at another team or person, or running them down.
    r"(?:was|is) because (?:qa|the qa team|the other team|they|he|she|ops|product|the vendor) (?:missed|forgot|didn'?t|broke)|"
    r"(?:wasn'?t|was not|isn'?t) on (?:the dev|our|my) side|(?:they|he|she) should have (?:fixed|done|known|caught)|"
    r"(?:they|he|she|the \w+ team) (?:were|was|are|is) (?:pretty |totally |completely |just )?(?:useless|incompetent|clueless|lazy)|"
    r"(?:has|have|had) no idea what (?:he'?s|she'?s|they'?re|he was|she was|they were) doing|"
    r"(?:company|team|management|leadership) is (?:a |just |such a )?(?:mess|joke|disaster))\b",
    re.IGNORECASE,
)
NO_LEARNING = re.compile(
    r"\b(?:(?:not much|nothing(?: much)?|not a lot) (?:to learn|i (?:learned|learnt)|learned)|"
    r"would ?n'?t (?:change|do) anything(?: differently)?|would not (?:change|do) anything|"
    r"(?:proved|proves|showed) (?:that )?i was right|i(?:'d| had) been right(?: all along)?|"
    r"(?:shows|showed) (?:that )?i'?m willing to stand up|(?:he|she|they) got over it)\b",
    re.IGNORECASE,
)
_FLAG_BLAME = re.compile(r"\bblam|\bfault\b|no (?:responsibility|ownership)|takes no", re.IGNORECASE)
_FLAG_NO_LEARNING = re.compile(
    r"nothing learned|no (?:result or )?learning|only lesson|(?:cannot|can't) name anything|changed afterwards|"
    r"nothing (?:they )?(?:would )?change", re.IGNORECASE)


def stance_matches(flag: str, sentence: str) -> bool:
    """True when `sentence` voices the blame / nothing-learned stance that the red flag `flag` describes."""
    return bool((_FLAG_BLAME.search(flag) and BLAME.search(sentence))
                or (_FLAG_NO_LEARNING.search(flag) and NO_LEARNING.search(sentence)))


# ---------------------------------------------------------------- rubric phrasing

# Behavioural rubrics describe the answer ("Describes the root cause ...") rather than state a fact.
_RUBRIC_VERBS = {
    "describes": "describe", "explains": "explain", "states": "state", "gives": "give", "names": "name",
    "mentions": "mention", "shows": "show", "quantifies": "quantify", "acknowledges": "acknowledge",
    "translates": "translate", "owns": "own", "admits": "admit", "identifies": "identify", "reflects": "reflect",
    "walks": "walk", "connects": "connect", "lists": "list",
}
_STRIP_LEAD = re.compile(
    r"^(?:describes|explains|states|mentions|shows|quantifies|identifies)\s+"
    r"(?:how\s+)?",
    re.IGNORECASE,
)
_THIRD_TO_FIRST = ((r"\bthey were\b", "I was"), (r"\bthey are\b", "I am"), (r"\bthey\b", "I"), (r"\btheir\b", "my"),
                   (r"\bthemselves\b", "myself"), (r"\bthe candidate\b", "I"))
_THIRD_TO_SECOND = ((r"\bthey\b", "you"), (r"\btheir\b", "your"), (r"\bthem\b", "you"),
                    (r"\bthemselves\b", "yourself"), (r"\bthe candidate\b", "you"))


RUBRIC_CATEGORIES = frozenset({"behavioral", "culture", "cv"})


_HYPOTHETICAL = re.compile(
    r"^\s*(?:what would you do|imagine|suppose|say you|you(?: a|')re|a customer|your (?:team|manager|customer|cio))\b"
    r"|\bhow would you\b",
    re.IGNORECASE,
)
_STORY_PROMPT = re.compile(r"\b(?:tell me about a time|describe a time|give me an example|a time when|walk me through)\b",
                           re.IGNORECASE)


def is_hypothetical(question_text: str) -> bool:
    """'What would you do if ...', 'Imagine I am the CFO ...': answered with a plan, not a story, so there is
    no STAR shape to look for and no past detail to demand."""
    return bool(_HYPOTHETICAL.search(question_text)) and not _STORY_PROMPT.search(question_text)


def is_rubric(text: str, category: str = "") -> bool:
    """Behavioural key points describe the story ("Describes how ..."); technical ones state facts."""
    first = text.split(maxsplit=1)[0].lower() if text.strip() else ""
    return category in RUBRIC_CATEGORIES or first in _RUBRIC_VERBS


_PAST_OR_MODAL = frozenset(
    "kept never cannot can't made took gave went did chose used claimed said ignored blamed escalated relied "
    "forgot stored sorted assumed treated only always".split()
)
_OBJECT_START = frozenset(
    "the a an to their its his her every all each any no only one some that this these those immediately "
    "on in into from with without for as it them him up down over out".split()
)


def _base_verb(word: str) -> str | None:
    """'Sorts' -> 'sort', 'Attaches' -> 'attach', 'Quantifies' -> 'quantify'; None if not a 3rd-person verb."""
    w = word.lower()
    if w in _RUBRIC_VERBS:
        return _RUBRIC_VERBS[w]
    if len(w) < 4 or not w.endswith("s") or w.endswith(("ss", "us", "is", "ics")):
        return None
    if w == "has":
        return "have"
    if w.endswith("ies"):
        return w[:-3] + "y"
    if w.endswith(("ches", "shes", "sses", "xes", "zes")):
        return w[:-2]
    return w[:-1]


def _conjoined_to_first_person(rest: str, *, leading: bool) -> str:
    # Verbs joined to the first one ("... and returns ...", "never considers") take the same person.
    pattern = r"(^|\b(?:and|or|then|but|never|cannot|not|only) )([a-z]+s)\b" if leading else \
        r"(\b(?:and|or|then|but|never|cannot|not|only) )([a-z]+s)\b"
    return re.sub(pattern, lambda m: f"{m.group(1)}{_base_verb(m.group(2)) or m.group(2)}", rest)


def first_person(text: str, *, rubric: bool = True) -> str:
    """A rubric line or red flag in the candidate's own voice.

    'Explains how they responded immediately' -> 'I responded immediately'; 'Sorts the array and
    returns indices' -> 'I sort the array and return indices'. Rubric lines describe an answer from
    outside, while the candidate speaks in the first person about the thing itself, so the evaluator
    compares answers with both wordings and keeps the better match. `rubric` also turns "they" into
    "I", which in a factual sentence would be wrong.
    """
    original = text.strip()
    out = _STRIP_LEAD.sub("", original) if rubric else original
    if out == original:
        head, _, rest = out.partition(" ")
        following = rest.split(maxsplit=1)[0].lower() if rest else ""
        base = _base_verb(head)
        if head.lower() in _PAST_OR_MODAL or (head.lower().endswith("ed") and following in _OBJECT_START):
            out = f"I {head.lower()} {_conjoined_to_first_person(rest, leading=True)}"
        elif base is not None and (following in _OBJECT_START or following.endswith("ing")
                                   or head.lower() in _RUBRIC_VERBS):
            out = f"I {base} {_conjoined_to_first_person(rest, leading=False)}"
    if rubric:
        for pattern, repl in _THIRD_TO_FIRST:
            out = re.sub(pattern, repl, out, flags=re.IGNORECASE)
    return out[:1].upper() + out[1:]


def _second_person(text: str) -> str:
    out = text
    for pattern, repl in _THIRD_TO_SECOND:
        out = re.sub(pattern, repl, out, flags=re.IGNORECASE)
    return out


def _lower_first(text: str) -> str:
    # Keep acronyms and product names ("IAM", "S3", "Redis") as written.
    if len(text) > 1 and (text[1].isupper() or text[1].isdigit()):
        return text
    return text[:1].lower() + text[1:]


_IMPERATIVES = frozenset(
    "add attach avoid choose compare consider keep put require start store use validate check explain describe "
    "measure estimate shard cache partition replicate encrypt".split()
)


def missed_point_suggestion(key_point: str, *, rubric: bool = False) -> str:
    text = key_point.strip().rstrip(".")
    head, _, rest = text.partition(" ")
    lowered = head.lower()
    if lowered in _RUBRIC_VERBS and lowered.endswith("s"):
        return f"You did not {_RUBRIC_VERBS[lowered]} {_second_person(rest)}."
    if rubric:
        return f"Make sure your story covers this: {_lower_first(_second_person(text))}."
    if lowered in _IMPERATIVES:
        return f"You could also {_lower_first(text)}."
    return f"You did not mention that {_lower_first(text)}."


def contradiction_suggestion(key_point: str) -> str:
    return f"Double-check one claim: the expected point is that {_lower_first(key_point.strip().rstrip('.'))}."


def red_flag_suggestion(red_flag: str) -> str:
    return f"One part of your answer sounded like a common mistake: {_lower_first(red_flag.strip().rstrip('.'))}. Double-check it."
