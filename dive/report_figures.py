"""The report's figures: summary.png for every sweep and one figure per paper study (Fig. 3a, 3b, 3c).

Each figure plots series computed by dive/report_studies.py (tested there, without pixels). A point
with a missing value is left out and named in a footnote under the figure, never drawn at 0. Figures
use matplotlib's Agg canvas directly (no pyplot state, no display) and carry no version stamp.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dive.report_studies import (
    GRAPHS,
    GRPO_DIVE,
    SCORES,
    Row,
    by_point,
    least_squares,
    number,
    pair_series,
    rl_gains,
    size_series,
    step_labels,
    step_series,
    summary_series,
)

SUMMARY_BARS = [  # (metric key, label, colour): fixed colours, so a series with no values shifts none
    ("eval/dive_eval/all/accuracy", "DIVE-Eval (GRPO)", "#1f77b4"),
    ("eval_base/dive_eval/all/accuracy", "DIVE-Eval (base)", "#aec7e8"),
    ("eval/bfcl/summary/categories_mean", "BFCL mean (GRPO)", "#2ca02c"),
    ("eval_base/bfcl/summary/categories_mean", "BFCL mean (base)", "#98df8a"),
]


def _figure(panels: int, width: float, height: float) -> tuple[Any, list[Any]]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width * panels, height), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, panels, squeeze=False)[0]
    return figure, list(axes)


def _save(figure: Any, path: Path, missing: Mapping[str, Sequence[str]]) -> Path:
    """Write the PNG, with a footnote naming every point left out for a missing value."""
    note = missing_note(missing)
    if note:
        figure.supxlabel(textwrap.fill(note, 170), fontsize=7, x=0.01, ha="left")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", metadata={"Software": None})
    return path


def missing_note(missing: Mapping[str, Sequence[str]]) -> str:
    """The footnote from {panel or series: points left out}: a point missing from every panel is named
    once, under "every panel", the others under their panel; "" when nothing is missing."""
    panels = list(missing)
    counts: dict[str, int] = {}
    for points in missing.values():
        for point in dict.fromkeys(points):
            counts[point] = counts.get(point, 0) + 1
    everywhere = [p for p, n in counts.items() if n == len(panels)]
    parts = [f"every panel: {', '.join(everywhere)}"] if everywhere else []
    for panel in panels:
        some = list(dict.fromkeys(p for p in missing[panel] if p not in everywhere))
        parts += [f"{panel}: {', '.join(some)}"] if some else []
    return "missing, not plotted - " + "; ".join(parts) if parts else ""


# summary.png's third panel: what SFT did to the held-out loss of each point's own data (a tiny model
# scores 0 everywhere, but its loss still shows that training ran and learned)
LOSS_BARS = [
    ("sft/eval_loss_base", "before SFT (base model)", "#c7c7c7"),
    ("sft/eval_loss", "after SFT", "#1f77b4"),
]


def plot_summary(rows: Sequence[Row], order: Sequence[str], path: Path, title: str) -> Path:
    """Scores per point (bars; a missing score leaves a gap), DIVE-Eval against data diversity, and the
    held-out SFT loss before and after training."""
    figure, (left, right, losses) = _figure(3, 5.5, 4.5)
    skipped = _grouped_bars(left, rows, order, SUMMARY_BARS, "%.2g")
    left.set(ylabel="accuracy", title=f"{title}: accuracy per point")
    scatter = pair_series(rows, order, GRAPHS, GRPO_DIVE)
    right.scatter(scatter.x, scatter.y)
    label_points(right, scatter.x, scatter.y, scatter.points, size=8)
    right.set(xlabel="unique call graphs in the SFT data", ylabel="DIVE-Eval accuracy (GRPO)")
    right.set_title("accuracy vs diversity")
    skipped.update(_grouped_bars(losses, rows, order, LOSS_BARS, "%.2f"))
    losses.set(ylabel="held-out loss on the point's SFT data", title="training: SFT loss before / after")
    return _save(figure, path, {**skipped, "accuracy vs diversity": scatter.skipped})


def _grouped_bars(
    ax: Any, rows: Sequence[Row], order: Sequence[str], bars: Sequence[tuple[str, str, str]], fmt: str
) -> dict[str, list[str]]:
    """A group of bars per point, one per (metric, label, colour), each labelled with its value (a
    measured 0 shows as "0", a missing value as a gap); returns the points each label is missing."""
    width = 0.8 / len(bars)
    skipped: dict[str, list[str]] = {}
    for n, (key, label, colour) in enumerate(bars):
        positions, values = summary_series(rows, order, key)
        if positions:
            drawn = ax.bar([i + n * width for i in positions], values, width=width, label=label, color=colour)
            ax.bar_label(drawn, fmt=fmt, fontsize=7)
        skipped[label] = [p for i, p in enumerate(order) if i not in positions]
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(order))], order, rotation=30, ha="right")
    if ax.get_legend_handles_labels()[0]:  # nothing measured: no legend (the footnote names the gaps)
        ax.legend(fontsize=8)
    return skipped


# how study (a)'s baselines (sweep.compare: label -> quantity point) read beside the diversity points
BASELINE_NAMES = {"equal_data": "equal data", "four_x_less_data": "4x the data"}


def plot_study_a(
    rows: Sequence[Row],
    arms: Mapping[str, Sequence[str]],
    labelled: str,
    baselines: Mapping[str, str],
    path: Path,
    title: str,
) -> Path:
    """Fig. 3a: each score against training-set size (log2), a line per arm, ``labelled``'s points named;
    each baseline's score a dotted level across the panel, so a diversity point above it beats it."""
    figure, axes = _figure(len(SCORES), 4.6, 4.0)
    skipped: dict[str, list[str]] = {}
    table = by_point(rows)
    for ax, (key, label, _) in zip(axes, SCORES, strict=True):
        arm_series = size_series(rows, arms, key)
        for series in arm_series:
            ax.plot(series.x, series.y, marker="o", label=series.name)
            skipped.setdefault(label, []).extend(series.skipped)
        ax.set_xscale("log", base=2)
        ax.margins(y=0.15)  # headroom for the labels above the top points
        for name, point in baselines.items():
            level = number(table.get(point, {}).get(key))
            if level is not None:
                ax.axhline(level, linestyle=":", linewidth=1, color="#777777")
                text = f"{point}: {BASELINE_NAMES.get(name, name.replace('_', ' '))}"
                ax.annotate(
                    text,
                    (1.0, level),
                    xycoords=("axes fraction", "data"),
                    xytext=(-2, 2),
                    textcoords="offset points",
                    ha="right",
                    fontsize=7,
                    color="#555555",
                )
        for series in arm_series:  # named last, once the baselines' levels have set the scale
            if series.name == labelled:
                label_points(ax, series.x, series.y, series.points)
        ax.set(xlabel="training trajectories (solve/kept, log2)", ylabel=label, title=label)
    # one legend for the row of panels, outside them, so it never hides a point's label
    figure.legend(*axes[0].get_legend_handles_labels(), loc="outside upper right", fontsize=8, ncols=2)
    figure.suptitle(f"{title}: diversity vs quantity scaling")
    return _save(figure, path, skipped)


def plot_study_b(rows: Sequence[Row], arms: Mapping[str, Sequence[str]], path: Path, title: str) -> Path:
    """Fig. 3b: each score at each step of the arms, a line per arm; ticks give each step's variety."""
    figure, axes = _figure(len(SCORES), 4.6, 4.0)
    labels = step_labels(rows, arms)
    skipped: dict[str, list[str]] = {}
    for ax, (key, label, _) in zip(axes, SCORES, strict=True):
        for series in step_series(rows, arms, key):
            ax.plot(series.x, series.y, marker="o", label=series.name)
            skipped.setdefault(label, []).extend(series.skipped)
        ax.set_xticks(range(1, len(labels) + 1), labels, fontsize=8)
        ax.set_xlim(0.5, len(labels) + 0.5)  # every step has its place, plotted or not
        ax.set(xlabel="step of the arm", ylabel=label, title=label)
        ax.legend(fontsize=8)
    figure.suptitle(f"{title}: variety only vs pool expansion")
    return _save(figure, path, skipped)


def plot_study_c(rows: Sequence[Row], points: Sequence[str], path: Path, title: str) -> Path:
    """Fig. 3c: left, an arrow per path from SFT to GRPO DIVE-Eval at its SFT data's diversity; right,
    the RL gain against that diversity, with the least-squares line from 3 paths on."""
    gains = rl_gains(rows, points)
    figure, (left, right) = _figure(2, 5.5, 4.2)
    for x, before, after in zip(gains.diversity, gains.sft, gains.grpo, strict=True):
        left.annotate("", (x, after), (x, before), arrowprops={"arrowstyle": "->", "color": "#3b75af"})
    left.scatter(gains.diversity, gains.sft, s=12, color="#888888", label="SFT")
    left.scatter(gains.diversity, gains.grpo, s=12, color="#3b75af", label="GRPO")
    left.set(xlabel="unique call graphs in the SFT data", ylabel="DIVE-Eval accuracy", title="SFT -> GRPO")
    left.legend(fontsize=8)
    right.scatter(gains.diversity, gains.gain, color="#c8553d")
    label_points(right, gains.diversity, gains.gain, gains.points)
    fit = least_squares(gains.diversity, gains.gain)
    if fit is not None:
        slope, intercept = fit
        ends = [min(gains.diversity), max(gains.diversity)]
        right.plot(ends, [slope * x + intercept for x in ends], "--", color="#555555", label="least squares")
        right.legend(fontsize=8)
    right.axhline(0.0, color="#bbbbbb", linewidth=0.8)
    right.set(xlabel="unique call graphs in the SFT data", ylabel="RL gain (GRPO - SFT DIVE-Eval)")
    right.set_title("RL gain vs SFT-data diversity")
    figure.suptitle(f"{title}: scaling paths")
    return _save(figure, path, {"SFT or GRPO DIVE-Eval, or call graphs": gains.skipped})


def label_points(
    ax: Any, xs: Sequence[float], ys: Sequence[float], names: Sequence[str], size: float = 7
) -> list[tuple[float, float]]:
    """Name each point just above-right of it; a label that would overlap one already placed moves up a
    line until it fits. Positions are measured on the figure as laid out now, so call this after the
    panel's scales are set. Returns each label's offset in points."""
    ax.figure.draw_without_rendering()  # runs the constrained layout, which moves and shrinks the axes
    to_points = 72.0 / ax.figure.dpi
    placed: list[tuple[float, float, float, float]] = []
    offsets = []
    for x, y, name in sorted(zip(xs, ys, names, strict=True)):
        px, py = (v * to_points for v in ax.transData.transform((x, y)))
        width, height = 0.6 * size * len(name), 1.4 * size
        dy = 3.0
        while any(_overlap((px + 3, py + dy, width, height), box) for box in placed):
            dy += height
        placed.append((px + 3, py + dy, width, height))
        offsets.append((3.0, dy))
        ax.annotate(name, (x, y), fontsize=size, xytext=(3, dy), textcoords="offset points")
    return offsets


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether two (left, bottom, width, height) boxes intersect."""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]
