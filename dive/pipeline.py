"""Run one job: a single stage (with whatever upstream artifacts it needs) or the whole pipeline.

Stages ask the context for their inputs (``ctx.need("solve")``); an input whose artifact is DONE is
reused, a missing one is produced first. So ``stage=sft`` on a fresh checkout runs validate, synth and
solve before SFT, and a rerun of a finished sweep does no stage work at all.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from dive.artifacts import Artifact, artifact_for, produce
from dive.config import PIPELINE, apply_point, validate
from dive.tracking import MlflowTracker, NullTracker, make_tracker

log = logging.getLogger(__name__)

# stage name -> module under dive.stages exposing ``run(cfg, ctx) -> Artifact``
STAGE_MODULES = {
    "model": "dive.model",
    "validate": "dive.stages.validate",
    "synth": "dive.stages.synth",
    "eval_tasks": "dive.stages.synth",
    "solve": "dive.stages.solve",
    "sft": "dive.stages.sft",
    "select": "dive.stages.select",
    "grpo": "dive.stages.grpo",
    "evaluate": "dive.stages.evaluate",
    "report": "dive.stages.report",
}


# The source a stage's result depends on: editing it gives new artifacts instead of stale reuse.
STAGE_CODE = {
    "model": ("model.py", "chat.py"),
    "validate": ("stages/validate.py", "tools/gate.py", "tools/base.py"),
    "synth": ("stages/synth.py", "synth", "pools"),
    "solve": ("stages/solve.py", "chat.py", "rewards.py"),
    "sft": ("stages/sft.py", "training.py", "chat.py"),
    "select": ("stages/select.py", "rollout.py", "chat.py", "rewards.py"),
    "grpo": ("stages/grpo.py", "training.py", "rollout.py", "chat.py", "rewards.py"),
    "evaluate": ("stages/evaluate.py", "rollout.py", "chat.py", "rewards.py", "eval"),
}


@functools.cache
def code_digest(stage: str) -> str:
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in STAGE_CODE.get(stage, ()):
        path = package / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


@dataclasses.dataclass
class Context:
    """What a stage needs besides its config: where artifacts live, the tracker, resolved inputs."""

    cfg: DictConfig
    artifacts_root: Path
    results_dir: Path
    tracker: MlflowTracker | NullTracker
    resolved: dict[str, Artifact] = dataclasses.field(default_factory=dict)
    timings: dict[str, float] = dataclasses.field(default_factory=dict)
    metrics: dict[str, float] = dataclasses.field(default_factory=dict)  # every stage's, for the point run

    def need(self, stage: str) -> Artifact:
        """The DONE artifact of ``stage`` for this config, producing it (and its inputs) if needed."""
        if stage not in self.resolved:
            module = importlib.import_module(STAGE_MODULES[stage])
            runner = module.run_eval_tasks if stage == "eval_tasks" else module.run
            self.resolved[stage] = runner(self.cfg, self)
        return self.resolved[stage]

    def artifact(self, stage: str, label: str, config: Any, inputs: list[Artifact]) -> Artifact:
        """The content address of a stage's output: its config, its inputs and its own code."""
        keyed = {"config": config, "code": code_digest(stage)}
        return artifact_for(self.artifacts_root, stage, label, keyed, inputs)

    def produce(
        self,
        artifact: Artifact,
        config: Any,
        compute: Callable[[Path], dict[str, float]],
        headline: bool = True,
    ) -> Artifact:
        """Compute the artifact unless DONE, inside a tracked stage run; log its metrics either way.

        ``headline`` artifacts' metrics also go on the point's run (not DIVE-Eval's task synthesis, whose
        diversity numbers would shadow the training data's, nor evaluate's, which logs prefixed keys).
        """
        start = time.perf_counter()
        with self.tracker.stage(artifact.stage, {"artifact": str(artifact.path), **_flat_config(config)}):
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


def _flat_config(config: Any) -> dict[str, Any]:
    return dict(config) if isinstance(config, dict) else {"value": config}


def make_context(cfg: DictConfig, sweep_dir: str | None = None) -> Context:
    root = Path(cfg.paths.root).resolve()
    OmegaConf.update(cfg, "paths.root", str(root))  # every later path is absolute, whatever the job's cwd
    if cfg.torch_threads:
        os.environ["OMP_NUM_THREADS"] = str(cfg.torch_threads)
    results = Path(cfg.paths.results)
    results.mkdir(parents=True, exist_ok=True)
    tracker = make_tracker(cfg, results, sweep_dir)
    return Context(cfg, Path(cfg.paths.artifacts), results, tracker)


def _sweep_dir() -> str | None:
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return None
    hydra_cfg = HydraConfig.get()
    return str(Path(hydra_cfg.sweep.dir).resolve()) if hydra_cfg.mode.name == "MULTIRUN" else None


def _write_status(cfg: DictConfig, ctx: Context, last: Artifact) -> None:
    """Per-point status for people (and the report when tracking is off), in the Hydra job's output dir."""
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return
    status = {
        "point": cfg.point,
        "sweep": cfg.sweep.name,
        "stage": cfg.stage,
        "last_artifact": str(last.path),
        "artifacts": {k: str(a.path) for k, a in ctx.resolved.items()},
        "metrics": ctx.metrics,
        "timings_s": ctx.timings,
        "config": OmegaConf.to_container(cfg.synth, resolve=True),
    }
    path = Path(HydraConfig.get().runtime.output_dir) / "status.json"
    path.write_text(json.dumps(status, indent=2, default=str))


def run_job(cfg: DictConfig, sweep_dir: str | None = None) -> float | None:
    """Validate, then run ``cfg.stage`` (or the pipeline); prints the last artifact's path last."""
    cfg = apply_point(cfg)
    validate(cfg)
    ctx = make_context(cfg, sweep_dir or _sweep_dir())
    if cfg.torch_threads:
        import torch

        torch.set_num_threads(cfg.torch_threads)
    stages = PIPELINE if cfg.stage == "pipeline" else (cfg.stage,)
    name = cfg.point or cfg.stage
    last: Artifact | None = None
    with ctx.tracker.point(cfg, name):
        for stage in stages:
            last = ctx.need(stage)
        ctx.tracker.log_metrics({**ctx.metrics, **{f"time/{k}_s": v for k, v in ctx.timings.items()}})
        _write_status(cfg, ctx, last)
    assert last is not None
    log.info("stage times (s): %s", {k: round(v, 1) for k, v in ctx.timings.items()})
    print(last.path, flush=True)
    metrics = last.metrics() if (last.path / "metrics.json").exists() else {}
    headline = next((v for k, v in metrics.items() if k.endswith("accuracy")), None)
    return float(headline) if headline is not None else None
