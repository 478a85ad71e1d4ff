"""The local LLM brain against a local server speaking the OpenAI streaming protocol, through the real client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from prepai_cli.agent.bank_match import AnswerJudge
from prepai_cli.agent.local_servers import ContextInfo
from prepai_cli.agent.openai_compat import LocalTarget, OpenAICompatBrain
from prepai_cli.bank import QuestionBank
from prepai_cli.config import LocalLLMSettings
from tests.bedrock.conftest import evaluator, judge  # noqa: F401 - the same word-count rubric as the cloud tests

from .fake_openai import MODEL, FakeOpenAI, ollama_routes


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    """An Ollama-like server with one model loaded; tests script its chat replies with `expect`."""
    server = FakeOpenAI(routes=ollama_routes(MODEL)).start()
    yield server
    server.stop()


@pytest.fixture
def local_settings(fake_llm: FakeOpenAI) -> LocalLLMSettings:
    return LocalLLMSettings(base_url=fake_llm.base_url, model=MODEL, judge=False)


def make_brain(settings: LocalLLMSettings, bank: QuestionBank, judge: AnswerJudge, tools=None, **kwargs) -> OpenAICompatBrain:
    return OpenAICompatBrain(settings, bank, judge, tools, **kwargs)


def target_for(server: FakeOpenAI, tokens: int | None = 8192) -> LocalTarget:
    from prepai_cli.agent.local_servers import probe

    info = probe(server.base_url)
    assert info is not None
    return LocalTarget(server=info, model=MODEL, context=ContextInfo(tokens=tokens, source="test"))


@pytest.fixture
def canned_llm(fake_llm: FakeOpenAI):
    """`canned_llm(replies, verdict=...)` makes the fake server a scripted local model: the interviewer's replies in
    order (as JSON in JSON mode), the judge's verdicts from the request. For whole-interview suites (personas)."""
    from .canned import CannedLLM

    def make(replies: list[str], **kwargs) -> CannedLLM:
        canned = CannedLLM(replies, **kwargs)
        fake_llm.responder = canned
        return canned

    return make
