"""A sweep as one job graph: every artifact any point needs, once, with the artifacts it reads.

Points of a sweep share artifacts (validate, the base model, its evaluation, DIVE-Eval's tasks), and every
artifact is content-addressed, so the graph's nodes are artifact digests: two points that need the same
artifact need the same node. :func:`plan` composes each point's config, walks the pipeline's nodes and
their inputs (dive/graph.py), and returns the nodes in dependency order, each with the points that need
it and the overrides of the first of them (enough to compose the config that computes it).

This is what a dispatcher submits one job per node from (a Slurm job with its stage's resources and
``afterok`` on its inputs' jobs), and what a status view counts done and pending over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import DictConfig


@dataclass
class GraphNode:
    digest: str  # the artifact's content digest: the node's identity across points
    node: str  # the graph node computing it (dive/graph.py), e.g. "synth", "evaluate_base"
    stage: str  # its artifact folder, which names the resources it runs with
    path: Path
    overrides: list[str]  # the first needing point's overrides (compose them to compute the node)
    points: list[str] = field(default_factory=list)  # every point that needs it
    inputs: list[str] = field(default_factory=list)  # digests of the nodes it reads


def plan(configs: list[tuple[str, DictConfig, list[str]]]) -> list[GraphNode]:
    """The deduplicated nodes of every (point, config, overrides), inputs before the nodes reading them."""
    from dive.graph import PIPELINE, nodes_of

    nodes: dict[str, GraphNode] = {}
    for point, cfg, overrides in configs:
        memo: dict[str, Any] = {}
        for stage in PIPELINE:
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
            artifact.digest, name, artifact.stage, artifact.path, list(overrides), inputs=inputs
        )
    if point not in found.points:
        found.points.append(point)
    return artifact.digest
