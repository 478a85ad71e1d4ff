"""Biasing speech recognition towards the interview's technical words."""

from __future__ import annotations

import pytest

from prepai_cli.audio.vocabulary import GENERAL_TERMS, interview_terms
from prepai_cli.bank import QuestionBank
from prepai_cli.interview.io import AnswerContext
from prepai_cli.interview.voice import _DISFLUENT_PRIMER, build_prompt


def test_a_types_terms_come_from_its_own_questions(bank: QuestionBank) -> None:
    aws = interview_terms(bank, "aws-solutions-architect")
    assert {"DynamoDB", "S3", "IAM"} <= set(aws)
    assert aws.index("DynamoDB") < aws.index("Kubernetes"), "the type's own words come first"
    assert len({t.lower() for t in aws}) == len(aws)
    assert interview_terms(bank, "behavioral") == GENERAL_TERMS
    assert interview_terms(None, None) == GENERAL_TERMS


def test_terms_lead_the_prompt_and_give_way_first() -> None:
    context = AnswerContext("Design a rate limiter for a public API.", "sd-rate-limiter", "question",
                            ("Token bucket per client.",))
    prompt = build_prompt(context, ("Redis", "Kafka"))
    assert prompt.startswith("Redis, Kafka.") and prompt.endswith(_DISFLUENT_PRIMER)
    assert prompt.index("Token bucket") < prompt.index("Design a rate limiter")
    crowded = build_prompt(context, tuple(f"Term{i}" for i in range(400)))
    assert "Design a rate limiter" in crowded and "Term0," not in crowded


@pytest.mark.slow
@pytest.mark.parametrize("text, word", [
    ("Binary search over the sorted array takes logarithmic time.", "logarithmic"),
    ("We cache the results in Redis and stream the events through Kafka.", "redis"),
])
def test_the_terms_fix_words_tiny_mishears(speak, recognizer, text: str, word: str) -> None:
    clip = speak(text, "en-us")
    context = AnswerContext("How would you run this in production?", None, "question")
    plain = recognizer.transcribe(clip, prompt=build_prompt(context)).text
    biased = recognizer.transcribe(clip, prompt=build_prompt(context, GENERAL_TERMS)).text
    assert word not in plain.lower(), plain
    assert word in biased.lower(), biased
