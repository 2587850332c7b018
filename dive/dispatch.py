"""A sweep as one job graph: every artifact any point needs, once, with the artifacts it reads.

Points of a sweep share artifacts (validate, the base model, its evaluation, DIVE-Eval's tasks), and every
artifact is content-addressed, so the graph's nodes are artifact digests: two points that need the same
artifact need the same node. :func:`plan` composes each point's config, walks the nodes of its stage (the
pipeline by default) and their inputs (dive/graph.py), and returns the nodes in dependency order, each
with the points that need it, the overrides of the first of them (enough to compose the config that
computes it) and the resources its stage asks for (``slurm.resources``).

The graph is saved as ``graph.json`` in the sweep's directory, with the scheduler's job id of every node
once submitted; that file is what ``stage=status`` and ``stage=retry`` read (dive/jobgraph.py).
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from dive.config import RESOURCE_KEYS

GRAPH_FILE = "graph.json"
JOBS = ".submitit"  # under the sweep dir: one folder per job (its pickles and logs)
FINAL = "finish"  # the last job: the points' MLflow runs and the report, after every node


@dataclass
class GraphNode:
    digest: str  # the artifact's content digest: the node's identity across points
    node: str  # the graph node computing it (dive/graph.py), e.g. "synth", "evaluate_base"
    stage: str  # its artifact folder, which names the resources it runs with
    path: Path
    overrides: list[str]  # the first needing point's overrides (compose them to compute the node)
    points: list[str] = field(default_factory=list)  # every point that needs it
    inputs: list[str] = field(default_factory=list)  # digests of the nodes it reads
    resources: dict[str, Any] = field(default_factory=dict)  # slurm.resources for its stage
    job_id: str | None = None  # the scheduler's job computing it (set when submitted)
    state: str | None = None  # launcher=local/debug: what the driver last saw (running, done, failed)


@dataclass
class SweepGraph:
    """What a sweep submits: its nodes, its points and the final job, saved as ``graph.json``."""

    sweep: str
    sweep_dir: Path
    launcher: str
    root: str  # paths.root every job composes with
    points: list[tuple[str, list[str]]]  # (point name, its overrides) in plan order
    nodes: list[GraphNode]
    final_resources: dict[str, Any] = field(default_factory=dict)
    final_job_id: str | None = None

    def node(self, digest: str) -> GraphNode:
        return next(n for n in self.nodes if n.digest == digest)

    def save(self) -> Path:
        path = self.sweep_dir / GRAPH_FILE
        data = dataclasses.asdict(self)
        data["sweep_dir"] = str(self.sweep_dir)
        for node in data["nodes"]:
            node["path"] = str(node["path"])
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(data, indent=2))
        os.replace(tmp, path)  # readers (status, a polling launcher) never see half a file
        return path

    @classmethod
    def load(cls, sweep_dir: Path) -> SweepGraph:
        data = json.loads((Path(sweep_dir) / GRAPH_FILE).read_text())
        nodes = [GraphNode(**{**n, "path": Path(n["path"])}) for n in data.pop("nodes")]
        points = [(name, list(overrides)) for name, overrides in data.pop("points")]
        return cls(**{**data, "sweep_dir": Path(data["sweep_dir"])}, points=points, nodes=nodes)

    def downstream(self, digests: set[str]) -> set[str]:
        """``digests`` and every node reading one of them, directly or not."""
        found = set(digests)
        for node in self.nodes:  # topological order: a node's inputs were decided before it
            if any(i in found for i in node.inputs):
                found.add(node.digest)
        return found


def done(node: GraphNode) -> bool:
    return (Path(node.path) / "DONE").exists()


def resources(cfg: DictConfig, stage: str) -> dict[str, Any]:
    """The Slurm resources of a stage's jobs: the profile's defaults, then ``slurm.resources.<stage>``."""
    asked = {key: cfg.slurm[key] for key in RESOURCE_KEYS}
    asked.update(dict(cfg.slurm.resources.get(stage) or {}))
    return asked


def plan(configs: list[tuple[str, DictConfig, list[str]]]) -> list[GraphNode]:
    """The deduplicated nodes of every (point, config, overrides), inputs before the nodes reading them."""
    from dive.graph import PIPELINE, nodes_of

    nodes: dict[str, GraphNode] = {}
    for point, cfg, overrides in configs:
        memo: dict[str, Any] = {}
        stages = PIPELINE if cfg.stage == "pipeline" else (cfg.stage,)
        for stage in stages:
            for name in nodes_of(stage, cfg):
                _visit(cfg, name, point, overrides, memo, nodes)
    return list(nodes.values())  # insertion order is a topological order: inputs are visited first


def _visit(
    cfg: DictConfig,
    name: str,
    point: str,
    overrides: list[str],
    memo: dict[str, Any],
    nodes: dict[str, GraphNode],
) -> str:
    from dive.graph import address, inputs_of, node_config

    artifact = address(cfg, name, memo)
    inputs = [_visit(cfg, i, point, overrides, memo, nodes) for i in inputs_of(name, node_config(cfg, name))]
    found = nodes.get(artifact.digest)
    if found is None:
        found = nodes[artifact.digest] = GraphNode(
            artifact.digest,
            name,
            artifact.stage,
            artifact.path,
            list(overrides),
            inputs=inputs,
            resources=resources(cfg, artifact.stage),
        )
    if point not in found.points:
        found.points.append(point)
    return artifact.digest
