"""Stage ``validate``: run every tool through the crawl-validate gate and write the pool manifest.

The manifest (``manifest.jsonl``, one tool a line) keeps each tool's schema, R/P type, domain,
provenance, verdict with its reason, and latency. Failing tools never reach synthesis. With
``tools.array=true`` the gate runs as a submitit job array over chunks of tools (local processes, or
Slurm jobs under launcher=slurm), so a slow or crashing tool cannot take the others down.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig

from dive.artifacts import Artifact
from dive.tools.base import Tool
from dive.tools.gate import check_tool
from dive.tools.registry import load_tools

if TYPE_CHECKING:
    from dive.pipeline import Context

log = logging.getLogger(__name__)


def run(cfg: DictConfig, ctx: Context) -> Artifact:
    tools = _pool(cfg)
    config = {
        "domains": list(cfg.tools.domains),
        "exclude": list(cfg.tools.exclude),
        "online": cfg.tools.online,
        "fingerprint": _fingerprint(tools),  # new tools, new code or new data versions -> new manifest
    }
    label = f"{len(cfg.tools.domains)}dom-{len(tools)}tools"
    artifact = ctx.artifact("validate", label, config, [])
    return ctx.produce(artifact, config, lambda out: _validate(cfg, tools, out))


def _pool(cfg: DictConfig) -> dict[str, Tool]:
    tools = load_tools(tuple(cfg.tools.domains))
    return {tid: t for tid, t in tools.items() if tid not in set(cfg.tools.exclude)}


def _fingerprint(tools: dict[str, Tool]) -> str:
    """Changes when any source file of a loaded domain (helpers included) or a data package version does."""
    digest = hashlib.sha256()
    folders = {Path(t.fn.__code__.co_filename).parent for t in tools.values()}
    for path in sorted(p for folder in folders for p in folder.glob("*.py")):
        digest.update(path.read_bytes())
    for tool in tools.values():
        digest.update(json.dumps([tool.id, tool.provenance()], sort_keys=True).encode())
    return digest.hexdigest()[:16]


def manifest_entry(tool: Tool) -> dict[str, Any]:
    verdict = check_tool(tool)
    return {
        "id": tool.id,
        "name": tool.name,
        "domain": tool.domain,
        "type": tool.type,
        "description": tool.description,
        "parameters": tool.parameters,
        "accepts": dict(tool.accepts),
        "produces": dict(tool.produces),
        "provenance": tool.provenance(),
        **dataclasses.asdict(verdict),
    }


def _check_chunk(domains: list[str], ids: list[str]) -> list[dict[str, Any]]:
    """One array job: gate a chunk of tools in a fresh process."""
    tools = load_tools(tuple(domains))
    return [manifest_entry(tools[tid]) for tid in ids]


def _validate(cfg: DictConfig, tools: dict[str, Tool], out: Path) -> dict[str, float]:
    ids = sorted(tools)
    if cfg.tools.array and len(ids) > 1:
        entries = _run_array(cfg, ids, out)
    else:
        entries = []
        for n, tid in enumerate(ids):
            entries.append(manifest_entry(tools[tid]))
            if (n + 1) % 50 == 0:
                log.info("validated %d/%d tools", n + 1, len(ids))
    with (out / "manifest.jsonl").open("w") as handle:
        for entry in entries:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")
    return manifest_metrics(entries)


def _run_array(cfg: DictConfig, ids: list[str], out: Path) -> list[dict[str, Any]]:
    import submitit

    cluster = {"local": "local", "slurm": "slurm", "debug": "debug"}[cfg.launcher.name]
    executor = submitit.AutoExecutor(folder=out / "submitit", cluster=cluster)
    params: dict[str, Any] = {"timeout_min": 30}
    if cluster == "slurm":
        params.update(slurm_partition=cfg.slurm.partition, cpus_per_task=1)
    executor.update_parameters(**params)
    chunks = [ids[i :: cfg.tools.array_chunks] for i in range(min(cfg.tools.array_chunks, len(ids)))]
    jobs = executor.map_array(_check_chunk, [list(cfg.tools.domains)] * len(chunks), chunks)
    entries = [entry for job in jobs for entry in job.result()]
    return sorted(entries, key=lambda e: e["id"])


def manifest_metrics(entries: list[dict[str, Any]]) -> dict[str, float]:
    passing = [e for e in entries if e["passed"]]
    metrics: dict[str, float] = {
        "tools/passing": float(len(passing)),
        "tools/failing": float(len(entries) - len(passing)),
        "tools/retrieval_share": sum(e["type"] == "R" for e in passing) / max(1, len(passing)),
    }
    for domain, count in Counter(e["domain"] for e in passing).items():
        metrics[f"tools/domain/{domain}"] = float(count)
    for domain, count in Counter(e["domain"] for e in passing if e["type"] == "R").items():
        metrics[f"tools/retrieval/{domain}"] = float(count)
    latencies = sorted(e["latency_p50_s"] for e in passing)
    if latencies:
        metrics["tools/latency_p50_s"] = latencies[len(latencies) // 2]
    return metrics


def read_manifest(artifact: Artifact, passing_only: bool = True) -> list[dict[str, Any]]:
    lines = (artifact.path / "manifest.jsonl").read_text().splitlines()
    entries = [json.loads(line) for line in lines]
    return [e for e in entries if e["passed"] or not passing_only]
