"""Settings: defaults < TOML file < PREPAI_* environment variables < CLI flags (applied by the caller)."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, SettingsError, TomlConfigSettingsSource,
)

from prepai_cli import paths
from prepai_cli.errors import PrepAIError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BrainName = Literal["offline", "agentcore", "bedrock-agent", "bedrock", "local"]
# Names users may type for a brain, mapped to the one stored with sessions.
BRAIN_ALIASES = {"openai-compatible": "local", "openai": "local", "ollama": "local"}


def _default_candidate() -> str:
    try:
        return getpass.getuser()
    except Exception:  # getuser raises when no user database entry exists (containers)
        return "candidate"


class AudioSettings(BaseModel):
    input_device: str | None = None
    output_device: str | None = None
    # 600 ms: the shortest silence that split none of the bench's answers (bench/turn_latency.py sweeps it).
    silence_ms: int = Field(default=600, ge=200, le=3000)
    max_turn_s: float = Field(default=180.0, ge=10, le=1800)
    # Seconds of silence after a question before the interviewer checks in (0: never).
    silence_checkin_s: float = Field(default=20.0, ge=0, le=600)


class SpeechSettings(BaseModel):
    stt_model: str = "tiny.en"
    beam_size: int = Field(default=5, ge=1, le=10)
    voice: str = "en_US-joe-medium"
    speaking_rate: float = Field(default=1.0, ge=0.5, le=2.0)


class AWSSettings(BaseModel):
    region: str | None = None
    profile: str | None = None
    agent_id: str | None = None
    agent_alias_id: str | None = None
    model_id: str = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    send_cv: bool = False
    # --brain agentcore: set by `prepai infra deploy` (the harness, its endpoint and the tools gateway).
    harness_arn: str | None = None
    harness_endpoint: str | None = None
    gateway_arn: str | None = None
    # Run candidate code in AgentCore Code Interpreter instead of the local sandbox (sends the code to AWS).
    code_interpreter: bool = False
    judge: bool = False  # --brain bedrock: the model also judges each answer (one more billed call per answer)


class LocalLLMSettings(BaseModel):
    """`--brain local`: an OpenAI-compatible server the user runs (Ollama, llama.cpp, LM Studio, vLLM)."""

    base_url: str | None = None  # e.g. http://127.0.0.1:11434/v1; unset: look for a server on the usual ports
    model: str | None = None  # unset: the server's loaded (or first chat) model
    api_key: SecretStr | None = None  # only servers started with a key need one (vLLM --api-key, LM Studio auth)
    # auto: function tools, and JSON mode if the server refuses them; json: describe tools in the prompt only.
    tools: Literal["auto", "json"] = "auto"
    judge: bool = True  # also have the model judge each answer against the question's key points
    context_tokens: int | None = Field(default=None, ge=512)  # the server's context length, when it cannot tell

    @property
    def key(self) -> str | None:
        return self.api_key.get_secret_value() if self.api_key else None


class SyncSettings(BaseModel):
    bucket: str | None = None
    prefix: str = "users"
    auto: bool = False
    kms_key_id: str | None = None
    expected_owner: str | None = None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PREPAI_", env_nested_delimiter="__", extra="ignore")

    brain: BrainName = "offline"
    candidate: str = Field(default_factory=_default_candidate)
    questions: int | None = Field(default=None, ge=1, le=30)
    minutes: int | None = Field(default=None, ge=1, le=180)
    audio: AudioSettings = AudioSettings()
    speech: SpeechSettings = SpeechSettings()
    aws: AWSSettings = AWSSettings()
    local: LocalLLMSettings = LocalLLMSettings()
    sync: SyncSettings = SyncSettings()

    @field_validator("brain", mode="before")
    @classmethod
    def _brain_alias(cls, value: Any) -> Any:
        return BRAIN_ALIASES.get(value, value) if isinstance(value, str) else value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Earlier sources win: flags (init) > environment > the TOML file > defaults.
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=paths.config_file()))


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PrepAIError(f"cannot read config file {path}: {exc}") from exc


# Flags whose name is not the setting's last part with dashes.
_FLAG_NAMES = {("aws", "region"): "--region", ("aws", "profile"): "--profile"}


def _env_name(loc: tuple[str, ...]) -> str:
    return "PREPAI_" + "__".join(part.upper() for part in loc)


def setting_source(loc: tuple[str, ...], flags: dict[str, Any] | None = None) -> str:
    """Where a setting's value came from, highest priority first: 'the --brain flag', 'environment variable
    PREPAI_AUDIO__SILENCE_MS', 'config file /path/config.toml', or 'the default'."""
    node: Any = flags or {}
    for part in loc:
        node = node.get(part) if isinstance(node, dict) else None
    if node is not None:
        return f"the {_FLAG_NAMES.get(loc, '--' + loc[-1].replace('_', '-'))} flag"
    environment = {name.upper(): name for name in os.environ}
    for depth in range(len(loc), 0, -1):  # PREPAI_AUDIO__SILENCE_MS, or a whole section as JSON in PREPAI_AUDIO
        if _env_name(loc[:depth]) in environment:
            return f"environment variable {environment[_env_name(loc[:depth])]}"
    node = _read_config_file(paths.config_file())
    for part in loc:
        node = node.get(part) if isinstance(node, dict) else None
    if node is not None:
        return f"config file {paths.config_file()}"
    return "the default"


def load_settings(**overrides: Any) -> Settings:
    """Settings for this run; `overrides` are CLI flags (None means 'not given')."""
    _read_config_file(paths.config_file())  # a broken file gets a clear message, not a pydantic traceback
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except SettingsError as exc:
        raise PrepAIError(f"invalid PREPAI_* environment variable: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(str(p) for p in first["loc"])
        raise PrepAIError(f"invalid setting {'.'.join(loc)}: {first['msg']} (from {setting_source(loc, given)})") from exc


def _parse_value(raw: str) -> Any:
    lowered = raw.strip().lower()
    if lowered in {"true", "yes", "on"}:
        return True
    if lowered in {"false", "no", "off"}:
        return False
    if lowered in {"none", "null", ""}:
        return None
    for number in (int, float):
        try:
            return number(raw)
        except ValueError:
            pass
    return raw


def set_config_value(key: str, raw_value: str) -> Any:
    """Validates `key=value` against the schema, then writes it to the TOML file."""
    parts = key.split(".")
    path = paths.config_file()
    data = _read_config_file(path)
    node: dict[str, Any] = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise PrepAIError(f"config key {key!r} is not a section")
    value = _parse_value(raw_value)
    if value is None:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = value
    _validate_key(parts)
    try:
        Settings.model_validate(data)
    except ValidationError as exc:
        raise PrepAIError(f"invalid value for {key}: {exc.errors()[0]['msg']}") from exc
    if key == "speech.stt_model" and value is not None:
        _check_speech_model(str(value))
    paths.ensure_folder(path.parent)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomli_w.dumps(_drop_none(data)), encoding="utf-8")
    tmp.replace(path)
    return value


def _check_speech_model(name: str) -> None:
    """A model that cannot load is refused now, not at the next interview."""
    from prepai_cli.audio.stt import BUNDLED_MODEL, DOWNLOADABLE_MODELS

    if name == BUNDLED_MODEL or name in DOWNLOADABLE_MODELS:
        return  # a downloadable one not pulled yet is said so, with the pull command, when an interview starts
    folder = Path(name).expanduser()
    if not (folder / "model.bin").is_file():
        raise PrepAIError(f"invalid value for speech.stt_model: {name!r} is neither "
                          f"{', '.join((BUNDLED_MODEL, *DOWNLOADABLE_MODELS))} nor a faster-whisper model folder "
                          "(one holding model.bin)")


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: _drop_none(v) if isinstance(v, dict) else v for k, v in data.items() if v is not None}


def _validate_key(parts: list[str]) -> None:
    model: type[BaseModel] = Settings
    for i, part in enumerate(parts):
        fields = model.model_fields
        if part not in fields:
            valid = ", ".join(sorted(fields))
            raise PrepAIError(f"unknown config key {'.'.join(parts)!r}; valid keys here: {valid}")
        annotation = fields[part].annotation
        if i < len(parts) - 1:
            if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                raise PrepAIError(f"config key {'.'.join(parts[: i + 1])!r} has no sub-keys")
            model = annotation
