"""The crawl-validate gate: a tool reaches synthesis only if it passes these checks."""

from __future__ import annotations

import dataclasses
import json
import statistics

from dive.tools.base import Tool

OUTPUT_CAP_BYTES = 20_000  # a tool message larger than this would swamp a small model's context


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The gate's decision on one tool, as stored in the pool manifest."""

    passed: bool
    reason: str
    latency_p50_s: float
    latency_max_s: float


def check_tool(tool: Tool) -> Verdict:
    """Run a tool's examples twice and its bad examples once; the first failed check is the reason."""
    latencies: list[float] = []

    def verdict(passed: bool, reason: str) -> Verdict:
        lat = latencies or [0.0]
        return Verdict(passed, reason, statistics.median(lat), max(lat))

    unavailable = tool.available()
    if unavailable:
        return verdict(False, unavailable)
    if not tool.examples:
        return verdict(False, "no example arguments to test with")
    for args in tool.examples:
        first, second = tool(args), tool(args)
        latencies += [first.latency_s, second.latency_s]
        if not first.ok:
            return verdict(False, f"example {args} failed: {first.error}")
        size = len(first.content().encode())
        if size > OUTPUT_CAP_BYTES:
            return verdict(False, f"example {args} output is {size} bytes > cap {OUTPUT_CAP_BYTES}")
        if json.loads(first.content()) != json.loads(second.content()):
            return verdict(False, f"example {args} is not deterministic: two calls disagree")
    for args in tool.bad_examples:
        result = tool(args)
        if result.ok:
            return verdict(False, f"bad example {args} did not give a tool error")
    if tool(_garbage_arguments(tool)).ok:
        return verdict(False, "arguments of the wrong type did not give a tool error")
    return verdict(True, "ok")


def _garbage_arguments(tool: Tool) -> dict[str, object]:
    """Arguments that violate the schema (every field a wrong-typed object) to test error handling."""
    props = tool.parameters["properties"]
    if not props:
        return {"__unexpected__": 1}
    return {name: {"not": "valid"} if spec.get("type") != "object" else 1 for name, spec in props.items()}
