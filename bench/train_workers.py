"""The measurements of bench/train.py, one per process: ``python bench/train_workers.py KIND SPEC RESULT``.

Each worker reads a JSON spec (a recipe config and paths), runs one side of a comparison, and writes
what it measured as JSON. Ours are watched, not changed: the recipe's own ``train`` runs with a few of
its module-level functions wrapped (``collate``, ``rollout``, ``append_progress``) to note step ends,
micro-batches and prompts; HF Trainer and TRL get the same data and are timed with a ``TrainerCallback``.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run from a checkout without installing

MFU_MODEL = {  # a Qwen2-style config of ~0.5B parameters (with the tokenizer's vocabulary)
    "hidden_size": 1024,
    "intermediate_size": 5120,  # 0.56B with SmolLM2's vocabulary, 0.52B with the tiny one's
    "num_hidden_layers": 28,
    "num_attention_heads": 16,
    "num_key_value_heads": 4,
    "tie_word_embeddings": True,
}
MFU_STEPS, MFU_MICRO_BATCH = 6, 4
ROLLOUT_PROMPTS, ROLLOUT_NEW_TOKENS = 64, 256


# ---------------------------------------------------------------------------------------------
# probes: wrap a recipe's module-level function to see its steps, without changing what it does


@contextlib.contextmanager
def wrapped(
    module: Any, name: str, make: Callable[[Callable[..., Any]], Callable[..., Any]]
) -> Iterator[None]:
    original = getattr(module, name, None)
    if original is None:
        raise AttributeError(
            f"[bench] {module.__name__} has no `{name}` any more; the bench watches the recipe's steps "
            "through it: update bench/train.py"
        )
    setattr(module, name, make(original))
    try:
        yield
    finally:
        setattr(module, name, original)


class StepClock:
    """End time and progress row of every optimizer step (``append_progress`` is called once per step)."""

    def __init__(self) -> None:
        self.ends: list[float] = []
        self.rows: list[dict[str, Any]] = []

    def progress(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def call(out: Any, row: dict[str, Any]) -> Any:
            result = original(out, row)
            self.ends.append(time.perf_counter())
            self.rows.append(dict(row))
            return result

        return call


def window(ends: list[float]) -> list[float]:
    """Seconds of each measured step: step k (k >= 2) runs from the end of step k-1 to its own end."""
    return [b - a for a, b in zip(ends, ends[1:], strict=False)]


# ---------------------------------------------------------------------------------------------
# workers (each in its own process): SFT


def worker_sft_dive(spec: dict[str, Any]) -> dict[str, Any]:
    from dive.stages import sft

    if spec.get("random_model"):  # the GPU MFU run: a random model of ~0.5B parameters
        spec["base"] = build_random_model(spec["base"], Path(spec["out"]).parent / "mfu_model")
    clock, micros, first = StepClock(), [[]], []  # first: when step 1 began (its first micro-batch)

    def collate(original: Callable[..., Any]) -> Callable[..., Any]:
        def call(batch: list[Any], *args: Any, **kwargs: Any) -> Any:
            if not first:
                first.append(time.perf_counter())
            micros[len(clock.ends)].append([[list(ids), list(labels)] for ids, labels in batch])
            return original(batch, *args, **kwargs)

        return call

    def progress(original: Callable[..., Any]) -> Callable[..., Any]:
        inner = clock.progress(original)

        def call(out: Any, row: dict[str, Any]) -> Any:
            micros.append([])
            return inner(out, row)

        return call

    shutil.rmtree(spec["out"], ignore_errors=True)  # a fresh run: the recipe would resume a checkpoint
    Path(spec["out"]).mkdir(parents=True)
    with wrapped(sft, "collate", collate), wrapped(sft, "append_progress", progress):
        sft.train(spec["config"], spec["data"], spec["base"], spec["out"])
    steps = micros[: len(clock.ends)]  # after the last step: the held-out loss's batches
    Path(spec["batches"]).write_text(json.dumps(steps))
    final = json.loads((Path(spec["out"]) / "final_metrics.json").read_text())
    return {
        **sft_summary(clock.ends, first[0], steps),
        "loss": clock.rows[-1].get("sft/loss"),
        "own_tokens_per_s": final.get("sft/tokens_per_s"),
        "params": count_params(spec["base"]),
    }


def sft_summary(ends: list[float], start: float, steps: list[list[Any]]) -> dict[str, Any]:
    """Throughput over steps 2..N+1, from step end times and the micro-batches of each step."""
    seen = [sum(len(ids) for micro in step for ids, _ in micro) for step in steps]
    padded = [sum(len(micro) * max(len(ids) for ids, _ in micro) for micro in step) for step in steps]
    measured = ends[-1] - ends[0]
    return {
        "steps": len(ends),
        "warmup_s": ends[0] - start,
        "step_s": statistics.median(window(ends)),
        "measured_s": measured,
        "tokens": sum(seen[1:]),
        "padded_tokens": sum(padded[1:]),
        "tokens_per_s": sum(seen[1:]) / measured,
    }


def worker_sft_hf(spec: dict[str, Any]) -> dict[str, Any]:
    import torch
    from transformers import (
        AutoModelForCausalLM,
        AutoTokenizer,
        DataCollatorForSeq2Seq,
        Trainer,
        TrainerCallback,
        TrainingArguments,
    )

    config, steps = spec["config"], json.loads(Path(spec["batches"]).read_text())
    items = [micro for step in steps for micro in step]  # one dataset item = one of ours' micro-batches
    tokenizer = AutoTokenizer.from_pretrained(spec["base"])
    tokenizer.padding_side = "right"  # as sft.collate pads
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    pad = DataCollatorForSeq2Seq(tokenizer, padding="longest", label_pad_token_id=-100, return_tensors="pt")

    def collate(batch: list[Any]) -> Any:
        (micro,) = batch
        return pad([{"input_ids": ids, "labels": labels} for ids, labels in micro])

    bf16 = config["precision"] == "bf16"
    model = AutoModelForCausalLM.from_pretrained(spec["base"], dtype=torch.float32)
    model.config.use_cache = False
    clock = _HfClock(TrainerCallback)
    shutil.rmtree(spec["out"], ignore_errors=True)
    trainer = Trainer(
        model=model,
        args=TrainingArguments(**hf_sft_args(config, len(steps), spec["out"], bf16)),
        train_dataset=items,  # type: ignore[arg-type]
        data_collator=collate,
        callbacks=[clock],
    )
    trainer.train()
    optimizer = getattr(trainer.optimizer, "optimizer", trainer.optimizer)  # accelerate wraps it
    return {
        **sft_summary(clock.ends, clock.begin, steps),
        "loss": clock.losses[-1] if clock.losses else None,
        "optimizer": f"{type(optimizer).__name__}(fused={optimizer.defaults.get('fused')})",
    }


def hf_sft_args(config: dict[str, Any], total: int, out: str, bf16: bool) -> dict[str, Any]:
    """TrainingArguments matching our SFT config: optimizer, LR schedule, clipping, accumulation, steps."""
    args: dict[str, Any] = {
        "output_dir": out,
        "per_device_train_batch_size": 1,  # an item is a whole micro-batch of ours
        "gradient_accumulation_steps": config["grad_accum"],
        "max_steps": total,
        "learning_rate": config["lr"],
        "weight_decay": config["weight_decay"],
        "optim": "adamw_torch_fused",  # ours: torch AdamW, fused where the build supports it
        "max_grad_norm": 1.0,  # ours: DeepSpeed gradient_clipping 1.0
        # ours: linear warm-up over warmup_ratio of the steps, then a cosine down to lr x min_lr_ratio
        "lr_scheduler_type": "cosine_with_min_lr",
        "warmup_steps": min(total, math.ceil(total * config["warmup_ratio"])),
        "lr_scheduler_kwargs": {"min_lr_rate": config["min_lr_ratio"]},
        "bf16": bf16,
        "fp16": False,
        "activation_checkpointing": config["gradient_checkpointing"],
        "train_sampling_strategy": "sequential",  # ours' order, as recorded
        "logging_steps": 1,
        "save_strategy": "no",
        "eval_strategy": "no",
        "report_to": "none",
        "seed": config["seed"],
        "dataloader_num_workers": 0,
        "dataloader_pin_memory": False,
        "remove_unused_columns": False,
        "disable_tqdm": True,
    }
    return args


def _HfClock(base: type) -> Any:  # noqa: N802 - a class built on transformers' callback base, lazily imported
    class Clock(base):  # type: ignore[misc, valid-type]
        """Start of the first step, end of every optimizer step, and the logged losses."""

        def __init__(self) -> None:
            self.begin = 0.0
            self.ends: list[float] = []
            self.losses: list[float] = []

        def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.begin = self.begin or time.perf_counter()

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.ends.append(time.perf_counter())

        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
            if logs and "loss" in logs:
                self.losses.append(float(logs["loss"]))

    return Clock()


# ---------------------------------------------------------------------------------------------
# workers: GRPO


def worker_grpo_dive(spec: dict[str, Any]) -> dict[str, Any]:
    from dive.records import load_tasks
    from dive.stages import grpo

    clock, rollouts = StepClock(), []

    def rollout(original: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            episodes = kwargs["episodes"] if "episodes" in kwargs else args[2]
            prompts = [
                {
                    "key": e.key,
                    "ids": list(e.token_ids),
                    "messages": copy.deepcopy(e.messages),
                    "tools": e.tools,
                }
                for e in episodes
            ]
            start = time.perf_counter()
            result = original(*args, **kwargs)
            seconds = time.perf_counter() - start
            generated = sum(sum(e.gen_mask) for e in episodes)
            rollouts.append(
                {"start": start, "gen_s": seconds, "completion_tokens": generated, "prompts": prompts}
            )
            return result

        return call

    shutil.rmtree(spec["out"], ignore_errors=True)
    Path(spec["out"]).mkdir(parents=True)
    tasks = load_tasks(Path(spec["tasks"]))
    with wrapped(grpo, "rollout", rollout), wrapped(grpo, "append_progress", clock.progress):
        grpo.train(spec["config"], tasks, Path(spec["policy"]), Path(spec["out"]))
    group = spec["config"]["group_size"]
    steps = [r["prompts"][::group] for r in rollouts]  # one entry per task of a step, in order
    Path(spec["prompts"]).write_text(json.dumps(steps))
    rewards = [row.get("grpo/reward") for row in clock.rows]
    return grpo_summary(
        clock.ends,
        rollouts[0]["start"],
        [r["gen_s"] for r in rollouts],
        [r["completion_tokens"] for r in rollouts],
        rewards,
    )


def grpo_summary(
    ends: list[float], start: float, gen_s: list[float], tokens: list[int], rewards: list[Any]
) -> dict[str, Any]:
    """Median step seconds over steps 2..N+1 and what each step generated."""
    steps = window(ends)
    measured = ends[-1] - ends[0]
    known = [r for r in rewards[1:] if r is not None]
    return {
        "steps": len(ends),
        "warmup_s": ends[0] - start,
        "step_s": statistics.median(steps),
        "gen_s": statistics.median(gen_s[1:]) if len(gen_s) > 1 else None,
        "completion_tokens_per_step": statistics.fmean(tokens[1:]),
        "s_per_completion_token": measured / max(1, sum(tokens[1:])),
        "reward": statistics.fmean(known) if known else None,
    }


def trl_reward(spec: dict[str, Any], seen: dict[str, list[Any]]) -> Callable[..., list[float]]:
    """dive.rewards.reward on a single-turn completion (no executed calls), as ours scores one; ``seen``
    gets each rollout batch's completion tokens and mean reward (TRL calls this once per batch)."""
    from dive.chat import final_answer
    from dive.records import load_tasks
    from dive.rewards import reward

    tasks = {t.id: t for t in load_tasks(Path(spec["tasks"]))}
    alpha = spec["config"]["alpha"]

    def dive_reward(
        completions: list[str], task_id: list[str], completion_ids: Any = None, **_: Any
    ) -> list[float]:
        out = [
            reward(alpha, [text], [], final_answer(text), tasks[key])[0]
            for text, key in zip(completions, task_id, strict=True)
        ]
        seen["tokens"].append(sum(len(ids) for ids in completion_ids) if completion_ids is not None else 0)
        seen["rewards"].append(statistics.fmean(out))
        return out

    return dive_reward


def trl_args(config: dict[str, Any], total: int, out: str) -> dict[str, Any]:
    """GRPOConfig doing what our GRPO config does with each rollout batch of prompts_per_step x
    group_size episodes: ``epochs_per_batch`` passes (TRL's num_iterations), each of one optimizer step per
    ``minibatch_size`` episodes (TRL: per_device_train_batch_size x gradient_accumulation_steps), forwarded
    ``micro_batch`` at a time; TRL scores the old log-probs with an extra forward as ours does."""
    episodes = config["prompts_per_step"] * config["group_size"]
    micro, minibatch = config["micro_batch"], config["minibatch_size"]
    minibatches, accum = episodes // minibatch, minibatch // micro
    high = config["clip_eps_high"] if config["clip_eps_high"] is not None else config["clip_eps"]
    return {
        "output_dir": out,
        "per_device_train_batch_size": micro,
        "gradient_accumulation_steps": accum,
        "steps_per_generation": accum * minibatches,  # one rollout batch serves all its minibatches
        "num_iterations": config["epochs_per_batch"],
        "num_generations": config["group_size"],
        "max_completion_length": config["max_new_tokens"],
        "temperature": config["temperature"],
        "top_p": 1.0,
        "top_k": 50,  # ours samples with transformers' generate default, top_k=50
        "learning_rate": config["lr"],
        "lr_scheduler_type": "constant",
        "weight_decay": 0.0,
        "optim": "adamw_torch_fused",  # ours: torch AdamW, fused where the build supports it
        "max_grad_norm": 1.0,  # ours: DeepSpeed gradient_clipping 1.0
        "beta": config["kl_coef"],
        "epsilon": config["clip_eps"],
        "epsilon_high": high,
        "loss_type": config["loss_type"],
        "scale_rewards": "group",
        "max_steps": total * minibatches * config["epochs_per_batch"],
        "shuffle_dataset": False,  # the prompts are ours', step by step
        "use_vllm": False,
        "activation_checkpointing": config["gradient_checkpointing"],  # TRL's default is on
        "bf16": config["precision"] == "bf16",
        "fp16": False,
        "logging_steps": 1,
        "save_strategy": "no",
        "report_to": "none",
        "seed": config["seed"],
        "dataloader_pin_memory": False,
        "disable_tqdm": True,
    }


def worker_grpo_trl(spec: dict[str, Any]) -> dict[str, Any]:
    import datasets
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    from dive.chat import render

    config, steps = spec["config"], json.loads(Path(spec["prompts"]).read_text())
    tokenizer = AutoTokenizer.from_pretrained(spec["policy"])
    rows = [
        {"prompt": render(p["messages"], p["tools"], add_generation_prompt=True), "task_id": p["key"]}
        for step in steps
        for p in step
    ]
    same_ids = all(
        tokenizer(row["prompt"])["input_ids"] == p["ids"] for row, p in zip(rows, sum(steps, []), strict=True)
    )
    gen_s: list[float] = []

    class Timed(GRPOTrainer):  # the same trainer; only the time of its generate call is noted
        def _generate_single_turn(self, *args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            result = super()._generate_single_turn(*args, **kwargs)
            gen_s.append(time.perf_counter() - start)
            return result

    seen: dict[str, list[Any]] = {"tokens": [], "rewards": []}
    model = AutoModelForCausalLM.from_pretrained(spec["policy"], dtype=torch.float32)
    clock = _HfClock(TrainerCallback)
    args = trl_args(config, len(steps), spec["out"])
    shutil.rmtree(spec["out"], ignore_errors=True)
    trainer = Timed(
        model=model,
        reward_funcs=trl_reward(spec, seen),
        args=GRPOConfig(**args),
        train_dataset=datasets.Dataset.from_list(rows),
        processing_class=tokenizer,
        callbacks=[clock],
    )
    trainer.train()
    per_rollout = args["max_steps"] // len(steps)  # optimizer steps per rollout batch
    ends = clock.ends[per_rollout - 1 :: per_rollout]
    summary = grpo_summary(ends, clock.begin, gen_s, seen["tokens"], seen["rewards"])
    return {**summary, "prompt_ids_identical": same_ids}


# ---------------------------------------------------------------------------------------------
# workers: GPU only


def build_random_model(tokenizer_dir: str, out: Path) -> str:
    """An HF dir with a random ~0.5B Qwen2 model (bf16) and the given tokenizer; built offline."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, Qwen2Config

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    config = Qwen2Config(vocab_size=len(tokenizer), max_position_embeddings=8192, **MFU_MODEL)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    shutil.rmtree(out, ignore_errors=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return str(out)


def count_params(model_dir: str) -> int:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(model_dir))
    return sum(p.numel() for p in model.parameters())


def rollout_prompts(spec: dict[str, Any]) -> list[list[int]]:
    steps = json.loads(Path(spec["prompts"]).read_text())
    ids = [p["ids"] for step in steps for p in step]
    return [ids[i % len(ids)] for i in range(ROLLOUT_PROMPTS)]


def worker_generate_hf(spec: dict[str, Any]) -> dict[str, Any]:
    """Ours' rollout generation (``dive.rollout.generate``: HF ``generate``, left-padded batches of its
    default size) on the GPU in bf16."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from dive.rollout import generate

    prompts = rollout_prompts(spec)
    tokenizer = AutoTokenizer.from_pretrained(spec["policy"])
    stop = tokenizer.convert_tokens_to_ids("<|im_end|>")
    model = AutoModelForCausalLM.from_pretrained(spec["policy"], dtype=torch.bfloat16).cuda().eval()
    found = []
    for _ in range(2):  # the first call is a warm-up
        torch.cuda.synchronize()
        start = time.perf_counter()
        outs = generate(model, tokenizer, prompts, ROLLOUT_NEW_TOKENS, spec["temperature"], stop)
        torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        tokens = sum(len(o) for o in outs)
        found.append({"seconds": seconds, "tokens": tokens, "tokens_per_s": tokens / seconds})
    return found[-1]


def worker_generate_vllm(spec: dict[str, Any]) -> dict[str, Any]:
    from transformers import AutoTokenizer
    from vllm import LLM, SamplingParams

    prompts = rollout_prompts(spec)
    stop = AutoTokenizer.from_pretrained(spec["policy"]).convert_tokens_to_ids("<|im_end|>")
    llm = LLM(model=spec["policy"], dtype="bfloat16", gpu_memory_utilization=0.5, seed=0)
    params = SamplingParams(
        temperature=spec["temperature"],
        top_p=1.0,
        top_k=50,
        max_tokens=ROLLOUT_NEW_TOKENS,
        stop_token_ids=[stop],
    )
    found = []
    for _ in range(2):  # the first call is a warm-up
        start = time.perf_counter()
        outs = llm.generate([{"prompt_token_ids": p} for p in prompts], params, use_tqdm=False)
        seconds = time.perf_counter() - start
        tokens = sum(len(o.outputs[0].token_ids) for o in outs)
        found.append({"seconds": seconds, "tokens": tokens, "tokens_per_s": tokens / seconds})
    return found[-1]


WORKERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "sft_dive": worker_sft_dive,
    "sft_hf": worker_sft_hf,
    "grpo_dive": worker_grpo_dive,
    "grpo_trl": worker_grpo_trl,
    "sft_mfu": worker_sft_dive,
    "generate_hf": worker_generate_hf,
    "generate_vllm": worker_generate_vllm,
}


def main(argv: list[str]) -> int:
    kind, spec_path, result_path = argv
    spec = json.loads(Path(spec_path).read_text())
    Path(result_path).write_text(json.dumps(WORKERS[kind](spec), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
