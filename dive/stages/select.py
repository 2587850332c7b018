"""Stage ``select``: frontier tasks for RL, the tasks the SFT model solves sometimes but not always.

Each task is attempted ``select.samples`` times by the SFT policy with its own toolset (real tool
calls); its pass rate decides: frontier = pass rate strictly inside (band_low, band_high), at most
``select.max_tasks`` (paper: 3.2k). Tiny runs whose model solves nothing can keep a few tasks anyway
(``select.keep_if_empty``), flagged in the metrics, so the GRPO stage still has prompts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig, OmegaConf

from dive.artifacts import Artifact
from dive.model import load_policy, model_dir
from dive.rewards import answers_match
from dive.rollout import Episode, rollout, start
from dive.stages.solve import task_prompt
from dive.stages.synth import read_tasks
from dive.tools.base import Tool
from dive.tools.registry import load_tools

if TYPE_CHECKING:
    from dive.pipeline import Context


def run(cfg: DictConfig, ctx: Context) -> Artifact:
    tasks, policy = ctx.need("synth"), ctx.need("sft")
    config: dict[str, Any] = OmegaConf.to_container(cfg.select, resolve=True)  # type: ignore[assignment]
    config["max_output_chars"] = cfg.tools.max_output_chars
    artifact = ctx.artifact("select", f"n{cfg.select.samples}", config, [tasks, policy])
    return ctx.produce(artifact, config, lambda out: _select(cfg, tasks, policy, out))


def episodes_for(task: dict[str, Any], tools: dict[str, Tool], tokenizer: Any, n: int) -> list[Episode]:
    messages, schemas = task_prompt(task, tools)
    lookup = {tools[t].name: tools[t] for t in task["toolset"] if t in tools}
    return [start(task["id"], messages, schemas, lookup, tokenizer) for _ in range(n)]


def attempt_tasks(
    cfg: DictConfig,
    model: Any,
    tokenizer: Any,
    tasks: list[dict[str, Any]],
    samples: int,
    settings: DictConfig,
) -> tuple[list[Episode], list[bool]]:
    """``samples`` episodes per task with its own toolset (real tool calls), and whether each answered right.

    ``settings`` is the calling stage's group (select or evaluate): max_turns, max_new_tokens, temperature.
    """
    tools = load_tools(tuple(cfg.tools.domains))
    episodes = [e for task in tasks for e in episodes_for(task, tools, tokenizer, samples)]
    rollout(
        model,
        tokenizer,
        episodes,
        settings.max_turns,
        settings.max_new_tokens,
        settings.temperature,
        cfg.tools.max_output_chars,
    )
    answers = {t["id"]: t["answer"] for t in tasks}
    return episodes, [answers_match(e.final, answers[e.key]) for e in episodes]


def pass_rates(
    cfg: DictConfig, tasks: list[dict[str, Any]], policy_dir: Path, samples: int, settings: DictConfig
) -> list[float]:
    """Share of ``samples`` episodes per task whose final answer matches the reference."""
    import torch

    torch.manual_seed(cfg.seed)
    model, tokenizer = load_policy(policy_dir, cfg.model.dtype)
    episodes, correct = attempt_tasks(cfg, model, tokenizer, tasks, samples, settings)
    solved = {t["id"]: 0 for t in tasks}
    for episode, ok in zip(episodes, correct, strict=True):
        solved[episode.key] += ok
    return [solved[t["id"]] / samples for t in tasks]


def _select(cfg: DictConfig, tasks_artifact: Artifact, policy: Artifact, out: Path) -> dict[str, float]:
    s = cfg.select
    tasks = read_tasks(tasks_artifact)
    rates = pass_rates(cfg, tasks, model_dir(policy), s.samples, s)
    scored = [{**task, "pass_rate": rate} for task, rate in zip(tasks, rates, strict=True)]
    frontier = [t for t in scored if s.band_low < t["pass_rate"] < s.band_high][: s.max_tasks]
    fallback = not frontier and s.keep_if_empty > 0
    if fallback:  # nearest to the middle of the band first
        middle = (s.band_low + s.band_high) / 2
        frontier = sorted(scored, key=lambda t: abs(t["pass_rate"] - middle))[: s.keep_if_empty]
    with (out / "frontier.jsonl").open("w") as handle:
        for task in frontier:
            handle.write(json.dumps(task, sort_keys=True, default=str) + "\n")
    (out / "pass_rates.json").write_text(json.dumps({t["id"]: t["pass_rate"] for t in scored}, indent=1))
    return {
        "select/candidates": float(len(scored)),
        "select/frontier": float(len(frontier)),
        "select/mean_pass_rate": sum(rates) / max(1, len(rates)),
        "select/fallback": float(fallback),
    }


def read_frontier(artifact: Artifact) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (artifact.path / "frontier.jsonl").read_text().splitlines()]
