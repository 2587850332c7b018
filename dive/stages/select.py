"""Stage ``select``: frontier tasks for RL, the tasks the SFT model solves sometimes but not always.

Each of ``select.candidates`` tasks (a seeded sample; null = all) is attempted ``select.samples`` times
by the SFT policy with its own toolset (real tool calls); its pass rate decides: frontier = pass rate
strictly inside (band_low, band_high), at most ``select.max_tasks`` (paper: 3.2k). Small models that
solve nothing keep a few tasks anyway (``select.keep_if_empty``), flagged in the metrics, so the GRPO
stage still has prompts.
"""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig, OmegaConf

from dive.artifacts import Artifact
from dive.episodes import Sampling, attempt_tasks
from dive.model import load_policy
from dive.records import FRONTIER, Task, model_dir, read_tasks, write_tasks

if TYPE_CHECKING:
    from dive.graph import Runtime


def config(cfg: DictConfig) -> dict[str, Any]:
    values: dict[str, Any] = OmegaConf.to_container(cfg.select, resolve=True)  # type: ignore[assignment]
    values.update(
        max_output_chars=cfg.tools.max_output_chars,
        domains=list(cfg.tools.domains),
        dtype=cfg.model.dtype,
        seed=cfg.seed,
    )
    return values


def label(config: dict[str, Any]) -> str:
    return f"n{config['samples']}"


def compute(
    config: dict[str, Any], inputs: dict[str, Artifact], out: Path, runtime: Runtime
) -> dict[str, float]:
    return _select(config, inputs["synth"], inputs["sft"], out)


def pass_rates(config: dict[str, Any], tasks: list[Task], policy_dir: Path) -> list[float]:
    """Share of ``config["samples"]`` episodes per task whose final answer matches the reference."""
    import torch

    torch.manual_seed(config["seed"])
    model, tokenizer = load_policy(policy_dir, config["dtype"])
    samples = config["samples"]
    episodes, correct = attempt_tasks(
        model, tokenizer, tasks, samples, config["domains"], Sampling.of(config)
    )
    solved = {t.id: 0 for t in tasks}
    for episode, ok in zip(episodes, correct, strict=True):
        solved[episode.key] += ok
    return [solved[t.id] / samples for t in tasks]


def candidates(tasks: list[Task], limit: int | None, seed: int) -> list[Task]:
    """The tasks whose pass rate is estimated: all, or a seeded sample of ``limit`` in their file order."""
    if limit is None or limit >= len(tasks):
        return tasks
    chosen = set(random.Random(f"{seed}:candidates").sample(range(len(tasks)), limit))
    return [task for i, task in enumerate(tasks) if i in chosen]


def _select(
    config: dict[str, Any], tasks_artifact: Artifact, policy: Artifact, out: Path
) -> dict[str, float]:
    tasks = candidates(read_tasks(tasks_artifact), config["candidates"], config["seed"])
    rates = pass_rates(config, tasks, model_dir(policy))
    low, high = config["band_low"], config["band_high"]
    scored = [dataclasses.replace(task, pass_rate=rate) for task, rate in zip(tasks, rates, strict=True)]
    frontier = [t for t, rate in zip(scored, rates, strict=True) if low < rate < high][: config["max_tasks"]]
    fallback = not frontier and config["keep_if_empty"] > 0
    if fallback:  # nearest to the middle of the band first
        middle = (low + high) / 2
        frontier = sorted(scored, key=lambda t: abs(t.pass_rate - middle))[: config["keep_if_empty"]]
    write_tasks(out / FRONTIER, frontier)
    (out / "pass_rates.json").write_text(json.dumps({t.id: t.pass_rate for t in scored}, indent=1))
    return {
        "select/candidates": float(len(scored)),
        "select/frontier": float(len(frontier)),
        "select/mean_pass_rate": sum(rates) / max(1, len(rates)),
        "select/fallback": float(fallback),
    }
