"""The sweep's job graph: one node per artifact, shared ones once, inputs first."""

from __future__ import annotations

from pathlib import Path

from dive.config import apply_point
from dive.dispatch import plan
from tests.conftest import compose_config


def _configs(tmp_path: Path) -> list:
    out = []
    for point in ("v1", "vtask"):
        overrides = ["+sweep=smoke", f"point={point}", "debug=tiny", f"paths.root={tmp_path}"]
        out.append((point, apply_point(compose_config(overrides)), overrides))
    return out


def test_smoke_sweep_graph_shares_what_the_points_share(tmp_path: Path) -> None:
    nodes = plan(_configs(tmp_path))
    by_name: dict[str, list] = {}
    for node in nodes:
        by_name.setdefault(node.node, []).append(node)
    shared = {"validate", "model", "eval_tasks", "evaluate_base"}
    assert {n for n, found in by_name.items() if len(found) == 1} == shared
    assert all(by_name[n][0].points == ["v1", "vtask"] for n in shared)
    per_point = {"synth", "solve", "sft", "select", "grpo", "evaluate_grpo", "evaluate_sft"}
    assert {n for n, found in by_name.items() if len(found) == 2} == per_point
    assert len(nodes) == len(shared) + 2 * len(per_point)  # 18 jobs


def test_inputs_come_before_the_nodes_reading_them(tmp_path: Path) -> None:
    nodes = plan(_configs(tmp_path))
    position = {node.digest: n for n, node in enumerate(nodes)}
    for node in nodes:
        assert all(position[i] < position[node.digest] for i in node.inputs), node.node
    sft = next(n for n in nodes if n.node == "sft" and n.points == ["vtask"])
    read = {nodes[position[i]].node for i in sft.inputs}
    assert read == {"solve", "model"} and "point=vtask" in sft.overrides
