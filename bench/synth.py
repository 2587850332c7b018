"""Benchmark synthesis throughput, LLM request concurrency, and the diversity metrics at dataset scale.

Three measurements, one run:

(a) scripted synthesizer: tasks/min of ``dive.synth.scripted.synthesize`` over the real pool of a domain
    (tools that import here), first cold (tool data loads on first call), then warm (the same tasks);
(b) requests in flight: ``LLMClient`` with concurrency C against the fake OpenAI-compatible server over a
    real socket, every request answered after a fixed latency, N requests issued at once. Achieved mean in
    flight / C (goal >= 0.9), and the same workload through the ``openai`` package's ``AsyncOpenAI`` under
    an ``asyncio.Semaphore(C)`` when it is installed (the library a user would otherwise pick);
(c) ``diversity_metrics`` on 6k and 48k traces (the paper's quantity axis), resampled with replacement
    from scripted tasks' call traces.

Usage::

    python bench/synth.py                 # full sizes (a few minutes on 2 cores)
    python bench/synth.py --quick         # everything shrunk: a smoke run in seconds
    python bench/synth.py --json synth.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from dive.llm import fake  # noqa: E402
from dive.llm.client import ClientStats, Endpoint, LLMClient  # noqa: E402
from dive.pools.exemplars import load_exemplars  # noqa: E402
from dive.pools.seeds import load_seeds  # noqa: E402
from dive.records import Task  # noqa: E402
from dive.synth.diversity import Trace, diversity_metrics  # noqa: E402
from dive.synth.sampling import SynthSettings  # noqa: E402
from dive.synth.scripted import synthesize  # noqa: E402
from dive.tools.base import Tool  # noqa: E402
from dive.tools.registry import load_tools  # noqa: E402

GOAL_IN_FLIGHT = 0.9  # achieved mean requests in flight / concurrency
MESSAGES = [{"role": "user", "content": "What is the capital of Kenya?"}]
FULL = {"tasks": 200, "trace_tasks": 1000, "sizes": [6000, 48000], "requests": 400}
QUICK = {"tasks": 20, "trace_tasks": 60, "sizes": [600, 2400], "requests": 64}


def settings(quantity: int, seed: int, toolset: tuple[int, int]) -> SynthSettings:
    """The laptop defaults of dive/config.py's SynthConfig, a fresh toolset per task."""
    return SynthSettings(
        quantity=quantity,
        variety=None,
        toolset_min=toolset[0],
        toolset_max=toolset[1],
        exemplars_min=3,
        exemplars_max=5,
        rounds=2,
        calls_per_round=2,
        seed=seed,
        split="train",
    )


def synth_rate(tools: dict[str, Tool], domains: list[str], s: SynthSettings) -> tuple[list[Task], float]:
    """The records of one synthesis run and its seconds."""
    seeds = load_seeds(domains, split="train")
    exemplars = load_exemplars()
    start = time.perf_counter()
    records = list(synthesize(tools, seeds, exemplars, s))
    return records, time.perf_counter() - start


def bench_synth(tools: dict[str, Tool], opts: argparse.Namespace, sizes: dict[str, Any]) -> dict[str, Any]:
    toolset = (opts.toolset_min, opts.toolset_max)
    found: dict[str, Any] = {}
    for phase in ("cold", "warm"):  # the same tasks twice: the second run finds every tool's data loaded
        records, seconds = synth_rate(tools, opts.domains, settings(sizes["tasks"], 0, toolset))
        kept = sum(r.rejected is None for r in records)
        found[phase] = {
            "tasks": len(records),
            "kept": kept,
            "seconds": seconds,
            "tasks_per_min": 60 * len(records) / seconds,
            "calls": sum(len(r.calls) for r in records),
        }
    return found


async def _timed(semaphore: asyncio.Semaphore, call: Any) -> float:
    """Seconds one request spent in flight (timed inside the semaphore, not waiting for it)."""
    async with semaphore:
        start = time.perf_counter()
        await call()
        return time.perf_counter() - start


async def _llm_client(base_url: str, n: int, concurrency: int) -> dict[str, Any]:
    endpoint = Endpoint(base_url, "fake", concurrency=concurrency, max_retries=0)
    async with LLMClient(endpoint) as client:
        await client.chat(MESSAGES)  # open a connection outside the timed part, as for openai below
        client.stats = ClientStats()
        start = time.perf_counter()
        await asyncio.gather(*(client.chat(MESSAGES) for _ in range(n)))
        wall = time.perf_counter() - start
    return {"wall_s": wall, "mean_in_flight": client.stats.mean_in_flight()}


async def _openai_client(base_url: str, n: int, concurrency: int) -> dict[str, Any]:
    from openai import AsyncOpenAI

    async with AsyncOpenAI(base_url=base_url, api_key="unused", max_retries=0) as client:

        async def call() -> Any:
            return await client.chat.completions.create(model="fake", messages=MESSAGES)  # type: ignore[arg-type]

        await call()
        semaphore = asyncio.Semaphore(concurrency)
        start = time.perf_counter()
        busy = await asyncio.gather(*(_timed(semaphore, call) for _ in range(n)))
        wall = time.perf_counter() - start
    return {"wall_s": wall, "mean_in_flight": sum(busy) / wall}


def bench_concurrency(n: int, concurrency: int, latency_s: float) -> dict[str, Any]:
    ideal = n / concurrency * latency_s
    found: dict[str, Any] = {
        "requests": n,
        "concurrency": concurrency,
        "latency_s": latency_s,
        "ideal_s": ideal,
    }
    llm = fake.FakeLLM(latency_s=latency_s)
    with fake.FakeServer(llm) as server:
        ours = asyncio.run(_llm_client(server.base_url, n, concurrency))
        ours["server_max_in_flight"] = llm.max_in_flight
        found["dive"] = ours
        try:
            import openai  # noqa: F401
        except ImportError:
            found["openai"] = None
        else:
            llm.max_in_flight = 0
            theirs = asyncio.run(_openai_client(server.base_url, n, concurrency))
            theirs["server_max_in_flight"] = llm.max_in_flight
            found["openai"] = theirs
    return found


def bench_diversity(
    tools: dict[str, Tool], opts: argparse.Namespace, sizes: dict[str, Any]
) -> dict[str, Any]:
    s = settings(sizes["trace_tasks"], 2, (opts.toolset_min, opts.toolset_max))
    records, synth_s = synth_rate(tools, opts.domains, s)
    base = [Trace(r.toolset, r.calls) for r in records if r.rejected is None]
    types = {tid: t.type for tid, t in tools.items()}
    rng = random.Random(0)
    found: dict[str, Any] = {"source_traces": len(base), "source_synth_s": synth_s, "runs": []}
    for size in sizes["sizes"]:
        traces = rng.choices(base, k=size)
        start = time.perf_counter()
        metrics = diversity_metrics(traces, types)
        seconds = time.perf_counter() - start
        found["runs"].append(
            {"traces": size, "seconds": seconds, "traces_per_s": size / seconds, "metrics": metrics}
        )
    return found


def print_report(result: dict[str, Any]) -> None:
    meta = result["meta"]
    print(
        f"\n(a) scripted synthesizer, domains {meta['domains']}, {meta['tools']} tools, "
        f"toolsets {meta['toolset']}; cold: tool data loads on first call, warm: the same tasks again"
    )
    for phase, r in result["synth"].items():
        print(
            f"    {phase:<5} {r['tasks']:>5} tasks ({r['kept']} kept, {r['calls']} tool calls) in "
            f"{r['seconds']:6.2f} s: {r['tasks_per_min']:8.0f} tasks/min"
        )
    c = result["concurrency"]
    print(
        f"\n(b) {c['requests']} requests at once, concurrency {c['concurrency']}, "
        f"{c['latency_s'] * 1e3:.0f} ms each (fake server, real socket); ideal wall {c['ideal_s']:.2f} s"
    )
    rows = [("dive LLMClient", c["dive"])] + ([("openai AsyncOpenAI", c["openai"])] if c["openai"] else [])
    for name, r in rows:
        ratio = r["mean_in_flight"] / c["concurrency"]
        print(
            f"    {name:<19} wall {r['wall_s']:6.2f} s, mean in flight {r['mean_in_flight']:5.2f} "
            f"= {ratio:.2f} of C (server saw at most {r['server_max_in_flight']})"
        )
    ours = c["dive"]["mean_in_flight"] / c["concurrency"]
    verdict = "MET" if ours >= GOAL_IN_FLIGHT else "NOT MET"
    print(f"    goal: mean in flight >= {GOAL_IN_FLIGHT:.0%} of C: {verdict}")
    if c["openai"]:
        print(f"    wall time openai / dive: {c['openai']['wall_s'] / c['dive']['wall_s']:.2f}")
    else:
        print("    (openai not installed: no comparison)")
    d = result["diversity"]
    print(f"\n(c) diversity_metrics, resampled from {d['source_traces']} scripted tasks' traces")
    for r in d["runs"]:
        print(f"    {r['traces']:>6} traces: {r['seconds']:7.2f} s, {r['traces_per_s']:8.0f} traces/s")
    print(f"\n{meta['elapsed_s']:.0f} s in all (python {meta['python']}, {meta['machine']})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shrink everything for a smoke run")
    parser.add_argument("--domains", nargs="+", default=["general"])
    parser.add_argument("--toolset-min", type=int, default=3)
    parser.add_argument("--toolset-max", type=int, default=6)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency-ms", type=float, default=50.0, help="the fake server's time per request")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    opts = parser.parse_args(argv)
    sizes = QUICK if opts.quick else FULL

    start = time.perf_counter()
    tools = {tid: t for tid, t in load_tools(opts.domains).items() if t.available() is None}
    result: dict[str, Any] = {"synth": bench_synth(tools, opts, sizes)}
    result["concurrency"] = bench_concurrency(sizes["requests"], opts.concurrency, opts.latency_ms / 1e3)
    result["diversity"] = bench_diversity(tools, opts, sizes)
    result["meta"] = {
        "quick": opts.quick,
        "domains": opts.domains,
        "tools": len(tools),
        "toolset": f"{opts.toolset_min}-{opts.toolset_max}",
        "elapsed_s": time.perf_counter() - start,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    print_report(result)
    if opts.json is not None:
        opts.json.parent.mkdir(parents=True, exist_ok=True)
        opts.json.write_text(json.dumps(result, indent=1) + "\n")
        print(f"wrote {opts.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
