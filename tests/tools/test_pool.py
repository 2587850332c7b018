"""Every registered tool passes the crawl-validate gate (examples, bad examples, determinism)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from dive.tools.base import DOMAINS, HEAVY_MODULES
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


def test_missing_heavy_package_points_at_the_heavy_extra() -> None:
    """Tools on astropy, statsmodels, rdkit, ... skip with 'install dive[heavy]', not their domain."""
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    dists = [
        re.split(r"[=<>!~\[; ]", req, maxsplit=1)[0]
        for req in pyproject["project"]["optional-dependencies"]["heavy"]
    ]
    imports = {{"pyerfa": "erfa"}.get(d.lower(), d.lower().replace("-", "_")) for d in dists}
    assert imports == HEAVY_MODULES
    for tool in TOOLS.values():
        reason = tool.available()
        if reason and any(m in HEAVY_MODULES for m in tool.requires):
            assert "dive[heavy" in reason and "install.sh --heavy" in reason, reason
        elif reason:
            assert f"dive[{tool.domain}]" in reason, reason
