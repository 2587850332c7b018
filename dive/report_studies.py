"""The numbers behind the report's study figures and tables, as pure functions of the point rows.

A point row is a dict of metric key -> value (dive/stages/report.py reads them from MLflow or the
points' ``status.json``). Everything a figure plots is computed here, so tests check the plotted data
without reading pixels. A missing value (absent, ``None``, NaN, not a number) is skipped and named,
never turned into 0: a 0 would read as a measured failure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Row = Mapping[str, Any]

SIZE = "solve/kept"  # verified trajectories: the SFT set's size
# the diversity of each point's SFT set (its SIZE rows), which the report measures on the solve artifact;
# synthesis logs the same metrics as diversity/* over the tasks it kept, some of which solve rejects
DATA_PREFIX = "data"
GRAPHS = f"{DATA_PREFIX}/unique_call_graphs"
SFT_DIVE = "eval_sft/dive_eval/all/accuracy"
GRPO_DIVE = "eval/dive_eval/all/accuracy"
GRPO_BFCL = "eval/bfcl/summary/categories_mean"
# (metric key, label, short column name): the paper's headline scores, in panel order
SCORES = [
    (SFT_DIVE, "DIVE-Eval (SFT)", "dive_sft"),
    (GRPO_DIVE, "DIVE-Eval (GRPO)", "dive_grpo"),
    (GRPO_BFCL, "BFCL mean (GRPO)", "bfcl_grpo"),
]
# the paper's diversity table (48k trajectories each): quantity-scaled deep-research data vs DIVE
PAPER_DIVERSITY = [
    (f"{DATA_PREFIX}/tools_covered", "tools covered", 2, 373),
    (f"{DATA_PREFIX}/unique_toolsets", "unique toolsets", 1, 46_398),
    (f"{DATA_PREFIX}/unique_call_sequences", "unique call sequences", 1_231, 25_084),
    (f"{DATA_PREFIX}/unique_call_graphs", "unique call graphs", 19_442, 39_810),
    (f"{DATA_PREFIX}/rp_topology_classes", "R/P topology classes", 65, 153),
    (f"{DATA_PREFIX}/tools_per_task", "distinct tools per task", 1.71, 3.26),
]
PAPER_SIZE = 48_000
MISSING = "—"


def number(value: Any) -> float | None:
    """A metric as a float, or None where it is missing (MLflow params and status values may be text)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(result) else result


def cell(value: Any, signed: bool = False) -> str:
    """A table cell: counts with thousands separators, other numbers to 4 significant digits."""
    if isinstance(value, str):
        return value
    x = number(value)
    if x is None:
        return MISSING
    if x.is_integer() and abs(x) >= 1 and not signed:
        return f"{int(x):,}"
    return f"{x:+.4g}" if signed else f"{x:.4g}"


def markdown(header: Sequence[str], lines: Sequence[Sequence[str]]) -> str:
    """A markdown table from already formatted cells."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(line) + " |" for line in lines]
    return "\n".join(out) + "\n"


@dataclass
class Series:
    """One plotted line: the points that have both coordinates, and the ones skipped for a missing one."""

    name: str
    points: list[str] = field(default_factory=list)
    x: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def add(self, point: str, x: float | None, y: float | None) -> None:
        if x is None or y is None:
            self.skipped.append(point)
        else:
            self.points.append(point)
            self.x.append(x)
            self.y.append(y)


def by_point(rows: Sequence[Row]) -> dict[str, Row]:
    return {str(row["point"]): row for row in rows}


def size_series(rows: Sequence[Row], arms: Mapping[str, Sequence[str]], score: str) -> list[Series]:
    """Study (a): per arm, ``score`` against training-set size; a size <= 0 cannot sit on a log axis."""
    table = by_point(rows)
    out = []
    for arm, points in arms.items():
        series = Series(arm)
        for point in points:
            row = table.get(point, {})
            size = number(row.get(SIZE))
            series.add(point, size if size and size > 0 else None, number(row.get(score)))
        out.append(series)
    return out


def step_series(rows: Sequence[Row], arms: Mapping[str, Sequence[str]], score: str) -> list[Series]:
    """Study (b): per arm, ``score`` at each step of the arm (x = 1, 2, ... in the arm's point order)."""
    table = by_point(rows)
    out = []
    for arm, points in arms.items():
        series = Series(arm)
        for step, point in enumerate(points, start=1):
            series.add(point, float(step), number(table.get(point, {}).get(score)))
        out.append(series)
    return out


def variety_label(value: Any) -> str:
    """``synth/variety`` as a tick label: null (a fresh toolset per task) reads "per-task"."""
    if value is None or str(value) in ("None", "null", ""):
        return "V=per-task"
    x = number(value)
    return f"V={int(x)}" if x is not None and x.is_integer() else f"V={value}"


def step_labels(rows: Sequence[Row], arms: Mapping[str, Sequence[str]]) -> list[str]:
    """One tick label per step: the variety, or each arm's variety where the arms differ at that step
    ("step n" where no point of that step has finished)."""
    table = by_point(rows)
    steps = max((len(points) for points in arms.values()), default=0)
    labels = []
    for step in range(steps):
        points = [p[step] for p in arms.values() if step < len(p) and p[step] in table]
        names = list(dict.fromkeys(variety_label(table[point].get("synth/variety")) for point in points))
        labels.append(" / ".join(names) if names else f"step {step + 1}")
    return labels


@dataclass
class Gains:
    """Study (c): per path, its SFT data's diversity and its DIVE-Eval before and after GRPO."""

    points: list[str] = field(default_factory=list)
    diversity: list[float] = field(default_factory=list)
    sft: list[float] = field(default_factory=list)
    grpo: list[float] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def gain(self) -> list[float]:
        return [after - before for before, after in zip(self.sft, self.grpo, strict=True)]


def rl_gains(rows: Sequence[Row], points: Sequence[str]) -> Gains:
    """The arrows and gains of study (c); a path missing any of the three values is skipped."""
    table = by_point(rows)
    out = Gains()
    for point in points:
        row = table.get(point, {})
        values = [number(row.get(key)) for key in (GRAPHS, SFT_DIVE, GRPO_DIVE)]
        if any(v is None for v in values):
            out.skipped.append(point)
            continue
        x, before, after = values
        out.points.append(point)
        out.diversity.append(x)  # type: ignore[arg-type]
        out.sft.append(before)  # type: ignore[arg-type]
        out.grpo.append(after)  # type: ignore[arg-type]
    return out


def least_squares(x: Sequence[float], y: Sequence[float]) -> tuple[float, float] | None:
    """(slope, intercept) of the least-squares line; None under 3 points or when x does not vary."""
    if len(x) < 3:
        return None
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxx = sum((a - mx) ** 2 for a in x)
    if sxx == 0:
        return None
    slope = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True)) / sxx
    return slope, my - slope * mx


def comparisons(
    rows: Sequence[Row], points: Sequence[str], baselines: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Study (a): each diversity point against each quantity baseline (label -> baseline point): sizes,
    the data ratio (baseline / point), every score and its delta (point - baseline; None if either is
    missing)."""
    table = by_point(rows)
    out = []
    for point in points:
        mine = table.get(point, {})
        for label, baseline in baselines.items():
            theirs = table.get(baseline, {})
            size, base_size = number(mine.get(SIZE)), number(theirs.get(SIZE))
            ratio = base_size / size if size and base_size is not None else None
            entry: dict[str, Any] = {"point": point, "vs": label, "baseline": baseline}
            entry |= {"n": size, "n_baseline": base_size, "data_ratio": ratio}
            for key, _, short in SCORES:
                a, b = number(mine.get(key)), number(theirs.get(key))
                entry |= {short: a, f"{short}_baseline": b}
                entry[f"delta_{short}"] = a - b if a is not None and b is not None else None
            out.append(entry)
    return out


def comparisons_markdown(entries: Sequence[Mapping[str, Any]]) -> str:
    header = list(entries[0]) if entries else ["point", "vs", "baseline"]
    lines = [[cell(e[c], signed=c.startswith("delta_")) for c in header] for e in entries]
    return markdown(header, lines)


def diversity_markdown(rows: Sequence[Row], order: Sequence[str]) -> str:
    """The six structural-diversity metrics (rows) per point (columns), beside the paper's two columns."""
    table = by_point(rows)
    header = ["metric", "paper: quantity-scaled", "paper: DIVE", *order]
    sizes = [cell(table[p].get(SIZE)) for p in order]
    lines = [["trajectories (solve/kept)", cell(PAPER_SIZE), cell(PAPER_SIZE), *sizes]]
    for key, label, quantity, dive in PAPER_DIVERSITY:
        lines.append([label, cell(quantity), cell(dive), *[cell(table[p].get(key)) for p in order]])
    note = (
        "\nOurs: each point's SFT set (the solve artifact's verified trajectories). Paper: the DIVE "
        "paper's diversity table, 48k trajectories each (quantity-scaled deep-research data vs DIVE). "
        "Counts grow with the number of trajectories: compare at similar sizes.\n"
    )
    return markdown(header, lines) + note


HEADLINE = [(SIZE, "n (solve/kept)"), *[(k, label) for k, label, _ in SCORES], (GRAPHS, "call graphs")]


def headline_markdown(rows: Sequence[Row], order: Sequence[str]) -> str:
    """The compact table the CLI prints when a sweep ends: point, SFT set size, scores, diversity."""
    table = by_point(rows)
    lines = [[p, *[cell(table[p].get(key)) for key, _ in HEADLINE]] for p in order]
    return markdown(["point", *[label for _, label in HEADLINE]], lines)


def point_order(rows: Sequence[Row], arms: Mapping[str, Sequence[str]]) -> list[str]:
    """Points in the study's arm order (each once), then any other finished point by name."""
    present = {str(row["point"]) for row in rows}
    ordered = [p for points in arms.values() for p in points if p in present]
    ordered = list(dict.fromkeys(ordered))
    return ordered + sorted(present - set(ordered))


def summary_series(rows: Sequence[Row], order: Sequence[str], key: str) -> tuple[list[int], list[float]]:
    """summary.png's bars of ``key``: (position in ``order``, value) of the points that have it."""
    table = by_point(rows)
    found = [(i, number(table[p].get(key))) for i, p in enumerate(order)]
    return [i for i, v in found if v is not None], [v for _, v in found if v is not None]


def pair_series(rows: Sequence[Row], order: Sequence[str], x_key: str, y_key: str) -> Series:
    """One point per row with both ``x_key`` and ``y_key`` (summary.png's accuracy vs diversity)."""
    table = by_point(rows)
    series = Series(y_key)
    for point in order:
        row = table.get(point, {})
        series.add(point, number(row.get(x_key)), number(row.get(y_key)))
    return series
