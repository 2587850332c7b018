"""Stage ``validate``: run every tool through the crawl-validate gate and write the pool manifest.

The manifest (``manifest.jsonl``, one tool a line) keeps each tool's schema, R/P type, domain,
provenance, verdict with its reason, and latency. Failing tools never reach synthesis. With
``tools.array=true`` the gate runs as a submitit job array over chunks of tools (local processes, or
Slurm jobs under launcher=slurm), so a slow or crashing tool cannot take the others down.
"""

from __future__ import annotations

import dataclasses
import functools
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
    from dive.graph import Runtime

log = logging.getLogger(__name__)


def config(cfg: DictConfig) -> dict[str, Any]:
    fingerprint, count = _fingerprint(tuple(cfg.tools.domains), tuple(cfg.tools.exclude))
    return {
        "domains": list(cfg.tools.domains),
        "exclude": list(cfg.tools.exclude),
        "online": cfg.tools.online,
        "fingerprint": fingerprint,  # new tools, new code or new data versions -> new manifest
        "tools": count,
    }


def label(config: dict[str, Any]) -> str:
    return f"{len(config['domains'])}dom-{config['tools']}tools"


def compute(
    config: dict[str, Any], inputs: dict[str, Artifact], out: Path, runtime: Runtime
) -> dict[str, float]:
    ids = sorted(_pool(config["domains"], config["exclude"]))
    if runtime.tools_array and len(ids) > 1:
        entries = _run_array(runtime, config["domains"], ids, out)
    else:
        tools = load_tools(tuple(config["domains"]))
        entries = []
        for n, tid in enumerate(ids):
            entries.append(manifest_entry(tools[tid]))
            if (n + 1) % 50 == 0:
                log.info("validated %d/%d tools", n + 1, len(ids))
    with (out / "manifest.jsonl").open("w") as handle:
        for entry in entries:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")
    return manifest_metrics(entries)


def _pool(domains: list[str], exclude: list[str]) -> dict[str, Tool]:
    tools = load_tools(tuple(domains))
    return {tid: t for tid, t in tools.items() if tid not in set(exclude)}


@functools.cache
def _fingerprint(domains: tuple[str, ...], exclude: tuple[str, ...]) -> tuple[str, int]:
    """(digest, tool count) of the pool; the digest changes when any source file of a loaded domain
    (helpers included) or a data package version does."""
    tools = _pool(list(domains), list(exclude))
    digest = hashlib.sha256()
    folders = {Path(t.fn.__code__.co_filename).parent for t in tools.values()}
    for path in sorted(p for folder in folders for p in folder.glob("*.py")):
        digest.update(path.read_bytes())
    for tool in tools.values():
        digest.update(json.dumps([tool.id, tool.provenance()], sort_keys=True).encode())
    return digest.hexdigest()[:16], len(tools)


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


def _run_array(runtime: Runtime, domains: list[str], ids: list[str], out: Path) -> list[dict[str, Any]]:
    import submitit

    from dive.jobs_slurm import map_array_within_limit

    executor = submitit.AutoExecutor(folder=out / "submitit", cluster=runtime.launcher)
    params: dict[str, Any] = {"timeout_min": 30}
    if runtime.launcher == "slurm":
        params.update(slurm_partition=runtime.slurm_partition, cpus_per_task=1)
    executor.update_parameters(**params)
    chunks = [ids[i :: runtime.array_chunks] for i in range(min(runtime.array_chunks, len(ids)))]
    jobs = map_array_within_limit(executor, _check_chunk, [domains] * len(chunks), chunks)
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
