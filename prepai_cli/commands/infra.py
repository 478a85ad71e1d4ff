"""`prepai infra`: deploy PrepAI's AWS stack (the AgentCore harness interviewer, or an Agents Classic agent for
accounts that already have one; knowledge base, tool Lambdas, buckets) and tear it down.

The stack code lives in the repository's infra/ folder, next to prepai_cli; it is imported on use so the rest of
the CLI never pays for it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import typer
from rich.progress import Progress as RichProgress
from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from prepai_cli.commands.common import console
from prepai_cli.config import load_settings
from prepai_cli.errors import PrepAIError

if TYPE_CHECKING:
    from infra.clients import AwsClients
    from infra.models import PlannedChange, StackEvent

infra_app = typer.Typer(help="Deploy, inspect or remove PrepAI's AWS stack.", no_args_is_help=True)

_STATUS_STYLE = {"COMPLETE": "green", "FAILED": "red", "IN_PROGRESS": "yellow", "ROLLBACK": "red"}
_ACTION_STYLE = {"Add": "green", "Modify": "yellow", "Remove": "red"}


def _infra(module: str) -> ModuleType:
    try:
        return importlib.import_module(f"infra.{module}")
    except ModuleNotFoundError as exc:
        if exc.name in {"infra", f"infra.{module}"}:
            raise PrepAIError("the infra package is not installed; run prepai infra from a PrepAI source "
                              "checkout") from exc
        raise


def _style(status: str) -> str:
    for marker, style in _STATUS_STYLE.items():
        if marker in status:
            return style
    return "white"


class _Step:
    def __init__(self, progress: RichProgress, task: int) -> None:
        self._progress = progress
        self._task = task

    def update(self, description: str) -> None:
        self._progress.update(self._task, description=description)


class RichDeployUI:
    """The deploy steps' messages, change tables, prompts and live progress, on the terminal."""

    def info(self, message: str) -> None:
        console.print(message, markup=False)

    def warn(self, message: str) -> None:
        console.print("[yellow]warning:[/] ", end="")
        console.print(message, markup=False)

    def show_changes(self, stack_name: str, changes: list[PlannedChange]) -> None:
        table = Table(title=f"Changes to stack {stack_name}")
        for column in ("action", "resource", "type", "replacement"):
            table.add_column(column)
        for change in changes:
            style = _ACTION_STYLE.get(change.action, "white")
            table.add_row(f"[{style}]{change.action}[/]", change.logical_id, change.resource_type,
                          "[red]yes[/]" if change.replacement == "True" else change.replacement.lower())
        console.print(table)

    def confirm(self, question: str) -> bool:
        return typer.confirm(question, default=False)

    def stack_event(self, event: StackEvent) -> None:
        line = f"{event.timestamp:%H:%M:%S} [{_style(event.status)}]{event.status:<20}[/] {event.logical_id}"
        console.print(line + (f" [dim]({event.resource_type})[/]" if event.resource_type else ""), highlight=False)
        if event.reason and "FAILED" in event.status:
            console.print(f"    {event.reason}", markup=False, style="red")

    @contextmanager
    def progress(self, description: str) -> Iterator[_Step]:
        # Off a terminal (CI, a pipe) the spinner would only leave blank lines; the step messages still print.
        with RichProgress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                          console=console, transient=True, disable=not console.is_terminal) as bar:
            yield _Step(bar, bar.add_task(description, total=None))


def _repo_root() -> Path:
    return Path(_infra("package").__file__).resolve().parent.parent


def _connect(region: str | None, profile: str | None) -> AwsClients:
    settings = load_settings()
    return _infra("clients").connect(region or settings.aws.region, profile or settings.aws.profile)


_AGENTS_CLASSIC_HELP = ("The Bedrock Agents (Agents Classic) template instead of the AgentCore harness; only for "
                        "accounts that already use Bedrock Agents (closed to new customers since 2026-07-30).")


def _kind(agents_classic: bool) -> str:
    return "agents-classic" if agents_classic else "harness"


@infra_app.command("template")
def template_cmd(
    output: Path = typer.Option(None, "--output", "-o", help="Write the YAML here (default: stdout)."),
    agents_classic: bool = typer.Option(False, "--agents-classic", help=_AGENTS_CLASSIC_HELP),
) -> None:
    """Print (or write) the CloudFormation template."""
    template = _infra("template")
    text = template.render_yaml(template.build_template(kind=_kind(agents_classic)))
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    console.print(f"Wrote {output} ({len(text.encode()) // 1024} KB).")


@infra_app.command("deploy")
def deploy_cmd(
    stack_name: str = typer.Option("prepai", "--stack-name", help="CloudFormation stack name."),
    region: str = typer.Option(None, "--region", help="AWS region (default: aws.region or your AWS config)."),
    profile: str = typer.Option(None, "--profile", help="AWS profile (default: aws.profile)."),
    model_id: str = typer.Option(None, "--model-id",
                                 help="Bedrock model (or us./eu. inference profile) for the agent."),
    kms_key_arn: str = typer.Option(None, "--kms-key-arn", help="Customer-managed KMS key for the buckets."),
    agents_classic: bool = typer.Option(False, "--agents-classic", help=_AGENTS_CLASSIC_HELP),
    code_interpreter: bool = typer.Option(None, "--allow-code-interpreter/--no-code-interpreter",
                                          help="Let the harness use AgentCore Code Interpreter, for users who opt "
                                               "into it with `prepai interview --code-interpreter` (default: no)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Apply the changes without asking."),
) -> None:
    """Create or update the stack (an AgentCore harness by default), index the knowledge base and point PrepAI's
    config at it."""
    if agents_classic and code_interpreter:
        raise PrepAIError("--allow-code-interpreter is for the AgentCore harness stack, not --agents-classic")
    deploy = _infra("deploy")
    package = _infra("package")
    vendor = _infra("vendor")
    template = _infra("template")
    settings = load_settings()
    clients = _connect(region, profile)
    repo = _repo_root()

    def export_docs(dest: Path) -> list[Path]:
        from prepai_cli.agent.tools.kb import export_default

        return export_default(dest)

    options = deploy.DeployOptions(stack_name=stack_name, model_id=model_id, default_model_id=settings.aws.model_id,
                                   kms_key_arn=kms_key_arn, profile=profile, assume_yes=yes,
                                   kind=_kind(agents_classic), allow_code_interpreter=code_interpreter)
    result = deploy.deploy(
        clients, options, template.build_template(kind=options.kind),
        lambda dest: package.build_lambda_zip(repo, dest, vendor.PipVendorer()), export_docs, RichDeployUI(),
    )
    if result.cancelled:
        raise typer.Exit(1)
    if result.nothing_changed:
        console.print(f"[green]Stack {stack_name} is up to date; nothing to do.[/]")
        return
    outputs = result.outputs
    interviewer = (f"agent {outputs.agent_id}, alias {outputs.agent_alias_id}" if outputs.kind == "agents-classic"
                   else f"harness {outputs.harness_arn} (endpoint {outputs.harness_endpoint}), gateway "
                        f"{outputs.gateway_id}, memory {outputs.memory_id}")
    brain = "bedrock-agent" if outputs.kind == "agents-classic" else "agentcore"
    console.print(f"[green]Deployed {stack_name}[/] in {outputs.region}: {interviewer}, knowledge base "
                  f"{outputs.knowledge_base_id}.")
    if result.config_changes:
        console.print("Config updated: " + ", ".join(f"{k}={v}" for k, v in result.config_changes.items()),
                      markup=False)
    console.print(f"Attach [bold]{outputs.user_policy_arn}[/] to the identity that runs prepai, then: "
                  f"[bold]prepai interview --brain {brain}[/]")


@infra_app.command("status")
def status_cmd(
    stack_name: str = typer.Option("prepai", "--stack-name"),
    region: str = typer.Option(None, "--region"),
    profile: str = typer.Option(None, "--profile"),
) -> None:
    """Show the stack, its outputs, the agent and whether PrepAI's config points at it."""
    report = _infra("status").status(_connect(region, profile), stack_name)
    if report.stack is None:
        console.print(f"No stack {stack_name} in {report.region}. Create it with: [bold]prepai infra deploy[/]")
        return
    state = report.stack
    console.print(f"Stack [bold]{state.name}[/] in {report.region}: [{_style(state.status)}]{state.status}[/]"
                  + (f" [dim]{state.status_reason}[/]" if state.status_reason else ""))
    table = Table(title="Outputs")
    table.add_column("output")
    table.add_column("value")
    table.add_column("config")
    config_key = {"AgentId": "aws.agent_id", "AgentAliasId": "aws.agent_alias_id", "HarnessArn": "aws.harness_arn",
                  "GatewayArn": "aws.gateway_arn", "Region": "aws.region",
                  "UserDataBucket": "sync.bucket"}
    for key, value in sorted(state.outputs.items()):
        linked = config_key.get(key)
        mark = "" if linked is None else ("[green]linked[/]" if report.config_matches.get(linked) else
                                          f"[yellow]{linked} differs[/]")
        table.add_row(key, value, mark)
    console.print(table)
    if report.harness_status:
        console.print(f"Harness: {report.harness_status} (version {report.harness_version or '?'}); gateway: "
                      f"{report.gateway_status or '?'}; last ingestion: {report.last_ingestion or '?'}")
    if report.agent_status:
        console.print(f"Agent: {report.agent_status}; alias serves version {report.alias_version or '?'}; "
                      f"last ingestion: {report.last_ingestion or '?'}")
    for error in report.cloud_errors:
        console.print("[yellow]warning:[/] ", end="")
        console.print(error, markup=False)


@infra_app.command("destroy")
def destroy_cmd(
    stack_name: str = typer.Option("prepai", "--stack-name"),
    region: str = typer.Option(None, "--region"),
    profile: str = typer.Option(None, "--profile"),
    keep_data: bool = typer.Option(False, "--keep-data", help="Keep the bucket with your synced interviews."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask."),
) -> None:
    """Delete the stack (and, unless --keep-data, your synced interviews in S3)."""
    destroy = _infra("destroy")
    options = destroy.DestroyOptions(stack_name=stack_name, keep_data=keep_data, assume_yes=yes)
    result = destroy.destroy(_connect(region, profile), options, RichDeployUI())
    if not result.destroyed:
        return
    console.print(f"[green]Destroyed {stack_name}.[/]" + (f" Kept {result.kept_bucket}." if result.kept_bucket else ""))
    if result.config_cleared:
        console.print("Config cleared: " + ", ".join(result.config_cleared), markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(infra_app, name="infra")
