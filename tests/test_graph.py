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
# what every evaluate node reads (references add theirs, checkpoints their model and backend)
_EVALUATE = {
    *(f"evaluate.{k}" for k in ("dive_eval_tasks", "samples", "temperature", "top_p", "max_turns")),
    *(f"evaluate.{k}" for k in ("max_new_tokens", "bfcl_categories", "bfcl_limit", "bfcl_mode")),
    *(f"evaluate.{k}" for k in ("bfcl_max_new_tokens", "batch_size", "online", "online_limit")),
    "tools.domains",
    "tools.max_output_chars",
    "seed",
}
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
        "synth.backend",
        "synth.near_duplicate",
        "tools.domains",
        "evaluate.dive_eval_tasks",
    },
    "solve": {"tools.domains", "tools.max_output_chars", "solve.backend"},
    "sft": {"sft.", "model.dtype", "model.name"},
    "select": {"select.", "tools.max_output_chars", "tools.domains", "model.dtype", "seed"},
    "grpo": {"grpo.", "model.dtype", "model.name", "tools.max_output_chars", "tools.domains"},
    **{
        f"evaluate_{m}": {
            *_EVALUATE,
            "evaluate.backend",
            "model.name",
            "model.dtype",
            "model.function_calling",
        }
        for m in ("grpo", "sft", "base")
    },
    "evaluate_references": {*_EVALUATE, "evaluate.references."},
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
    "synth.shards",
    "llm.api_key_env",
    "llm.synthesizer.api_key_env",
    "llm.teacher.api_key_env",
    "llm.judge.api_key_env",
    "llm.concurrency",
    "llm.timeout_s",
    "llm.max_retries",
    "llm.startup_timeout_s",
    "llm.tool_timeout_s",
}
_ENDPOINT = {"llm.server", "llm.device", "llm.base_url", "llm.model"}
# with both backends on llm, these are read too (with the scripted defaults, by no stage)
READS_LLM: dict[str, set[str]] = {
    "synth": {"llm.synthesizer.", "tools.max_output_chars", *_ENDPOINT},
    "eval_tasks": {"llm.synthesizer.", "tools.max_output_chars", *_ENDPOINT},
    "solve": {"solve.", "llm.teacher.", "llm.judge.", *_ENDPOINT},
}
LLM_MODE = ["synth.backend=llm", "solve.backend=llm"]


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


def _downstream(nodes: set[str], llm_mode: bool) -> set[str]:
    closed = set(nodes)
    while True:
        more = {n for n, spec in GRAPH.items() if set(spec.inputs) & closed} - closed
        if llm_mode and "model" in closed:  # LLM stages serving the base model read it (graph.inputs_of)
            more |= {n for n in ("synth", "eval_tasks", "solve")} - closed
        if not more:
            return closed
        closed |= more


def _reads(llm_mode: bool) -> dict[str, set[str]]:
    if not llm_mode:
        return READS
    return {node: reads | READS_LLM.get(node, set()) for node, reads in READS.items()}


def _unused_in_scripted_mode(key: str) -> bool:
    """Keys only an LLM backend reads: with the scripted defaults no address may move."""
    return any(_matches(key, reads) for reads in READS_LLM.values()) and not any(
        _matches(key, reads) for reads in READS.values()
    )


@pytest.mark.parametrize("llm_mode", [False, True], ids=["scripted", "llm"])
def test_every_node_reads_what_its_table_says(llm_mode: bool) -> None:
    cfg = compose_config(["model=tiny", *(LLM_MODE if llm_mode else [])])
    before = _digests(cfg)
    reads = _reads(llm_mode)
    plain = OmegaConf.to_container(cfg, resolve=True)
    keys = [k for k in _leaves(plain) if not k.startswith("hydra")]
    unread = []
    for key in keys:
        execution = _matches(key, EXECUTION) or (not llm_mode and _unused_in_scripted_mode(key))
        readers = set() if execution else {node for node, r in reads.items() if _matches(key, r)}
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
        assert moved == _downstream(readers, llm_mode), f"changing {key}: moved {sorted(moved)}"
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
