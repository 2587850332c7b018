"""The stage graph: the one table of stages, their inputs, their code and the config each computes from.

Every node is a content-addressed artifact (dive/artifacts.py). A node's stage module provides three
functions and nothing else is read:

* ``config(cfg) -> dict``: the exact values its computation uses, picked from the composed config. The
  artifact is hashed on this dict (with the node's code and its inputs' digests), and ``compute`` gets
  only this dict, so a setting that changes the result always changes the address;
* ``label(config) -> str``: the readable half of the directory name;
* ``compute(config, inputs, out, runtime) -> metrics``: writes the artifact's files into ``out``.

``runtime`` carries what decides *how* the work runs, never *what* it produces (where array jobs go,
the metric logger), which is why it stays out of the hash.

Two nodes are variants: ``eval_tasks`` is DIVE-Eval's synthesis (held-out seeds) in ``synth/``, and
``evaluate_<model>`` scores one checkpoint in ``evaluate/`` (``evaluate_references`` the reference
endpoints). The pipeline stage ``evaluate`` runs the ``evaluate_<model>`` nodes of ``evaluate.models``,
and ``evaluate_references`` when ``evaluate.references`` names any.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from dive.artifacts import Artifact, artifact_for

PIPELINE = ("validate", "synth", "solve", "sft", "select", "grpo", "evaluate")
STAGES = (*PIPELINE, "report")
EVALUATED = ("grpo", "sft", "base")  # checkpoints evaluate can score (evaluate.models)


@dataclasses.dataclass(frozen=True)
class Node:
    module: str  # the stage module with config / label / compute
    folder: str  # artifacts/<folder>/<label>-<hash6>
    inputs: tuple[str, ...]  # upstream nodes, in the order compute receives them
    code: tuple[str, ...]  # sources (under dive/) whose edits change the result
    variant: str | None = None  # passed to config() for nodes sharing a module
    headline: bool = True  # its metrics also go on the point's MLflow run


# the sources each node's result depends on (paths under dive/): editing one gives new artifacts
_SYNTH_CODE = ("stages/synth.py", "synth", "pools", "records.py", "llm/endpoints.py")
_ROLLOUT_CODE = ("rollout.py", "episodes.py", "chat.py", "rewards.py", "records.py", "tools/base.py")
_VALIDATE_CODE = ("stages/validate.py", "tools/gate.py", "tools/base.py")
_SOLVE_CODE = (
    "stages/solve.py",
    "teacher",
    "synth/verify.py",
    "episodes.py",
    "chat.py",
    "rewards.py",
    "records.py",
    "tools/base.py",
)
_SFT_CODE = ("stages/sft.py", "sft_batches.py", "training.py", "chat.py")
_GRPO_CODE = ("stages/grpo.py", "grpo_loss.py", "training.py", *_ROLLOUT_CODE)
_EVALUATE_CODE = ("stages/evaluate.py", "eval", "llm/client.py", "llm/server.py", *_ROLLOUT_CODE)

# node: (stage module, artifact folder, inputs, code, ...)
GRAPH: dict[str, Node] = {
    "validate": Node("dive.stages.validate", "validate", (), _VALIDATE_CODE),
    "model": Node("dive.model", "model", (), ("model.py", "chat.py")),
    "synth": Node("dive.stages.synth", "synth", ("validate",), _SYNTH_CODE),
    "eval_tasks": Node("dive.stages.synth", "synth", ("validate",), _SYNTH_CODE, "eval", headline=False),
    "solve": Node("dive.stages.solve", "solve", ("synth",), _SOLVE_CODE),
    "sft": Node("dive.stages.sft", "sft", ("solve", "model"), _SFT_CODE),
    "select": Node("dive.stages.select", "select", ("synth", "sft"), ("stages/select.py", *_ROLLOUT_CODE)),
    "grpo": Node("dive.stages.grpo", "grpo", ("select", "sft"), _GRPO_CODE),
    **{
        f"evaluate_{name}": Node(
            "dive.stages.evaluate",
            "evaluate",
            # DIVE-Eval's tasks, the checkpoint and, for a trained one, its training set (held-out check)
            ("eval_tasks", "model") if name == "base" else ("eval_tasks", name, "synth"),
            _EVALUATE_CODE,
            name,
        )
        for name in EVALUATED
    },
    "evaluate_references": Node(
        "dive.stages.evaluate", "evaluate", ("eval_tasks",), _EVALUATE_CODE, "references"
    ),
}


def nodes_of(stage: str, cfg: DictConfig) -> list[str]:
    """The graph nodes a pipeline stage (or a node name) stands for."""
    if stage == "evaluate":
        references = ["evaluate_references"] if cfg.evaluate.references else []
        return [f"evaluate_{name}" for name in cfg.evaluate.models] + references
    if stage not in GRAPH:
        raise KeyError(f"stage {stage!r} is not in the graph; valid: {sorted(GRAPH)}")
    return [stage]


@functools.cache
def code_digest(node: str) -> str:
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in GRAPH[node].code:
        path = package / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def module(node: str) -> Any:
    return importlib.import_module(GRAPH[node].module)


def node_config(cfg: DictConfig, node: str) -> dict[str, Any]:
    spec = GRAPH[node]
    build = module(node).config
    return build(cfg, spec.variant) if spec.variant is not None else build(cfg)


def inputs_of(node: str, config: dict[str, Any]) -> tuple[str, ...]:
    """The node's inputs: its fixed ones, plus any its module asks for given this config (``needs``):
    an LLM stage that serves the policy base model reads the ``model`` artifact, a scripted one does not."""
    extra = getattr(module(node), "needs", None)
    return GRAPH[node].inputs + (tuple(extra(config)) if extra is not None else ())


def address(cfg: DictConfig, node: str, memo: dict[str, Artifact] | None = None) -> Artifact:
    """Where ``node``'s artifact lives for ``cfg`` (nothing is computed or created)."""
    memo = {} if memo is None else memo
    if node not in memo:
        config = node_config(cfg, node)
        inputs = [address(cfg, name, memo) for name in inputs_of(node, config)]
        keyed = {"config": config, "code": code_digest(node)}
        label = module(node).label(config)
        memo[node] = artifact_for(Path(cfg.paths.artifacts), GRAPH[node].folder, label, keyed, inputs)
    return memo[node]


@dataclasses.dataclass
class Runtime:
    """How a stage's work runs; never what it produces, so none of it is hashed."""

    launcher: str = "debug"  # where array jobs go: local | slurm | debug
    slurm_partition: str | None = None
    tools_array: bool = False  # validate as a submitit array
    array_chunks: int = 8
    log_metrics: Callable[[Mapping[str, float], int | None], None] = lambda metrics, step=None: None
    llm: dict[str, Any] = dataclasses.field(default_factory=dict)  # llm.endpoints.transport(cfg)
    synth_shards: int = 1  # synthesis array jobs


def runtime_of(cfg: DictConfig, log_metrics: Callable[..., None] | None = None) -> Runtime:
    from dive.llm.endpoints import transport

    runtime = Runtime(
        cfg.launcher.name,
        cfg.slurm.partition,
        cfg.tools.array,
        cfg.tools.array_chunks,
        llm=transport(cfg),
        synth_shards=cfg.synth.shards,
    )
    if log_metrics is not None:
        runtime.log_metrics = log_metrics
    return runtime
