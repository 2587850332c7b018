"""Stage ``sft``: supervised fine-tuning on verified teacher trajectories with a DeepSpeed engine.

Recipe (read top to bottom): tokenize sft.jsonl with the tool-calling chat format, loss on assistant
tokens only (tool outputs, the system prompt and the question are context, not targets); drop, never
cut, conversations longer than ``sft.max_seq_len``; train with DeepSpeed ZeRO-2 (gloo on CPU, one rank)
or ZeRO-3 over GPUs; checkpoint every ``sft.checkpoint_every`` steps so a killed job resumes from its last
step; finish with a held-out loss and an HF directory the next stages load. The diversity metrics of
exactly the conversations trained on (after the length filter, without the held-out ones) are logged as
``sft_data/...``, beside synth's task-level ``diversity/...``, with ``tool_frequency.png`` and
``rp_topology.png`` in the artifact.

Simplifications against the paper: a constant LR after linear warm-up; CPU-sized defaults (the paper
trains Qwen3-8B on 48k trajectories). ``sft.world_size > 1`` runs the same code as torchrun ranks.

    python -m dive stage=sft                          # upstream stages run first if missing
    python -m dive stage=sft sft.steps=20 model=tiny
"""

from __future__ import annotations

import dataclasses
import json
import logging
import random
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from omegaconf import DictConfig, OmegaConf

from dive.artifacts import Artifact
from dive.chat import segments
from dive.plots import tool_frequency_plot, topology_plot
from dive.records import TOOL_TYPES, model_dir
from dive.synth.diversity import Trace, diversity_metrics, trace_of_row
from dive.training import (
    adamw,
    append_progress,
    checkpoint,
    deepspeed_config,
    finish,
    prune_checkpoints,
    resume,
    run_torchrun,
    save_hf,
    setup_distributed,
)

if TYPE_CHECKING:
    from dive.graph import Runtime

log = logging.getLogger(__name__)
IGNORE = -100
Example = tuple[list[int], list[int]]  # token ids, labels
T = TypeVar("T")


def config(cfg: DictConfig) -> dict[str, Any]:
    values: dict[str, Any] = OmegaConf.to_container(cfg.sft, resolve=True)  # type: ignore[assignment]
    values.update(dtype=cfg.model.dtype, model=cfg.model.name)
    return values


def label(config: dict[str, Any]) -> str:
    return f"{config['model']}-s{config['steps']}"


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


def collate(batch: list[tuple[list[int], list[int]]], pad_id: int) -> dict[str, Any]:
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


def batches(examples: list[Any], size: int, seed: int, rank: int, world: int, start: int) -> Any:
    """Deterministic shuffled micro-batches for this rank, from micro-step ``start`` (resume) on."""
    order: list[int] = []
    epoch = 0
    step = 0
    while True:
        if len(order) < size * world:
            shuffled = list(range(len(examples)))
            random.Random(f"{seed}:{epoch}").shuffle(shuffled)
            order += shuffled
            epoch += 1
            continue
        chunk, order = order[: size * world], order[size * world :]
        if step >= start:
            yield [examples[i] for i in chunk[rank::world]]
        step += 1


# ---------------------------------------------------------------------------------------------
# training


def train(config: dict[str, Any], data: str, base: str, out: str) -> None:
    import deepspeed
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out_dir = Path(out)
    rank, world = setup_distributed()
    torch.manual_seed(config["seed"])
    tokenizer = AutoTokenizer.from_pretrained(base)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    dataset = load_data(config, Path(data), tokenizer, out_dir if rank == 0 else None)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=getattr(torch, config["dtype"]))
    model.config.use_cache = False
    optimizer = adamw(model, config["lr"], config["weight_decay"])
    warmup = max(1, config["warmup_steps"])
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / warmup))
    ds_config = deepspeed_config(
        config["micro_batch"], config["grad_accum"], config["zero_stage"], config["dtype"] == "bfloat16"
    )
    engine, _, _, _ = deepspeed.initialize(
        model=model, optimizer=optimizer, lr_scheduler=schedule, config=ds_config
    )
    step, _ = resume(engine, out_dir, "SFT")
    micro = config["grad_accum"]
    stream = batches(dataset.train, config["micro_batch"], config["seed"], rank, world, start=step * micro)
    engine.train()
    tokens, started, recent = 0, time.perf_counter(), []
    while step < config["steps"]:
        for _ in range(micro):
            batch = collate(next(stream), pad_id)
            loss = engine(**batch).loss
            engine.backward(loss)
            engine.step()
            tokens += int(batch["attention_mask"].sum()) * world
            recent.append(loss.item())
        step += 1
        if rank == 0:
            append_progress(
                out_dir,
                {"step": step, "sft/loss": sum(recent[-micro:]) / micro, "sft/lr": schedule.get_last_lr()[0]},
            )
        if step % config["checkpoint_every"] == 0 or step == config["steps"]:
            checkpoint(engine, out_dir, step, rank)
    elapsed = time.perf_counter() - started
    metrics = {
        "sft/loss": sum(recent[-5:]) / len(recent[-5:]) if recent else float("nan"),
        "sft/eval_loss": _eval_loss(engine, dataset.eval, pad_id),
        "sft/tokens_per_s": tokens / elapsed if elapsed > 0 and tokens else 0.0,
        "sft/examples": float(len(dataset.train)),
        "sft/dropped_too_long": float(dataset.dropped),
        **dataset.metrics,
    }
    save_hf(engine, tokenizer, out_dir / "hf", config["zero_stage"], rank)
    if rank == 0:
        (out_dir / "final_metrics.json").write_text(json.dumps(metrics, indent=2))
        prune_checkpoints(out_dir / "checkpoints", keep="")  # the HF dir is the result; drop optimizer states


def _eval_loss(engine: Any, eval_set: list[Any], pad_id: int) -> float:
    import torch

    if not eval_set:
        return float("nan")
    engine.eval()
    losses = []
    with torch.no_grad():
        for i in range(0, len(eval_set), 2):
            losses.append(float(engine(**collate(eval_set[i : i + 2], pad_id)).loss))
    engine.train()
    return sum(losses) / len(losses)


if __name__ == "__main__":  # a torchrun rank: python -m dive.stages.sft '<json args>'
    train(**json.loads(sys.argv[1]))
