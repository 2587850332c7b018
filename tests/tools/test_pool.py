"""Every registered tool passes the crawl-validate gate (examples, bad examples, determinism)."""

from __future__ import annotations

import pytest

from dive.tools.base import DOMAINS
from dive.tools.gate import check_tool
from dive.tools.registry import load_tools

TOOLS = load_tools(DOMAINS)


@pytest.mark.parametrize("tool_id", sorted(TOOLS))
def test_tool_passes_gate(tool_id: str) -> None:
    tool = TOOLS[tool_id]
    if tool.available():
        pytest.skip(tool.available())
    verdict = check_tool(tool)
    assert verdict.passed, f"{tool_id}: {verdict.reason}"


@pytest.mark.parametrize("tool_id", sorted(TOOLS))
def test_tool_schema_is_actionable(tool_id: str) -> None:
    tool = TOOLS[tool_id]
    assert len(tool.description) >= 20, "a model needs a real description"
    for name, spec in tool.parameters["properties"].items():
        assert len(spec["description"]) >= 8, f"parameter {name} needs a description"
    assert set(tool.accepts) <= set(tool.parameters["properties"]), "accepts names unknown parameters"
    assert len(tool.name) <= 64
