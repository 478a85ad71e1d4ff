"""`prepai doctor`: checks, one line each, that the configured cloud brain can work from this machine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from pydantic import BaseModel
from rich.markup import escape

from prepai_cli.commands.common import aws_overrides, console
from prepai_cli.config import AWSSettings, Settings, load_settings
from prepai_cli.errors import PrepAIError


class CheckResult(BaseModel):
    name: str
    ok: bool | None  # None: skipped because an earlier check failed
    detail: str


class _Failed(Exception):
    """A check's own verdict (not an AWS error): its message is the reason shown."""


def _line(result: CheckResult) -> str:
    mark = {True: "[green]✓[/]", False: "[red]✗[/]", None: "[dim]–[/]"}[result.ok]
    return f"{mark} {result.name}: {escape(result.detail)}"


def _run(name: str, check: Callable[[], str], context: Any) -> CheckResult:
    from prepai_cli.agent.aws import classify

    try:
        return CheckResult(name=name, ok=True, detail=check())
    except _Failed as exc:
        return CheckResult(name=name, ok=False, detail=str(exc))
    except Exception as exc:  # every AWS failure is shown as this check's reason
        return CheckResult(name=name, ok=False, detail=classify(exc, context).message)


def _sandbox_check() -> CheckResult:
    from prepai_cli.agent.tools.sandbox.isolation import detect_sandbox

    sandbox = detect_sandbox()
    return CheckResult(name="sandbox", ok=sandbox.backend != "unavailable", detail=sandbox.summary)


def _checks(settings: Settings) -> list[CheckResult]:
    from prepai_cli.agent import aws
    from prepai_cli.agent.aws import CallContext

    results: list[CheckResult] = []
    cfg: AWSSettings = settings.aws
    try:
        region = aws.resolve_region(cfg)
        results.append(CheckResult(name="region", ok=True, detail=region))
    except PrepAIError as exc:
        return [CheckResult(name="region", ok=False, detail=str(exc))]

    def context(action: str, resource: str, target: str, hint: str = "") -> CallContext:
        return CallContext(action=action, resource=resource, target=target, region=region, fix_hint=hint)

    def identity() -> str:
        answer = aws.make_client(cfg, "sts", max_attempts=2).get_caller_identity()
        return f"{answer['Arn']} (account {answer['Account']})"

    results.append(_run("credentials", identity, context("sts:GetCallerIdentity", "*", "AWS STS")))
    if not results[-1].ok:
        return results + [CheckResult(name=n, ok=None, detail="skipped: needs working credentials")
                          for n in _brain_check_names(settings.brain)]
    if settings.brain == "bedrock":
        results += _model_checks(cfg, region, context)
    elif settings.brain == "agentcore":
        results += _harness_checks(cfg, region, context)
    else:
        results += _agent_checks(cfg, region, context)
    return results


_HARNESS_CHECKS = ["AgentCore", "harness", "harness endpoint", "gateway", "model access"]


def _brain_check_names(brain: str) -> list[str]:
    if brain == "agentcore":
        return _HARNESS_CHECKS
    return ["model", "model access"] if brain == "bedrock" else ["agent", "agent alias"]


def _harness_checks(cfg: AWSSettings, region: str, context: Callable[..., Any]) -> list[CheckResult]:
    """AgentCore in the region, the harness and its endpoint READY, the gateway READY, the harness's model usable."""
    from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError

    from prepai_cli.agent import aws
    from prepai_cli.agent.agentcore import HarnessTarget

    def skipped(after: str, why: str) -> list[CheckResult]:
        return [CheckResult(name=n, ok=None, detail=why) for n in _HARNESS_CHECKS[_HARNESS_CHECKS.index(after) + 1:]]

    if not cfg.harness_arn:
        return [CheckResult(name="AgentCore", ok=False, detail="no harness configured: run `prepai infra deploy` "
                            "(it sets aws.harness_arn), or `prepai config set aws.harness_arn ...`"),
                *skipped("AgentCore", "skipped: needs a harness")]
    target = HarnessTarget(harness_arn=cfg.harness_arn, endpoint=cfg.harness_endpoint, region=region)
    harness_region = cfg.harness_arn.split(":")[3] if cfg.harness_arn.count(":") >= 5 else ""
    if harness_region != region:
        return [CheckResult(name="AgentCore", ok=False,
                            detail=f"the harness is in {harness_region or 'an unknown region'} but the region is "
                                   f"{region}; pass --region {harness_region}"),
                *skipped("AgentCore", "skipped: region mismatch")]
    harness_id = cfg.harness_arn.rsplit("/", 1)[-1]
    client = aws.make_client(cfg, "bedrock-agentcore-control", max_attempts=2)
    hint = "check aws.harness_arn (prepai infra deploy sets it) and --region"
    harness: dict[str, Any] = {}

    def reachable() -> str:
        try:
            harness.update(client.get_harness(harnessId=harness_id)["harness"])
        except (EndpointConnectionError, ConnectTimeoutError):
            raise _Failed(f"Bedrock AgentCore does not answer in {region}: it may not be offered there (try "
                          f"us-east-1, us-west-2 or eu-central-1), or the network is down") from None
        return f"Bedrock AgentCore answers in {region} ({client.meta.endpoint_url})"

    first = _run("AgentCore", reachable, context("bedrock-agentcore:GetHarness", cfg.harness_arn, target.context.target,
                                                 hint))
    if not first.ok:
        return [first, *skipped("AgentCore", "skipped: needs AgentCore and the harness")]

    def harness_ready() -> str:
        status = harness.get("status", "UNKNOWN")
        if status != "READY":
            reason = f" ({harness['failureReason']})" if harness.get("failureReason") else ""
            raise _Failed(f"harness {harness_id} is {status}, not READY{reason}; see `prepai infra status`")
        return f"{harness.get('harnessName', harness_id)} is READY, version {harness.get('harnessVersion', '?')}"

    results = [first, _run("harness", harness_ready, None)]

    def endpoint_ready() -> str:
        if not cfg.harness_endpoint:
            return "none configured: calls go to the harness's default version"
        endpoint = client.get_harness_endpoint(harnessId=harness_id, endpointName=cfg.harness_endpoint)["endpoint"]
        if endpoint.get("status") != "READY":
            raise _Failed(f"endpoint {cfg.harness_endpoint} is {endpoint.get('status')}, not READY")
        return f"{cfg.harness_endpoint} is READY, serving version {endpoint.get('liveVersion', '?')}"

    results.append(_run("harness endpoint", endpoint_ready, context(
        "bedrock-agentcore:GetHarnessEndpoint", f"{cfg.harness_arn}/harness-endpoint/{cfg.harness_endpoint}",
        f"endpoint {cfg.harness_endpoint}", "check aws.harness_endpoint")))

    def gateway_ready() -> str:
        if not cfg.gateway_arn:
            raise _Failed("no gateway configured (aws.gateway_arn): the interviewer cannot analyse CVs, score "
                          "answers or search the knowledge base; run `prepai infra deploy`")
        gateway = client.get_gateway(gatewayIdentifier=cfg.gateway_arn.rsplit("/", 1)[-1])
        if gateway.get("status") != "READY":
            reasons = "; ".join(gateway.get("statusReasons") or [])
            raise _Failed(f"gateway {gateway.get('name', '')} is {gateway.get('status')}, not READY"
                          + (f" ({reasons})" if reasons else ""))
        return f"{gateway.get('name', cfg.gateway_arn)} is READY ({gateway.get('authorizerType', '')})"

    results.append(_run("gateway", gateway_ready, context("bedrock-agentcore:GetGateway", cfg.gateway_arn or "",
                                                          "tools gateway", "check aws.gateway_arn")))
    model_id = harness.get("model", {}).get("bedrockModelConfig", {}).get("modelId")
    if not model_id:
        results.append(CheckResult(name="model access", ok=None,
                                   detail="skipped: the harness uses a non-Bedrock model provider"))
        return results
    # The same smallest streamed call as --brain bedrock, on the harness's own model: proves model access here.
    model_access = _model_checks(cfg.model_copy(update={"model_id": model_id}), region, context)[-1]
    return results + [model_access]


def _model_checks(cfg: AWSSettings, region: str, context: Callable[..., Any]) -> list[CheckResult]:
    from prepai_cli.agent import aws

    model_id = cfg.model_id
    target = f"model {model_id}"
    hint = "check --model-id and --region"

    def describe() -> str:
        if aws.is_inference_profile(model_id):
            return f"{model_id} (inference profile; checked by the call below)"
        details = aws.make_client(cfg, "bedrock", max_attempts=2).get_foundation_model(
            modelIdentifier=model_id)["modelDetails"]
        status = details.get("modelLifecycle", {}).get("status", "ACTIVE")
        if status != "ACTIVE":
            raise _Failed(f"{model_id} is {status.lower()} in {region}; pick a current model with --model-id")
        if not details.get("responseStreamingSupported", True):
            raise _Failed(f"{model_id} does not support streaming; pick another model with --model-id")
        return f"{details.get('providerName', '')} {details.get('modelName', model_id)} ({model_id}) is active".strip()

    def invoke() -> str:
        # The smallest real call: proves IAM (bedrock:InvokeModelWithResponseStream) and model access together.
        response = aws.make_client(cfg, "bedrock-runtime", max_attempts=2).converse_stream(
            modelId=model_id, messages=[{"role": "user", "content": [{"text": "Say OK."}]}],
            inferenceConfig={"maxTokens": 5},
        )
        stream = response["stream"]
        tokens = 0
        try:
            for event in stream:
                if "metadata" in event:
                    tokens = int(event["metadata"].get("usage", {}).get("totalTokens", 0))
        finally:
            stream.close()
        return f"a streamed call works ({tokens} tokens)"

    return [
        _run("model", describe, context("bedrock:GetFoundationModel", aws.model_arn(region, model_id), target, hint)),
        _run("model access", invoke, context("bedrock:InvokeModelWithResponseStream",
                                             aws.model_arn(region, model_id), target, hint)),
    ]


def _agent_checks(cfg: AWSSettings, region: str, context: Callable[..., Any]) -> list[CheckResult]:
    from prepai_cli.agent import aws

    if not cfg.agent_id or not cfg.agent_alias_id:
        missing = "no agent configured: pass --agent-id and --agent-alias-id (or set aws.agent_id, aws.agent_alias_id)"
        return [CheckResult(name="agent", ok=False, detail=missing),
                CheckResult(name="agent alias", ok=None, detail="skipped: needs an agent")]
    agent_id, alias_id = cfg.agent_id, cfg.agent_alias_id
    hint = "check --agent-id, --agent-alias-id and --region"
    client = aws.make_client(cfg, "bedrock-agent", max_attempts=2)

    def agent() -> str:
        details = client.get_agent(agentId=agent_id)["agent"]
        status = details.get("agentStatus", "UNKNOWN")
        if status != "PREPARED":
            raise _Failed(f"agent {agent_id} is {status}, not PREPARED; prepare it (console, or "
                          f"`aws bedrock-agent prepare-agent --agent-id {agent_id}`)")
        return f"{details.get('agentName', agent_id)} ({agent_id}) is PREPARED"

    def alias() -> str:
        details = client.get_agent_alias(agentId=agent_id, agentAliasId=alias_id)["agentAlias"]
        status = details.get("agentAliasStatus", "UNKNOWN")
        if status != "PREPARED":
            raise _Failed(f"alias {alias_id} is {status}, not PREPARED")
        versions = [r.get("agentVersion") for r in details.get("routingConfiguration", []) if r.get("agentVersion")]
        routed = f", version {', '.join(versions)}" if versions else ""
        return f"{details.get('agentAliasName', alias_id)} ({alias_id}) is PREPARED{routed}"

    first = _run("agent", agent, context("bedrock:GetAgent", f"arn:aws:bedrock:{region}:<account-id>:agent/{agent_id}",
                                         f"agent {agent_id}", hint))
    if not first.ok:
        return [first, CheckResult(name="agent alias", ok=None, detail="skipped: needs a prepared agent")]
    return [first, _run("agent alias", alias, context("bedrock:GetAgentAlias",
                                                     aws.agent_alias_arn(region, agent_id, alias_id),
                                                     f"agent {agent_id} (alias {alias_id})", hint))]


def register(app: typer.Typer) -> None:
    @app.command("doctor")
    def doctor(
        brain: str = typer.Option(None, "--brain", help="The brain to check: agentcore, bedrock-agent (Agents "
                                  "Classic accounts only) or bedrock."),
        profile: str = typer.Option(None, "--profile", help="AWS profile."),
        region: str = typer.Option(None, "--region", help="AWS region."),
        agent_id: str = typer.Option(None, "--agent-id", help="Bedrock agent id."),
        agent_alias_id: str = typer.Option(None, "--agent-alias-id", help="Bedrock agent alias id."),
        model_id: str = typer.Option(None, "--model-id", help="Bedrock model id for --brain bedrock."),
        base_url: str = typer.Option(None, "--base-url", help="OpenAI-compatible server for --brain local."),
        model: str = typer.Option(None, "--model", help="Model on that server (--brain local)."),
    ) -> None:
        """Check the code sandbox, and AWS credentials, region, model access and the harness or agent for the cloud
        brains, or the local server."""
        settings = load_settings(brain=brain, aws=aws_overrides(
            profile=profile, region=region, agent_id=agent_id, agent_alias_id=agent_alias_id, model_id=model_id),
            local=aws_overrides(base_url=base_url, model=model))
        sandbox = _sandbox_check()
        console.print(_line(sandbox), markup=True, highlight=False, soft_wrap=True)
        if settings.brain == "local":
            from prepai_cli.commands.doctor_local import local_checks

            console.print("[dim]Checking the local brain[/]")
            results = local_checks(settings)
            for result in results:
                console.print(_line(result), markup=True, highlight=False, soft_wrap=True)
            if any(r.ok is False for r in [sandbox, *results]):
                raise typer.Exit(1)
            return
        if settings.brain == "offline":
            console.print("[green]✓[/] brain: offline, which needs no AWS; pass --brain agentcore, bedrock-agent, "
                          "bedrock or local to check another brain")
            if not sandbox.ok:
                raise typer.Exit(1)
            return
        console.print(f"[dim]Checking the {settings.brain} brain[/]")
        results = _checks(settings)
        for result in results:
            console.print(_line(result), markup=True, highlight=False, soft_wrap=True)
        if any(r.ok is False for r in [sandbox, *results]):
            raise typer.Exit(1)
