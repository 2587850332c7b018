"""Stage ``evaluate``: DIVE-Eval (in-distribution) and a BFCL v4 slice (out-of-distribution).

* DIVE-Eval: tasks synthesised like the training data but from held-out (eval-split) seeds, each with a
  fresh toolset from the same pool; the policy runs multi-turn episodes with the real tools and is
  scored by the answer judge (dive/rewards.py). Paper: 800 tasks.
* BFCL v4: the first ``evaluate.bfcl_per_category`` items of each category, one assistant turn with the
  item's functions, scored by dive/eval/bfcl.py (its AST checker semantics, on BFCL's own data files).

Each model in ``evaluate.models`` (grpo, sft, base) is its own content-addressed artifact (graph nodes
``evaluate_<model>``), so the base model is scored once for every sweep point that shares it. Headline
keys: ``eval/...`` for the final (GRPO) policy, ``eval_sft/...`` and ``eval_base/...`` for the others.

    python -m dive stage=evaluate evaluate.dive_eval_tasks=100
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig, OmegaConf

from dive.artifacts import Artifact
from dive.episodes import Sampling, attempt_tasks
from dive.model import load_policy
from dive.records import Task, model_dir, read_tasks
from dive.rollout import generate, start

if TYPE_CHECKING:
    from dive.graph import Runtime

PREFIX = {"grpo": "eval", "sft": "eval_sft", "base": "eval_base"}  # metric namespace per checkpoint


def config(cfg: DictConfig, variant: str) -> dict[str, Any]:
    """Settings for scoring the ``variant`` checkpoint (grpo, sft or base)."""
    values: dict[str, Any] = OmegaConf.to_container(cfg.evaluate, resolve=True)  # type: ignore[assignment]
    values.pop("models")  # which checkpoints to score is the pipeline's business, not one score's
    values.update(
        checkpoint=variant,
        model=cfg.model.name,
        dtype=cfg.model.dtype,
        domains=list(cfg.tools.domains),
        max_output_chars=cfg.tools.max_output_chars,
        seed=cfg.seed,
    )
    return values


def label(config: dict[str, Any]) -> str:
    return f"{config['checkpoint']}-{config['model']}"


def compute(
    config: dict[str, Any], inputs: dict[str, Artifact], out: Path, runtime: Runtime
) -> dict[str, float]:
    import torch

    torch.manual_seed(config["seed"])
    policy = next(artifact for name, artifact in inputs.items() if name != "eval_tasks")  # dive/graph.py
    model, tokenizer = load_policy(model_dir(policy), config["dtype"])
    metrics = _dive_eval(config, model, tokenizer, read_tasks(inputs["eval_tasks"]), out)
    metrics.update(_bfcl(config, model, tokenizer, out))
    prefix = PREFIX[config["checkpoint"]]
    return {key.replace("eval/", f"{prefix}/", 1): value for key, value in metrics.items()}


def _dive_eval(
    config: dict[str, Any], model: Any, tokenizer: Any, tasks: list[Task], out: Path
) -> dict[str, float]:
    episodes, correct = attempt_tasks(model, tokenizer, tasks, 1, config["domains"], Sampling.of(config))
    answers = {t.id: t.answer for t in tasks}
    with (out / "dive_eval.jsonl").open("w") as handle:
        for ep, ok in zip(episodes, correct, strict=True):
            handle.write(
                json.dumps(
                    {
                        "task_id": ep.key,
                        "final": ep.final,
                        "reference": answers[ep.key],
                        "correct": ok,
                        "calls": [c.to_json() for c in ep.calls],
                        "turns": ep.turn_texts,
                    }
                )
                + "\n"
            )
    return {
        "eval/dive_eval/accuracy": statistics.fmean(correct) if correct else 0.0,
        "eval/dive_eval/tasks": float(len(correct)),
        **call_format_metrics(episodes, "eval/dive_eval"),
    }


def call_format_metrics(episodes: list[Any], prefix: str) -> dict[str, float]:
    """How often a policy calls tools in the right format: tasks with at least one well-formed call (it
    parsed, named a tool of the task's toolset, and its arguments fit the schema), and the share of all
    calls that were well-formed (nan when no call was made)."""
    if not episodes:
        return {f"{prefix}/tool_calls_per_task": 0.0, f"{prefix}/tool_call_rate": 0.0}
    calls = [c for ep in episodes for c in ep.calls]
    return {
        f"{prefix}/tool_calls_per_task": statistics.fmean(len(ep.calls) for ep in episodes),
        f"{prefix}/tool_call_rate": statistics.fmean(any(c.valid for c in ep.calls) for ep in episodes),
        f"{prefix}/valid_call_share": statistics.fmean(c.valid for c in calls) if calls else float("nan"),
    }


def _bfcl(config: dict[str, Any], model: Any, tokenizer: Any, out: Path) -> dict[str, float]:
    from dive.eval import bfcl

    e = OmegaConf.create(config)
    if e.bfcl_per_category == 0 or not e.bfcl_categories:
        return {}
    stop_id = tokenizer.convert_tokens_to_ids("<|im_end|>")
    metrics: dict[str, float] = {}
    with (out / "bfcl.jsonl").open("w") as handle:
        for category in e.bfcl_categories:
            items = bfcl.load_items(category, limit=e.bfcl_per_category)
            prompts = [start(it.id, it.messages, it.tools, {}, tokenizer).token_ids for it in items]
            outputs = generate(model, tokenizer, prompts, e.max_new_tokens, e.temperature, stop_id)
            scores = []
            for item, ids in zip(items, outputs, strict=True):
                text = tokenizer.decode(ids, skip_special_tokens=False)
                ok, reason = bfcl.check(item, bfcl.parse_tool_calls(text))
                scores.append(ok)
                handle.write(
                    json.dumps({"id": item.id, "output": text, "correct": ok, "reason": reason}) + "\n"
                )
            metrics[f"eval/bfcl/{category}/accuracy"] = statistics.fmean(scores)
    metrics["eval/bfcl/overall"] = statistics.fmean(
        metrics[f"eval/bfcl/{c}/accuracy"] for c in e.bfcl_categories
    )
    return metrics
