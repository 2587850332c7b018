"""Stage ``sft``: supervised fine-tuning on verified teacher trajectories with a DeepSpeed engine.

The recipe, top to bottom:

1. Data: tokenize sft.jsonl with the tool-calling chat format; the loss targets are the assistant's
   tokens only (tool outputs, the system prompt and the question are context); conversations longer than
   ``sft.max_seq_len`` are dropped, never cut; the first ``sft.eval_fraction`` are held out.
2. How long: ``sft.epochs`` passes over the data, unless ``sft.max_tokens`` trained tokens or
   ``sft.max_steps`` optimizer steps come first. The steps follow from the data (twice the tasks, twice
   the steps) and are fixed before training (``sft/steps``, ``sft/epochs``).
3. Order: each epoch is shuffled by (seed, epoch) and length-bucketed (``sft.bucket_batches``
   micro-batches sorted by length together), so micro-batches pad little; no packing, so no example
   attends to another. Every rank builds the same plan and takes its share; a resumed run continues it.
4. Loss: the summed cross-entropy of every trained token of an optimizer step (all micro-batches, all
   ranks) over the number of those tokens (HF Trainer's ``num_items_in_batch``), not a mean of
   per-micro-batch means, so a long answer weighs the same in a short micro-batch as in a long one.
5. Optimizer: AdamW, linear warm-up over ``sft.warmup_ratio`` of the steps, then a cosine down to
   ``sft.lr * sft.min_lr_ratio`` at the last step; gradient clipping at 1.0.
6. Engine: DeepSpeed ZeRO ``sft.zero_stage`` (gloo on CPU, one rank; NCCL over GPUs, ``sft.world_size``
   torchrun ranks), ``sft.precision`` (bf16 where the GPU supports it with ``auto``), optional gradient
   checkpointing; a resumable checkpoint every ``sft.checkpoint_every`` steps.
7. Result: a token-weighted held-out loss, an HF directory the next stages load, and the diversity
   metrics of exactly the conversations trained on (``sft_data/...``, beside synth's task-level
   ``diversity/...``) with ``tool_frequency.png`` and ``rp_topology.png``.

Simplifications against the paper: its SFT hyper-parameters (LR, epochs, batch) are not published, so
``scale=paper`` uses common values (3 epochs); CPU-sized defaults (the paper trains Qwen3-8B on 48k
trajectories); every rank loads the full base model before DeepSpeed partitions it.

    python -m dive stage=sft                          # upstream stages run first if missing
    python -m dive stage=sft sft.epochs=1 model=tiny
    python -m dive stage=sft sft=gpu scale=paper model=hf_dir model.path=/models/Qwen3-8B
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from omegaconf import DictConfig, OmegaConf

from dive.artifacts import Artifact
from dive.chat import segments
from dive.plots import tool_frequency_plot, topology_plot
from dive.records import TOOL_TYPES, model_dir
from dive.sft_batches import (
    IGNORE,
    Example,
    Micro,
    WarmupCosine,
    batches,
    count_steps,
    micro_batches_per_epoch,
    token_loss_sum,
    trained_tokens,
    warmup_steps,
)
from dive.synth.diversity import Trace, diversity_metrics, trace_of_row
from dive.training import (
    Preemption,
    adamw,
    append_progress,
    checkpoint,
    deepspeed_config,
    finish,
    load_trainable,
    prune_checkpoints,
    resume,
    run_torchrun,
    save_hf,
    setup_distributed,
)

if TYPE_CHECKING:
    from dive.graph import Runtime

log = logging.getLogger(__name__)
T = TypeVar("T")


def config(cfg: DictConfig) -> dict[str, Any]:
    from dive.config import resolve_precision

    values: dict[str, Any] = OmegaConf.to_container(cfg.sft, resolve=True)  # type: ignore[assignment]
    # "auto" is resolved where the stage runs (a Slurm job's node), so the address names the precision
    values.update(dtype=cfg.model.dtype, model=cfg.model.name, precision=resolve_precision(cfg.sft.precision))
    return values


def label(config: dict[str, Any]) -> str:
    """``<model>-e<epochs>``, then ``-t<max_tokens>`` and ``-s<max_steps>`` when those limits are set."""
    text = f"{config['model']}-e{config['epochs']:g}"
    if config["max_tokens"] is not None:
        text += f"-t{config['max_tokens']}"
    if config["max_steps"] is not None:
        text += f"-s{config['max_steps']}"
    return text


def compute(
    config: dict[str, Any], inputs: dict[str, Artifact], out: Path, runtime: Runtime
) -> dict[str, float]:
    args = {
        "config": config,
        "data": str(inputs["solve"].path / "sft.jsonl"),
        "base": str(model_dir(inputs["model"])),
        "out": str(out),
    }
    if config["world_size"] > 1:
        run_torchrun("dive.stages.sft", args, config["world_size"])
    else:
        train(**args)
    return finish(out, runtime.log_metrics)


# ---------------------------------------------------------------------------------------------
# data


def tokenize_conversation(record: dict[str, Any], tokenizer: Any) -> tuple[list[int], list[int]]:
    """Token ids and labels (IGNORE outside assistant output) of one OpenAI-format conversation."""
    ids: list[int] = []
    labels: list[int] = []
    for text, trainable in segments(record["messages"], record.get("tools")):
        piece = tokenizer(text, add_special_tokens=False)["input_ids"]
        ids += piece
        labels += piece if trainable else [IGNORE] * len(piece)
    return ids, labels


def load_examples(
    path: Path, tokenizer: Any, max_len: int, traced: bool = True
) -> tuple[list[Example], list[Trace], int]:
    """The conversations of at most ``max_len`` tokens, tokenized, with (if ``traced``) their tool-call
    traces (same order; a trace, not the row: rows repeat every tool schema, gigabytes at 48k
    conversations), and how many were dropped as too long."""
    examples, traces, dropped = [], [], 0
    with path.open() as lines:
        for line in lines:
            row = json.loads(line)
            ids, labels = tokenize_conversation(row, tokenizer)
            if len(ids) > max_len:
                dropped += 1
                continue
            examples.append((ids, labels))
            if traced:
                traces.append(trace_of_row(row))
    return examples, traces, dropped


def held_out(items: list[T], fraction: float) -> tuple[list[T], list[T]]:
    """(eval, train): the first ``fraction`` of items are held out, at least one whenever there are
    two, so sft/eval_loss always exists; with nothing left, train on everything."""
    n_eval = max(int(len(items) * fraction), int(fraction > 0 and len(items) > 1))
    return items[:n_eval], items[n_eval:] or items


@dataclasses.dataclass
class Data:
    train: list[Example]
    eval: list[Example]
    dropped: int  # conversations over sft.max_seq_len
    metrics: dict[str, float]  # sft_data/...: diversity of the conversations in ``train``


def load_data(config: dict[str, Any], data: Path, tokenizer: Any, out: Path | None) -> Data:
    """sft.jsonl as training data: too-long conversations dropped, the first ones held out for eval.
    With ``out`` (rank 0 only: one writer), the diversity of the trained conversations, and its plots."""
    examples, traces, dropped = load_examples(data, tokenizer, config["max_seq_len"], traced=out is not None)
    if not examples:
        raise RuntimeError(
            f"all {dropped} conversations exceed sft.max_seq_len={config['max_seq_len']} tokens: "
            "raise it, or shrink synth.toolset_max (every tool schema is in the prompt)"
        )
    eval_set, train_set = held_out(examples, config["eval_fraction"])
    trained = held_out(traces, config["eval_fraction"])[1]
    metrics = data_diversity(trained, data.parent, out) if out is not None else {}
    return Data(train_set, eval_set, dropped, metrics)


def data_diversity(traces: list[Trace], solve_dir: Path, out: Path) -> dict[str, float]:
    """``sft_data/<metric>`` of these conversations; writes tool_frequency.png and rp_topology.png."""
    types_path = solve_dir / TOOL_TYPES
    if types_path.exists():
        types = json.loads(types_path.read_text())
    else:
        log.warning("%s is missing (an older solve artifact): R/P topologies collapse to '?'", types_path)
        types = {}
    tool_frequency_plot(traces, out / "tool_frequency.png", "SFT data: calls per tool")
    topology_plot(traces, types, out / "rp_topology.png", "SFT data")
    return diversity_metrics(traces, types, prefix="sft_data")


def collate(batch: list[Example], pad_id: int) -> dict[str, Any]:
    import torch

    width = max(len(ids) for ids, _ in batch)
    input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE, dtype=torch.long)
    attention = torch.zeros((len(batch), width), dtype=torch.long)
    for row, (ids, labs) in enumerate(batch):
        input_ids[row, : len(ids)] = torch.tensor(ids)
        labels[row, : len(labs)] = torch.tensor(labs)
        attention[row, : len(ids)] = 1
    return {"input_ids": input_ids, "labels": labels, "attention_mask": attention}


# ---------------------------------------------------------------------------------------------
# training


def train(config: dict[str, Any], data: str, base: str, out: str) -> None:
    import torch
    from transformers import AutoTokenizer

    out_dir = Path(out)
    rank, world = setup_distributed()
    torch.manual_seed(config["seed"])
    tokenizer = AutoTokenizer.from_pretrained(base)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    dataset = load_data(config, Path(data), tokenizer, out_dir if rank == 0 else None)
    total = count_steps(dataset.train, config, world)
    accum = config["grad_accum"]
    per_epoch = micro_batches_per_epoch(len(dataset.train), config["micro_batch"], world)
    engine, schedule = _engine(config, base, total)
    step, state = resume(engine, out_dir, "SFT")
    if "eval_loss_base" not in state:  # the held-out loss before any step: what training lowers
        state["eval_loss_base"] = _eval_loss(engine, dataset.eval, config["micro_batch"], pad_id)
    epochs = total * accum / per_epoch  # trained, after the token and step limits
    log.info("SFT plan: steps=%d epochs=%.3f examples=%d world=%d", total, epochs, len(dataset.train), world)
    size, bucket = config["micro_batch"], config["bucket_batches"]
    stream = batches(dataset.train, size, config["seed"], rank, world, step * accum, bucket)
    engine.train()
    seen, trained, started, losses = 0, 0, time.perf_counter(), []
    with Preemption() as preemption:  # SIGTERM/SIGUSR2: checkpoint this step, then hand over
        while step < total:
            micros = [next(stream) for _ in range(accum)]
            lr = schedule.get_last_lr()[0]  # the LR this step trains with (the scheduler moves on in it)
            losses.append(optimizer_step(engine, micros, world, pad_id))
            step += 1
            seen += sum(m.seen for m in micros)
            trained += sum(m.tokens for m in micros)
            if rank == 0:
                epoch = step * accum / per_epoch
                row = {"step": step, "sft/loss": losses[-1], "sft/lr": lr, "sft/epoch": epoch}
                append_progress(out_dir, row)
            preempted = preemption.requested()
            if preempted or step % config["checkpoint_every"] == 0 or step == total:
                checkpoint(engine, out_dir, step, rank, state)
            if preempted:
                preemption.hand_over(step)
    elapsed = time.perf_counter() - started
    metrics = {
        "sft/loss": sum(losses[-5:]) / len(losses[-5:]) if losses else float("nan"),
        "sft/eval_loss": _eval_loss(engine, dataset.eval, config["micro_batch"], pad_id),
        "sft/eval_loss_base": state["eval_loss_base"],
        "sft/steps": float(total),
        "sft/epochs": epochs,
        "sft/trained_tokens_per_step": trained / max(1, len(losses)),
        "sft/tokens_per_s": seen / elapsed if elapsed > 0 and seen else 0.0,
        "sft/bf16": float(config["precision"] == "bf16"),
        "sft/examples": float(len(dataset.train)),
        "sft/dropped_too_long": float(dataset.dropped),
        **dataset.metrics,
    }
    save_hf(engine, tokenizer, out_dir / "hf", config["zero_stage"], rank)
    if rank == 0:
        (out_dir / "final_metrics.json").write_text(json.dumps(metrics, indent=2))
        prune_checkpoints(out_dir / "checkpoints", keep="")  # the HF dir is the result; drop optimizer states


def _engine(config: dict[str, Any], base: str, total: int) -> tuple[Any, Any]:
    """The DeepSpeed engine over the base model, with AdamW and the warm-up + cosine schedule."""
    import deepspeed
    import torch

    bf16 = config["precision"] == "bf16"
    model = load_trainable(base, config)
    model.config.use_cache = False
    optimizer = adamw(model, config["lr"], config["weight_decay"])
    factor = WarmupCosine(total, warmup_steps(total, config["warmup_ratio"]), config["min_lr_ratio"])
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    ds_config = deepspeed_config(config["micro_batch"], config["grad_accum"], config["zero_stage"], bf16)
    engine, _, _, _ = deepspeed.initialize(
        model=model, optimizer=optimizer, lr_scheduler=schedule, config=ds_config
    )
    return engine, schedule


def micro_backward(engine: Any, examples: list[Example], scale: float, pad_id: int) -> Any:
    """Forward and backward of one micro-batch with loss ``scale`` x (summed token cross-entropy);
    returns that sum (detached).

    ``engine.backward`` would divide the loss by grad_accum (``scale_wrt_gas``): off, because ``scale``
    already divides by the trained tokens of the whole optimizer step.
    """
    batch = {k: v.to(engine.device) for k, v in collate(examples, pad_id).items()}
    logits = engine(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    summed = token_loss_sum(logits, batch["labels"])
    engine.backward(summed * scale, scale_wrt_gas=False)
    return summed.detach()


def optimizer_step(engine: Any, micros: list[Micro], world: int, pad_id: int) -> float:
    """One optimizer step over this rank's ``micros`` (grad_accum of them); returns the step's loss: the
    cross-entropy summed over every trained token of the step on every rank, over their number.

    The number is known up front on every rank (the plan is global, :func:`batches`), so no rank waits
    for another's count. DeepSpeed averages gradients over the ranks, hence the factor ``world``: the
    step's gradient is then exactly that of the token-weighted mean over all ranks' micro-batches.
    """
    import torch
    import torch.distributed as dist

    step_tokens = max(1, sum(m.tokens for m in micros))
    summed = torch.zeros((), dtype=torch.float64, device=engine.device)
    for micro in micros:
        summed += micro_backward(engine, micro.examples, world / step_tokens, pad_id)
        engine.step()  # the optimizer moves at the last micro-step (DeepSpeed's accumulation boundary)
    if world > 1:  # the logged loss covers every rank's tokens
        dist.all_reduce(summed)
    return float(summed) / step_tokens


def _eval_loss(engine: Any, eval_set: list[Example], micro_batch: int, pad_id: int) -> float:
    """Token-weighted cross-entropy of the held-out conversations (every rank computes all of it)."""
    import torch

    if not eval_set:
        return float("nan")
    ordered = sorted(eval_set, key=lambda e: len(e[0]))  # alike lengths together: little padding
    summed, tokens = 0.0, sum(trained_tokens(e) for e in ordered)
    engine.eval()
    with torch.no_grad():
        for i in range(0, len(ordered), micro_batch):
            batch = {k: v.to(engine.device) for k, v in collate(ordered[i : i + micro_batch], pad_id).items()}
            logits = engine(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
            summed += float(token_loss_sum(logits, batch["labels"]))
    engine.train()
    return summed / max(1, tokens)


rank_main = train  # one rank (a torchrun process or a Slurm task) takes the same arguments


if __name__ == "__main__":  # a torchrun rank: python -m dive.stages.sft '<json args>'
    rank_main(**json.loads(sys.argv[1]))
