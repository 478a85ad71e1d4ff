"""`prepai infra` through Typer: the template command writes the same lint-clean template the tests check."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from prepai_cli.commands import infra as infra_command
from prepai_cli.errors import PrepAIError


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    infra_command.register(app)

    @app.command("version")  # a second command keeps `infra` a sub-command, as in the real CLI
    def version() -> None:
        pass

    return app


def test_template_writes_the_built_template(app: typer.Typer, tmp_path: Path, harness_template: dict) -> None:
    out = tmp_path / "prepai.yaml"
    result = CliRunner().invoke(app, ["infra", "template", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(out.read_text()) == harness_template
    assert "Wrote" in result.output


def test_template_to_stdout(app: typer.Typer, harness_template_yaml: str, template_yaml: str) -> None:
    result = CliRunner().invoke(app, ["infra", "template"])
    assert result.exit_code == 0 and result.stdout == harness_template_yaml
    classic = CliRunner().invoke(app, ["infra", "template", "--agents-classic"])
    assert classic.exit_code == 0 and classic.stdout == template_yaml


def test_deploy_without_credentials_fails_with_one_line(app: typer.Typer, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "empty").write_text("")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "empty"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "empty"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = CliRunner().invoke(app, ["infra", "deploy", "--region", "us-east-1", "--yes"])
    # The real entry point (prepai_cli.cli.main) prints a PrepAIError's message as the one error line.
    assert isinstance(result.exception, PrepAIError)
    assert str(result.exception) == ("no AWS credentials found; run `aws configure` (or `aws sso login`), "
                                     "or pass --profile")
