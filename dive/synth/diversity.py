"""Structural diversity of tool-use data (the paper's §6 metrics), computed from call traces.

A trace is anything with a ``toolset`` (tool ids) and ``calls`` (:class:`dive.records.Call`, in order):
a :class:`dive.records.Task`, or a policy episode's :class:`Trace`. The call graph has one node per
call, labelled by its tool; an edge i -> j when an argument value of call j appears in the output of an
earlier call i (data flow), and between consecutive calls of one turn (order within a turn). Graphs are
compared up to isomorphism by their Weisfeiler-Lehman hash; R/P topologies are the same graphs
relabelled by tool type.

The traces of what SFT trains on come from sft.jsonl conversations (:func:`trace_of_row`): there a
tool output may be cut (``" ...[truncated]"``), so it stays text and data flow is found in that text.
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

import networkx as nx

from dive.records import Call


class Traced(Protocol):
    """What the metrics read of a task or an episode."""

    @property
    def toolset(self) -> Sequence[str]: ...

    @property
    def calls(self) -> Sequence[Call]: ...


@dataclasses.dataclass(frozen=True)
class Trace:
    """The calls of something that is not a task (a policy episode), with the toolset it had."""

    toolset: Sequence[str]
    calls: Sequence[Call]


def _values(arguments: Mapping[str, Any]) -> list[str]:
    """Argument values worth tracing (short literals like 1 or 'a' would match everywhere)."""
    found = []
    for value in arguments.values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            text = json.dumps(item, ensure_ascii=False).strip('"') if not isinstance(item, str) else item
            if len(text) >= 3:
                found.append(text)
    return found


def _text(output: Any) -> str:
    """What argument values are searched in: a cut (unparseable) output is already text."""
    return output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)


def call_edges(calls: Sequence[Call]) -> tuple[tuple[int, int], ...]:
    """The call graph's edges i -> j (i < j), sorted: data flow, and order within a turn."""
    outputs = [_text(c.output) for c in calls]
    edges = []
    for j, call in enumerate(calls):
        values = _values(call.arguments)
        edges += [(i, j) for i in range(j) if any(v in outputs[i] for v in values)]
        if j > 0 and calls[j - 1].turn == call.turn and (j - 1, j) not in edges:
            edges.append((j - 1, j))
    return tuple(edges)


def call_graph(calls: Sequence[Call], label: Mapping[str, str] | None = None) -> nx.DiGraph:
    """The data-flow graph of one trace; node label = tool id, or ``label[tool]`` (e.g. R/P)."""
    labels = [c.tool if label is None else label.get(c.tool, "?") for c in calls]
    return _graph(labels, call_edges(calls))


def _graph(labels: Sequence[str], edges: Iterable[tuple[int, int]]) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from((j, {"label": name}) for j, name in enumerate(labels))
    graph.add_edges_from(edges)
    return graph


def graph_key(graph: nx.DiGraph) -> str:
    with warnings.catch_warnings():  # networkx 3.5 warns that directed hashes changed; ours are all new
        warnings.simplefilter("ignore", UserWarning)
        return nx.weisfeiler_lehman_graph_hash(graph, node_attr="label", iterations=3)


def graph_keys() -> Callable[[tuple[str, ...], tuple[tuple[int, int], ...]], str]:
    """``key(labels, edges)``: :func:`graph_key` of that graph, memoized. (labels, edges) fixes the graph,
    so the memo is exact; it pays because R/P topologies (and many tool graphs) repeat across traces,
    and the WL hash is most of the metrics' time."""
    memo: dict[tuple[tuple[str, ...], tuple[tuple[int, int], ...]], str] = {}

    def key(labels: tuple[str, ...], edges: tuple[tuple[int, int], ...]) -> str:
        if (labels, edges) not in memo:
            memo[labels, edges] = graph_key(_graph(labels, edges))
        return memo[labels, edges]

    return key


def ok_calls(trace: Traced) -> list[Call]:
    """The calls the metrics count: failed calls returned nothing to build on."""
    return [c for c in trace.calls if c.ok]


def diversity_metrics(
    traces: Iterable[Traced], tool_types: Mapping[str, str], prefix: str = "diversity"
) -> dict[str, float]:
    """The paper's diversity metrics over a dataset, plus the R/P mix and the tool-frequency tail,
    as ``{prefix}/<metric>``; a tool missing from ``tool_types`` counts as type "?"."""
    toolsets, sequences, graphs, topologies = set(), set(), set(), set()
    frequency: Counter[str] = Counter()
    per_task: list[int] = []
    key = graph_keys()
    for trace in traces:
        calls = ok_calls(trace)
        names = tuple(c.tool for c in calls)
        edges = call_edges(calls)
        toolsets.add(tuple(sorted(trace.toolset)))
        sequences.add(names)
        graphs.add(key(names, edges))
        topologies.add(key(tuple(tool_types.get(t, "?") for t in names), edges))
        frequency.update(names)
        per_task.append(len(set(names)))
    total_calls = sum(frequency.values())
    retrieval_calls = sum(k for t, k in frequency.items() if tool_types.get(t) == "R")
    metrics = {
        "tools_covered": float(len(frequency)),
        "unique_toolsets": float(len(toolsets)),
        "unique_call_sequences": float(len(sequences)),
        "unique_call_graphs": float(len(graphs)),
        "rp_topology_classes": float(len(topologies)),
        "tools_per_task": sum(per_task) / len(per_task) if per_task else 0.0,
        "retrieval_call_share": retrieval_calls / total_calls if total_calls else 0.0,
        "top10_call_share": sum(k for _, k in frequency.most_common(10)) / total_calls
        if total_calls
        else 0.0,
    }
    return {f"{prefix}/{name}": value for name, value in metrics.items()}


# ---------------------------------------------------------------------------------------------
# sft.jsonl conversations as traces


ERROR_PREFIX = '{"error": '  # how a failed call's content (ToolResult.content) starts, cut or not


def tool_id(name: str) -> str:
    """The tool id behind an OpenAI function name (:attr:`dive.tools.base.Tool.name` swaps "." for "__")."""
    return name.replace("__", ".")


def trace_of_row(row: Mapping[str, Any]) -> Trace:
    """The calls of one sft.jsonl conversation ({"messages", "tools"}), in order.

    A call's ``turn`` is the index of the assistant message that made it; each is answered by the tool
    message with its ``tool_call_id`` among those that follow (ids may repeat across turns).
    """
    toolset = [tool_id(schema["function"]["name"]) for schema in row.get("tools") or []]
    calls: list[Call] = []
    pending: dict[str, int] = {}  # tool_call_id -> index in calls, for the latest assistant message
    for turn, message in enumerate(row["messages"]):
        if message.get("role") == "assistant":
            pending = {}
            for request in message.get("tool_calls") or []:
                pending[request.get("id", "")] = len(calls)
                calls.append(_requested(request["function"], turn))
        elif message.get("role") == "tool" and message.get("tool_call_id", "") in pending:
            index = pending.pop(message.get("tool_call_id", ""))
            calls[index] = _answered(calls[index], message.get("content"))
    return Trace(toolset, calls)


def _requested(function: Mapping[str, Any], turn: int) -> Call:
    """A call as the assistant made it; failed until a tool message answers it."""
    arguments = function.get("arguments") or {}
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except json.JSONDecodeError:
            arguments = None
    valid = isinstance(arguments, dict)
    return Call(
        tool_id(function["name"]),
        arguments if valid else {},
        False,
        error="no tool result",
        turn=turn,
        valid=valid,
    )


def _answered(call: Call, content: Any) -> Call:
    """``call`` with the tool message's content: parsed JSON, or the text itself when it does not parse
    (cut by the solve stage); ``{"error": ...}``, whole or cut, is a failed call."""
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    try:
        output = json.loads(text)
    except json.JSONDecodeError:
        if text.startswith(ERROR_PREFIX):  # long error messages (e.g. a list of valid names) get cut too
            return dataclasses.replace(call, error=text)
        output = text
    if isinstance(output, dict) and list(output) == ["error"]:
        return dataclasses.replace(call, error=str(output["error"]))
    return dataclasses.replace(call, ok=True, output=output, error=None)


def row_metrics(
    rows: Iterable[Mapping[str, Any]], tool_types: Mapping[str, str], prefix: str
) -> dict[str, float]:
    """:func:`diversity_metrics` of sft.jsonl rows, as ``{prefix}/<metric>``."""
    return diversity_metrics((trace_of_row(row) for row in rows), tool_types, prefix)
