"""Experiment tracking: MLflow runs nested sweep -> point -> stage, or a no-op with the same API.

MLflow 3 notes (shared/notes/machine.md §4): sqlite is the default store; per-call logging is slow, so
metrics and params go in batches; the file store is refused, so artifacts get an explicit location.
Runs of one sweep find their parent by the tag ``dive.sweep_dir`` (the Hydra sweep directory), so jobs on
other machines need no run id handed to them.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from omegaconf import DictConfig, OmegaConf

from dive.training import Preempted

log = logging.getLogger(__name__)
T = TypeVar("T")
SWEEP_TAG = "dive.sweep_dir"


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"a": {"b": 1}}`` -> ``{"a/b": "1"}`` (lists become their repr)."""
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}/{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            flat.update(flatten(value, name))
        else:
            flat[name] = str(value)[:6000]
    return flat


def _retry(call: Callable[[], T], attempts: int = 5) -> T:
    """sqlite allows one writer: concurrent sweep points can see 'database is locked' briefly."""
    for attempt in range(attempts):
        try:
            return call()
        except Exception as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


class NullTracker:
    """Tracking off: same calls, nothing recorded (metrics still live in each artifact's metrics.json)."""

    @contextlib.contextmanager
    def point(self, cfg: DictConfig, name: str) -> Iterator[None]:
        yield

    @contextlib.contextmanager
    def stage(
        self,
        name: str,
        params: Mapping[str, Any],
        run_file: Path | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Iterator[None]:
        yield

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        pass

    def log_artifacts(self, directory: Path, max_bytes: int = 20_000_000) -> None:
        pass


class MlflowTracker:
    """Sweep (parent) -> point -> stage runs in one MLflow experiment."""

    def __init__(self, uri: str, experiment: str, artifact_root: Path, sweep_dir: str | None = None):
        import mlflow

        self.mlflow = mlflow
        mlflow.set_tracking_uri(uri)
        client = mlflow.MlflowClient()
        found = _retry(lambda: client.get_experiment_by_name(experiment))
        if found is None:
            artifact_root.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(Exception):  # another process created it first
                _retry(lambda: client.create_experiment(experiment, artifact_location=artifact_root.as_uri()))
            found = _retry(lambda: client.get_experiment_by_name(experiment))
        self.experiment_id = found.experiment_id
        self.client = client
        self.sweep_dir = sweep_dir

    def parent_run_id(self) -> str | None:
        if not self.sweep_dir:
            return None
        runs = _retry(
            lambda: self.client.search_runs(
                [self.experiment_id], filter_string=f"tags.`{SWEEP_TAG}` = '{self.sweep_dir}'", max_results=1
            )
        )
        return runs[0].info.run_id if runs else None

    @contextlib.contextmanager
    def point(self, cfg: DictConfig, name: str) -> Iterator[None]:
        tags = {"dive.kind": "point", "dive.point": name, "dive.stage": cfg.stage, **run_identity()}
        if cfg.sweep.name:
            tags["dive.sweep"] = cfg.sweep.name
        run = _retry(
            lambda: self.mlflow.start_run(
                experiment_id=self.experiment_id,
                run_name=name,
                parent_run_id=self.parent_run_id(),
                tags=tags,
            )
        )
        try:
            container = OmegaConf.to_container(cfg, resolve=True)
            _retry(lambda: self.mlflow.log_params(flatten(container)))  # type: ignore[arg-type]
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "config.yaml"
                path.write_text(OmegaConf.to_yaml(cfg, resolve=True))
                _retry(lambda: self.mlflow.log_artifact(str(path)))
            yield
            _retry(lambda: self.mlflow.end_run("FINISHED"))
        except BaseException:
            _retry(lambda: self.mlflow.end_run("FAILED"))
            raise
        log.info("mlflow point run %s", run.info.run_id)

    @contextlib.contextmanager
    def stage(
        self,
        name: str,
        params: Mapping[str, Any],
        run_file: Path | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> Iterator[None]:
        """A nested run for one stage, tagged with its lineage (``tags``). With ``run_file`` (an
        unfinished artifact's), the run recorded there is continued rather than a new one started: a
        stage that was killed or preempted and is computed again keeps one run, whose step metrics
        continue where they stopped; its tags then gain the job that finished it."""
        earlier = self._recorded_run(run_file)
        # under the point's run, or (a stage job of a sweep's graph, shared by points) the sweep's
        parent = None if earlier or self.mlflow.active_run() else self.parent_run_id()
        run = _retry(
            lambda: self.mlflow.start_run(
                run_id=earlier,
                experiment_id=None if earlier else self.experiment_id,
                run_name=None if earlier else name,
                nested=True,
                parent_run_id=parent,
                tags=None if earlier else {"dive.kind": "stage"},
            )
        )
        _retry(lambda: self.mlflow.set_tags({**run_identity(), **(tags or {})}))
        if run_file is not None:
            run_file.write_text(run.info.run_id)
        try:
            if earlier is None:
                _retry(lambda: self.mlflow.log_params(flatten({name: dict(params)})))
            yield
            _retry(lambda: self.mlflow.end_run("FINISHED"))
        except Preempted:
            _retry(lambda: self.mlflow.end_run("KILLED"))  # the requeued job continues this run
            raise
        except BaseException:
            _retry(lambda: self.mlflow.end_run("FAILED"))
            raise

    def _recorded_run(self, run_file: Path | None) -> str | None:
        """The run id in ``run_file`` if that run exists in this store's experiment, else None."""
        if run_file is None or not run_file.exists():
            return None
        run_id = run_file.read_text().strip()
        try:
            run = _retry(lambda: self.client.get_run(run_id))
        except Exception:  # another store, or a deleted run: start afresh
            return None
        return run_id if run.info.experiment_id == self.experiment_id else None

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        clean = {_metric_key(k): float(v) for k, v in metrics.items() if isinstance(v, int | float)}
        if clean:
            _retry(lambda: self.mlflow.log_metrics(clean, step=step))

    def log_artifacts(self, directory: Path, max_bytes: int = 20_000_000) -> None:
        """Log the small files of an artifact dir (manifests, tables), never model weights."""
        for path in sorted(directory.iterdir()):
            if path.is_file() and path.stat().st_size <= max_bytes and path.name not in ("LEASE",):
                _retry(lambda p=path: self.mlflow.log_artifact(str(p)))


@functools.cache
def source_commit() -> str:
    """The git commit of the dive source this process runs ("" outside a checkout), "-dirty" when the
    working tree differs from it: a score traces back to the exact code."""
    folder = Path(__file__).resolve().parent

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=False)

    try:
        commit = git("rev-parse", "HEAD").stdout.strip()
        dirty = commit and git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    except OSError:
        return ""
    return commit + ("-dirty" if dirty else "")


def run_identity() -> dict[str, str]:
    """Where a run's work happened: the code's commit and, under Slurm, the job (and array task)."""
    tags = {"dive.git_commit": source_commit()}
    for variable, tag in (("SLURM_JOB_ID", "slurm.job_id"), ("SLURM_ARRAY_JOB_ID", "slurm.array_job_id")):
        if os.environ.get(variable):
            tags[tag] = os.environ[variable]
    return tags


def _metric_key(key: str) -> str:
    """MLflow keys allow alphanumerics, _ - . space / : only."""
    return "".join(c if c.isalnum() or c in "_-. /:" else "_" for c in key)


def make_tracker(cfg: DictConfig, results_dir: Path, sweep_dir: str | None) -> NullTracker | MlflowTracker:
    if cfg.tracking.backend == "none":
        return NullTracker()
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    return MlflowTracker(cfg.tracking.uri, cfg.tracking.experiment, results_dir / "mlartifacts", sweep_dir)


def start_sweep_run(cfg: DictConfig, results_dir: Path, sweep_dir: str, points: list[str]) -> str | None:
    """Create the sweep's parent run (called once, in the launching process)."""
    tracker = make_tracker(cfg, results_dir, None)
    if isinstance(tracker, NullTracker):
        return None
    tags = {"dive.kind": "sweep", "dive.sweep": str(cfg.sweep.name), SWEEP_TAG: sweep_dir}
    run = _retry(
        lambda: tracker.client.create_run(
            tracker.experiment_id, run_name=f"sweep:{cfg.sweep.name}", tags=tags
        )
    )
    _retry(lambda: tracker.client.log_param(run.info.run_id, "points", ",".join(points)))
    return run.info.run_id


def sweep_run_id(cfg: DictConfig, sweep_dir: str) -> str | None:
    """The parent run of the sweep in ``sweep_dir`` (None without tracking or before it was started)."""
    tracker = make_tracker(cfg, Path(cfg.paths.results), sweep_dir)
    return tracker.parent_run_id() if isinstance(tracker, MlflowTracker) else None


def end_sweep_run(cfg: DictConfig, results_dir: Path, run_id: str | None, status: str = "FINISHED") -> None:
    if run_id is None:
        return
    tracker = make_tracker(cfg, results_dir, None)
    if isinstance(tracker, MlflowTracker):
        _retry(lambda: tracker.client.set_terminated(run_id, status))
