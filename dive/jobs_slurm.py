"""A sweep's job graph on Slurm: one job per artifact with its stage's resources, chained with afterok.

:func:`submit_slurm` submits every node that is not DONE through submitit's SlurmExecutor (a
checkpointable :class:`dive.node_job.NodeJob`, requeued on time-out or preemption) with
``--dependency=afterok:`` on the jobs of its inputs, then the final job after all of them. Job states come
from ``squeue`` (live jobs, with the reason a job waits) and ``sacct`` (finished ones); :func:`retry`
resubmits what failed or was lost and everything it feeds, keeping live jobs and finished artifacts.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from typing import Any

from dive.dispatch import FINAL, JOBS, GraphNode, SweepGraph, done

ALIVE = ("PENDING", "RUNNING", "REQUEUED", "CONFIGURING", "COMPLETING", "SUSPENDED", "RESIZING")


def submit_slurm(graph: SweepGraph, keep: dict[str, str] | None = None) -> int:
    """Submit every node that is neither DONE nor kept (digest -> live job id), then the final job.

    Returns how many jobs were submitted. Job ids are written into ``graph`` (save it after).
    """
    keep = keep or {}
    job_of: dict[str, str] = dict(keep)
    submitted = 0
    for node in graph.nodes:
        if done(node) or node.digest in keep:
            node.job_id = keep.get(node.digest, node.job_id)
            continue
        after = [job_of[i] for i in node.inputs if i in job_of]
        node.job_id = job_of[node.digest] = _sbatch(graph, f"dive-{node.stage}", node.resources, after, node)
        submitted += 1
    graph.final_job_id = _sbatch(graph, "dive-report", graph.final_resources, list(job_of.values()), None)
    return submitted + 1


def _sbatch(
    graph: SweepGraph, name: str, asked: dict[str, Any], after: list[str], node: GraphNode | None
) -> str:
    import submitit

    from dive.node_job import NodeJob, finish_sweep

    executor = submitit.SlurmExecutor(folder=graph.sweep_dir / JOBS / "%j", max_num_timeout=3)
    params: dict[str, Any] = {
        "job_name": name,
        "time": int(asked["timeout_min"]),
        "cpus_per_task": int(asked["cpus_per_task"]),
        "signal_delay_s": 120,  # the stage checkpoints on the signal, then submitit requeues it
        "dependency": f"afterok:{':'.join(after)}" if after else None,
    }
    optional = {
        "partition": asked.get("partition"),
        "account": asked.get("account"),
        "gpus_per_node": asked.get("gpus_per_node") or None,
        "mem": f"{asked['mem_gb']}GB" if asked.get("mem_gb") else None,
    }
    params.update({k: v for k, v in optional.items() if v is not None})
    executor.update_parameters(**params)
    if node is None:
        job = executor.submit(finish_sweep, str(graph.sweep_dir))
    else:
        job = executor.submit(NodeJob(), str(graph.sweep_dir), node.digest)
    return str(job.job_id)


def max_array_size() -> int | None:
    """The cluster's MaxArraySize (an array's tasks are indices 0..MaxArraySize-1), None if unknown."""
    for line in _run(["scontrol", "show", "config"]).splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "MaxArraySize" and value.strip().isdigit():
            return int(value.strip())
    return None


def map_array_within_limit(executor: Any, fn: Callable[..., Any], *columns: Sequence[Any]) -> list[Any]:
    """``executor.map_array(fn, *columns)`` as arrays of at most the cluster's MaxArraySize tasks each.

    Slurm refuses a larger array outright, and a synthesis with ``synth.shards`` above the limit is a
    plain request at paper scale, so the tasks go out as consecutive arrays; the jobs come back in the
    order of ``columns``. Off Slurm, or where the limit cannot be read, it is one array.
    """
    count = len(columns[0])
    limit = max_array_size() if getattr(executor, "cluster", "") == "slurm" else None
    step = min(limit or count, count) or 1
    jobs: list[Any] = []
    for start in range(0, count, step):
        jobs += executor.map_array(fn, *(column[start : start + step] for column in columns))
    return jobs


def slurm_states(job_ids: list[str]) -> dict[str, tuple[str, str]]:
    """job id -> (state, reason) from squeue (live jobs) and sacct (finished ones)."""
    ids = [j for j in job_ids if j]
    if not ids:
        return {}
    found: dict[str, tuple[str, str]] = {}
    queue = _run(["squeue", "-h", "-j", ",".join(ids), "-o", "%i|%T|%r"])
    for line in queue.splitlines():
        job, state, reason = (line.split("|") + ["", ""])[:3]
        found[job.strip()] = (state.strip(), reason.strip())
    accounted = _run(["sacct", "-X", "-n", "-P", "-j", ",".join(ids), "-o", "JobIDRaw,State"])
    for line in accounted.splitlines():
        job, _, state = line.partition("|")
        if job.strip() not in found:
            found[job.strip()] = (state.split()[0] if state.split() else "UNKNOWN", "")
    return found


def _run(command: list[str]) -> str:
    """A Slurm query's output ("" when it fails: squeue names no finished job, which is not an error)."""
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""


def scancel(job_ids: list[str]) -> None:
    if job_ids:
        subprocess.run(["scancel", *job_ids], capture_output=True, text=True, timeout=60)


def job_state(found: tuple[str, str] | None) -> str:
    if found is None:
        return "failed"  # submitted but known to neither squeue nor sacct: lost
    state, reason = found
    if state in ("RUNNING", "COMPLETING", "CONFIGURING"):
        return "running"
    if state in ALIVE:
        # waiting on a failed job's output: it can never start, so it counts with what failed
        return "failed" if "DependencyNeverSatisfied" in reason else "queued"
    return "failed"  # COMPLETED without DONE, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, ...


def to_retry(graph: SweepGraph, states: dict[str, tuple[str, str]]) -> tuple[set[str], dict[str, str]]:
    """(nodes to submit again: failed or lost and all they feed, not DONE; live jobs to keep)."""
    failed = {d for d, (s, _) in states.items() if s in ("failed", "pending") and d != FINAL}
    again = {d for d in graph.downstream(failed) if states[d][0] != "done"}
    keep = {
        n.digest: str(n.job_id)
        for n in graph.nodes
        if n.digest not in again and states[n.digest][0] in ("running", "queued")
    }
    return again, keep


def retry(graph: SweepGraph) -> int:
    """Resubmit what failed or was lost (Slurm); cancels stuck dependents first. Returns jobs submitted."""
    from dive.jobgraph import node_states

    states = node_states(graph)
    again, keep = to_retry(graph, states)
    stuck = [graph.node(d).job_id for d in again if states[d][0] in ("queued", "failed")]
    if states[FINAL][0] != "done":
        stuck.append(graph.final_job_id)
    scancel([j for j in stuck if j])
    return submit_slurm(graph, keep)
