"""Run one job: a single stage (with whatever upstream artifacts it needs) or the whole pipeline.

The graph (dive/graph.py) says what each node reads; ``Context.need`` resolves a node's inputs first, reuses
an artifact that is DONE and produces a missing one. So ``stage=sft`` on a fresh checkout runs validate,
synth and solve before SFT, and a rerun of a finished sweep does no stage work at all.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from dive.artifacts import Artifact, held_by_another, produce
from dive.config import apply_point, validate
from dive.graph import GRAPH, PIPELINE, address, inputs_of, module, node_config, nodes_of, runtime_of
from dive.stages.report import headline_text, write_report
from dive.tracking import MlflowTracker, NullTracker, make_tracker

log = logging.getLogger(__name__)
MLFLOW_RUN = "mlflow_run_id"  # in an artifact dir: the stage run that computes it


@dataclasses.dataclass
class Context:
    """One job's view of the graph: where artifacts live, the tracker, the nodes resolved so far."""

    cfg: DictConfig
    tracker: MlflowTracker | NullTracker
    resolved: dict[str, Artifact] = dataclasses.field(default_factory=dict)
    addresses: dict[str, Artifact] = dataclasses.field(default_factory=dict)
    timings: dict[str, float] = dataclasses.field(default_factory=dict)
    metrics: dict[str, float] = dataclasses.field(default_factory=dict)  # every stage's, for the point run

    def need(self, node: str) -> Artifact:
        """The DONE artifact of ``node`` for this config, producing it (and its inputs) if needed."""
        if node not in self.resolved:
            spec = GRAPH[node]
            config = node_config(self.cfg, node)
            inputs = {name: self.need(name) for name in inputs_of(node, config)}
            artifact = address(self.cfg, node, self.addresses)
            runtime = runtime_of(self.cfg, self.tracker.log_metrics)
            compute = module(node).compute
            self.resolved[node] = self._produce(
                artifact, config, lambda out: compute(config, inputs, out, runtime), spec.headline, inputs
            )
        return self.resolved[node]

    def _produce(
        self,
        artifact: Artifact,
        config: Any,
        compute: Callable[[Path], dict[str, float]],
        headline: bool,
        inputs: dict[str, Artifact],
    ) -> Artifact:
        """Compute the artifact unless DONE, inside a tracked stage run; log its metrics either way.

        ``headline`` metrics also go on the point's run (not DIVE-Eval's task synthesis, whose diversity
        numbers would shadow the training data's).
        """
        start = time.perf_counter()
        if artifact.done:  # reused: its stage run is the one that computed it, so no new run
            metrics, computed = produce(artifact, config, compute)
        else:
            run_file = None
            if not held_by_another(artifact.path):
                # a stage computed again after a kill continues its MLflow run (not one a live job holds)
                artifact.path.mkdir(parents=True, exist_ok=True)
                run_file = artifact.path / MLFLOW_RUN
            params = {"artifact": str(artifact.path), **_flat_config(config)}
            with self.tracker.stage(artifact.stage, params, run_file, lineage(artifact, inputs)):
                metrics, computed = produce(artifact, config, compute)
                self.tracker.log_metrics(metrics)
                if computed:
                    self.tracker.log_artifacts(artifact.path)
        name = f"{artifact.stage}/{artifact.label}"
        self.timings[name] = time.perf_counter() - start
        if headline:
            self.metrics.update(metrics)
        state = "computed" if computed else "reused"
        log.info("%s %s in %.1f s: %s", name, state, self.timings[name], artifact.path)
        return artifact


def lineage(artifact: Artifact, inputs: dict[str, Artifact]) -> dict[str, str]:
    """MLflow tags tracing a stage's numbers to its data and checkpoint: its artifact and the content
    digests of everything it read (the commit and Slurm job come with every run, dive/tracking.py)."""
    tags = {"dive.artifact": str(artifact.path), "dive.digest": artifact.digest}
    tags.update({f"dive.input.{name}": f"{a.digest} {a.path}" for name, a in inputs.items()})
    return tags


def _flat_config(config: Any) -> dict[str, Any]:
    return dict(config) if isinstance(config, dict) else {"value": config}


def torch_threads(cfg: DictConfig, in_sweep: bool) -> int:
    """``torch_threads``, or the cores shared among the points a local sweep runs at once."""
    if cfg.torch_threads:
        return int(cfg.torch_threads)
    sharing = cfg.launcher.parallel if in_sweep and cfg.launcher.name == "local" else 1
    return max(1, (os.cpu_count() or 1) // sharing)


def make_context(cfg: DictConfig, sweep_dir: str | None = None) -> Context:
    root = Path(cfg.paths.root).resolve()
    OmegaConf.update(cfg, "paths.root", str(root))  # every later path is absolute, whatever the job's cwd
    os.environ["OMP_NUM_THREADS"] = str(torch_threads(cfg, sweep_dir is not None))
    results = Path(cfg.paths.results)
    results.mkdir(parents=True, exist_ok=True)
    return Context(cfg, make_tracker(cfg, results, sweep_dir))


def run_job(cfg: DictConfig) -> float | None:
    """Validate, then run ``cfg.stage`` (or the pipeline) here; prints the last artifact's path last.
    (A sweep runs as a job graph instead: dive/jobgraph.py.)"""
    cfg = apply_point(cfg)
    validate(cfg)
    ctx = make_context(cfg)
    import torch

    torch.set_num_threads(torch_threads(cfg, in_sweep=False))
    if cfg.stage == "status":
        from dive.status import write_status

        try:
            print(write_status(cfg), flush=True)
        except FileNotFoundError as error:  # no run of this sweep yet: say so, no traceback
            print(f"dive: {error}", file=sys.stderr)
            raise SystemExit(1) from None
        return None
    if cfg.stage == "retry":
        from dive.jobgraph import retry_sweep

        try:
            code = retry_sweep(cfg)
        except FileNotFoundError as error:
            print(f"dive: {error}", file=sys.stderr)
            raise SystemExit(1) from None
        if code:
            raise SystemExit(code)
        return None
    if cfg.stage == "report":
        path = write_report(cfg, None)
        print(headline_text(path), flush=True)
        print(path, flush=True)
        return None
    stages = PIPELINE if cfg.stage == "pipeline" else (cfg.stage,)
    name = cfg.point or cfg.stage
    last: Artifact | None = None
    with ctx.tracker.point(cfg, name):
        for stage in stages:
            for node in nodes_of(stage, cfg):
                last = ctx.need(node)
        ctx.tracker.log_metrics({**ctx.metrics, **{f"time/{k}_s": v for k, v in ctx.timings.items()}})
    assert last is not None
    log.info("stage times (s): %s", {k: round(v, 1) for k, v in ctx.timings.items()})
    print(last.path, flush=True)
    metrics = last.metrics() if (last.path / "metrics.json").exists() else {}
    headline = next((v for k, v in metrics.items() if k.endswith("accuracy")), None)
    return float(headline) if headline is not None else None
