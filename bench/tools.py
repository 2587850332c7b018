"""Benchmark the tool pool: latency of pooled calls, and the pool's overhead over calling the raw function.

For every tool that passes the validate gate, its first example is called after one warm-up call (which
loads the tool's data), in two ways, interleaved in the same run:

- pooled: ``tool(arguments)``, as agents and the synthesizer call it (schema check, error wrapping, JSON
  conversion of the output);
- direct: ``tool.fn(**arguments)``, the raw library function.

Fast calls are timed in batches (so one sample lasts at least ``--min-sample-ms``) and reported per call.
The issue's goal is an overhead of the pool of at most 5% (median over tools of pooled / direct).

Usage::

    python bench/tools.py                                  # every domain, 5 repeats
    python bench/tools.py --domains general finance --repeats 9 --tools 100 --json bench.json
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from dive.tools.base import DOMAINS, Tool, check_arguments, to_jsonable  # noqa: E402
from dive.tools.gate import check_tool  # noqa: E402
from dive.tools.registry import load_tools  # noqa: E402

GOAL_OVERHEAD = 0.05  # pooled calls at most 5% slower than direct ones (median over tools)
MAX_BATCH = 2_000  # calls per sample, at most


def _percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile ``q`` in [0, 100] (numpy's default method)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _time_batch(call: Callable[[], Any], n: int) -> float:
    """Seconds per call of ``call``, averaged over ``n`` calls in a row."""
    start = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - start) / n


def bench_tool(tool: Tool, repeats: int, min_sample_s: float) -> dict[str, Any]:
    """Warm up, then ``repeats`` samples each of pooled and direct calls of the tool's first example."""
    args = dict(tool.examples[0])
    warm = tool(args)  # loads the data (lazy caches, parsed files) outside the timed calls
    if not warm.ok:
        return {"id": tool.id, "domain": tool.domain, "error": f"warm-up failed: {warm.error}"}

    def pooled() -> Any:
        return tool(args)

    def direct() -> Any:
        return tool.fn(**args)

    try:
        first = _time_batch(direct, 1)
    except Exception as exc:  # the pool would turn this into an error result; nothing to compare with
        return {"id": tool.id, "domain": tool.domain, "error": f"direct call raised {type(exc).__name__}"}
    batch = max(1, min(MAX_BATCH, int(min_sample_s / max(first, 1e-7))))
    output = tool.fn(**args)
    pooled_s: list[float] = []
    direct_s: list[float] = []
    check_s: list[float] = []  # where the overhead goes: the schema check ...
    jsonable_s: list[float] = []  # ... and the JSON conversion of the output
    # No gc.collect() here: with every tool's data loaded a full collection takes ~1 s, per tool.
    gc_was_enabled = gc.isenabled()
    gc.disable()  # as timeit does: a collection landing in one sample would dwarf a microsecond call
    try:
        for i in range(repeats):
            # Alternate which way goes first, so drift (a busy neighbour, CPU clocks) hits both alike.
            if i % 2 == 0:
                pooled_s.append(_time_batch(pooled, batch))
                direct_s.append(_time_batch(direct, batch))
            else:
                direct_s.append(_time_batch(direct, batch))
                pooled_s.append(_time_batch(pooled, batch))
            check_s.append(_time_batch(lambda: check_arguments(tool.parameters, args), batch))
            jsonable_s.append(_time_batch(lambda: to_jsonable(output), batch))
    finally:
        if gc_was_enabled:
            gc.enable()
    pooled_median = statistics.median(pooled_s)
    direct_median = statistics.median(direct_s)
    return {
        "id": tool.id,
        "domain": tool.domain,
        "type": tool.type,
        "batch": batch,
        "pooled_s": pooled_s,
        "direct_s": direct_s,
        "pooled_median_s": pooled_median,
        "direct_median_s": direct_median,
        "ratio": pooled_median / direct_median if direct_median > 0 else float("nan"),
        "overhead_us": (pooled_median - direct_median) * 1e6,
        "check_us": statistics.median(check_s) * 1e6,
        "jsonable_us": statistics.median(jsonable_s) * 1e6,
    }


def summarise(rows: list[dict[str, Any]], domains: list[str]) -> dict[str, Any]:
    """Per-domain latency percentiles of pooled calls (over tools' medians) and the overall overhead."""
    timed = [r for r in rows if "error" not in r]
    per_domain = {}
    for domain in domains:
        lat = [r["pooled_median_s"] for r in timed if r["domain"] == domain]
        per_domain[domain] = {
            "tools": len(lat),
            "p50_ms": _percentile(lat, 50) * 1e3 if lat else None,
            "p95_ms": _percentile(lat, 95) * 1e3 if lat else None,
        }
    ratios = [r["ratio"] for r in timed if r["ratio"] == r["ratio"]]
    overhead_us = [r["overhead_us"] for r in timed]
    total_pooled = sum(r["pooled_median_s"] for r in timed)
    total_direct = sum(r["direct_median_s"] for r in timed)
    ratio = statistics.median(ratios) if ratios else float("nan")
    slowest = sorted(timed, key=lambda r: r["pooled_median_s"], reverse=True)[:10]
    return {
        "per_domain": per_domain,
        "all": {
            "tools": len(timed),
            "p50_ms": _percentile([r["pooled_median_s"] for r in timed], 50) * 1e3 if timed else None,
            "p95_ms": _percentile([r["pooled_median_s"] for r in timed], 95) * 1e3 if timed else None,
        },
        "overhead_ratio_median": ratio,
        "overhead_ratio_p95": _percentile(ratios, 95),
        "overhead_us_median": statistics.median(overhead_us) if overhead_us else float("nan"),
        "overhead_us_p95": _percentile(overhead_us, 95),
        "check_us_median": statistics.median(r["check_us"] for r in timed) if timed else float("nan"),
        "jsonable_us_median": statistics.median(r["jsonable_us"] for r in timed) if timed else float("nan"),
        "overhead_ratio_total_time": total_pooled / total_direct if total_direct > 0 else float("nan"),
        "goal_overhead": GOAL_OVERHEAD,
        "goal_met": bool(ratio <= 1 + GOAL_OVERHEAD),
        "slowest": [{"id": r["id"], "p50_ms": r["pooled_median_s"] * 1e3} for r in slowest],
    }


def print_report(summary: dict[str, Any], meta: dict[str, Any]) -> None:
    print(
        f"\n{meta['timed']} tools timed ({meta['gate_failed']} failed the gate, {meta['errors']} errors), "
        f"{meta['repeats']} repeats, {meta['elapsed_s']:.0f} s"
    )
    print(f"\n{'domain':<10} {'tools':>6} {'p50 ms':>9} {'p95 ms':>9}   (pooled calls; over tools' medians)")
    rows = list(summary["per_domain"].items()) + [("ALL", summary["all"])]
    for domain, d in rows:
        if d["tools"]:
            print(f"{domain:<10} {d['tools']:>6} {d['p50_ms']:>9.3f} {d['p95_ms']:>9.3f}")
        else:
            print(f"{domain:<10} {0:>6} {'-':>9} {'-':>9}")
    ratio = summary["overhead_ratio_median"]
    print(
        f"\npooled vs direct: median ratio {ratio:.4f} ({(ratio - 1) * 100:+.2f}%), "
        f"p95 ratio {summary['overhead_ratio_p95']:.4f}"
    )
    print(
        f"                  median overhead {summary['overhead_us_median']:.1f} us per call, "
        f"p95 {summary['overhead_us_p95']:.1f} us; "
        f"total-time ratio {summary['overhead_ratio_total_time']:.4f}"
    )
    print(
        f"                  of which (medians over tools): schema check {summary['check_us_median']:.1f} us, "
        f"JSON conversion {summary['jsonable_us_median']:.1f} us"
    )
    verdict = "MET" if summary["goal_met"] else "NOT MET"
    print(f"goal: overhead <= {summary['goal_overhead'] * 100:.0f}% (median ratio): {verdict}")
    print("\n10 slowest tools (pooled p50):")
    for r in summary["slowest"]:
        print(f"  {r['p50_ms']:>10.3f} ms  {r['id']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domains", nargs="+", default=list(DOMAINS), choices=list(DOMAINS))
    parser.add_argument("--repeats", type=int, default=5, help="timed samples per tool and way (default 5)")
    parser.add_argument("--tools", type=int, default=None, help="time a random sample of N tools")
    parser.add_argument("--seed", type=int, default=0, help="seed of the --tools sample")
    parser.add_argument("--min-sample-ms", type=float, default=2.0, help="batch fast calls to last this long")
    parser.add_argument("--no-gate", action="store_true", help="skip check_tool; time every available tool")
    parser.add_argument("--json", type=Path, default=None, help="write per-tool results and the summary here")
    opts = parser.parse_args(argv)
    if opts.repeats < 1 or (opts.tools is not None and opts.tools < 1):
        parser.error("--repeats and --tools must be >= 1")

    start = time.perf_counter()
    tools = load_tools(opts.domains)
    ids = sorted(tools)
    if opts.tools is not None and opts.tools < len(ids):
        ids = sorted(random.Random(opts.seed).sample(ids, opts.tools))
    rows: list[dict[str, Any]] = []
    gate_failed: dict[str, str] = {}
    for n, tid in enumerate(ids, 1):
        tool = tools[tid]
        tool_start = time.perf_counter()
        reason = tool.available() if opts.no_gate else None
        if reason is None and not opts.no_gate:
            verdict = check_tool(tool)
            reason = None if verdict.passed else verdict.reason
        if reason is None and not tool.examples:
            reason = "no example arguments"
        if reason is not None:
            gate_failed[tid] = reason
            continue
        gate_s = time.perf_counter() - tool_start
        row = bench_tool(tool, opts.repeats, opts.min_sample_ms / 1e3)
        rows.append({**row, "gate_s": gate_s, "bench_s": time.perf_counter() - tool_start - gate_s})
        if n % 50 == 0:
            print(f"  {n}/{len(ids)} tools, {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)

    summary = summarise(rows, opts.domains)
    errors = [r for r in rows if "error" in r]
    meta = {
        "domains": opts.domains,
        "repeats": opts.repeats,
        "sampled": opts.tools,
        "seed": opts.seed,
        "min_sample_ms": opts.min_sample_ms,
        "gate": not opts.no_gate,
        "candidates": len(ids),
        "timed": len(rows) - len(errors),
        "gate_failed": len(gate_failed),
        "errors": len(errors),
        "elapsed_s": time.perf_counter() - start,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    print_report(summary, meta)
    for r in errors:
        print(f"  error: {r['id']}: {r['error']}")
    if opts.json is not None:
        opts.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {"meta": meta, "summary": summary, "gate_failed": gate_failed, "tools": rows}
        opts.json.write_text(json.dumps(payload, indent=1, allow_nan=True) + "\n")
        print(f"\nwrote {opts.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
