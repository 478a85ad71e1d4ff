"""`prepai doctor --brain local`: the server, the model and its tool calls, one line each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prepai_cli.config import Settings
from prepai_cli.errors import PrepAIError

if TYPE_CHECKING:
    from prepai_cli.commands.doctor import CheckResult


def local_checks(settings: Settings) -> "list[CheckResult]":
    from prepai_cli.agent import local_servers as ls
    from prepai_cli.agent.openai_compat import LocalTarget, resolve_target
    from prepai_cli.commands.doctor import CheckResult

    cfg = settings.local
    skipped = [CheckResult(name="model", ok=None, detail="skipped: needs a server"),
               CheckResult(name="tool calls", ok=None, detail="skipped: needs a model")]
    try:
        target = resolve_target(cfg.model_copy(update={"model": None}))  # the server first, whatever the model
    except PrepAIError as exc:
        return [CheckResult(name="server", ok=False, detail=str(exc)), *skipped]
    server = target.server
    listed = f"{len(server.models)} model{'s' if len(server.models) != 1 else ''}"
    results = [CheckResult(name="server", ok=True, detail=f"{server.label}, {listed}")]
    try:
        model = ls.choose_model(server, cfg.model)
    except PrepAIError as exc:
        return results + [CheckResult(name="model", ok=False, detail=str(exc)), skipped[1]]
    context = (ls.ContextInfo(tokens=cfg.context_tokens, source="local.context_tokens") if cfg.context_tokens
               else ls.context_window(server, model))
    state = " (loaded)" if model in server.loaded else ""
    window = f"context {context.tokens} tokens ({context.source})" if context.tokens else "context length unknown"
    warning = ls.context_warning(context, server)
    results.append(CheckResult(name="model", ok=True,
                               detail=f"{model}{state}, {window}" + (f"; warning: {warning}" if warning else "")))
    results.append(_tool_check(LocalTarget(server=server, model=model, context=context,
                                           tools=ls.supports_tools(server, model)), cfg.key))
    return results


def _tool_check(target, api_key: str | None) -> "CheckResult":
    from prepai_cli.agent.openai_compat import READ_TIMEOUT_S, classify, openai_tools
    from prepai_cli.commands.doctor import CheckResult

    json_mode = "PrepAI describes the tools in the prompt instead (JSON mode)"
    if target.tools is True:
        return CheckResult(name="tool calls", ok=True, detail=f"{target.model} calls tools ({target.server.kind} says so)")
    if target.tools is False:
        return CheckResult(name="tool calls", ok=True, detail=f"{target.model} has no tool calls; {json_mode}")
    import openai

    client = openai.OpenAI(base_url=target.server.base_url, api_key=api_key or "prepai-local", max_retries=0,
                           timeout=openai.Timeout(READ_TIMEOUT_S, connect=5.0))
    try:
        # The smallest real call with tools: proves the model answers and whether the server takes `tools`.
        client.chat.completions.create(model=target.model, max_tokens=1, tools=openai_tools(),
                                       messages=[{"role": "user", "content": "Say OK."}])
    except openai.APIStatusError as exc:
        message, _ = classify(exc, target)
        if exc.status_code in (400, 422, 500, 501) and "tool" in message.lower():
            return CheckResult(name="tool calls", ok=True, detail=f"the server refused tools ({message}); {json_mode}")
        return CheckResult(name="tool calls", ok=False, detail=message)
    except Exception as exc:  # connection, timeout: one line, like the brain says it
        return CheckResult(name="tool calls", ok=False, detail=classify(exc, target)[0])
    return CheckResult(name="tool calls", ok=True, detail="the server accepts tools and the model answers")
