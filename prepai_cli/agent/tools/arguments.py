"""Validated arguments of each tool. LLMs and Bedrock Agents send loosely typed values; these models are the
boundary where they become typed, and their errors go back to the model so it can retry."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RunCodeArgs(_Args):
    code: str = Field(min_length=1, max_length=100_000)
    language: Literal["python", "javascript"]
    problem_id: str | None = None
    tests: str | None = None
    function_name: str | None = None

    @field_validator("language", mode="before")
    @classmethod
    def _language_alias(cls, value: Any) -> Any:
        aliases = {"py": "python", "python3": "python", "js": "javascript", "node": "javascript", "nodejs": "javascript"}
        return aliases.get(str(value).strip().lower(), str(value).strip().lower()) if value is not None else value

    @field_validator("tests", mode="before")
    @classmethod
    def _tests_as_json_text(cls, value: Any) -> Any:
        # A ConverseStream model may send the tests as a JSON value instead of a string.
        return json.dumps(value) if isinstance(value, (list, dict)) else value

    @model_validator(mode="after")
    def _one_source(self) -> "RunCodeArgs":
        if bool(self.problem_id) == bool(self.tests):
            raise ValueError("give exactly one of problem_id or tests")
        return self


class AnalyzeCvArgs(_Args):
    text: str | None = Field(default=None, max_length=200_000)
    path: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> "AnalyzeCvArgs":
        if bool(self.text) == bool(self.path):
            raise ValueError("give exactly one of text or path")
        return self


class SearchArgs(_Args):
    query: str = Field(min_length=2, max_length=500)
    interview_type: str | None = None
    top_k: int = Field(default=5, ge=1, le=20)


class EvaluateArgs(_Args):
    question: str = Field(min_length=3, max_length=5000)
    answer: str = Field(min_length=1, max_length=50_000)
    interview_type: str = Field(min_length=2)
