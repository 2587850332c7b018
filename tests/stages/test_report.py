"""The report as the paper shows it: study figures from status.json rows, their plotted series (missing
values skipped, never 0), the study (a) comparisons, the diversity table beside the paper's, and the
table a finished sweep prints above its path."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from dive.dispatch import SweepGraph
from dive.jobgraph import conclude
from dive.node_job import FINISHED
from dive.report_figures import label_points, missing_note
from dive.report_studies import (
    GRAPHS,
    GRPO_BFCL,
    GRPO_DIVE,
    SFT_DIVE,
    SIZE,
    least_squares,
    number,
    pair_series,
    rl_gains,
    size_series,
    step_labels,
    step_series,
    summary_series,
)
from dive.stages.report import headline_text, write_report
from tests.helpers import sft_row

PNG = b"\x89PNG\r\n\x1a\n"
ARMS_A = {"quantity": ["q1", "q2", "q4", "q8"], "diversity": ["d_pool1_v8", "d_pool3_v64", "d_pool5_vtask"]}


def _write_points(sweep_dir: Path, points: dict[str, tuple[dict[str, Any], dict[str, float]]]) -> None:
    """status.json per point, as a job leaves it with tracking off (one directory per job)."""
    for n, (point, (config, metrics)) in enumerate(points.items()):
        job = sweep_dir / f"{n}-{point}"
        job.mkdir(parents=True)
        status = {"point": point, "metrics": metrics, "config": config}
        (job / "status.json").write_text(json.dumps(status))


def _scores(
    size: float, sft: float | None, grpo: float, bfcl: float | None, graphs: float
) -> dict[str, float]:
    metrics = {SIZE: size, GRPO_DIVE: grpo, GRAPHS: graphs, SFT_DIVE: sft, GRPO_BFCL: bfcl}
    return {k: v for k, v in metrics.items() if v is not None}  # a missing score is absent, as in status


STUDY_A = {
    "q1": (10.0, 0.125, 0.25, 0.5, 5.0),
    "q2": (20.0, 0.25, 0.375, 0.5, 9.0),
    "q4": (40.0, None, 0.5, 0.5, 17.0),  # SFT evaluation missing
    "q8": (80.0, 0.5, 0.625, 0.625, 30.0),
    "d_pool1_v8": (18.0, 0.375, 0.5, 0.5, 15.0),
    "d_pool3_v64": (19.0, 0.5, 0.625, None, 18.0),  # BFCL missing
    "d_pool5_vtask": (21.0, 0.625, 0.75, 0.75, 20.0),
}


@pytest.fixture
def study_a(make_cfg, tmp_path: Path) -> tuple[Any, list[dict[str, Any]]]:  # type: ignore[no-untyped-def]
    cfg = make_cfg("+sweep=diversity_vs_quantity")
    sweep_dir = tmp_path / "sweeps" / "diversity_vs_quantity" / "2026-01-01_00-00-00"
    config = {"pool_domains": ["finance"], "variety": 1, "quantity": 48}
    _write_points(sweep_dir, {p: (config, _scores(*v)) for p, v in STUDY_A.items()})
    rows = [{"point": p, **_scores(*v)} for p, v in STUDY_A.items()]
    return cfg, rows


def test_study_a_figure_and_comparisons(study_a) -> None:  # type: ignore[no-untyped-def]
    cfg, rows = study_a
    out = write_report(cfg, None)
    assert (out / "study_a.png").read_bytes().startswith(PNG)
    quantity, diversity = size_series(rows, ARMS_A, SFT_DIVE)
    assert quantity.points == ["q1", "q2", "q8"] and quantity.skipped == ["q4"]  # skipped, not 0
    assert quantity.x == [10.0, 20.0, 80.0] and quantity.y == [0.125, 0.25, 0.5]
    assert diversity.points == ARMS_A["diversity"] and not diversity.skipped
    _, diversity_bfcl = size_series(rows, ARMS_A, GRPO_BFCL)
    assert diversity_bfcl.skipped == ["d_pool3_v64"] and 0.0 not in diversity_bfcl.y

    with (out / "comparisons.csv").open() as handle:
        entries = {(e["point"], e["vs"]): e for e in csv.DictReader(handle)}
    assert len(entries) == 6  # three diversity points x two baselines
    for point in ARMS_A["diversity"]:
        for label, baseline in (("equal_data", "q2"), ("four_x_less_data", "q8")):
            entry = entries[(point, label)]
            mine, theirs = STUDY_A[point], STUDY_A[baseline]
            assert entry["baseline"] == baseline
            assert float(entry["data_ratio"]) == pytest.approx(theirs[0] / mine[0])
            for column, i in (("delta_dive_sft", 1), ("delta_dive_grpo", 2), ("delta_bfcl_grpo", 3)):
                expected = None if mine[i] is None or theirs[i] is None else mine[i] - theirs[i]
                assert (number(entry[column]) if entry[column] else None) == expected
    table = (out / "comparisons.md").read_text()
    assert "| d_pool5_vtask | four_x_less_data | q8 | 21 | 80 |" in table
    assert "+0.125" in table  # d_pool5_vtask - q8 on DIVE-Eval (SFT)
    bfcl_delta = [line for line in table.splitlines() if line.startswith("| d_pool3_v64 | equal_data")][0]
    assert bfcl_delta.rstrip(" |").endswith("—")  # a missing baseline delta is shown missing


def test_diversity_table_sits_beside_the_papers(study_a) -> None:  # type: ignore[no-untyped-def]
    cfg, _ = study_a
    out = write_report(cfg, None)
    table = (out / "diversity.md").read_text()
    header = table.splitlines()[0]
    assert "paper: quantity-scaled" in header and "paper: DIVE" in header and "q1" in header
    assert header.index("q1") < header.index("d_pool1_v8")  # points in arm order
    assert (
        "| unique toolsets | 1 | 46,398 |" in table and "| distinct tools per task | 1.71 | 3.26 |" in table
    )
    graphs = [line for line in table.splitlines() if line.startswith("| unique call graphs")][0]
    assert "19,442 | 39,810 | 5 | 9 | 17 | 30 |" in graphs
    tools = [line for line in table.splitlines() if line.startswith("| tools covered")][0]
    assert tools.count("—") == 7 and "| 0 |" not in tools  # not measured: missing, never 0


def test_sweep_end_prints_the_headline_table_then_the_path_last(study_a, capsys) -> None:  # type: ignore[no-untyped-def]
    cfg, _ = study_a
    sweep_dir = Path(cfg.paths.root) / "sweeps" / "diversity_vs_quantity" / "2026-01-01_00-00-00"
    (sweep_dir / FINISHED).write_text(str(write_report(cfg, str(sweep_dir))))  # what the final job leaves
    graph = SweepGraph("diversity_vs_quantity", sweep_dir, "local", cfg.paths.root, [], [])
    assert conclude(graph, cfg, ok=True) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    out = Path(lines[-1])
    assert (out / "study_a.png").exists() and lines[:-1] == headline_text(out).splitlines()
    assert lines[0].startswith("| point | n (solve/kept) | DIVE-Eval (SFT)")
    assert "| q4 | 40 | — | 0.5 | 0.5 | 17 |" in lines


def test_study_b_steps_per_arm() -> None:
    arms = {
        "variety_only": ["var_v1", "var_v8", "var_vtask"],
        "pool_expansion": ["exp_v1", "exp_v8", "exp_vt"],
    }
    variety = {"var_v1": "1", "var_v8": "8", "var_vtask": "None", "exp_v1": "1", "exp_v8": "8", "exp_vt": "4"}
    scores = {
        "var_v1": 0.25,
        "var_v8": 0.5,
        "var_vtask": None,
        "exp_v1": 0.25,
        "exp_v8": 0.625,
        "exp_vt": 0.75,
    }
    rows = [{"point": p, "synth/variety": variety[p], GRPO_DIVE: scores[p]} for p in variety]
    only, expansion = step_series(rows, arms, GRPO_DIVE)
    assert (only.x, only.y, only.skipped) == ([1.0, 2.0], [0.25, 0.5], ["var_vtask"])
    assert (expansion.x, expansion.y) == ([1.0, 2.0, 3.0], [0.25, 0.625, 0.75])
    assert step_labels(rows, arms) == ["V=1", "V=8", "V=per-task / V=4"]
    assert step_labels(rows[:2], {"variety_only": [*arms["variety_only"], "var_v64"]})[2:] == [
        "step 3",
        "step 4",
    ]


def test_footnote_names_each_missing_point_once() -> None:
    assert missing_note({"a": [], "b": []}) == ""
    note = missing_note({"DIVE-Eval (SFT)": ["q4", "x"], "BFCL": ["x", "d3"]})
    assert note == "missing, not plotted - every panel: x; DIVE-Eval (SFT): q4; BFCL: d3"


def test_study_b_and_c_figures(make_cfg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for sweep, points in (
        ("variety_vs_poolexp", ["var_v1", "exp_p2_v8"]),
        ("all_paths", ["p1_v1_q1", "p3_v8_q4"]),
    ):
        cfg = make_cfg(f"+sweep={sweep}")
        config = {"pool_domains": ["finance"], "variety": 8, "quantity": 48}
        metrics = {p: (config, _scores(20.0, 0.25, 0.5, 0.5, 10.0 + n)) for n, p in enumerate(points)}
        _write_points(tmp_path / "sweeps" / sweep / "2026-01-01_00-00-00", metrics)
        out = write_report(cfg, None)
        figure = "study_b.png" if sweep == "variety_vs_poolexp" else "study_c.png"
        assert (out / figure).read_bytes().startswith(PNG) and not (out / "comparisons.md").exists()


def test_study_c_arrows_gains_and_fit() -> None:
    rows = [
        {"point": "a", GRAPHS: 1.0, SFT_DIVE: 0.25, GRPO_DIVE: 0.5},
        {"point": "b", GRAPHS: 2.0, SFT_DIVE: 0.25, GRPO_DIVE: 0.75},
        {"point": "c", GRAPHS: 3.0, SFT_DIVE: 0.125, GRPO_DIVE: 0.875},
        {"point": "d", GRAPHS: 4.0, SFT_DIVE: 0.5},  # GRPO not evaluated
        {"point": "e", GRAPHS: float("nan"), SFT_DIVE: 0.5, GRPO_DIVE: 0.5},  # NaN is missing too
    ]
    gains = rl_gains(rows, ["a", "b", "c", "d", "e", "not_run"])
    assert gains.points == ["a", "b", "c"] and gains.skipped == ["d", "e", "not_run"]
    assert gains.diversity == [1.0, 2.0, 3.0] and gains.sft == [0.25, 0.25, 0.125]
    assert gains.gain == [0.25, 0.5, 0.75]
    slope, intercept = least_squares(gains.diversity, gains.gain)  # type: ignore[misc]
    assert (slope, intercept) == (pytest.approx(0.25), pytest.approx(0.0))
    assert least_squares([1.0, 2.0], [0.0, 1.0]) is None and least_squares([2.0] * 3, [0.0, 1.0, 2.0]) is None


def test_summary_series_skip_missing_instead_of_zero() -> None:
    rows = [{"point": "v1", GRPO_DIVE: 0.5, GRAPHS: 3.0}, {"point": "v8", GRPO_DIVE: None}, {"point": "vt"}]
    assert summary_series(rows, ["v1", "v8", "vt"], GRPO_DIVE) == ([0], [0.5])
    scatter = pair_series(rows, ["v1", "v8", "vt"], GRAPHS, GRPO_DIVE)
    assert (scatter.x, scatter.y, scatter.skipped) == ([3.0], [0.5], ["v8", "vt"])
    assert [number(v) for v in (None, "None", "0.5", float("nan"), 0)] == [None, None, 0.5, None, 0.0]


def _conversation(tool_ids: list[str]) -> dict[str, Any]:
    """An sft.jsonl row whose assistant calls ``tool_ids`` in order, one per turn."""
    return sft_row("Q", [(tool, {}, "1") for tool in tool_ids], "1", list(dict.fromkeys(tool_ids)))


def test_diversity_table_measures_each_points_sft_set(study_a, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The table and the call-graph axis count the SFT set (the solve artifact's sft.jsonl), not the
    synthesized tasks, whose diversity/* metrics also cover tasks that solve rejected."""
    cfg, _ = study_a
    solve = tmp_path / "solve-q1"
    solve.mkdir()
    rows = [_conversation(["a.x"]), _conversation(["a.x", "b.y"]), _conversation(["c.z"])]
    (solve / "sft.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    (solve / "tool_types.json").write_text(json.dumps({"a.x": "R", "b.y": "P", "c.z": "R"}))
    sweep_dir = tmp_path / "sweeps" / "diversity_vs_quantity" / "2026-01-01_00-00-00"
    status_path = next(sweep_dir.glob("*-q1/status.json"))
    status = json.loads(status_path.read_text())
    status["metrics"]["diversity/tools_covered"] = 99.0  # synthesis' count, over other traces
    status["artifacts"] = {"solve": str(solve)}
    status_path.write_text(json.dumps(status))

    out = write_report(cfg, None)
    table = (out / "diversity.md").read_text().splitlines()
    tools = next(line for line in table if line.startswith("| tools covered"))
    assert tools.split(" | ")[3] == "3"  # q1's column: a.x, b.y, c.z
    graphs = next(line for line in table if line.startswith("| unique call graphs"))
    assert graphs.split(" | ")[3] == "3"  # measured on the rows, replacing the status' 5
    assert graphs.split(" | ")[4] == "9"  # q2 has no solve artifact here: its logged value stays
    assert (out / "data_diversity.png").read_bytes().startswith(PNG)


def test_point_labels_never_overlap() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4, 3), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.subplots()
    xs, ys, names = (
        [29.0, 36.0, 39.0, 180.0],
        [0.0, 0.0, 0.0, 0.0],
        ["d_pool1_v8", "d_pool3", "d_pool5", "q8"],
    )
    ax.scatter(xs, ys)
    ax.set_xscale("log", base=2)
    offsets = label_points(ax, xs, ys, names)
    assert len({dy for _, dy in offsets[:3]}) == 3  # crowded: each its own line
    assert offsets[3] == offsets[0]  # far away: the first line again
    texts = [t.get_window_extent() for t in ax.texts]
    assert not any(a.overlaps(b) for i, a in enumerate(texts) for b in texts[i + 1 :])
