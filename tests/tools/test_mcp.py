"""The MCP server, as a real subprocess driven by the mcp stdio client."""

from __future__ import annotations

import dataclasses
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import mcp.types as types
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

import dive.tools.mcp
import dive.tools.sandbox  # noqa: F401  (registers general.python.execute)
from dive.tools.base import REGISTRY
from dive.tools.mcp import SelectionError, select_tools

ROOT = Path(__file__).resolve().parents[2]
EXECUTE = "general__python__execute"


def _server(*args: str) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=["-m", "dive.tools.mcp", *args], cwd=str(ROOT))


def _text(result: types.CallToolResult) -> str:
    return "".join(c.text for c in result.content if isinstance(c, types.TextContent))


async def _session_calls(params: StdioServerParameters) -> dict[str, Any]:
    with anyio.fail_after(60):
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            listed = await session.list_tools()
            good = await session.call_tool(EXECUTE, {"code": "print(6*7)"})
            bad_type = await session.call_tool(EXECUTE, {"code": 42})
            missing = await session.call_tool(EXECUTE, {})
            unknown = await session.call_tool("general__python__nope", {"code": "1"})
            return {
                "listed": listed,
                "good": good,
                "bad_type": bad_type,
                "missing": missing,
                "unknown": unknown,
            }


def test_server_lists_and_calls_the_sandbox() -> None:
    calls = anyio.run(_session_calls, _server("--toolset", "general.python.execute"))
    tools = {t.name: t for t in calls["listed"].tools}
    assert list(tools) == [EXECUTE]
    schema = tools[EXECUTE].input_schema
    assert schema["required"] == ["code"] and schema["properties"]["code"]["type"] == "string"

    good = calls["good"]
    assert not good.is_error, _text(good)
    payload = json.loads(_text(good))
    assert "42" in payload["stdout"] and payload["exit_code"] == 0

    for key in ("bad_type", "missing", "unknown"):
        assert calls[key].is_error, key
        assert "error" in json.loads(_text(calls[key])), key


def test_unknown_tool_id_fails_before_serving() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "dive.tools.mcp", "--toolset", "general.python.exec"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 2
    assert "general.python.exec" in proc.stderr and "did you mean: general.python.execute" in proc.stderr


def test_selection_in_process() -> None:
    assert list(select_tools(["general__python__execute"])) == ["general.python.execute"]
    with pytest.raises(SelectionError, match="did you mean"):
        select_tools(["general.python.exeucte"])
    with pytest.raises(SelectionError, match="unknown domain"):
        select_tools(domains=["astrology"])
    with pytest.raises(SelectionError, match="--sample 5"):
        select_tools(["general.python.execute"], sample=5)


def test_sample_is_deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fake pool (copies of the sandbox tool), since other domains may be mid-edit.
    real = REGISTRY["general.python.execute"]
    ids = [f"general.fake.t{i:02d}" for i in range(20)]
    pool = {tid: dataclasses.replace(real, id=tid) for tid in ids}
    monkeypatch.setattr(dive.tools.mcp, "load_tools", lambda domains: pool)
    first = select_tools(domains=["general"], sample=5, seed=7)
    assert first == select_tools(domains=["general"], sample=5, seed=7)
    assert sorted(first) == sorted(random.Random(7).sample(sorted(pool), 5))
    assert first != select_tools(domains=["general"], sample=5, seed=8)
