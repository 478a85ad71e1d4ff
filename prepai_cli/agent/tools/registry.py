"""The agent's tools, declared once.

The same list becomes the Bedrock ConverseStream toolConfig, the Bedrock Agent action-group function schema
(CloudFormation) and the Lambda handlers' dispatch, so the LLM sees the same tools locally and on AWS.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ParamType = Literal["string", "integer", "boolean", "array", "object"]
# Bedrock Agent function parameters allow only these types; objects travel as JSON strings.
_AGENT_TYPES = {"string": "string", "integer": "integer", "boolean": "boolean", "array": "array", "object": "string"}
_NAME = re.compile(r"^[0-9a-zA-Z_-]{1,64}$")
MAX_AGENT_PARAMETERS = 5


class ToolParam(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    type: ParamType
    description: str = Field(min_length=5, max_length=500)
    required: bool = False
    enum: tuple[str, ...] | None = None

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not _NAME.match(name):
            raise ValueError(f"parameter name {name!r} must match {_NAME.pattern}")
        return name


class ToolSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    description: str = Field(min_length=20, max_length=1200)
    parameters: list[ToolParam]

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not _NAME.match(name):
            raise ValueError(f"tool name {name!r} must match {_NAME.pattern}")
        return name

    @field_validator("parameters")
    @classmethod
    def _fits_bedrock_agent(cls, parameters: list[ToolParam]) -> list[ToolParam]:
        if len(parameters) > MAX_AGENT_PARAMETERS:
            raise ValueError(f"Bedrock Agent functions take at most {MAX_AGENT_PARAMETERS} parameters")
        return parameters

    def json_schema(self) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        for p in self.parameters:
            prop: dict[str, Any] = {"type": p.type, "description": p.description}
            if p.enum:
                prop["enum"] = list(p.enum)
            if p.type == "array":
                prop["items"] = {"type": "string"}
            properties[p.name] = prop
        return {"type": "object", "properties": properties, "required": [p.name for p in self.parameters if p.required]}


TOOL_SPECS: tuple[ToolSpec, ...] = (
    ToolSpec(
        name="run_code",
        description=(
            "Run the candidate's code against test cases in a sandbox and report which tests pass. Give either "
            "problem_id (a coding question from the bank) or tests (JSON). Returns verdict (passed, failed, timeout, "
            "memory_limit, crashed, sandbox_violation, compile_error), passed, total and first_failure."
        ),
        parameters=[
            ToolParam(name="code", type="string", description="The candidate's complete source code.", required=True),
            ToolParam(name="language", type="string", description="Programming language of the code.",
                      required=True, enum=("python", "javascript")),
            ToolParam(name="problem_id", type="string",
                      description="Id of a coding question in the bank, e.g. gsde-two-sum; its tests are used."),
            ToolParam(name="tests", type="string", description=(
                'Test cases as JSON when there is no problem_id: [{"args": [...], "expected": ...}] or '
                '{"function_name": ..., "compare": "exact"|"unordered", "tests": [...]}.')),
            ToolParam(name="function_name", type="string",
                      description="Function to call when tests are given and the code defines several functions."),
        ],
    ),
    ToolSpec(
        name="analyze_cv",
        description=(
            "Analyse a CV: sections, skills, roles, companies, years of experience, date gaps, projects and "
            "quantified claims, plus interview questions that probe them. Give the CV text, or a file path "
            "(PDF, DOCX, TXT, MD) where files are available."
        ),
        parameters=[
            ToolParam(name="text", type="string", description="The CV as plain text."),
            ToolParam(name="path", type="string", description="Path to a CV file (local use only)."),
        ],
    ),
    ToolSpec(
        name="search_knowledge_base",
        description=(
            "Search interview tips, company-style notes and the question bank (questions with the key points a "
            "strong answer covers). Use it to find follow-up material or check an answer's facts."
        ),
        parameters=[
            ToolParam(name="query", type="string", description="What to look for, in a few words.", required=True),
            ToolParam(name="interview_type", type="string",
                      description="Limit results to one interview type (e.g. aws-solutions-architect) plus general notes."),
            ToolParam(name="top_k", type="integer", description="How many results to return (1-20, default 5)."),
        ],
    ),
    ToolSpec(
        name="evaluate_answer",
        description=(
            "Score a candidate's answer out of ten against the rubric of the closest bank question: key points "
            "covered and missed, STAR structure for behavioural types, red flags and suggestions."
        ),
        parameters=[
            ToolParam(name="question", type="string", description="The question asked, as text or a bank question id.",
                      required=True),
            ToolParam(name="answer", type="string", description="The candidate's answer (transcript).", required=True),
            ToolParam(name="interview_type", type="string", description="Interview type slug, e.g. behavioral.",
                      required=True),
        ],
    ),
)


def tool_spec(name: str) -> ToolSpec | None:
    return next((spec for spec in TOOL_SPECS if spec.name == name), None)


def to_converse_tool_config(specs: tuple[ToolSpec, ...] = TOOL_SPECS) -> dict[str, Any]:
    """The `toolConfig` argument of bedrock-runtime ConverseStream."""
    return {"tools": [
        {"toolSpec": {"name": s.name, "description": s.description, "inputSchema": {"json": s.json_schema()}}}
        for s in specs
    ]}


def to_agent_function_schema(specs: tuple[ToolSpec, ...] = TOOL_SPECS) -> list[dict[str, Any]]:
    """`functionSchema.functions` of a Bedrock Agent action group (function details), API-shaped."""
    functions = []
    for s in specs:
        parameters = {}
        for p in s.parameters:
            description = p.description
            if p.enum:
                description += f" One of: {', '.join(p.enum)}."
            if p.type == "object":
                description += " JSON-encoded."
            parameters[p.name] = {"type": _AGENT_TYPES[p.type], "description": description, "required": p.required}
        functions.append({"name": s.name, "description": s.description, "parameters": parameters})
    return functions
