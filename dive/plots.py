"""Per-dataset figures of the diversity metrics: how calls spread over tools, and which R/P call-graph
topologies the data teaches (dive/synth/diversity.py defines both).

matplotlib is imported inside the functions (a stage that never plots never pays for it), through its
Agg canvas, so no display and no global backend switch are needed. Figures carry nothing but the data
(no dates), so the same traces give the same PNG.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from dive.synth.diversity import Traced, call_edges, graph_keys, ok_calls

TOP_TOPOLOGIES = 15  # bars in the topology plot; the title gives the total
MAX_LABEL = 60  # characters of a topology label before it is cut
LEGEND = "traces    (→ feeds the next call, · does not; (i→j): call i feeds call j; ? = unknown type)"


def tool_frequency_plot(traces: Iterable[Traced], path: Path, title: str) -> Path:
    """Successful calls per tool, tools sorted by rank (log y): a long flat tail is a diverse dataset."""
    frequency = Counter(c.tool for trace in traces for c in ok_calls(trace))
    counts = sorted(frequency.values(), reverse=True)
    total = sum(counts)
    figure, axes = _figure(7.0, 4.0)
    if counts:
        axes.bar(range(1, len(counts) + 1), counts, width=1.0, color="#3b75af")
        axes.set_yscale("log")
    top10 = sum(counts[:10]) / total if total else 0.0
    note = f"{len(counts)} tools covered\n{total} calls\ntop-10 tools: {top10:.1%} of calls"
    axes.text(0.98, 0.95, note, transform=axes.transAxes, ha="right", va="top", fontsize=9)
    axes.set(title=title, xlabel="tool rank", ylabel="calls (log)")
    return _save(figure, path)


def topology_plot(traces: Iterable[Traced], tool_types: Mapping[str, str], path: Path, title: str) -> Path:
    """The most frequent R/P topology classes (call graphs relabelled by tool type), one bar each."""
    from matplotlib.ticker import MaxNLocator

    counts, labels = _topologies(traces, tool_types)
    top = sorted(counts, key=lambda k: (-counts[k], labels[k]))[:TOP_TOPOLOGIES]
    figure, axes = _figure(8.0, 1.2 + 0.32 * max(len(top), 1))
    axes.barh(range(len(top)), [counts[k] for k in top], color="#c8553d")
    axes.set_yticks(range(len(top)), [labels[k] for k in top], fontfamily="monospace", fontsize=9)
    axes.invert_yaxis()  # the most frequent class on top
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    shown = f"top {len(top)} of " if len(top) < len(counts) else ""
    axes.set(title=f"{title}: {shown}{len(counts)} R/P topology classes", xlabel=LEGEND)
    return _save(figure, path)


def _topologies(
    traces: Iterable[Traced], tool_types: Mapping[str, str]
) -> tuple[Counter[str], dict[str, str]]:
    """Traces per topology class (its WL hash, as the metrics count them), and each class's label,
    drawn from the first trace of the class."""
    key = graph_keys()
    counts: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for trace in traces:
        calls = ok_calls(trace)
        letters = tuple(tool_types.get(c.tool, "?") for c in calls)
        edges = call_edges(calls)
        k = key(letters, edges)
        counts[k] += 1
        labels.setdefault(k, topology_label(letters, edges))
    return counts, labels


def topology_label(letters: Sequence[str], edges: Iterable[tuple[int, int]]) -> str:
    """A topology as text: the calls' types in order, "→" where a call feeds the next and "·" where it
    does not, then the longer edges by call position, e.g. "R→R·P  (1→3)"."""
    found = set(edges)
    if not letters:
        return "(no calls)"
    text = letters[0]
    for j in range(1, len(letters)):
        text += ("→" if (j - 1, j) in found else "·") + letters[j]
    skips = sorted((i, j) for i, j in found if j > i + 1)
    if skips:
        text += "  (" + ", ".join(f"{i + 1}→{j + 1}" for i, j in skips) + ")"
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _figure(width: float, height: float) -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def _save(figure: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", metadata={"Software": None})  # no version stamp either
    return path
