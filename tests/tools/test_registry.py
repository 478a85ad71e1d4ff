from __future__ import annotations

import re

from pydantic import BaseModel

from prepai_cli.agent.tools import TOOL_SPECS, LocalToolBox, to_agent_function_schema, to_converse_tool_config
from prepai_cli.agent.tools.arguments import AnalyzeCvArgs, EvaluateArgs, RunCodeArgs, SearchArgs

EXPECTED_TOOLS = {"run_code", "analyze_cv", "search_knowledge_base", "evaluate_answer"}
ARG_MODELS: dict[str, type[BaseModel]] = {"run_code": RunCodeArgs, "analyze_cv": AnalyzeCvArgs, "search_knowledge_base": SearchArgs,
              "evaluate_answer": EvaluateArgs}


def test_exactly_the_four_tools() -> None:
    assert {s.name for s in TOOL_SPECS} == EXPECTED_TOOLS


def test_specs_match_the_argument_models_the_toolbox_validates_with() -> None:
    for spec in TOOL_SPECS:
        fields = ARG_MODELS[spec.name].model_fields
        assert {p.name for p in spec.parameters} == set(fields), spec.name
        for param in spec.parameters:
            assert param.required == fields[param.name].is_required(), f"{spec.name}.{param.name}"


def test_toolbox_dispatches_every_spec() -> None:
    toolbox = LocalToolBox()
    assert [s.name for s in toolbox.specs] == [s.name for s in TOOL_SPECS]
    assert all(toolbox.has(s.name) for s in TOOL_SPECS)
    assert not toolbox.has("rm_rf")


def test_converse_tool_config_shape() -> None:
    config = to_converse_tool_config()
    assert len(config["tools"]) == 4
    run_code = next(t["toolSpec"] for t in config["tools"] if t["toolSpec"]["name"] == "run_code")
    schema = run_code["inputSchema"]["json"]
    assert schema["type"] == "object"
    assert schema["required"] == ["code", "language"]
    assert schema["properties"]["language"]["enum"] == ["python", "javascript"]
    top_k = next(t["toolSpec"] for t in config["tools"] if t["toolSpec"]["name"] == "search_knowledge_base")
    assert top_k["inputSchema"]["json"]["properties"]["top_k"]["type"] == "integer"


def test_agent_function_schema_respects_bedrock_limits() -> None:
    functions = to_agent_function_schema()
    assert {f["name"] for f in functions} == EXPECTED_TOOLS
    for function in functions:
        assert re.fullmatch(r"[0-9a-zA-Z_-]{1,64}", function["name"])
        assert 0 < len(function["description"]) <= 1200
        assert len(function["parameters"]) <= 5
        for name, param in function["parameters"].items():
            assert re.fullmatch(r"[0-9a-zA-Z_-]{1,64}", name)
            assert param["type"] in {"string", "number", "integer", "boolean", "array"}
            assert isinstance(param["required"], bool) and param["description"]
    language = next(f for f in functions if f["name"] == "run_code")["parameters"]["language"]
    assert "python" in language["description"] and language["required"] is True
