"""What one job of a sweep's graph runs (dive/jobgraph.py submits them).

* :class:`NodeJob`: compute one artifact. Its inputs are DONE (the scheduler started it after their jobs
  succeeded), so ``Context.need`` reuses them and computes only this node, inside its own MLflow stage
  run under the sweep's run. On Slurm it is submitit-checkpointable: a job that reaches its time limit
  (or is preempted) is requeued, and the requeued job resumes the stage from its checkpoint and continues
  the same MLflow run (the run id is kept in the artifact directory).
* :func:`finish_sweep`: after every node, one MLflow run per point with the headline metrics of its
  artifacts (all reused: no stage work, no new stage runs), each point's ``status.json``, then the report.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

log = logging.getLogger(__name__)
FINISHED = "FINISHED"  # in the sweep dir once the final job wrote the report


@contextlib.contextmanager
def _hydra() -> Iterator[None]:
    """Hydra's compose API, initialized here unless this process already has it (a debug sweep)."""
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    if GlobalHydra.instance().is_initialized():
        yield
        return
    from dive.__main__ import CONF_DIR

    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        yield


def point_config(overrides: list[str], root: str) -> DictConfig:
    """The validated config of one sweep point, with every path under ``root``."""
    from hydra import compose

    from dive.config import apply_point, validate

    with _hydra():
        cfg = apply_point(compose(config_name="dive", overrides=[*overrides, f"paths.root={root}"]))
    validate(cfg)
    return cfg


def _threads(cfg: DictConfig) -> int:
    """The CPUs this job was given (Slurm's allocation), else the machine's shared among local jobs."""
    from dive.pipeline import torch_threads

    allocated = os.environ.get("SLURM_CPUS_PER_TASK")
    return int(allocated) if allocated and not cfg.torch_threads else torch_threads(cfg, in_sweep=True)


def run_node(sweep_dir: str, digest: str) -> str:
    """Compute the artifact ``digest`` of the sweep's graph; returns its path."""
    import torch

    from dive.dispatch import SweepGraph
    from dive.pipeline import make_context

    graph = SweepGraph.load(Path(sweep_dir))
    node = graph.node(digest)
    cfg = point_config(node.overrides, graph.root)
    threads = _threads(cfg)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    torch.set_num_threads(threads)
    ctx = make_context(cfg, sweep_dir)
    artifact = ctx.need(node.node)
    if artifact.digest != digest:  # the code or config changed since submission: say so, compute nothing
        raise RuntimeError(
            f"{node.node} now resolves to {artifact.path}, not the planned {node.path}: the source or "
            "config changed after the sweep was submitted; submit the sweep again"
        )
    return str(artifact.path)


class NodeJob:
    """``run_node`` as a submitit-checkpointable callable: on timeout or preemption, requeue itself."""

    def __call__(self, sweep_dir: str, digest: str) -> str:
        return run_node(sweep_dir, digest)

    def checkpoint(self, sweep_dir: str, digest: str) -> object:
        import signal

        import submitit

        # submitit now runs `scontrol requeue`, and Slurm answers with a SIGTERM to the whole step that can
        # reach scontrol before it exits (submitit would then record a failure although the requeue went
        # through). From here the job only has to exit: SIG_IGN is inherited by scontrol across exec.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        # the stage saved its own checkpoint on the signal (dive/training.py); rerunning resumes it
        return submitit.helpers.DelayedSubmission(self, sweep_dir, digest)


def finish_sweep(sweep_dir: str) -> str:
    """The points' MLflow runs and status files, the sweep run's end, the report; returns its folder."""
    from dive.dispatch import SweepGraph
    from dive.stages.report import write_report
    from dive.tracking import end_sweep_run, sweep_run_id

    graph = SweepGraph.load(Path(sweep_dir))
    missing = [f"{n.node} ({n.path})" for n in graph.nodes if not (n.path / "DONE").exists()]
    if missing:  # the scheduler starts this job only after every node succeeded
        raise RuntimeError(f"nodes not done, nothing to report: {', '.join(missing)}")
    cfg = None
    for n, (point, overrides) in enumerate(graph.points):
        cfg = point_config(overrides, graph.root)
        _record_point(cfg, sweep_dir, point or str(n), Path(sweep_dir) / f"{n}-{point or 'job'}")
    assert cfg is not None, "a sweep has at least one point"
    end_sweep_run(cfg, Path(cfg.paths.results), sweep_run_id(cfg, sweep_dir))
    out = write_report(cfg, sweep_dir) if cfg.sweep.name else Path(cfg.paths.results)
    (Path(sweep_dir) / FINISHED).write_text(str(out))
    return str(out)


def _record_point(cfg: DictConfig, sweep_dir: str, name: str, folder: Path) -> None:
    from dive.graph import PIPELINE, nodes_of
    from dive.pipeline import make_context

    ctx = make_context(cfg, sweep_dir)
    stages = PIPELINE if cfg.stage == "pipeline" else (cfg.stage,)
    with ctx.tracker.point(cfg, name):
        for stage in stages:
            for node in nodes_of(stage, cfg):
                ctx.need(node)  # DONE: read back, never computed here
        ctx.tracker.log_metrics(ctx.metrics)
    folder.mkdir(parents=True, exist_ok=True)
    status = {
        "point": cfg.point,
        "sweep": cfg.sweep.name,
        "stage": cfg.stage,
        "artifacts": {k: str(a.path) for k, a in ctx.resolved.items()},
        "metrics": ctx.metrics,
        "config": OmegaConf.to_container(cfg.synth, resolve=True),
    }
    (folder / "status.json").write_text(json.dumps(status, indent=2, default=str))
