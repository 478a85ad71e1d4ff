"""Real boto3 clients against a local scripted server, with dummy credentials and no real AWS config in reach."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from prepai_cli.agent.bank_match import AnswerJudge, QuestionMatcher
from prepai_cli.bank import Question, QuestionBank
from prepai_cli.config import AWSSettings
from .fake_aws import FakeAws

_AWS_VARS = (
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_REGION",
    "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_BEDROCK", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
    "AWS_ENDPOINT_URL_BEDROCK_AGENT", "AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME", "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL",
    "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
)


@pytest.fixture
def isolated_aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No AWS settings from the machine: empty config/credentials files, no instance metadata lookups."""
    for name in _AWS_VARS:
        monkeypatch.delenv(name, raising=False)
    config, credentials = tmp_path / "aws-config", tmp_path / "aws-credentials"
    config.write_text("")
    credentials.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    return tmp_path


@pytest.fixture
def fake_aws(isolated_aws: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAws]:
    server = FakeAws().start()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    for service in ("BEDROCK_AGENT_RUNTIME", "BEDROCK_RUNTIME", "BEDROCK", "BEDROCK_AGENT", "STS", "BEDROCK_AGENTCORE",
                    "BEDROCK_AGENTCORE_CONTROL"):
        monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service}", server.url)
    yield server
    server.stop()


@pytest.fixture
def agent_settings() -> AWSSettings:
    return AWSSettings(region="us-east-1", agent_id="AGENT12345", agent_alias_id="ALIAS12345")


HARNESS_ARN = "arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/prepai_interviewer-Ab12Cd34Ef"
GATEWAY_ARN = "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/prepai-tools-ab12cd34ef"


@pytest.fixture
def harness_settings() -> AWSSettings:
    return AWSSettings(region="us-east-1", harness_arn=HARNESS_ARN, harness_endpoint="live", gateway_arn=GATEWAY_ARN)


@pytest.fixture
def converse_settings() -> AWSSettings:
    return AWSSettings(region="us-east-1", model_id="anthropic.claude-3-5-haiku-20241022-v1:0")


@dataclass
class WordCountEvaluation:
    score: float
    missed: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        return {"score": self.score, "missed": self.missed, "suggestions": self.suggestions}


class WordCountEvaluator:
    """Stands in for the embedding evaluator: scores by length and records what it was asked to score."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def evaluate(self, question: Question, answer: str, *, star: bool) -> WordCountEvaluation:
        self.calls.append((question.id, answer))
        return WordCountEvaluation(score=min(10.0, len(answer.split()) / 2))


@pytest.fixture
def evaluator() -> WordCountEvaluator:
    return WordCountEvaluator()


@pytest.fixture
def judge(bank: QuestionBank, evaluator: WordCountEvaluator) -> AnswerJudge:
    return AnswerJudge(bank, lambda: evaluator, QuestionMatcher(bank))
