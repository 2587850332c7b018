"""Stage ``grpo``: GRPO on frontier tasks with rollouts that call the real tools.

Recipe (read top to bottom), per step: sample ``prompts_per_step`` frontier tasks; roll out
``group_size`` episodes each with the current policy (multi-turn: generate, parse ``<tool_call>``, run
the task's real tools, feed results back); reward R = alpha * R_format + R_correct (dive/rewards.py);
advantage = (R - group mean) / (group std + eps); loss = clipped policy-gradient over the generated
tokens only (tool results and prompts are masked), averaged per episode, plus an optional k3 KL term to
the SFT policy. DeepSpeed accumulates gradients over every episode of the step and steps once.
Checkpoints every ``grpo.checkpoint_every`` steps; a killed job resumes from the last one.

Simplifications: one policy update per rollout batch (the PPO ratio is 1, so the clip is inactive; it is
kept so multi-update variants stay correct), in-process HF ``generate`` rollouts (vLLM at scale).

    python -m dive stage=grpo grpo.steps=20
"""

from __future__ import annotations

import json
import random
import statistics
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig, OmegaConf

from dive.artifacts import Artifact
from dive.episodes import episodes_for
from dive.records import FRONTIER, Task, model_dir, read_tasks
from dive.rewards import reward
from dive.rollout import Episode, rollout
from dive.synth.diversity import Trace, diversity_metrics
from dive.tools.registry import load_tools
from dive.training import (
    adamw,
    append_progress,
    checkpoint,
    deepspeed_config,
    finish,
    prune_checkpoints,
    read_progress,
    resume,
    save_hf,
    setup_distributed,
)

if TYPE_CHECKING:
    from dive.graph import Runtime


def config(cfg: DictConfig) -> dict[str, Any]:
    values: dict[str, Any] = OmegaConf.to_container(cfg.grpo, resolve=True)  # type: ignore[assignment]
    values.update(
        dtype=cfg.model.dtype,
        model=cfg.model.name,
        max_output_chars=cfg.tools.max_output_chars,
        domains=list(cfg.tools.domains),
    )
    return values


def label(config: dict[str, Any]) -> str:
    return f"{config['model']}-s{config['steps']}"


def compute(
    config: dict[str, Any], inputs: dict[str, Artifact], out: Path, runtime: Runtime
) -> dict[str, float]:
    train(config, read_tasks(inputs["select"], FRONTIER), model_dir(inputs["sft"]), out)
    return finish(out, runtime.log_metrics)


# ---------------------------------------------------------------------------------------------
# one step


def advantages(rewards: list[float], groups: list[str]) -> list[float]:
    """Group-relative advantages: each reward against its own task's group mean and spread."""
    by_group: dict[str, list[float]] = {}
    for r, g in zip(rewards, groups, strict=True):
        by_group.setdefault(g, []).append(r)
    out = []
    for r, g in zip(rewards, groups, strict=True):
        values = by_group[g]
        spread = statistics.pstdev(values) if len(values) > 1 else 0.0
        out.append((r - statistics.fmean(values)) / (spread + 1e-4))
    return out


def episode_loss(
    model: Any, ref: Any, episode: Episode, advantage: float, clip_eps: float, kl_coef: float
) -> Any:
    """Clipped policy-gradient loss of one episode, averaged over its generated tokens."""
    import torch

    ids = torch.tensor([episode.token_ids])
    mask = torch.tensor(episode.gen_mask[1:], dtype=torch.float32)
    logits = model(input_ids=ids).logits[0, :-1].float()
    logp = torch.log_softmax(logits, dim=-1).gather(1, ids[0, 1:, None])[:, 0]
    ratio = torch.exp(logp - logp.detach())
    surrogate = torch.minimum(ratio * advantage, torch.clamp(ratio, 1 - clip_eps, 1 + clip_eps) * advantage)
    per_token = -surrogate
    if kl_coef > 0 and ref is not None:
        with torch.no_grad():
            ref_logits = ref(input_ids=ids).logits[0, :-1].float()
            ref_logp = torch.log_softmax(ref_logits, dim=-1).gather(1, ids[0, 1:, None])[:, 0]
        delta = ref_logp - logp
        per_token = per_token + kl_coef * (torch.exp(delta) - delta - 1)
    return (per_token * mask).sum() / mask.sum().clamp(min=1)


def score(episodes: list[Episode], answers: dict[str, str], alpha: float) -> list[tuple[float, float, float]]:
    return [reward(alpha, e.turn_texts, e.calls, e.final, answers[e.key]) for e in episodes]


# ---------------------------------------------------------------------------------------------
# training


def train(config: dict[str, Any], tasks: list[Task], policy_dir: Path, out: Path) -> None:
    import deepspeed
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not tasks:
        raise RuntimeError("no frontier tasks to train on: widen select.band_* or set select.keep_if_empty")
    rank, _ = setup_distributed()
    torch.manual_seed(config["seed"])
    tokenizer = AutoTokenizer.from_pretrained(policy_dir)
    dtype = getattr(torch, config["dtype"])
    model = AutoModelForCausalLM.from_pretrained(policy_dir, dtype=dtype)
    ref = (
        AutoModelForCausalLM.from_pretrained(policy_dir, dtype=dtype).eval()
        if config["kl_coef"] > 0
        else None
    )
    n_episodes = config["prompts_per_step"] * config["group_size"]
    optimizer = adamw(model, config["lr"], 0.0)
    engine, _, _, _ = deepspeed.initialize(
        model=model,
        optimizer=optimizer,
        config=deepspeed_config(1, n_episodes, 2, config["dtype"] == "bfloat16"),
    )
    tools = load_tools(tuple(config["domains"]))
    answers = {t.id: t.answer for t in tasks}
    step, _ = resume(engine, out, "GRPO")
    last: dict[str, float] = {}
    while step < config["steps"]:
        rng = random.Random(f"{config['seed']}:{step}")
        chosen = [tasks[rng.randrange(len(tasks))] for _ in range(config["prompts_per_step"])]
        episodes = [e for t in chosen for e in episodes_for(t, tools, tokenizer, config["group_size"])]
        engine.module.eval()
        rollout(
            engine.module,
            tokenizer,
            episodes,
            config["max_turns"],
            config["max_new_tokens"],
            config["temperature"],
            config["max_output_chars"],
        )
        scores = score(episodes, answers, config["alpha"])
        adv = advantages([s[0] for s in scores], [e.key for e in episodes])
        engine.train()
        losses = []
        for episode, a in zip(episodes, adv, strict=True):
            loss = episode_loss(engine, ref, episode, a, config["clip_eps"], config["kl_coef"])
            engine.backward(loss)
            engine.step()
            losses.append(loss.item())
        step += 1
        last = _step_metrics(episodes, scores, losses, tools)
        if rank == 0:
            append_progress(out, {"step": step, **last})
        if step % config["checkpoint_every"] == 0 or step == config["steps"]:
            checkpoint(engine, out, step, rank)
    save_hf(engine, tokenizer, out / "hf", 2, rank)
    if rank == 0:
        history = read_progress(out / "progress.jsonl")
        final = {k: statistics.fmean(r[k] for r in history) for k in last} if history else last
        (out / "final_metrics.json").write_text(json.dumps(final, indent=2))
        prune_checkpoints(out / "checkpoints", keep="")


def _step_metrics(
    episodes: list[Episode],
    scores: list[tuple[float, float, float]],
    losses: list[float],
    tools: dict[str, Any],
) -> dict[str, float]:
    traces = [Trace(sorted(t.id for t in e.lookup.values()), e.calls) for e in episodes]
    types = {t.id: t.type for t in tools.values()}
    diversity = diversity_metrics(traces, types)
    return {
        "grpo/reward": statistics.fmean(s[0] for s in scores),
        "grpo/format": statistics.fmean(s[1] for s in scores),
        "grpo/accuracy": statistics.fmean(s[2] for s in scores),
        "grpo/loss": statistics.fmean(losses),
        "grpo/tool_calls_per_episode": statistics.fmean(len(e.calls) for e in episodes),
        "grpo/unique_call_graphs": diversity["diversity/unique_call_graphs"],
        "grpo/rp_topology_classes": diversity["diversity/rp_topology_classes"],
    }
