"""The smoke sweep end to end on the tiny model: every stage, the report, MLflow, and an idempotent rerun."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from tests.helpers import TINY_SMOKE, done_markers, mlflow_runs, run_dive

pytestmark = pytest.mark.slow
BFCL_SIX = ("simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance", "multi_turn_base")

STAGE_KEYS = [
    "tools/passing",
    "synth/kept",
    "diversity/unique_call_graphs",
    "solve/kept",
    "sft/loss",
    "select/frontier",
    "grpo/reward",
    "eval/dive_eval/all/accuracy",
    "eval/dive_eval/held_out/shared_toolsets",
    "eval_sft/dive_eval/all/accuracy",
    "eval_sft/dive_eval/held_out/shared_seeds",
    *[f"{prefix}/bfcl/{c}/accuracy" for prefix in ("eval", "eval_sft", "eval_base") for c in BFCL_SIX],
    "eval_base/bfcl/summary/non_live_ast_python",
]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("smoke")
    result = run_dive(TINY_SMOKE, root)
    assert result.stdout.strip().splitlines()[-1] == str(root / "results" / "smoke")
    return root


def test_every_stage_left_a_done_artifact(smoke: Path) -> None:
    stages = {Path(k).parts[1] for k in done_markers(smoke)}
    assert stages == {"validate", "model", "synth", "solve", "sft", "select", "grpo", "evaluate"}
    for sft in smoke.glob("artifacts/sft/*"):
        assert (sft / "hf" / "config.json").exists() and (sft / "metrics.json").exists()


def test_points_share_upstream_artifacts(smoke: Path) -> None:
    markers = done_markers(smoke)
    assert sum(k.startswith("artifacts/validate/") for k in markers) == 1
    assert sum(k.startswith("artifacts/synth/pool") for k in markers) == 2  # v1 and vtask differ
    assert sum(k.startswith("artifacts/evaluate/base-") for k in markers) == 1  # base scored once


def test_report_table_and_plot(smoke: Path) -> None:
    out = smoke / "results" / "smoke"
    table = pl.read_csv(out / "summary.csv")
    assert sorted(table["point"].to_list()) == ["v1", "vtask"]
    assert table.filter(pl.col("point") == "v1")["diversity/unique_toolsets"].item() == 1
    assert (out / "summary.png").stat().st_size > 10_000 and (out / "summary.md").exists()
    models = pl.read_csv(out / "models.csv")  # a row per evaluated model of each point
    assert sorted(models["model"].to_list()) == ["base", "base", "grpo", "grpo", "sft", "sft"]
    assert set(models.filter(pl.col("model") == "base")["bfcl_mode"].to_list()) == {"prompting"}
    assert set(models.filter(pl.col("model") == "grpo")["bfcl_mode"].to_list()) == {"fc"}
    assert models["bfcl/multi_turn_base"].null_count() == 0


def test_eval_tasks_are_held_out_from_every_training_set(smoke: Path) -> None:
    """Recomputed here from the artifacts, not read from the stage's own check: no DIVE-Eval task shares
    a seed entity or a toolset with any task a point of the sweep synthesised (kept or rejected)."""
    from dive.records import load_tasks

    (eval_dir,) = smoke.glob("artifacts/synth/eval-*")
    eval_tasks = load_tasks(eval_dir / "tasks.jsonl")
    training = [t for d in smoke.glob("artifacts/synth/pool*") for t in load_tasks(d / "records.jsonl")]
    assert eval_tasks and len(list(smoke.glob("artifacts/synth/pool*"))) == 2 and training
    assert all(t.seed is not None and t.seed.split == "eval" for t in eval_tasks)
    train_seeds = {(t.seed.kind, t.seed.name) for t in training if t.seed}
    assert not {(t.seed.kind, t.seed.name) for t in eval_tasks if t.seed} & train_seeds
    assert not {frozenset(t.toolset) for t in eval_tasks} & {frozenset(t.toolset) for t in training}
    for evaluation in smoke.glob("artifacts/evaluate/[gs]*"):  # the trained checkpoints checked it too
        metrics = json.loads((evaluation / "metrics.json").read_text())
        assert [v for k, v in metrics.items() if "held_out/shared" in k] == [0.0, 0.0]


def test_mlflow_has_sweep_points_and_stages(smoke: Path) -> None:
    runs = mlflow_runs(smoke)
    sweeps = [r for r in runs if r.data.tags.get("dive.kind") == "sweep"]
    assert len(sweeps) == 1 and sweeps[0].info.status == "FINISHED"
    children = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == sweeps[0].info.run_id]
    points = [r for r in children if r.data.tags.get("dive.kind") == "point"]
    assert sorted(r.info.run_name for r in points) == ["v1", "vtask"]
    for point in points:
        assert all(key in point.data.metrics for key in STAGE_KEYS), sorted(point.data.metrics)
        assert point.data.params["synth/quantity"] == "6"
    # one run per stage job (artifact), under the sweep's run: shared artifacts are computed once
    stages = [r for r in children if r.data.tags.get("dive.kind") == "stage"]
    assert Counter(r.data.tags["dive.artifact"] for r in stages) == Counter(
        str(p.parent) for p in smoke.glob("artifacts/*/*/DONE")
    )
    assert {r.info.run_name for r in stages} == {
        "validate",
        "model",
        "synth",
        "solve",
        "sft",
        "select",
        "grpo",
        "evaluate",
    }


def test_stage_runs_carry_their_lineage(smoke: Path) -> None:
    """Any score traces back to its data and checkpoint: every stage run names its artifact, its
    digest, the digests of its inputs, and the commit of the code."""
    runs = [r for r in mlflow_runs(smoke) if r.data.tags.get("dive.kind") == "stage"]
    commit = runs[0].data.tags["dive.git_commit"]
    assert len(commit.removesuffix("-dirty")) == 40
    for run in runs:
        tags = run.data.tags
        assert tags["dive.git_commit"] == commit and Path(tags["dive.artifact"]).name.endswith(
            tags["dive.digest"][:6]
        )
    sft = next(r for r in runs if r.info.run_name == "sft").data.tags
    digest, path = sft["dive.input.solve"].split(" ", 1)
    assert Path(path).name.endswith(digest[:6]) and (Path(path) / "DONE").exists()


def test_rerun_does_no_stage_work(smoke: Path) -> None:
    before = done_markers(smoke)
    run_dive(TINY_SMOKE, smoke)
    assert done_markers(smoke) == before
    statuses = [json.loads(p.read_text()) for p in smoke.glob("sweeps/smoke/*/*/status.json")]
    assert len(statuses) == 4  # two sweeps x two points, both runs left their status
