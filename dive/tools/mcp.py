"""Serve registered tools over MCP (stdio), so any MCP client or agent framework can call them.

Usage::

    python -m dive.tools.mcp --toolset general.python.execute finance.fx.convert
    python -m dive.tools.mcp --domains general finance
    python -m dive.tools.mcp --domains general --sample 8 --seed 0

A tool is exposed under its function name (``tool.name``: the id with "." -> "__"), with its
generated JSON schema as the input schema. A call runs ``tool(arguments)``, which never raises,
and returns ``result.content()`` as text; error results (bad arguments, unknown entity, library
failure) are marked ``isError`` so the client sees them as tool errors rather than protocol errors.

Built on the low-level ``mcp.server.lowlevel.Server`` (mcp >= 2): it takes our own schemas
verbatim, whereas the high-level server derives schemas from Python signatures.
"""

from __future__ import annotations

import argparse
import difflib
import json
import random
import sys
from collections.abc import Sequence
from typing import Any

import anyio
import anyio.to_thread
import mcp.types as types
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server

from dive.tools.base import DOMAINS, Tool
from dive.tools.registry import load_tools

SERVER_NAME = "dive-tools"


class SelectionError(ValueError):
    """The requested tool selection cannot be served (unknown ids, bad sample size)."""


def _as_id(token: str) -> str:
    """Accept a tool id or its function name (``a__b__c``) on the command line."""
    return token.replace("__", ".") if "__" in token else token


def select_tools(
    toolset: Sequence[str] = (),
    domains: Sequence[str] = (),
    sample: int | None = None,
    seed: int = 0,
) -> dict[str, Tool]:
    """The tools to serve, by id: an explicit set, whole domains, or both; then optionally a sample.

    With neither ``toolset`` nor ``domains`` the pool is every domain. The sample is
    ``random.Random(seed).sample(sorted(ids), n)``, so the same seed always serves the same tools.
    """
    ids = [_as_id(t) for t in toolset]
    bad_domains = sorted({d for d in domains if d not in DOMAINS})
    if bad_domains:
        raise SelectionError(f"unknown domain(s) {bad_domains}; valid: {list(DOMAINS)}")
    id_domains = {i.split(".", 1)[0] for i in ids} & set(DOMAINS)
    wanted = tuple(d for d in DOMAINS if d in id_domains or d in domains or not (ids or domains))
    pool = load_tools(wanted)
    unknown = [i for i in ids if i not in pool]
    if unknown:
        lines = []
        for i in unknown:
            close = difflib.get_close_matches(i, list(pool), n=3, cutoff=0.5)
            lines.append(f"  {i}" + (f" (did you mean: {', '.join(close)}?)" if close else ""))
        raise SelectionError("unknown tool id(s):\n" + "\n".join(lines))
    chosen = {i: pool[i] for i in ids}
    for tid, t in pool.items():
        if t.domain in domains:
            chosen[tid] = t
    if not ids and not domains:
        chosen = dict(pool)
    if sample is not None:
        if not 0 < sample <= len(chosen):
            raise SelectionError(f"--sample {sample}: the selection has {len(chosen)} tool(s)")
        picked = random.Random(seed).sample(sorted(chosen), sample)
        chosen = {tid: chosen[tid] for tid in sorted(picked)}
    if not chosen:
        raise SelectionError("the selection is empty")
    return dict(sorted(chosen.items()))


def _text_result(text: str, is_error: bool) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=is_error)


def build_server(tools: dict[str, Tool]) -> Server[Any]:
    """A low-level MCP server exposing ``tools`` (list + call)."""
    by_name = {t.name: t for t in tools.values()}
    listing = [
        types.Tool(name=t.name, description=t.description, input_schema=t.parameters)
        for t in by_name.values()
    ]

    async def list_tools(ctx: Any, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return types.ListToolsResult(tools=listing)

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        target = by_name.get(params.name)
        if target is None:
            close = difflib.get_close_matches(params.name, list(by_name), n=3, cutoff=0.5)
            message = f"unknown tool {params.name!r}; close matches: {close}"
            return _text_result(json.dumps({"error": message}), True)
        # Tools block (library calls, the sandbox's child process): run them off the event loop.
        result = await anyio.to_thread.run_sync(target, dict(params.arguments or {}))
        return _text_result(result.content(), not result.ok)

    return Server(SERVER_NAME, on_list_tools=list_tools, on_call_tool=call_tool)


async def serve_stdio(tools: dict[str, Tool]) -> None:
    server = build_server(tools)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m dive.tools.mcp", description=__doc__.split("\n\n")[0])
    parser.add_argument("--toolset", nargs="+", default=[], metavar="ID", help="tool ids (or names) to serve")
    parser.add_argument(
        "--domains",
        nargs="+",
        default=[],
        metavar="DOMAIN",
        choices=DOMAINS,
        help="serve every tool of these domains",
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=None,
        metavar="N",
        help="serve a deterministic random sample of N tools from the selection",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for --sample (default 0)")
    parser.add_argument("--list", action="store_true", help="print the selected tool ids and exit")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        tools = select_tools(args.toolset, args.domains, args.sample, args.seed)
    except SelectionError as exc:
        # Fail before serving: a client would otherwise see a server with a silently wrong tool set.
        print(f"dive.tools.mcp: {exc}", file=sys.stderr)
        return 2
    if args.list:
        print("\n".join(tools))
        return 0
    print(f"dive.tools.mcp: serving {len(tools)} tool(s) over stdio", file=sys.stderr)
    anyio.run(serve_stdio, tools)
    return 0


if __name__ == "__main__":
    sys.exit(main())
