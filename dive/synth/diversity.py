"""Structural diversity of tool-use data (the paper's §6 metrics), computed from call traces.

A trace is anything with a ``toolset`` (tool ids) and ``calls`` (:class:`dive.records.Call`, in order):
a :class:`dive.records.Task`, or a policy episode's :class:`Trace`. The call graph has one node per
call, labelled by its tool; an edge i -> j when an argument value of call j appears in the output of an
earlier call i (data flow), and between consecutive calls of one turn (order within a turn). Graphs are
compared up to isomorphism by their Weisfeiler-Lehman hash; R/P topologies are the same graphs
relabelled by tool type.
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
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


def call_graph(calls: Sequence[Call], label: Mapping[str, str] | None = None) -> nx.DiGraph:
    """The data-flow graph of one trace; node label = tool id, or ``label[tool]`` (e.g. R/P)."""
    graph = nx.DiGraph()
    outputs = [json.dumps(c.output, ensure_ascii=False) for c in calls]
    for j, call in enumerate(calls):
        name = call.tool
        graph.add_node(j, label=label.get(name, "?") if label is not None else name)
        for i in range(j):
            if any(v in outputs[i] for v in _values(call.arguments)):
                graph.add_edge(i, j)
        if j > 0 and calls[j - 1].turn == call.turn:
            graph.add_edge(j - 1, j)
    return graph


def graph_key(graph: nx.DiGraph) -> str:
    with warnings.catch_warnings():  # networkx 3.5 warns that directed hashes changed; ours are all new
        warnings.simplefilter("ignore", UserWarning)
        return nx.weisfeiler_lehman_graph_hash(graph, node_attr="label", iterations=3)


def diversity_metrics(traces: Iterable[Traced], tool_types: Mapping[str, str]) -> dict[str, float]:
    """The paper's diversity metrics over a dataset, plus the R/P mix and the tool-frequency tail."""
    toolsets, sequences, graphs, topologies = set(), set(), set(), set()
    frequency: Counter[str] = Counter()
    per_task: list[int] = []
    n = 0
    for trace in traces:
        n += 1
        calls = [c for c in trace.calls if c.ok]
        names = [c.tool for c in calls]
        toolsets.add(tuple(sorted(trace.toolset)))
        sequences.add(tuple(names))
        graphs.add(graph_key(call_graph(calls)))
        topologies.add(graph_key(call_graph(calls, tool_types)))
        frequency.update(names)
        per_task.append(len(set(names)))
    total_calls = sum(frequency.values())
    retrieval_calls = sum(k for t, k in frequency.items() if tool_types.get(t) == "R")
    return {
        "diversity/tools_covered": float(len(frequency)),
        "diversity/unique_toolsets": float(len(toolsets)),
        "diversity/unique_call_sequences": float(len(sequences)),
        "diversity/unique_call_graphs": float(len(graphs)),
        "diversity/rp_topology_classes": float(len(topologies)),
        "diversity/tools_per_task": sum(per_task) / n if n else 0.0,
        "diversity/retrieval_call_share": retrieval_calls / total_calls if total_calls else 0.0,
        "diversity/top10_call_share": sum(k for _, k in frequency.most_common(10)) / total_calls
        if total_calls
        else 0.0,
    }
