"""The agent's shared tools: code sandbox, CV analysis, knowledge base search and answer evaluation."""

from prepai_cli.agent.tools.registry import (
    TOOL_SPECS, ToolParam, ToolSpec, to_agent_function_schema, to_converse_tool_config, tool_spec,
)
from prepai_cli.agent.tools.toolbox import FAILED, INVALID_ARGUMENTS, LocalToolBox, tool_error

__all__ = [
    "FAILED", "INVALID_ARGUMENTS", "LocalToolBox", "TOOL_SPECS", "ToolParam", "ToolSpec", "to_agent_function_schema",
    "to_converse_tool_config", "tool_error", "tool_spec",
]
