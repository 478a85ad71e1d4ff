"""Finding the local model server a user already runs, and asking it what it can do.

Ollama, llama.cpp's llama-server, LM Studio and vLLM all serve OpenAI-style `/v1/models` and
`/v1/chat/completions`; each also has its own endpoints that tell what the OpenAI API does not: which model is
loaded, its context length (Ollama truncates prompts *silently* beyond it), whether the model can call tools.
Probes are plain HTTP GETs with short timeouts, so looking for servers that are not there costs milliseconds.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from pydantic import BaseModel

log = logging.getLogger("prepai.local")

ServerKind = Literal["Ollama", "llama.cpp", "LM Studio", "vLLM", "OpenAI-compatible"]

# Default ports of the servers users run, most common first.
KNOWN_SERVERS: tuple[tuple[ServerKind, str], ...] = (
    ("Ollama", "http://127.0.0.1:11434"),
    ("llama.cpp", "http://127.0.0.1:8080"),
    ("LM Studio", "http://127.0.0.1:1234"),
    ("vLLM", "http://127.0.0.1:8000"),
)
PROBE_TIMEOUT_S = 0.6
# Below this many tokens a full interview (system prompt, bank questions, twenty exchanges) does not fit.
RECOMMENDED_CONTEXT = 8192
# Ollama's default when neither the model nor OLLAMA_CONTEXT_LENGTH says otherwise (0.6 and later).
OLLAMA_DEFAULT_CONTEXT = 4096
_NOT_CHAT = ("embed", "bge-", "minilm", "nomic-bert", "rerank", "whisper")


class ServerInfo(BaseModel):
    kind: ServerKind
    root_url: str  # http://host:port
    base_url: str  # what the openai client gets: root_url + /v1
    models: list[str]
    loaded: list[str] = []  # models in memory now, when the server tells
    version: str | None = None

    @property
    def label(self) -> str:
        version = f" {self.version}" if self.version else ""
        return f"{self.kind}{version} at {self.base_url}"


class ContextInfo(BaseModel):
    tokens: int | None  # what a prompt may hold before the server truncates or refuses it
    source: str  # how we know, in words
    model_max: int | None = None  # what the model was trained for, when larger


def _get(url: str, timeout: float, api_key: str | None = None) -> Any:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if api_key:
        request.add_header("Authorization", f"Bearer {api_key}")
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - a URL the user configured
        raw = response.read()
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def _post(url: str, body: dict[str, Any], timeout: float) -> Any:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return json.loads(response.read() or b"{}")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _try(url: str, timeout: float, api_key: str | None = None) -> Any:
    try:
        return _get(url, timeout, api_key)
    except (OSError, urllib.error.URLError, ValueError):
        return None


def split_base_url(url: str) -> tuple[str, str]:
    """(root, base): `http://h:p/v1` and `http://h:p` both give ("http://h:p", "http://h:p/v1")."""
    url = url.rstrip("/")
    root = url[: -len("/v1")] if url.endswith("/v1") else url
    return root, root + "/v1"


def probe(url: str, *, kind: ServerKind | None = None, timeout: float = PROBE_TIMEOUT_S,
          api_key: str | None = None) -> ServerInfo | None:
    """What answers at `url` (a root or a /v1 URL), or None when no OpenAI-compatible server does."""
    root, base = split_base_url(url)
    listing = _try(base + "/models", timeout, api_key)
    if not isinstance(listing, dict) or not isinstance(listing.get("data"), list):
        return None
    models = [str(m["id"]) for m in listing["data"] if isinstance(m, dict) and m.get("id")]
    info = ServerInfo(kind="OpenAI-compatible", root_url=root, base_url=base, models=models)
    # Each server is known by its own endpoints, not by its port: anything may listen on 8080 or 8000.
    banner = _try(root + "/", timeout)
    is_ollama = isinstance(banner, str) and "Ollama" in banner
    lmstudio = None if is_ollama else _try(root + "/api/v0/models", timeout)
    if is_ollama:
        info.kind = "Ollama"
        version = _try(root + "/api/version", timeout)
        info.version = version.get("version") if isinstance(version, dict) else None
        running = _try(root + "/api/ps", timeout)
        if isinstance(running, dict):
            info.loaded = [str(m.get("name") or m.get("model")) for m in running.get("models") or []]
    elif isinstance(lmstudio, dict) and isinstance(lmstudio.get("data"), list):
        info.kind = "LM Studio"
        info.loaded = [str(m["id"]) for m in lmstudio["data"] if isinstance(m, dict) and m.get("state") == "loaded"]
    elif "default_generation_settings" in _dict(_try(root + "/props", timeout)):
        info.kind = "llama.cpp"
        info.loaded = models[:1]  # llama-server serves the one model it was started with
    elif isinstance(_try(root + "/version", timeout), dict):
        info.kind = "vLLM"
        info.loaded = models
    elif kind is not None and kind != "Ollama":
        info.kind = kind  # the port's usual server, by elimination (Ollama always shows its banner)
    return info


def discover(candidates: tuple[tuple[ServerKind, str], ...] = KNOWN_SERVERS,
             timeout: float = PROBE_TIMEOUT_S) -> list[ServerInfo]:
    """The servers answering on `candidates`, in the order given; all are probed at once."""
    with ThreadPoolExecutor(max_workers=len(candidates) or 1, thread_name_prefix="probe") as pool:
        found = list(pool.map(lambda c: probe(c[1], kind=c[0], timeout=timeout), candidates))
    return [s for s in found if s is not None]


def is_chat_model(name: str) -> bool:
    return not any(marker in name.lower() for marker in _NOT_CHAT)


def choose_model(server: ServerInfo, wanted: str | None) -> str:
    """The configured model if the server has it; else the loaded chat model; else the first chat model."""
    from prepai_cli.errors import PrepAIError

    if wanted:
        if wanted in server.models or not server.models:
            return wanted
        # Ollama lists "llama3.2:latest" for a model pulled as "llama3.2".
        tagged = f"{wanted}:latest"
        if tagged in server.models:
            return tagged
        raise PrepAIError(f"the model {wanted!r} is not on {server.label}; it has: {', '.join(server.models)}"
                          + (" (pull it with `ollama pull " + wanted + "`)" if server.kind == "Ollama" else ""))
    chat = [m for m in server.models if is_chat_model(m)]
    if not chat:
        hint = " (e.g. `ollama pull llama3.2`)" if server.kind == "Ollama" else ""
        raise PrepAIError(f"{server.label} has no chat model{hint}; load one, or pass --model")
    loaded = [m for m in server.loaded if m in chat]
    return (loaded or chat)[0]


def context_window(server: ServerInfo, model: str, timeout: float = 2.0) -> ContextInfo:
    """How many tokens a prompt may hold on this server, from its own endpoints."""
    if server.kind == "Ollama":
        running = _try(server.root_url + "/api/ps", timeout)
        shown = None
        try:
            shown = _post(server.root_url + "/api/show", {"model": model}, timeout)
        except (OSError, urllib.error.URLError, ValueError):
            pass
        model_max = None
        if isinstance(shown, dict):
            model_max = next((int(v) for k, v in (shown.get("model_info") or {}).items()
                              if k.endswith(".context_length") and isinstance(v, (int, float))), None)
        for entry in (running or {}).get("models") or [] if isinstance(running, dict) else []:
            if model in (entry.get("name"), entry.get("model")) and entry.get("context_length"):
                return ContextInfo(tokens=int(entry["context_length"]), source="Ollama /api/ps (loaded model)",
                                   model_max=model_max)
        if isinstance(shown, dict):
            for line in str(shown.get("parameters") or "").splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[0] == "num_ctx" and parts[1].isdigit():
                    return ContextInfo(tokens=int(parts[1]), source="the model's num_ctx (Ollama /api/show)",
                                       model_max=model_max)
        return ContextInfo(tokens=OLLAMA_DEFAULT_CONTEXT, model_max=model_max,
                           source="Ollama's default (the model is not loaded yet, so OLLAMA_CONTEXT_LENGTH is unknown)")
    if server.kind == "llama.cpp":
        props = _try(server.root_url + "/props", timeout)
        n_ctx = (props or {}).get("default_generation_settings", {}).get("n_ctx") if isinstance(props, dict) else None
        if n_ctx:
            return ContextInfo(tokens=int(n_ctx), source="llama.cpp /props")
    if server.kind == "LM Studio":
        details = _try(server.root_url + f"/api/v0/models/{model}", timeout)
        if isinstance(details, dict):
            loaded = details.get("loaded_context_length")
            if loaded:
                return ContextInfo(tokens=int(loaded), source="LM Studio (loaded context length)",
                                   model_max=details.get("max_context_length"))
    listing = _try(server.base_url + "/models", timeout)
    for entry in (listing or {}).get("data") or [] if isinstance(listing, dict) else []:
        if isinstance(entry, dict) and entry.get("id") == model and entry.get("max_model_len"):
            return ContextInfo(tokens=int(entry["max_model_len"]), source="max_model_len in /v1/models")
    return ContextInfo(tokens=None, source="the server does not say")


def supports_tools(server: ServerInfo, model: str, timeout: float = 2.0) -> bool | None:
    """Whether the model can call tools, when the server says so without a generation (Ollama); None: unknown."""
    if server.kind != "Ollama":
        return None
    try:
        shown = _post(server.root_url + "/api/show", {"model": model}, timeout)
    except (OSError, urllib.error.URLError, ValueError):
        return None
    capabilities = shown.get("capabilities") if isinstance(shown, dict) else None
    return "tools" in capabilities if isinstance(capabilities, list) else None


def warm_up(server: ServerInfo, model: str, timeout: float = 120.0) -> None:
    """Loads the model into memory (Ollama loads on first use, which can take many seconds) while PrepAI starts."""
    if server.kind != "Ollama":
        return
    try:
        _post(server.root_url + "/api/generate", {"model": model, "keep_alive": "30m"}, timeout)
    except (OSError, urllib.error.URLError, ValueError) as exc:
        log.debug("warm-up of %s failed: %s", model, exc)


def context_warning(info: ContextInfo, server: ServerInfo) -> str | None:
    """A one-line warning when the window is too small for a whole interview, with the fix for this server."""
    if info.tokens is None or info.tokens >= RECOMMENDED_CONTEXT:
        return None
    fix = {
        "Ollama": f"restart Ollama with OLLAMA_CONTEXT_LENGTH={RECOMMENDED_CONTEXT}",
        "llama.cpp": f"start llama-server with -c {RECOMMENDED_CONTEXT}",
        "LM Studio": f"load the model with a context length of {RECOMMENDED_CONTEXT}",
    }.get(server.kind, f"give the model a context of {RECOMMENDED_CONTEXT} tokens")
    return (f"the model's context is {info.tokens} tokens ({info.source}); PrepAI keeps each request within it by "
            f"leaving out the oldest exchanges, so the interviewer forgets early answers; {fix}")
