"""Words to bias speech recognition towards: an interview type's technical terms.

Whisper-tiny hears "Kubernetes" as "Cuba needs" and "dead letter queue" as "ant ladder Q" unless the words are in
its prompt. The question's key points are the strongest bias (interview/voice.py); these terms widen it to what a
candidate may bring up anywhere in that type of interview: the names and acronyms the type's own questions use,
plus a short list of general terms that tiny.en was measured to mishear (bench/stt_wer.py).
"""

from __future__ import annotations

import re
from collections import Counter

from prepai_cli.bank import QuestionBank

# Misheard by tiny.en on espeak-ng and Piper voices in bench/stt_wer.py's answers, or common in technical answers.
GENERAL_TERMS = (
    "Kubernetes", "Docker", "PostgreSQL", "MySQL", "Redis", "Kafka", "gRPC", "JSON", "SQL", "NoSQL", "API",
    "idempotent", "sharding", "replicas", "latency", "throughput", "p99", "logarithmic", "amortized", "hash map",
    "binary search", "linked list", "heap", "dead letter queue", "cache", "load balancer", "microservices",
    "big O", "n log n", "quickselect", "BFS", "DFS",
)
_TECHNICAL = re.compile(r"^(?:[A-Z]{2,}[a-z]*s?|[A-Za-z]+\d+[A-Za-z]*|[A-Z][a-z]+[A-Z][A-Za-z]*)$")
_MAX_TYPE_TERMS = 40


def _type_terms(bank: QuestionBank, slug: str) -> tuple[str, ...]:
    counts: Counter[str] = Counter()
    for question in bank.questions(slug):
        texts = [question.text, question.topic, *(kp.text for kp in question.key_points)]
        for word in re.findall(r"[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]", " ".join(texts)):
            if _TECHNICAL.match(word):
                counts[word] += 1
    terms: dict[str, str] = {}
    for word, _ in counts.most_common():
        terms.setdefault(word.lower(), word)  # "S3" and "s3" once, the commoner spelling
    return tuple(terms.values())[:_MAX_TYPE_TERMS]


def interview_terms(bank: QuestionBank | None, slug: str | None) -> tuple[str, ...]:
    """The type's names and acronyms (DynamoDB, S3, IAM, …), most used first, then the general terms."""
    found = _type_terms(bank, slug) if bank is not None and slug and slug in bank.slugs else ()
    seen = {t.lower() for t in found}
    return found + tuple(t for t in GENERAL_TERMS if t.lower() not in seen)
