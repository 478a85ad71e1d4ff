"""Finding the user's server on its usual port, choosing a model, and `prepai doctor --brain local`."""

from __future__ import annotations

import pytest

from prepai_cli.agent.local_servers import ServerInfo, choose_model, context_window, discover
from prepai_cli.errors import PrepAIError
from tests.bedrock.test_doctor import run

from .fake_openai import MODEL, FakeOpenAI, Reply, models_listing, ollama_routes
from .test_errors import free_port

pytestmark = pytest.mark.llm

LLAMA_CPP_MODEL = "qwen2.5-1.5b-instruct-q4_k_m.gguf"


def llama_cpp_routes(n_ctx: int = 4096) -> dict:
    return {"/v1/models": Reply(200, models_listing(LLAMA_CPP_MODEL)),
            "/props": Reply(200, {"default_generation_settings": {"n_ctx": n_ctx}, "total_slots": 1})}


@pytest.fixture
def llama_cpp() -> FakeOpenAI:
    server = FakeOpenAI(routes=llama_cpp_routes()).start()
    yield server
    server.stop()


def test_discovery_probes_the_usual_ports_and_tells_servers_apart(fake_llm: FakeOpenAI, llama_cpp: FakeOpenAI) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"
    found = discover((("LM Studio", nobody), ("Ollama", fake_llm.url), ("llama.cpp", llama_cpp.url)))
    assert [(s.kind, s.base_url, s.models) for s in found] == [
        ("Ollama", fake_llm.base_url, [MODEL]), ("llama.cpp", llama_cpp.base_url, [LLAMA_CPP_MODEL])]
    assert found[0].version == "0.13.0" and found[0].loaded == [MODEL]
    assert context_window(found[0], MODEL).tokens == 8192
    assert context_window(found[1], LLAMA_CPP_MODEL).tokens == 4096
    # A server on another's usual port is known by its own endpoints, not by the port.
    (moved,) = discover((("Ollama", llama_cpp.url),))
    assert moved.kind == "llama.cpp"


def test_model_choice() -> None:
    server = ServerInfo(kind="Ollama", root_url="http://h", base_url="http://h/v1",
                        models=["nomic-embed-text:latest", "llama3.2:latest", "qwen3:8b"], loaded=["qwen3:8b"])
    assert choose_model(server, None) == "qwen3:8b"  # the one in memory answers at once
    assert choose_model(server.model_copy(update={"loaded": []}), None) == "llama3.2:latest"  # never an embedder
    assert choose_model(server, "llama3.2") == "llama3.2:latest"
    with pytest.raises(PrepAIError, match="has no chat model"):
        choose_model(server.model_copy(update={"models": ["nomic-embed-text:latest"]}), None)


def test_doctor_with_ollama(fake_llm: FakeOpenAI) -> None:
    code, output = run("--brain", "local", "--base-url", fake_llm.base_url)
    assert code == 0, output
    lines = output.strip().splitlines()
    assert lines[0].startswith("✓ sandbox:")  # doctor checks the code sandbox first, whatever the brain
    lines = lines[lines.index("Checking the local brain"):]
    assert lines[1] == f"✓ server: Ollama 0.13.0 at {fake_llm.base_url}, 1 model"
    assert lines[2] == f"✓ model: {MODEL} (loaded), context 8192 tokens (Ollama /api/ps (loaded model))"
    assert lines[3] == f"✓ tool calls: {MODEL} calls tools (Ollama says so)"
    assert fake_llm.chat_requests() == []  # Ollama answers all three without generating anything


def test_doctor_with_a_small_context_and_no_tool_calls(llama_cpp: FakeOpenAI) -> None:
    llama_cpp.expect(Reply.error(500, "tools param requires --jinja flag", "server_error"))
    code, output = run("--brain", "openai-compatible", "--base-url", llama_cpp.url)
    assert code == 0, output
    assert f"✓ server: llama.cpp at {llama_cpp.base_url}, 1 model" in output
    assert (f"✓ model: {LLAMA_CPP_MODEL} (loaded), context 4096 tokens (llama.cpp /props); warning: the model's "
            "context is 4096 tokens") in output
    assert "start llama-server with -c 8192" in output
    assert ("✓ tool calls: the server refused tools (llama.cpp failed to answer (500: tools param requires --jinja "
            "flag)); PrepAI describes the tools in the prompt instead (JSON mode)") in output
    (request,) = llama_cpp.chat_requests()
    assert request["max_tokens"] == 1 and len(request["tools"]) == 4


def test_doctor_with_no_server_and_a_missing_model(fake_llm: FakeOpenAI) -> None:
    port = free_port()
    code, output = run("--brain", "local", "--base-url", f"http://127.0.0.1:{port}/v1")
    assert code == 1
    assert f"✗ server: no OpenAI-compatible server answers at http://127.0.0.1:{port}/v1" in output
    assert "– model: skipped: needs a server" in output and "– tool calls: skipped: needs a model" in output

    code, output = run("--brain", "local", "--base-url", fake_llm.base_url, "--model", "qwen3:8b")
    assert code == 1
    assert "✗ model: the model 'qwen3:8b' is not on Ollama 0.13.0" in output and "ollama pull qwen3:8b" in output


def test_the_picker_choice_names_the_model_and_a_short_context(monkeypatch: pytest.MonkeyPatch) -> None:
    from prepai_cli.agent.openai_compat import local_target
    from prepai_cli.bank import load_bank
    from prepai_cli.commands.interview import _local_choices
    from prepai_cli.config import Settings

    monkeypatch.setattr("prepai_cli.agent.factory.LazyEvaluator", lambda: (lambda: None))
    server = FakeOpenAI(routes=ollama_routes(MODEL, "nomic-embed-text:latest", context_length=4096)).start()
    try:
        (choice,) = _local_choices(Settings(local={"base_url": server.base_url}), load_bank(), None, False)
        assert choice.name == "local"
        assert choice.label == f"local: {MODEL} on Ollama (4096-token context: forgets early answers)"
        brain = choice.factory()
        assert brain.name == "local" and local_target(brain).model == MODEL
    finally:
        server.stop()


def test_ollama_context_is_read_again_once_the_model_is_loaded(bank, judge) -> None:
    from prepai_cli.agent.openai_compat import OpenAICompatBrain, resolve_target
    from prepai_cli.config import LocalLLMSettings

    routes = ollama_routes(MODEL, context_length=16384)
    loaded = routes["/api/ps"]
    routes["/api/ps"] = Reply(200, {"models": []})  # nothing in memory yet
    server = FakeOpenAI(routes=routes).start()
    try:
        settings = LocalLLMSettings(base_url=server.base_url, model=MODEL)
        target = resolve_target(settings)
        assert target.context.tokens == 4096 and "not loaded yet" in target.context.source
        brain = OpenAICompatBrain(settings, bank, judge, resolve=lambda: target)
        brain.locate()
        server.routes["/api/ps"] = loaded  # the warm-up loaded it
        brain.refresh_context()
        assert brain.target.context.tokens == 16384
    finally:
        server.stop()
