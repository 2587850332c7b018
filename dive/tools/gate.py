"""The crawl-validate gate: a tool reaches synthesis only if it passes these checks."""

from __future__ import annotations

import dataclasses
import json
import logging
import statistics
from collections.abc import Callable

from dive.tools.base import Tool

log = logging.getLogger(__name__)

OUTPUT_CAP_BYTES = 20_000  # a tool message larger than this would swamp a small model's context

# tool id -> a check of the machine the tool needs beyond its imports (e.g. the sandbox's isolation):
# None when it can run here, else the reason it cannot. Registered by the tool's module.
_PROBES: dict[str, Callable[[], str | None]] = {}


def register_probe(tool_id: str, probe: Callable[[], str | None]) -> None:
    """Make the gate drop ``tool_id`` (with the probe's reason, and a warning) when ``probe`` fails."""
    _PROBES[tool_id] = probe


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
    probe = _PROBES.get(tool.id)
    unavailable = probe() if probe is not None else None
    if unavailable:
        log.warning("gate: dropping %s: %s", tool.id, unavailable)
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
