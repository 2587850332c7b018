"""Stage ``report``: a sweep's points side by side, as tables and a plot under ``results/<sweep>/``.

Rows come from MLflow (the point runs under the sweep's parent run); with tracking off, from the
``status.json`` each point leaves in its sweep directory. Writes ``summary.csv``, ``summary.md``,
``summary.png`` (accuracy per point and against data diversity), ``models.csv`` / ``models.md`` (a row
per evaluated model of each point: base, SFT, GRPO and any reference endpoint, with DIVE-Eval and every
BFCL category) and appends to ``history.csv`` (one row per point and run, keyed by sweep directory, git
commit and MLflow run id). Also, as the paper shows them: ``diversity.md`` (the six structural-diversity
metrics of each point's SFT set, measured here on its solve artifact as ``data/*``, beside the paper's
table), ``data_diversity.png`` (that set's tool-frequency long tail and R/P topology shares),
``headline.md`` (what the CLI prints) and, where the sweep file names its study and arms
(``sweep.study``, ``sweep.arms``), ``study_a.png`` with ``comparisons.md``/``.csv``, ``study_b.png``
or ``study_c.png`` (paper Fig. 3a, 3b, 3c; dive/report_figures.py).

    python -m dive stage=report +sweep=smoke      # the latest run of that sweep
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from dive.eval.bfcl_run import CATEGORIES as BFCL_CATEGORIES
from dive.report_figures import plot_study_a, plot_study_b, plot_study_c, plot_summary
from dive.report_studies import (
    DATA_PREFIX,
    PAPER_DIVERSITY,
    comparisons,
    comparisons_markdown,
    diversity_markdown,
    headline_markdown,
    point_order,
)

COLUMNS = [
    "point",
    "synth/pool_domains",
    "synth/variety",
    "synth/quantity",
    "synth/kept",
    "diversity/tools_covered",
    "diversity/unique_toolsets",
    "diversity/unique_call_sequences",
    "diversity/unique_call_graphs",
    "diversity/rp_topology_classes",
    "diversity/tools_per_task",
    "solve/kept",
    *[key for key, *_ in PAPER_DIVERSITY],  # the same metrics over the SFT set (solve/kept rows)
    "sft/loss",
    "sft/eval_loss",
    "grpo/reward",
    "grpo/accuracy",
    "eval/dive_eval/all/accuracy",
    "eval/bfcl/summary/categories_mean",
    "eval_sft/dive_eval/all/accuracy",
    "eval_sft/bfcl/summary/categories_mean",
    "eval_base/dive_eval/all/accuracy",
    "eval_base/bfcl/summary/categories_mean",
]
# a point's SFT data as (traces, tool -> R/P type); dive.synth.diversity's metrics take both
TrainingData = tuple[list[Any], dict[str, str]]
MODEL_PREFIXES = {"eval_base": "base", "eval_sft": "sft", "eval": "grpo"}  # dive/stages/evaluate.py
# per model: (column, metric key under the model's prefix)
MODEL_COLUMNS = [
    ("bfcl_mode", "bfcl/prompting_mode"),
    ("dive_eval", "dive_eval/all/accuracy"),
    ("dive_eval_tool_call_rate", "dive_eval/all/tool_call_rate"),
    *[(f"bfcl/{c}", f"bfcl/{c}/accuracy") for c in BFCL_CATEGORIES],
    ("bfcl/non_live_ast_python", "bfcl/summary/non_live_ast_python"),
    ("bfcl/categories_mean", "bfcl/summary/categories_mean"),
    ("wall_seconds", "wall_seconds"),
]


def write_report(cfg: DictConfig, sweep_dir: str | None) -> Path:
    import polars as pl

    if not cfg.sweep.name:
        raise ValueError("stage=report needs a sweep: add +sweep=<name> (files in conf/sweep/)")
    rows = _rows_from_mlflow(cfg, sweep_dir) if cfg.tracking.backend == "mlflow" else []
    if not rows:
        rows = _rows_from_status(cfg, sweep_dir)
    if not rows:
        raise FileNotFoundError(
            f"no finished points of sweep {cfg.sweep.name!r} in MLflow or {cfg.paths.sweeps}"
        )
    data = training_data(cfg, sweep_dir)
    rows = [row | _data_metrics(data.get(str(row["point"]))) for row in rows]
    out = Path(cfg.paths.results) / str(cfg.sweep.name)
    out.mkdir(parents=True, exist_ok=True)
    table = pl.DataFrame([{c: row.get(c) for c in COLUMNS} for row in rows], infer_schema_length=None)
    table = table.sort("point")
    table.write_csv(out / "summary.csv")
    (out / "summary.md").write_text(_markdown(table))
    write_studies(cfg, rows, out)
    if data:
        from dive.plots import sweep_diversity_plot

        sweep_diversity_plot(data, out / "data_diversity.png", str(cfg.sweep.name))
    models = model_rows(rows)
    if models:
        per_model = pl.DataFrame(models, infer_schema_length=None).sort("point", "model")
        per_model.write_csv(out / "models.csv")
        (out / "models.md").write_text(_markdown(per_model))
    _append_history(out / "history.csv", rows)
    (out / "metrics.json").write_text(json.dumps({"report/points": float(len(rows))}))
    (out / "DONE").write_text("")
    return out


def model_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A row per (point, evaluated model) from the points' metrics: ``eval_base/...`` is the base model,
    ``eval_ref/<name>/...`` a reference endpoint, and so on."""
    out = []
    for row in rows:
        prefixes = dict(MODEL_PREFIXES)
        for key in row:
            if key.startswith("eval_ref/"):
                name = key.split("/")[1]
                prefixes[f"eval_ref/{name}"] = f"ref:{name}"
        for prefix, model in prefixes.items():
            values = {column: row.get(f"{prefix}/{key}") for column, key in MODEL_COLUMNS}
            if all(v is None for v in values.values()):
                continue
            mode = values.pop("bfcl_mode")
            out.append({"point": row["point"], "model": model, "bfcl_mode": _mode(mode), **values})
    return out


def write_studies(cfg: DictConfig, rows: list[dict[str, Any]], out: Path) -> None:
    """summary.png, diversity.md and headline.md for any sweep; the study's figure (and, for study (a),
    its comparisons) where the sweep file names a study and its arms."""
    name = str(cfg.sweep.name)
    study = OmegaConf.select(cfg, "sweep.study", default=None)
    arms = _container(cfg, "sweep.arms")
    order = point_order(rows, arms)
    plot_summary(rows, order, out / "summary.png", name)
    (out / "diversity.md").write_text(diversity_markdown(rows, order))
    (out / "headline.md").write_text(headline_markdown(rows, order))
    if study == "a":
        compare = _container(cfg, "sweep.compare")
        arm = str(compare.pop("arm", next(reversed(arms), "")))  # default: the last arm
        baselines = {k: str(v) for k, v in compare.items()}
        plot_study_a(rows, arms, arm, baselines, out / "study_a.png", name)
        entries = comparisons(rows, arms.get(arm, []), baselines)
        (out / "comparisons.md").write_text(comparisons_markdown(entries))
        _write_csv(out / "comparisons.csv", entries)
    elif study == "b":
        plot_study_b(rows, arms, out / "study_b.png", name)
    elif study == "c":
        paths = [p for points in arms.values() for p in points] if arms else order
        plot_study_c(rows, paths, out / "study_c.png", name)


def training_data(cfg: DictConfig, sweep_dir: str | None) -> dict[str, TrainingData]:
    """Each point's SFT data (sft.jsonl of the solve artifact its status.json names) as traces, with the
    R/P type of each tool: the one source of the report's data-diversity table and figure."""
    from dive.records import TOOL_TYPES
    from dive.synth.diversity import trace_of_row

    base = Path(sweep_dir) if sweep_dir else _latest(Path(cfg.paths.sweeps) / str(cfg.sweep.name))
    data = {}
    for path in sorted(base.glob("*/status.json")) if base else []:
        status = json.loads(path.read_text())
        solve = Path(status.get("artifacts", {}).get("solve", "/nonexistent"))
        if (solve / "sft.jsonl").exists():
            rows = [json.loads(line) for line in (solve / "sft.jsonl").read_text().splitlines() if line]
            types_file = solve / TOOL_TYPES
            types = json.loads(types_file.read_text()) if types_file.exists() else {}
            data[str(status["point"])] = ([trace_of_row(row) for row in rows], types)
    return data


def _data_metrics(data: TrainingData | None) -> dict[str, float]:
    """``data/<metric>``: the paper's diversity metrics over the point's whole SFT set (solve/kept rows),
    the data its model learns from; {} where the point has no solve artifact on this machine."""
    from dive.synth.diversity import diversity_metrics

    return diversity_metrics(*data, prefix=DATA_PREFIX) if data else {}


def headline_text(out: Path) -> str:
    """The compact table a finished sweep prints above the report's path (written by write_report)."""
    path = out / "headline.md"
    return path.read_text().rstrip("\n") if path.exists() else ""


def _container(cfg: DictConfig, key: str) -> dict[str, Any]:
    node = OmegaConf.select(cfg, key, default=None)
    return dict(OmegaConf.to_container(node, resolve=True)) if node is not None else {}  # type: ignore[arg-type]


def _write_csv(path: Path, entries: list[dict[str, Any]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(entries[0]) if entries else ["point"])
        writer.writeheader()
        writer.writerows(entries)  # a missing value is an empty cell


def _mode(flag: Any) -> str | None:
    return None if flag is None else ("prompting" if flag else "fc")


def _rows_from_mlflow(cfg: DictConfig, sweep_dir: str | None) -> list[dict[str, Any]]:
    import mlflow

    mlflow.set_tracking_uri(cfg.tracking.uri)
    client = mlflow.MlflowClient()
    experiment = client.get_experiment_by_name(cfg.tracking.experiment)
    if experiment is None:
        return []
    where = (
        f"tags.`dive.sweep_dir` = '{sweep_dir}'"
        if sweep_dir
        else (f"tags.`dive.sweep` = '{cfg.sweep.name}' and tags.`dive.kind` = 'sweep'")
    )
    parents = client.search_runs(
        [experiment.experiment_id], where, order_by=["start_time DESC"], max_results=1
    )
    if not parents:
        return []
    parent = parents[0]
    children = client.search_runs(
        [experiment.experiment_id], f"tags.`mlflow.parentRunId` = '{parent.info.run_id}'", max_results=1000
    )
    rows = []
    for run in children:
        if run.data.tags.get("dive.kind") != "point":  # a sweep's stage jobs log their runs here too
            continue
        params = run.data.params
        rows.append(
            {
                "point": run.info.run_name,
                "run_id": run.info.run_id,
                "status": run.info.status,
                "sweep_dir": parent.data.tags.get("dive.sweep_dir", ""),
                "synth/pool_domains": params.get("synth/pool_domains"),
                "synth/variety": params.get("synth/variety"),
                "synth/quantity": params.get("synth/quantity"),
                **run.data.metrics,
            }
        )
    return rows


def _rows_from_status(cfg: DictConfig, sweep_dir: str | None) -> list[dict[str, Any]]:
    base = Path(sweep_dir) if sweep_dir else _latest(Path(cfg.paths.sweeps) / str(cfg.sweep.name))
    if base is None:
        return []
    rows = []
    for path in sorted(base.glob("*/status.json")):
        status = json.loads(path.read_text())
        synth = status["config"]
        rows.append(
            {
                "point": status["point"],
                "run_id": "",
                "status": "FINISHED",
                "sweep_dir": str(base),
                "synth/pool_domains": str(synth.get("pool_domains")),
                "synth/variety": str(synth.get("variety")),
                "synth/quantity": str(synth.get("quantity")),
                **status["metrics"],
            }
        )
    return rows


def _latest(directory: Path) -> Path | None:
    runs = sorted(p for p in directory.glob("*") if p.is_dir()) if directory.exists() else []
    return runs[-1] if runs else None


def _markdown(table: Any) -> str:
    shown = [c for c in table.columns if table[c].null_count() < len(table)]

    def cell(value: Any) -> str:
        return f"{value:.4g}" if isinstance(value, float) else ("" if value is None else str(value))

    lines = ["| " + " | ".join(shown) + " |", "|" + "---|" * len(shown)]
    lines += ["| " + " | ".join(cell(row[c]) for c in shown) + " |" for row in table.iter_rows(named=True)]
    return "\n".join(lines) + "\n"


def _append_history(path: Path, rows: list[dict[str, Any]]) -> None:
    import polars as pl

    from dive.tracking import source_commit

    commit = source_commit()
    keys = ["sweep_dir", "point", "run_id", "status"] + COLUMNS[1:]
    new = pl.DataFrame(
        [{**{k: row.get(k) for k in keys}, "git_commit": commit} for row in rows], infer_schema_length=None
    ).with_columns(pl.all().cast(pl.String))
    if path.exists():
        old = pl.read_csv(path, infer_schema_length=0)
        seen = set(zip(old["sweep_dir"].to_list(), old["point"].to_list(), strict=True))
        new = new.filter(
            [
                (d, p) not in seen
                for d, p in zip(new["sweep_dir"].to_list(), new["point"].to_list(), strict=True)
            ]
        )
        new = pl.concat([old, new], how="diagonal")
    new.write_csv(path)
