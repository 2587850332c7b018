"""The stage graph: every key a stage reads is in its artifact's address, and nothing else is.

Each stage's computation receives only the dict its ``config(cfg)`` builds (dive/graph.py), so what it
reads is what it is hashed on. This test pins *which* settings each node reads: it changes every leaf of
the composed config, one at a time, and checks that exactly the nodes reading it, and everything
downstream of them, get a new address.
"""

from __future__ import annotations

from typing import Any

import pytest
from omegaconf import DictConfig, OmegaConf

from dive.graph import GRAPH, PIPELINE, address, nodes_of
from tests.conftest import compose_config

# node -> the config keys (or key prefixes ending in ".") it reads
READS: dict[str, set[str]] = {
    "validate": {"tools.domains", "tools.exclude", "tools.online"},
    "model": {"model."},
    "synth": {"synth.", "tools.domains"},
    "eval_tasks": {
        "synth.toolset_min",
        "synth.toolset_max",
        "synth.exemplars_min",
        "synth.exemplars_max",
        "synth.rounds",
        "synth.calls_per_round",
        "synth.seed",
        "tools.domains",
        "evaluate.dive_eval_tasks",
    },
    "solve": {"tools.domains", "tools.max_output_chars"},
    "sft": {"sft.", "model.dtype", "model.name"},
    "select": {"select.", "tools.max_output_chars", "tools.domains", "model.dtype", "seed"},
    "grpo": {"grpo.", "model.dtype", "model.name", "tools.max_output_chars", "tools.domains"},
    **{
        f"evaluate_{m}": {
            "evaluate.",
            "model.name",
            "model.dtype",
            "tools.domains",
            "tools.max_output_chars",
            "seed",
        }
        for m in ("grpo", "sft", "base")
    },
}
# how the work runs or what is run, never what a stage produces: no address may depend on these
EXECUTION = {
    "stage",
    "point",
    "torch_threads",
    "paths.",
    "launcher.",
    "slurm.",
    "tracking.",
    "sweep.",
    "tools.array",
    "tools.array_chunks",
    "evaluate.models",
}


def _matches(key: str, patterns: set[str]) -> bool:
    return any(key == p or (p.endswith(".") and key.startswith(p)) for p in patterns)


def _leaves(tree: Any, prefix: str = "") -> list[str]:
    if isinstance(tree, dict) and prefix != "sweep.points":  # an empty group (solve) has no leaves
        return [leaf for k, v in tree.items() for leaf in _leaves(v, f"{prefix}.{k}" if prefix else str(k))]
    return [prefix]


def _perturbed(value: Any, key: str) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, list):
        return value[1:] if value else ["general.python.execute"]
    if isinstance(value, dict):
        return {"extra": {}}
    if value is None:
        return ["finance"] if key == "synth.pool_domains" else 3
    raise TypeError(f"{key}: {value!r}")


def _digests(cfg: DictConfig) -> dict[str, str]:
    memo: dict[str, Any] = {}
    return {node: address(cfg, node, memo).digest for node in GRAPH}


def _downstream(nodes: set[str]) -> set[str]:
    closed = set(nodes)
    while True:
        more = {n for n, spec in GRAPH.items() if set(spec.inputs) & closed} - closed
        if not more:
            return closed
        closed |= more


@pytest.fixture(scope="module")
def base() -> tuple[DictConfig, dict[str, str]]:
    cfg = compose_config(["model=tiny"])
    return cfg, _digests(cfg)


def test_every_node_reads_what_its_table_says(base: tuple[DictConfig, dict[str, str]]) -> None:
    cfg, before = base
    plain = OmegaConf.to_container(cfg, resolve=True)
    keys = [k for k in _leaves(plain) if not k.startswith("hydra")]
    unread = []
    for key in keys:
        execution = _matches(key, EXECUTION)
        readers = set() if execution else {node for node, reads in READS.items() if _matches(key, reads)}
        if not readers and not execution:
            unread.append(key)
            continue
        value = plain
        for part in key.split("."):
            value = value[part]
        changed = OmegaConf.create(plain)
        OmegaConf.update(changed, key, _perturbed(value, key), merge=False)
        after = _digests(changed)
        moved = {node for node in GRAPH if after[node] != before[node]}
        assert moved == _downstream(readers), f"changing {key}: moved {sorted(moved)}"
    assert not unread, f"keys no stage reads (make them work or remove them): {unread}"


def test_table_lists_every_node() -> None:
    assert set(READS) == set(GRAPH)
    cfg = compose_config([])
    assert [n for stage in PIPELINE for n in nodes_of(stage, cfg)] == [
        "validate",
        "synth",
        "solve",
        "sft",
        "select",
        "grpo",
        "evaluate_grpo",
        "evaluate_sft",
        "evaluate_base",
    ]


def test_a_node_gets_only_its_inputs() -> None:
    """Stages no longer import each other: each reads upstream artifacts through dive.records."""
    import ast
    from pathlib import Path

    stages = Path(__file__).resolve().parent.parent / "dive" / "stages"
    for path in stages.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("dive.stages"), f"{path.name} imports {node.module}"
