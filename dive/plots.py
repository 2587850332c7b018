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


def sweep_diversity_plot(
    data: Mapping[str, tuple[Sequence[Traced], Mapping[str, str]]], path: Path, title: str
) -> Path:
    """Every point's training data side by side (``data``: point -> (traces, tool types)): the
    tool-frequency long tail and the R/P topology distribution."""
    figure, _ = _figure(13.0, 4.6)
    figure.clear()
    tail, shares = figure.subplots(1, 2)
    _tail_panel(tail, {point: traces for point, (traces, _) in data.items()})
    _topology_panel(shares, {point: _topologies(traces, types) for point, (traces, types) in data.items()})
    figure.suptitle(f"{title}: the training data of each point")
    return _save(figure, path)


def _tail_panel(axes: Any, traces: Mapping[str, Sequence[Traced]]) -> None:
    """Calls per tool by rank (log y), a line per point: a longer, flatter tail is more coverage."""
    for point, found in traces.items():
        counts = sorted(Counter(c.tool for t in found for c in ok_calls(t)).values(), reverse=True)
        if counts:
            axes.plot(range(1, len(counts) + 1), counts, label=f"{point} ({len(counts)} tools)")
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axes.set_yscale("log")
    plain = FuncFormatter(lambda value, _: f"{value:g}")  # 2, 10, 100 rather than 2x10^0
    axes.yaxis.set_major_formatter(plain)
    axes.yaxis.set_minor_formatter(plain)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # ranks are whole numbers
    axes.set(title="tool-frequency long tail", xlabel="tool rank", ylabel="calls (log)")
    axes.legend(fontsize=7)


def _topology_panel(axes: Any, per_point: Mapping[str, tuple[Counter[str], dict[str, str]]]) -> None:
    """The share of each point's traces in the sweep's most common R/P topology classes, one stacked bar
    per point (the rest as "other")."""
    overall: Counter[str] = sum((counts for counts, _ in per_point.values()), Counter())
    labels = {k: v for _, found in per_point.values() for k, v in found.items()}
    top = [k for k, _ in overall.most_common(8)]
    left = [0.0] * len(per_point)
    rest = ["other"] if len(overall) > len(top) else []  # no empty "other" in the legend
    for key in [*top, *rest]:
        widths = []
        for counts, _ in per_point.values():
            n = counts[key] if key != "other" else sum(v for k, v in counts.items() if k not in top)
            widths.append(n / (sum(counts.values()) or 1))
        name = labels.get(key, key)
        axes.barh(range(len(per_point)), widths, left=left, label=name[:27] + ("…" if len(name) > 27 else ""))
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.set_yticks(range(len(per_point)), list(per_point))
    axes.invert_yaxis()
    axes.set(title="R/P topology classes (share of each point's traces)", xlabel="share of traces")
    axes.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))


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
