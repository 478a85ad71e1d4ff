"""Which brain a run gets, and that an offline run never loads the AWS code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from prepai_cli.agent.bedrock_agent import BedrockAgentBrain
from prepai_cli.agent.bedrock_converse import BedrockConverseBrain
from prepai_cli.agent.factory import FallbackBrain, build_brain
from prepai_cli.bank import QuestionBank
from prepai_cli.config import Settings
from prepai_cli.errors import PrepAIError

ROOT = Path(__file__).resolve().parents[2]


def test_offline_run_loads_no_aws_code() -> None:
    code = ("import sys\n"
            "from prepai_cli.agent import factory\n"
            "factory.LazyEvaluator = lambda: (lambda: None)  # no model load: only the imports matter here\n"
            "from prepai_cli.bank import load_bank\n"
            "from prepai_cli.config import Settings\n"
            "brain = factory.build_brain(Settings(brain='offline'), load_bank())\n"
            "print(brain.name, sorted(m for m in sys.modules if m.startswith(('boto', 'prepai_cli.agent.aws'))))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "offline []"


class NoModel:
    """Stands in for LazyEvaluator: nothing to load, nothing to wait for."""

    def __call__(self) -> None:
        return None

    def settle(self) -> None:
        return None


@pytest.fixture(autouse=True)
def no_model_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building a brain starts loading the embedding model in the background; these tests never score an answer."""
    monkeypatch.setattr("prepai_cli.agent.factory.LazyEvaluator", NoModel)


def test_cloud_brains_and_the_fallback(bank: QuestionBank) -> None:
    agent = Settings(brain="bedrock-agent", aws={"agent_id": "A1", "agent_alias_id": "B2", "region": "us-east-1"})
    assert isinstance(build_brain(agent, bank), BedrockAgentBrain)
    assert isinstance(build_brain(Settings(brain="bedrock"), bank), BedrockConverseBrain)
    wrapped = build_brain(agent, bank, fallback="offline")
    assert isinstance(wrapped, FallbackBrain) and wrapped.name == "bedrock-agent"


def test_agent_brain_without_an_agent_is_one_clear_line(bank: QuestionBank) -> None:
    with pytest.raises(PrepAIError) as raised:
        build_brain(Settings(brain="bedrock-agent"), bank)
    assert "\n" not in str(raised.value) and "--agent-id" in str(raised.value)


def test_agentcore_brain_gets_the_candidate_as_memory_actor(bank: QuestionBank) -> None:
    from prepai_cli.agent.agentcore import AgentCoreBrain

    harness = "arn:aws:bedrock-agentcore:us-east-1:123456789012:harness/prepai_interviewer-Ab12Cd34Ef"
    brain = build_brain(Settings(brain="agentcore", candidate="ada", aws={"harness_arn": harness}), bank)
    assert isinstance(brain, AgentCoreBrain) and brain._actor_id == "ada"
    with pytest.raises(PrepAIError, match="prepai infra deploy"):
        build_brain(Settings(brain="agentcore"), bank)
