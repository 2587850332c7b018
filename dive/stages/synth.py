"""Stage ``synth``: evidence-first synthesis of tasks.jsonl over the validated pool.

Reads the pool manifest, the seed pool (train split; DIVE-Eval uses the eval split) and the exemplar
pool. ``synth.backend`` picks who makes the choices: ``scripted`` (offline rules, dive/synth/scripted.py)
or ``llm`` (the paper's method, dive/synth/llm.py, through ``llm.synthesizer``). Either way:

1. the task indices run in ``synth.shards`` shards (a submitit array when there are several), each
   appending its records to ``shards/shard-NNNN.jsonl``, so a killed shard resumes losing nothing;
2. the shards merge into ``records.jsonl`` (every attempt, by index);
3. filters keep a task only if its answer is short, it is entailed by its recorded tool outputs (answer
   present or recomputable; every argument of the solution path given by the question or an earlier
   output), its question names no tool, and it is no near-duplicate of a kept one: ``tasks.jsonl``.

Metrics: kept/rejected counts by reason, the LLM's failure counts and token usage, diversity metrics.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig, OmegaConf

from dive.artifacts import Artifact
from dive.llm.endpoints import needs_policy_model, role_identity
from dive.pools.exemplars import load_exemplars
from dive.pools.seeds import load_seeds
from dive.records import RECORDS, TASKS, Task, model_dir, read_jsonl, write_tasks
from dive.synth import shards
from dive.synth.diversity import diversity_metrics
from dive.synth.sampling import SynthSettings
from dive.tools.registry import load_tools

if TYPE_CHECKING:
    from dive.graph import Runtime
    from dive.tools.base import Tool

log = logging.getLogger(__name__)
MAX_ANSWER_CHARS = 120


def config(cfg: DictConfig, variant: str | None = None) -> dict[str, Any]:
    """The training tasks' synthesis, or (``variant="eval"``) DIVE-Eval's: held-out seeds, the whole
    pool, a fresh toolset per task, ``evaluate.dive_eval_tasks`` of them (toolset sizes from synth)."""
    values: dict[str, Any] = OmegaConf.to_container(cfg.synth, resolve=True)  # type: ignore[assignment]
    del values["shards"]  # how the work is split, never what it produces
    values["pool_domains"] = values["pool_domains"] or list(cfg.tools.domains)
    if values["backend"] == "llm":
        values["llm"] = role_identity(cfg, "synthesizer")
        values["max_output_chars"] = cfg.tools.max_output_chars  # tool results the model reads are cut
    if variant == "eval":
        values.update(
            pool_domains=list(cfg.tools.domains),
            pool_size=None,
            variety=None,
            split="eval",
            quantity=cfg.evaluate.dive_eval_tasks,
            seed=cfg.synth.seed + 1000,
        )
    return values


def needs(config: dict[str, Any]) -> tuple[str, ...]:
    """A managed server serving the policy base model reads the ``model`` artifact."""
    return ("model",) if "llm" in config and needs_policy_model({"synthesizer": config["llm"]}) else ()


def label(config: dict[str, Any]) -> str:
    backend = "llm-" if config["backend"] == "llm" else ""
    if config["split"] == "eval":
        return f"{backend}eval-q{config['quantity']}"
    variety = "task" if config["variety"] is None else config["variety"]
    return f"{backend}pool{len(config['pool_domains'])}-v{variety}-q{config['quantity']}"


def compute(
    config: dict[str, Any], inputs: dict[str, Artifact], out: Path, runtime: Runtime
) -> dict[str, float]:
    start = time.perf_counter()
    policy = str(model_dir(inputs["model"])) if "model" in inputs else None
    job = ShardJob(config, str(inputs["validate"].path), str(out), policy, runtime.llm)
    plan = shards.plan(config["quantity"], runtime.synth_shards)
    if len(plan) > 1 and runtime.launcher != "debug":
        reports = _run_array(runtime, job, plan, out)
    else:
        reports = [job(k, indices) for k, indices in enumerate(plan)]
    records = shards.merge([shards.shard_path(out, k) for k in range(len(plan))])
    write_tasks(out / RECORDS, records)
    if len(records) != config["quantity"]:
        raise RuntimeError(
            f"synthesis recorded {len(records)} of {config['quantity']} task indices: see {out}"
        )
    tools = pool_tools(config, inputs["validate"].path)
    kept, rejected = filter_tasks(records, tools, config["near_duplicate"])
    write_tasks(out / TASKS, kept)
    metrics = {
        "synth/tasks": float(len(records)),
        "synth/kept": float(len(kept)),
        "synth/pool_tools": float(len(tools)),
        "synth/shards": float(len(plan)),
        "synth/seconds": time.perf_counter() - start,
        **{f"synth/rejected/{reason}": float(n) for reason, n in sorted(rejected.items())},
        **diversity_metrics(kept, {tid: t.type for tid, t in tools.items()}),
    }
    for report in reports:  # counts add up over shards (and over a shard's reruns)
        for key, value in report.items():
            metrics[key] = metrics.get(key, 0.0) + value
    return metrics


def pool_tools(config: dict[str, Any], validated: Path) -> dict[str, Tool]:
    """The tools tasks may use: passing tools of the pool domains, optionally a seeded sample of them."""
    passing = {e["id"] for e in read_jsonl(validated / "manifest.jsonl") if e["passed"]}
    tools = {tid: t for tid, t in load_tools(tuple(config["pool_domains"])).items() if tid in passing}
    if config["pool_size"] is not None and config["pool_size"] < len(tools):
        chosen = random.Random(f"{config['seed']}:pool").sample(sorted(tools), config["pool_size"])
        tools = {tid: tools[tid] for tid in sorted(chosen)}
    return tools


def filter_tasks(
    records: list[Task], tools: dict[str, Tool], near_duplicate: float
) -> tuple[list[Task], Counter[str]]:
    """Keep entailed, tool-free, short-answer, non-duplicate tasks; count the rest by reason."""
    from dive.synth.dedup import near_duplicates
    from dive.synth.verify import entailment, named_tools

    candidates, rejected = [], Counter[str]()
    for record in records:
        reason = record.rejected
        if reason is None and len(record.answer) > MAX_ANSWER_CHARS:
            reason = "answer_too_long"
        if reason is None and named_tools(record.question, tools.values()):
            reason = "names_tools"
        if reason is None:
            verdict = entailment(record)
            reason = None if verdict.ok else f"not_entailed/{verdict.reason}"
            if verdict.ok and _echoes_an_input(record, verdict.solution):
                reason = "answer_echoes_input"
            elif verdict.ok:
                _locate_answer(record, verdict.solution)
        if reason is not None:
            rejected[reason] += 1
            continue
        candidates.append(record)
    dropped = set(near_duplicates([t.question for t in candidates], near_duplicate))
    rejected["near_duplicate"] += len(dropped)
    return [t for i, t in enumerate(candidates) if i not in dropped], +rejected


def _locate_answer(task: Task, solution: list[int]) -> None:
    """An LLM derivation names no answer call: record the latest solution call holding the answer, so a
    judge can recompute it from a replay (a sum or a which-of stays with the verifier's search)."""
    from dive.synth.verify import output_value, values_match

    derivation = task.derivation[-1]
    if derivation.answer_call >= 0 or derivation.operands:
        return
    for index in reversed(solution):
        output = task.calls[index].output
        top = output if isinstance(output, dict) else {}
        keys = [k for k in top] + [f"{k}/{c}" for k, v in top.items() if isinstance(v, dict) for c in v]
        for key in keys:
            value = output_value(output, key)
            if isinstance(value, str | int | float) and values_match(task.answer, value):
                derivation.answer_call, derivation.answer_key = index, key
                task.answer_call = index
                return


def _echoes_an_input(task: Task, solution: list[int]) -> bool:
    """A lookup whose answer is one of its own inputs ("the region of the region X") asks nothing; a
    which-of question names its candidates by design."""
    from dive.synth.verify import ENTITY_OPERATIONS, values_match

    if task.derivation and task.derivation[-1].operation in ENTITY_OPERATIONS:
        return False
    inputs = [
        v for i in solution for v in task.calls[i].arguments.values() if isinstance(v, str | int | float)
    ]
    return any(values_match(task.answer, v) for v in inputs if not isinstance(v, bool))


# ---------------------------------------------------------------------------------------------
# shards


class ShardJob:
    """One shard's work, picklable for a submitit array: synthesize the indices not yet in its file."""

    def __init__(
        self, config: dict[str, Any], manifest: str, out: str, policy: str | None, llm: dict[str, Any]
    ):
        self.config, self.manifest, self.out, self.policy, self.llm = config, manifest, out, policy, llm

    def __call__(self, shard: int, indices: list[int]) -> dict[str, float]:
        config, out = self.config, Path(self.out)
        path = shards.shard_path(out, shard)
        todo = [i for i in indices if i not in shards.done_indices(path)]
        if len(todo) < len(indices):
            log.info("shard %d: resuming, %d of %d indices left", shard, len(todo), len(indices))
        if not todo:
            return {}
        tools = pool_tools(config, Path(self.manifest))
        if not tools:
            raise RuntimeError(f"no passing tools in domains {config['pool_domains']}: see {self.manifest}")
        seeds = load_seeds(config["pool_domains"], split=config["split"])
        if not seeds:
            raise RuntimeError(f"the seed pool has no {config['split']} seeds for {config['pool_domains']}")
        settings = SynthSettings(**{k: config[k] for k in SynthSettings.__dataclass_fields__})
        if config["backend"] == "llm":
            return asyncio.run(self._llm(tools, seeds, settings, todo, path, shard))
        from dive.synth.scripted import synthesize

        shards.append(path, synthesize(tools, seeds, load_exemplars(), settings, indices=todo))
        return {}

    async def _llm(
        self,
        tools: dict[str, Tool],
        seeds: list[Any],
        settings: SynthSettings,
        todo: list[int],
        path: Path,
        shard: int,
    ) -> dict[str, float]:
        from dive.llm.client import LLMClient
        from dive.llm.endpoints import open_endpoints
        from dive.synth.llm import LLMSettings, Tally, synthesize_llm

        policy = Path(self.policy) if self.policy else None
        logs = Path(self.out) / "servers" / f"shard-{shard:04d}"
        llm = LLMSettings(self.config["max_output_chars"], self.llm["tool_timeout_s"])
        tally = Tally()
        with open_endpoints({"synthesizer": self.config["llm"]}, self.llm, policy, logs) as endpoints:
            async with LLMClient(endpoints["synthesizer"]) as client:
                stream = synthesize_llm(tools, seeds, load_exemplars(), settings, llm, client, todo, tally)
                async for task in stream:
                    shards.append(path, [task])
                usage = {k: v for k, v in client.metrics("synth/llm").items() if "mean" not in k}
        _save_counts(path, {**tally.metrics(), **usage})
        return json.loads(path.with_suffix(".metrics.json").read_text())


def _save_counts(path: Path, counts: dict[str, float]) -> None:
    """A shard's LLM counts, summed over its reruns (a resumed shard adds what its rerun did)."""
    file = path.with_suffix(".metrics.json")
    before = json.loads(file.read_text()) if file.exists() else {}
    for key, value in counts.items():
        before[key] = before.get(key, 0.0) + value
    file.write_text(json.dumps(before, indent=1, sort_keys=True))


def _run_array(runtime: Runtime, job: ShardJob, plan: list[list[int]], out: Path) -> list[dict[str, float]]:
    import submitit

    from dive.jobs_slurm import map_array_within_limit

    executor = submitit.AutoExecutor(folder=out / "submitit", cluster=runtime.launcher)
    params: dict[str, Any] = {"timeout_min": 60 * 24}
    if runtime.launcher == "slurm":
        params.update(slurm_partition=runtime.slurm_partition, cpus_per_task=2)
    executor.update_parameters(**params)
    jobs = map_array_within_limit(executor, job, list(range(len(plan))), plan)
    log.info("synthesis: %d shard jobs submitted (%s)", len(jobs), jobs[0].job_id.split("_")[0])
    return [j.result() for j in jobs]
