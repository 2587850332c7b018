"""Benchmark submitting a sweep to Slurm as a job graph, against a hand-written loop of bare ``sbatch``.

``python -m dive +sweep=all_paths launcher=slurm`` composes and validates every point (``preflight``),
plans the graph of artifacts (``jobgraph.build``) and submits one Slurm job per artifact plus a final report
job, each with ``--dependency=afterok:`` on its inputs' jobs (``jobs_slurm.submit_slurm``, via submitit).
This times the three phases against a real Slurm and compares the submission with what a user's shell loop
would cost: the same number of ``sbatch --parsable --wrap true`` calls with the same dependency structure.
Goals (from the issue): the whole submission under 10 s, and under 0.5 s per job beyond a bare ``sbatch``.

The cluster is the one ``SLURM_CONF`` names when ``sinfo`` answers, else a local one started in a temp dir
(slurm/start_local_cluster.sh, free ports) and stopped at the end. Its partition is set DOWN while jobs are
submitted, so none starts; every job is cancelled at the end. ``DIVE_ROOT`` is a temp dir and tracking is
off, so nothing is left behind.

Usage::

    python bench/dispatch.py                     # all_paths (24 points), about a minute with cluster start-up
    python bench/dispatch.py --sweep smoke --json dispatch.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from dive import jobgraph, jobs_slurm  # noqa: E402
from dive.dispatch import SweepGraph  # noqa: E402
from dive.local_slurm import cluster_ports  # noqa: E402
from dive.sweep import preflight  # noqa: E402

GOAL_TOTAL_S = 10.0  # preflight + build + submit
GOAL_OVERHEAD_S = 0.5  # per job, beyond a bare sbatch


def slurm(*args: str) -> str:
    """A Slurm command's stdout; raises with its stderr when it fails."""
    res = subprocess.run(list(args), capture_output=True, text=True, timeout=120)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({res.returncode}): {res.stderr.strip()}")
    return res.stdout.strip()


def existing_cluster() -> bool:
    if not os.environ.get("SLURM_CONF"):
        return False
    try:
        return bool(slurm("sinfo", "-h", "-o", "%P"))
    except (RuntimeError, OSError, subprocess.TimeoutExpired):
        return False


def start_cluster(cluster_dir: Path) -> float:
    """Start the local cluster in ``cluster_dir``, export its SLURM_CONF; the seconds it took."""
    t0 = time.perf_counter()
    res = subprocess.run(
        [str(REPO / "slurm" / "start_local_cluster.sh"), str(cluster_dir)],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **cluster_ports()},
    )
    if res.returncode != 0:
        stop_cluster(cluster_dir)
        raise RuntimeError(f"start_local_cluster.sh failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
    os.environ["SLURM_CONF"] = str(cluster_dir / "slurm.conf")
    return time.perf_counter() - t0


def stop_cluster(cluster_dir: Path) -> None:
    stop = REPO / "slurm" / "stop_local_cluster.sh"
    subprocess.run([str(stop), str(cluster_dir)], capture_output=True, text=True, timeout=120)


def cpu() -> float:
    """CPU seconds of this process and its finished children (sbatch): what contention does not inflate."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def bare_sbatch(graph: SweepGraph, partition: str) -> tuple[float, float, list[str]]:
    """The shell loop a user would write: one bare sbatch per node, afterok on its inputs, then the final."""
    ids: dict[str, str] = {}

    def sbatch(after: list[str]) -> str:
        dependency = [f"--dependency=afterok:{':'.join(after)}"] if after else []
        return slurm("sbatch", "--parsable", "-p", partition, *dependency, "--wrap", "true").split(";")[0]

    t0, c0 = time.perf_counter(), cpu()
    for node in graph.nodes:
        ids[node.digest] = sbatch([ids[i] for i in node.inputs if i in ids])
    final = sbatch(list(ids.values()))
    return time.perf_counter() - t0, cpu() - c0, [*ids.values(), final]


def bench(sweep: str, partition: str) -> dict[str, Any]:
    """Time preflight, build and submit_slurm, then the bare-sbatch loop; cancel every job after."""
    submitted: list[str] = []
    try:
        slurm("scancel", slurm("sbatch", "--parsable", "-p", partition, "--wrap", "true"))  # warm-up
        t0, c0 = time.perf_counter(), cpu()
        checked = preflight([f"+sweep={sweep}", "launcher=slurm", "slurm=localhost", "tracking=none"])
        t1, c1 = time.perf_counter(), cpu()
        graph = jobgraph.build(checked.primary, checked.jobs, checked.configs)
        t2, c2 = time.perf_counter(), cpu()
        n_jobs = jobs_slurm.submit_slurm(graph)
        t3, c3 = time.perf_counter(), cpu()
        submitted += [n.job_id for n in graph.nodes if n.job_id] + [graph.final_job_id or ""]
        bare_s, bare_cpu, bare_ids = bare_sbatch(graph, partition)
        submitted += bare_ids
    finally:
        jobs_slurm.scancel([j for j in submitted if j])
    submit_s = t3 - t2
    overhead = submit_s / n_jobs - bare_s / len(bare_ids)
    return {
        "sweep": sweep,
        "points": len(checked.jobs),
        "nodes": len(graph.nodes),
        "jobs": n_jobs,
        "preflight_s": t1 - t0,
        "build_s": t2 - t1,
        "submit_s": submit_s,
        "total_s": t3 - t0,
        "bare_sbatch_jobs": len(bare_ids),
        "bare_sbatch_s": bare_s,
        "cpu_s": dict(preflight=c1 - c0, build=c2 - c1, submit=c3 - c2, total=c3 - c0, bare=bare_cpu),
        "ratio_per_job": (submit_s / n_jobs) / (bare_s / len(bare_ids)),
        "overhead_per_job_s": overhead,
        "goal_total_met": t3 - t0 < GOAL_TOTAL_S,
        "goal_overhead_met": overhead < GOAL_OVERHEAD_S,
    }


def report(r: dict[str, Any]) -> None:
    jobs = r["jobs"]
    print(f"\nsweep {r['sweep']}: {r['points']} points, {r['nodes']} artifacts, {jobs} Slurm jobs")
    print(f"  {'phase':<34}{'seconds':>9}{'per job':>11}{'CPU s':>9}")
    cpu_s = r["cpu_s"]
    rows = [
        ("preflight (compose + validate)", r["preflight_s"], jobs, cpu_s["preflight"]),
        ("build (plan the graph)", r["build_s"], jobs, cpu_s["build"]),
        ("submit_slurm (submitit sbatch)", r["submit_s"], jobs, cpu_s["submit"]),
        ("total", r["total_s"], jobs, cpu_s["total"]),
        ("bare sbatch loop (same deps)", r["bare_sbatch_s"], r["bare_sbatch_jobs"], cpu_s["bare"]),
    ]
    for name, seconds, n, cpu_seconds in rows:
        print(f"  {name:<34}{seconds:>9.2f}{seconds / n * 1000:>8.0f} ms{cpu_seconds:>9.2f}")
    print(f"  ours vs bare sbatch: {r['ratio_per_job']:.2f}x per job")
    print(f"  overhead beyond a bare sbatch: {r['overhead_per_job_s'] * 1000:.0f} ms per job")
    verdict = {True: "met", False: "NOT met"}
    print(f"  goal: total < {GOAL_TOTAL_S:.0f} s: {verdict[r['goal_total_met']]} ({r['total_s']:.2f} s)")
    print(
        f"  goal: overhead < {GOAL_OVERHEAD_S * 1000:.0f} ms per job: {verdict[r['goal_overhead_met']]} "
        f"({r['overhead_per_job_s'] * 1000:.0f} ms)"
    )
    meta = r["meta"]
    print(f"  load average at start: {meta['loadavg']} on {meta['cpus']} cores (busy cores slow both sides)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sweep", default="all_paths", help="conf/sweep/<name>.yaml")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    opts = parser.parse_args()
    loadavg = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="dive-bench-dispatch-") as tmp:
        os.environ["DIVE_ROOT"] = str(Path(tmp) / "root")  # paths.root reads it when composing
        cluster_dir, started_s = Path(tmp) / "slurm", None
        existing = existing_cluster()
        if existing:
            print(f"using the cluster of SLURM_CONF={os.environ['SLURM_CONF']}")
        else:
            print(f"starting a local Slurm in {cluster_dir} ...", flush=True)
            started_s = start_cluster(cluster_dir)
            print(f"  up in {started_s:.1f} s", flush=True)
        try:
            partition = slurm("sinfo", "-h", "-o", "%P").split()[0].rstrip("*")
            slurm("scontrol", "update", f"PartitionName={partition}", "State=DOWN")  # nothing starts
            try:
                result = bench(opts.sweep, partition)
            finally:
                if existing:
                    slurm("scontrol", "update", f"PartitionName={partition}", "State=UP")
        finally:
            if not existing:
                stop_cluster(cluster_dir)
    result["meta"] = {
        "cluster": "existing" if existing else "local, started for the bench",
        "cluster_start_s": started_s,
        "loadavg": [round(x, 2) for x in loadavg],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "machine": platform.platform(),
    }
    report(result)
    if opts.json is not None:
        opts.json.parent.mkdir(parents=True, exist_ok=True)
        opts.json.write_text(json.dumps(result, indent=1) + "\n")
        print(f"wrote {opts.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
