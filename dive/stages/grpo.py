"""Stage ``grpo``: GRPO on frontier tasks with rollouts that call the real tools.

Recipe (read top to bottom), per step:

1. Choose ``prompts_per_step`` frontier tasks from a generator seeded by (seed, step), identically on
   every rank; rank r takes every ``world_size``-th one and rolls out ``group_size`` episodes each with
   the current policy (multi-turn: generate, parse ``<tool_call>``, run the task's real tools, feed the
   results back). A group never spans ranks.
2. Reward R = alpha * R_format + R_correct (dive/rewards.py; R_format needs a well-formed call on a task
   that needs tools); advantage = (R - group mean) / (group std + eps).
3. Score the batch once, before any update: the sampling policy's log-probs of every token (the "old"
   policy of the PPO ratio) and, when ``kl_coef > 0``, the SFT reference's. Batched: right-padded
   episodes, ``micro_batch`` per forward, the log-softmax of each taken token.
4. ``epochs_per_batch`` times: shuffle this rank's episodes (seeded) into minibatches, one optimizer step
   per minibatch of ``minibatch_size`` episodes over all ranks. Each rank forwards its share in micro-
   batches and backpropagates the clipped-ratio loss of dive/grpo_loss.py (``loss_type`` as TRL 1.16
   aggregates it; only generated tokens count: prompts and tool results carry no gradient); DeepSpeed
   sums the micro-batches and averages gradients over ranks. After the first optimizer step the ratio
   exp(logp - old_logp) moves away from 1 and the clip acts.
5. Rank 0 appends the step's metrics over all ranks' episodes to progress.jsonl (the paper's training-
   dynamics figure: reward, accuracy, tool-call rate, turns, calls, unique call graphs, R/P topologies,
   clip fraction, KL, ratio, completion tokens).

Checkpoints every ``checkpoint_every`` steps and on SIGTERM/SIGUSR2 (then hands over, Slurm requeues); a
killed job resumes from the last checkpoint with its random-generator states. ``world_size > 1`` runs the
same ``train`` as torchrun ranks. ZeRO stage ``zero_stage`` (3: weights gathered on each rank for the
rollouts, as TRL does); ``precision`` bf16 on GPUs that support it.

Simplifications: rollouts are in-process HF ``generate`` (no vLLM server; at scale it is the bottleneck);
the reference model is a full copy on each rank (not ZeRO-sharded); tokens are scored with one
importance ratio per token (no sequence-level GSPO), without entropy bonus or truncation masking; LR is
constant.

    python -m dive stage=grpo grpo.steps=20
    python -m dive stage=grpo grpo=gpu scale=paper model=hf_dir model.path=/models/Qwen3-8B
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import random
import statistics
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig, OmegaConf

from dive.artifacts import Artifact
from dive.episodes import episodes_for
from dive.grpo_loss import Objective, Totals, Window, grpo_loss
from dive.records import FRONTIER, Task, load_tasks, model_dir
from dive.rewards import reward
from dive.rollout import Episode, rollout
from dive.synth.diversity import Trace, diversity_metrics
from dive.tools.registry import load_tools
from dive.training import (
    Preemption,
    adamw,
    append_progress,
    checkpoint,
    deepspeed_config,
    finish,
    load_trainable,
    prune_checkpoints,
    read_progress,
    resume,
    run_torchrun,
    save_hf,
    setup_distributed,
)

if TYPE_CHECKING:
    from dive.graph import Runtime


def config(cfg: DictConfig) -> dict[str, Any]:
    from dive.config import resolve_precision

    values: dict[str, Any] = OmegaConf.to_container(cfg.grpo, resolve=True)  # type: ignore[assignment]
    values.update(
        dtype=cfg.model.dtype,
        model=cfg.model.name,
        max_output_chars=cfg.tools.max_output_chars,
        domains=list(cfg.tools.domains),
        # "auto" is resolved where the stage runs (a Slurm job's node), so the address names the precision
        precision=resolve_precision(cfg.grpo.precision),
    )
    return values


def label(config: dict[str, Any]) -> str:
    return f"{config['model']}-s{config['steps']}"


def compute(
    config: dict[str, Any], inputs: dict[str, Artifact], out: Path, runtime: Runtime
) -> dict[str, float]:
    args = {
        "config": config,
        "frontier": str(inputs["select"].path / FRONTIER),
        "policy": str(model_dir(inputs["sft"])),
        "out": str(out),
    }
    if config["world_size"] > 1:
        run_torchrun("dive.stages.grpo", args, config["world_size"])  # ranks read the tasks themselves
    else:
        train(config, load_tasks(Path(args["frontier"])), Path(args["policy"]), out)
    return finish(out, runtime.log_metrics)


def objective(config: dict[str, Any]) -> Objective:
    """The loss settings; dr_grpo's constant is the most tokens an episode can generate."""
    high = config["clip_eps_high"] if config["clip_eps_high"] is not None else config["clip_eps"]
    longest = config["max_turns"] * config["max_new_tokens"]
    return Objective(config["loss_type"], config["clip_eps"], high, config["kl_coef"], longest)


# ---------------------------------------------------------------------------------------------
# rewards


def advantages(rewards: list[float], groups: list[str]) -> list[float]:
    """Group-relative advantages: each reward against its own group's mean and spread."""
    by_group: dict[str, list[float]] = {}
    for r, g in zip(rewards, groups, strict=True):
        by_group.setdefault(g, []).append(r)
    out = []
    for r, g in zip(rewards, groups, strict=True):
        values = by_group[g]
        spread = statistics.pstdev(values) if len(values) > 1 else 0.0
        out.append((r - statistics.fmean(values)) / (spread + 1e-4))
    return out


def score(episodes: list[Episode], tasks: dict[str, Task], alpha: float) -> list[tuple[float, float, float]]:
    return [reward(alpha, e.turn_texts, e.calls, e.final, tasks[e.key]) for e in episodes]


# ---------------------------------------------------------------------------------------------
# log-probabilities of the taken tokens


@dataclasses.dataclass
class Batch:
    """Episodes right-padded into one forward: ``mask[i, j]`` is 1 where the policy generated token j+1."""

    ids: Any  # (B, T) token ids
    attention: Any  # (B, T) 1 on real tokens
    mask: Any  # (B, T-1) float, over targets ids[:, 1:]
    lengths: list[int]


def collate(episodes: list[Episode], pad_id: int, device: Any = "cpu") -> Batch:
    import torch

    width = max(len(e.token_ids) for e in episodes)
    ids = torch.full((len(episodes), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(episodes), width), dtype=torch.long)
    mask = torch.zeros((len(episodes), width - 1))
    for row, e in enumerate(episodes):
        ids[row, : len(e.token_ids)] = torch.tensor(e.token_ids)
        attention[row, : len(e.token_ids)] = 1
        mask[row, : len(e.token_ids) - 1] = torch.tensor(e.gen_mask[1:], dtype=torch.float32)
    return Batch(ids.to(device), attention.to(device), mask.to(device), [len(e.token_ids) for e in episodes])


def token_logps(model: Any, batch: Batch) -> Any:
    """(B, T-1) log-prob of each target token; 0 before the batch's first generated target, whose logits
    are never computed (the prompt, tool schemas included, is most of an episode)."""
    import torch

    first = int(batch.mask.argmax(dim=1).min())
    keep = batch.ids.size(1) - 1 - first
    logits = model(
        input_ids=batch.ids, attention_mask=batch.attention, logits_to_keep=keep + 1, use_cache=False
    ).logits[:, :-1]
    targets = batch.ids[:, first + 1 :]
    # row by row: a (T, vocab) float32 log-softmax at a time, not the whole batch's
    rows = [
        torch.log_softmax(r.float(), dim=-1).gather(-1, t[:, None])[:, 0]
        for r, t in zip(logits, targets, strict=True)
    ]
    return torch.nn.functional.pad(torch.stack(rows), (first, 0))


def episode_logps(
    model: Any, episodes: list[Episode], micro_batch: int, pad_id: int, device: Any
) -> list[Any]:
    """Each episode's (len - 1,) target log-probs under ``model``, without gradient, in micro-batches."""
    import torch

    found: list[Any] = []
    with torch.no_grad():
        for i in range(0, len(episodes), micro_batch):
            batch = collate(episodes[i : i + micro_batch], pad_id, device)
            logp = token_logps(model, batch)
            found += [row[: n - 1] for row, n in zip(logp, batch.lengths, strict=True)]
    return found


def padded(rows: list[Any], width: int) -> Any:
    import torch

    return torch.stack([torch.nn.functional.pad(r, (0, width - r.size(0))) for r in rows])


# ---------------------------------------------------------------------------------------------
# the loss of one micro-batch


@dataclasses.dataclass
class Scored:
    """An episode ready for the policy update: its advantage and the log-probs fixed before it."""

    episode: Episode
    advantage: float
    old: Any  # (len - 1,) sampling policy
    ref: Any | None  # (len - 1,) reference policy, when kl_coef > 0


def micro_batch_loss(
    logp: Any, batch: Batch, items: list[Scored], objective: Objective, window: Window
) -> tuple[Any, Totals]:
    """The loss to backpropagate for ``items`` given the current policy's ``logp`` of ``batch``.

    Every log-prob is zeroed outside the generated tokens first: there all three agree (ratio 1, KL 0),
    so no masked position can overflow exp() and turn the masked product into NaN.
    """
    import torch

    width = batch.mask.size(1)
    old = padded([s.old for s in items], width)
    ref = padded([s.ref for s in items], width) if items[0].ref is not None else None
    adv = torch.tensor([s.advantage for s in items], device=logp.device, dtype=logp.dtype)
    mask = batch.mask.to(logp.dtype)
    return grpo_loss(
        logp * mask, old * mask, ref * mask if ref is not None else None, adv, mask, objective, window
    )


# ---------------------------------------------------------------------------------------------
# training


@dataclasses.dataclass
class Run:
    """What every step of one rank uses."""

    config: dict[str, Any]
    engine: Any
    ref: Any | None
    tokenizer: Any
    tools: dict[str, Any]
    tasks: dict[str, Task]
    rank: int
    world: int

    @property
    def pad_id(self) -> int:
        pad = self.tokenizer.pad_token_id
        return int(pad if pad is not None else self.tokenizer.eos_token_id)


def train(config: dict[str, Any], tasks: list[Task], policy_dir: Path, out: Path) -> None:
    if not tasks:
        raise RuntimeError("no frontier tasks to train on: widen select.band_* or set select.keep_if_empty")
    rank, world = setup_distributed()
    run = _setup(config, tasks, policy_dir, rank, world)
    step, _ = resume(run.engine, out, "GRPO")  # GRPO keeps no state but the step and the RNGs
    with Preemption() as preemption:
        while step < config["steps"]:
            metrics = train_step(run, tasks, step)
            step += 1
            if rank == 0:
                append_progress(out, {"step": step, **metrics})
            stop = preemption.requested()  # collective: every rank asks at every step boundary
            if step % config["checkpoint_every"] == 0 or step == config["steps"] or stop:
                checkpoint(run.engine, out, step, rank)
            if stop:
                preemption.hand_over(step)
    save_hf(run.engine, run.tokenizer, out / "hf", config["zero_stage"], rank)
    if rank == 0:
        history = read_progress(out / "progress.jsonl")
        keys = [k for k in history[-1] if k != "step"]
        final = {k: statistics.fmean(r[k] for r in history) for k in keys}
        (out / "final_metrics.json").write_text(json.dumps(final, indent=2))
        prune_checkpoints(out / "checkpoints", keep="")


def _setup(config: dict[str, Any], tasks: list[Task], policy_dir: Path, rank: int, world: int) -> Run:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(config["seed"] + rank)  # ranks sample independently (a task drawn twice differs)
    engine = engine_for(config, policy_dir, world)
    ref = None
    if config["kl_coef"] > 0:
        dtype = torch.bfloat16 if config["precision"] == "bf16" else torch.float32
        ref = AutoModelForCausalLM.from_pretrained(policy_dir, dtype=dtype).to(engine.device).eval()
    tokenizer = AutoTokenizer.from_pretrained(policy_dir)
    tools = load_tools(tuple(config["domains"]))
    return Run(config, engine, ref, tokenizer, tools, {t.id: t for t in tasks}, rank, world)


def engine_for(config: dict[str, Any], policy_dir: Path, world: int) -> Any:
    """The policy as a DeepSpeed engine that steps the optimizer once per minibatch: each rank forwards
    its ``minibatch_size / world`` episodes in micro-batches of ``micro_batch``, accumulated."""
    import deepspeed

    bf16 = config["precision"] == "bf16"
    model = load_trainable(policy_dir, config)  # checkpointing acts in train mode: rollouts keep their cache
    accumulation = config["minibatch_size"] // world // config["micro_batch"]
    ds_config = deepspeed_config(config["micro_batch"], accumulation, config["zero_stage"], bf16)
    engine, _, _, _ = deepspeed.initialize(
        model=model, optimizer=adamw(model, config["lr"], 0.0), config=ds_config
    )
    return engine


def train_step(run: Run, tasks: list[Task], step: int) -> dict[str, float]:
    """Roll out this rank's share of the step's prompts, update the policy, return the step's metrics."""
    config = run.config
    rng = random.Random(f"{config['seed']}:{step}")
    chosen = [tasks[rng.randrange(len(tasks))] for _ in range(config["prompts_per_step"])]
    mine = chosen[run.rank :: run.world]
    episodes = [e for t in mine for e in episodes_for(t, run.tools, run.tokenizer, config["group_size"])]
    with _generation_model(run.engine, config["zero_stage"]) as policy:
        policy.eval()
        rollout(
            policy,
            run.tokenizer,
            episodes,
            config["max_turns"],
            config["max_new_tokens"],
            config["temperature"],
            config["max_output_chars"],
        )
    scores = score(episodes, run.tasks, config["alpha"])
    groups = [str(n // config["group_size"]) for n in range(len(episodes))]  # a task drawn twice: 2 groups
    adv = advantages([s[0] for s in scores], groups)
    totals, optimizer_steps = _update(run, episodes, adv, step)
    return _step_metrics(run, episodes, scores, totals, optimizer_steps)


@contextlib.contextmanager
def _generation_model(engine: Any, zero_stage: int) -> Iterator[Any]:
    """The policy whole, for HF ``generate``. Under ZeRO-3 each rank gathers the weights once for the
    rollouts and lifts DeepSpeed's per-module hooks, as TRL's ``unwrap_model_for_generation`` does: with
    the hooks every decoding step would re-gather every layer, in lock-step with ranks that may have
    stopped generating."""
    if zero_stage != 3:
        yield engine.module
        return
    import deepspeed

    offload = engine.optimizer.parameter_offload
    with deepspeed.zero.GatheredParameters(list(engine.module.parameters())):
        for param in engine.module.parameters():
            param.ds_active_sub_modules.clear()
        for hook in [*offload.forward_hooks, *offload.backward_hooks]:
            hook.remove()
        offload.forward_hooks, offload.backward_hooks = [], []
        try:
            yield engine.module
        finally:
            if not offload.param_coordinator.is_invalid_trace():
                offload.param_coordinator._invalidate_trace()  # the recorded fetch order no longer holds
            offload._register_deepspeed_module(offload.module)


def _update(run: Run, episodes: list[Episode], adv: list[float], step: int) -> tuple[Totals, int]:
    """``epochs_per_batch`` passes of minibatch updates over this rank's episodes; (token totals summed
    over every micro-batch, optimizer steps taken)."""
    config, engine = run.config, run.engine
    micro = config["micro_batch"]
    engine.train()  # the old log-probs come from the same mode as the updates: the first ratio is exactly 1
    old = episode_logps(engine, episodes, micro, run.pad_id, engine.device)
    ref = episode_logps(run.ref, episodes, micro, run.pad_id, engine.device) if run.ref is not None else None
    items = [
        Scored(e, a, o, ref[i] if ref else None)
        for i, (e, a, o) in enumerate(zip(episodes, adv, old, strict=True))
    ]
    minibatches = config["prompts_per_step"] * config["group_size"] // config["minibatch_size"]
    per_rank = len(items) // minibatches
    local_tokens = float(sum(sum(e.gen_mask[1:]) for e in episodes))
    window = Window(per_rank // micro, run.world, minibatches, _all_sum(engine, [local_tokens])[0])
    loss_fn, totals = objective(config), Totals()
    for epoch in range(config["epochs_per_batch"]):
        order = list(range(len(items)))
        random.Random(f"{config['seed']}:{step}:{epoch}:{run.rank}").shuffle(order)
        for first in range(0, len(order), per_rank):
            minibatch = [items[i] for i in order[first : first + per_rank]]
            totals.add(optimizer_step(engine, minibatch, micro, run.pad_id, loss_fn, window))
    return totals, config["epochs_per_batch"] * minibatches


def optimizer_step(
    engine: Any, minibatch: list[Scored], micro: int, pad_id: int, loss_fn: Objective, window: Window
) -> Totals:
    """One optimizer step on this rank's share of a minibatch, forwarded ``micro`` episodes at a time.

    Each micro-batch's loss is already scaled for its place in the step (TRL's arithmetic, which divides
    by the accumulation itself), so DeepSpeed must not divide by its gradient_accumulation_steps again:
    ``scale_wrt_gas=False``. It then sums the micro-batches and averages the gradient over the ranks,
    which is what TRL's accumulation under DDP does.
    """
    totals = Totals()
    for start in range(0, len(minibatch), micro):
        chosen = minibatch[start : start + micro]
        batch = collate([s.episode for s in chosen], pad_id, engine.device)
        loss, part = micro_batch_loss(token_logps(engine, batch), batch, chosen, loss_fn, window)
        engine.backward(loss, scale_wrt_gas=False)
        engine.step()  # the optimizer steps after the last micro-batch of the minibatch only
        totals.add(part)
    return totals


def _all_sum(engine: Any, values: list[float]) -> list[float]:
    import torch
    import torch.distributed as dist

    tensor = torch.tensor(values, dtype=torch.float64, device=engine.device)
    if dist.is_initialized() and dist.get_world_size() > 1:
        dist.all_reduce(tensor)
    return tensor.tolist()


# ---------------------------------------------------------------------------------------------
# metrics


def _episode_rows(episodes: list[Episode], scores: list[tuple[float, float, float]]) -> list[dict[str, Any]]:
    """What the step's metrics read of each episode (small and picklable, to gather across ranks)."""
    return [
        {
            "reward": s[0],
            "format": s[1],
            "accuracy": s[2],
            "valid_call": any(c.valid for c in e.calls),
            "turns": len(e.turn_texts),
            "calls": len(e.calls),
            "tokens": sum(e.gen_mask),
            "trace": Trace(sorted(t.id for t in e.lookup.values()), list(e.calls)),
        }
        for e, s in zip(episodes, scores, strict=True)
    ]


def _gathered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    import torch.distributed as dist

    if not (dist.is_initialized() and dist.get_world_size() > 1):
        return rows
    parts: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(parts, rows)
    return [row for part in parts for row in part]


def _step_metrics(
    run: Run, episodes: list[Episode], scores: list[tuple[float, float, float]], totals: Totals, steps: int
) -> dict[str, float]:
    rows = _gathered(_episode_rows(episodes, scores))
    loss, tokens, clipped, ratio, kl = _all_sum(
        run.engine, [totals.loss, totals.tokens, totals.clipped, totals.ratio, totals.kl]
    )
    if run.rank != 0:  # only rank 0 logs
        return {}
    types = {t.id: t.type for t in run.tools.values()}
    diversity = diversity_metrics([r["trace"] for r in rows], types)

    def mean(key: str) -> float:
        return statistics.fmean(float(r[key]) for r in rows)

    metrics = {
        "grpo/reward": mean("reward"),
        "grpo/format": mean("format"),
        "grpo/accuracy": mean("accuracy"),
        "grpo/tool_call_rate": mean("valid_call"),
        "grpo/turns_per_episode": mean("turns"),
        "grpo/tool_calls_per_episode": mean("calls"),
        "grpo/completion_tokens": mean("tokens"),
        "grpo/unique_call_graphs": diversity["diversity/unique_call_graphs"],
        "grpo/rp_topology_classes": diversity["diversity/rp_topology_classes"],
        "grpo/episodes": float(len(rows)),
        # the mean over optimizer steps of the minibatch loss (micro-batch losses summed, ranks averaged)
        "grpo/loss": loss / (run.world * steps),
        "grpo/clip_fraction": clipped / max(tokens, 1.0),
        "grpo/ratio_mean": ratio / max(tokens, 1.0),
    }
    if run.config["kl_coef"] > 0:
        metrics["grpo/kl"] = kl / max(tokens, 1.0)
    return metrics


def rank_main(config: dict[str, Any], frontier: str, policy: str, out: str) -> None:
    """One rank (a torchrun process or a Slurm task): the tasks come as the select artifact's frontier
    file, read here."""
    train(config, load_tasks(Path(frontier)), Path(policy), Path(out))


if __name__ == "__main__":  # a torchrun rank: python -m dive.stages.grpo '<json args>'
    rank_main(**json.loads(sys.argv[1]))
