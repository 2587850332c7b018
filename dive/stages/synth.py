"""Stage ``synth``: evidence-first synthesis of tasks.jsonl over the validated pool.

Reads the pool manifest, the seed pool (train split; DIVE-Eval uses the eval split) and the exemplar
pool; writes ``records.jsonl`` (every attempt, appended as it goes, so a killed job resumes where it
stopped) and ``tasks.jsonl`` (the kept tasks). Metrics: kept/rejected counts and the diversity metrics.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig, OmegaConf

from dive.artifacts import Artifact
from dive.pools.exemplars import load_exemplars
from dive.pools.seeds import load_seeds
from dive.records import RECORDS, TASKS, Task, load_tasks, read_manifest, write_tasks
from dive.synth.diversity import diversity_metrics
from dive.synth.sampling import SynthSettings
from dive.synth.scripted import synthesize
from dive.tools.registry import load_tools

if TYPE_CHECKING:
    from dive.graph import Runtime

log = logging.getLogger(__name__)
MAX_ANSWER_CHARS = 120


def config(cfg: DictConfig, variant: str | None = None) -> dict[str, Any]:
    """The training tasks' synthesis, or (``variant="eval"``) DIVE-Eval's: held-out seeds, the whole
    pool, a fresh toolset per task, ``evaluate.dive_eval_tasks`` of them (toolset sizes from synth)."""
    values: dict[str, Any] = OmegaConf.to_container(cfg.synth, resolve=True)  # type: ignore[assignment]
    values["pool_domains"] = values["pool_domains"] or list(cfg.tools.domains)
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


def label(config: dict[str, Any]) -> str:
    if config["split"] == "eval":
        return f"eval-q{config['quantity']}"
    variety = "task" if config["variety"] is None else config["variety"]
    return f"pool{len(config['pool_domains'])}-v{variety}-q{config['quantity']}"


def compute(
    config: dict[str, Any], inputs: dict[str, Artifact], out: Path, runtime: Runtime
) -> dict[str, float]:
    return _synthesize(config, inputs["validate"], out)


def pool_tools(config: dict[str, Any], manifest: Artifact) -> dict[str, Any]:
    """The tools tasks may use: passing tools of the pool domains, optionally a seeded sample of them."""
    passing = {e["id"] for e in read_manifest(manifest)}
    tools = {tid: t for tid, t in load_tools(tuple(config["pool_domains"])).items() if tid in passing}
    if config["pool_size"] is not None and config["pool_size"] < len(tools):
        chosen = random.Random(f"{config['seed']}:pool").sample(sorted(tools), config["pool_size"])
        tools = {tid: tools[tid] for tid in sorted(chosen)}
    return tools


def _synthesize(config: dict[str, Any], manifest: Artifact, out: Path) -> dict[str, float]:
    start_time = time.perf_counter()
    tools = pool_tools(config, manifest)
    if not tools:
        raise RuntimeError(f"no passing tools in domains {config['pool_domains']}: see {manifest.path}")
    seeds = load_seeds(config["pool_domains"], split=config["split"])
    if not seeds:
        raise RuntimeError(
            f"the seed pool has no {config['split']} seeds for domains {config['pool_domains']}"
        )
    settings = SynthSettings(**{k: config[k] for k in SynthSettings.__dataclass_fields__})
    records_path = out / RECORDS
    done = len(records_path.read_text().splitlines()) if records_path.exists() else 0
    if done:
        log.info("resuming synthesis at task %d of %d", done, settings.quantity)
    write_tasks(records_path, synthesize(tools, seeds, load_exemplars(), settings, start=done), append=True)
    records = load_tasks(records_path)
    kept, rejected = _filter(records)
    write_tasks(out / TASKS, kept)
    types = {tid: t.type for tid, t in tools.items()}
    metrics = {
        "synth/tasks": float(len(records)),
        "synth/kept": float(len(kept)),
        "synth/pool_tools": float(len(tools)),
        "synth/seeds": float(len(seeds)),
        "synth/seconds": time.perf_counter() - start_time,
        **{f"synth/rejected/{reason}": float(n) for reason, n in rejected.items()},
        **diversity_metrics(kept, types),
    }
    return metrics


def _filter(records: list[Task]) -> tuple[list[Task], Counter[str]]:
    """Keep tasks with a short answer and a question not seen before; count rejections by reason."""
    kept, rejected, seen = [], Counter[str](), set()
    for record in records:
        reason = record.rejected
        if reason is None and len(record.answer) > MAX_ANSWER_CHARS:
            reason = "answer_too_long"
        if reason is None and record.question in seen:
            reason = "duplicate"
        if reason is not None:
            rejected[reason] += 1
            continue
        seen.add(record.question)
        kept.append(record)
    return kept, rejected
