"""Run a sweep as a job graph: one job per artifact, each with its stage's resources, inputs first.

``python -m dive +sweep=<name>`` plans the graph (dive/dispatch.py), saves it as ``graph.json`` in a new
sweep directory, opens the sweep's MLflow run and submits:

* ``launcher=slurm``: every node not yet DONE as its own Slurm job (submitit), with the resources of its
  stage in the cluster profile (``slurm.resources``) and ``--dependency=afterok:`` on the jobs of its
  inputs, then one final job (the points' runs and the report) after all of them. Submission returns at
  once; the command then follows the jobs until the report is written, or returns right away with
  ``launcher.detach=true`` (``--detach``).
* ``launcher=local``: the same graph as local processes (submitit's LocalExecutor), ``launcher.parallel``
  at a time, each started when its inputs are DONE. Detached, a background driver process does this.
* ``launcher=debug``: the same graph in this process, one node after another (for pdb and tests).

A node whose job fails stops only what reads it; ``stage=retry`` resubmits the failed or lost nodes and
everything downstream of them into the same sweep directory, keeping finished artifacts and continuing
their MLflow runs. ``stage=status`` reads the same states (:func:`node_states`).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from dive.dispatch import FINAL, GraphNode, SweepGraph, plan, resources

log = logging.getLogger(__name__)
JOBS = ".submitit"  # under the sweep dir: one folder per job (its pickles and logs)
ALIVE = ("PENDING", "RUNNING", "REQUEUED", "CONFIGURING", "COMPLETING", "SUSPENDED", "RESIZING")
POLL_S = 3.0  # Slurm: seconds between squeue/sacct looks
LOCAL_POLL_S = 0.5  # local jobs: seconds between looks at their processes


# ---------------------------------------------------------------------------------------- planning


def build(cfg: DictConfig, jobs: list[list[str]], composed: list[DictConfig]) -> SweepGraph:
    """Plan every point of the sweep (``composed``: their validated configs, dive/sweep.py); create the
    sweep's directory. Nothing is submitted."""
    from omegaconf import OmegaConf

    root = str(Path(cfg.paths.root).resolve())
    configs = []
    for n, (overrides, point_cfg) in enumerate(zip(jobs, composed, strict=True)):
        OmegaConf.update(point_cfg, "paths.root", root)  # what every job composes with
        configs.append((str(point_cfg.point or n), point_cfg, overrides))
    sweep_dir = _new_sweep_dir(Path(configs[0][1].paths.sweeps), cfg.sweep.name)

    return SweepGraph(
        sweep=str(cfg.sweep.name or "adhoc"),
        sweep_dir=sweep_dir,
        launcher=str(cfg.launcher.name),
        root=root,
        points=[(point, list(overrides)) for point, _, overrides in configs],
        nodes=plan(configs),
        final_resources=resources(configs[0][1], "report"),
    )


def _new_sweep_dir(sweeps: Path, name: str | None) -> Path:
    base = sweeps / str(name or "adhoc") / time.strftime("%Y-%m-%d_%H-%M-%S")
    path, n = base, 1
    while path.exists():  # two sweeps started in the same second
        path, n = base.with_name(f"{base.name}-{n}"), n + 1
    path.mkdir(parents=True)
    return path.resolve()


def done(node: GraphNode) -> bool:
    return (Path(node.path) / "DONE").exists()


# ---------------------------------------------------------------------------------------- Slurm


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


def check_array_sizes(points: list[tuple[str, DictConfig]], limit: int | None) -> None:
    """The submitit arrays a stage job submits (synthesis shards, validation chunks) must fit the
    cluster's MaxArraySize; say which key to lower before anything is submitted."""
    from dive.config import ConfigError

    if limit is None:
        return
    problems = []
    for point, cfg in points:
        asked = {"synth.shards": cfg.synth.shards}
        if cfg.tools.array:
            asked["tools.array_chunks"] = cfg.tools.array_chunks
        problems += [
            f"[point {point}] {key} = {value} is more array tasks than this cluster's MaxArraySize ({limit})"
            f"; valid: 1..{limit}"
            for key, value in asked.items()
            if value > limit
        ]
    if problems:
        raise ConfigError(sorted(set(problems)))


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


# ---------------------------------------------------------------------------------------- local


def drive_local(
    graph: SweepGraph, in_process: bool, parallel: int, echo: Callable[[str], None] = print
) -> bool:
    """Run the graph's nodes here, each once its inputs are DONE; then the final job. True if all ran.

    ``in_process`` (launcher=debug) calls them one after another in this process; otherwise each is a
    local submitit job, ``parallel`` at a time. A failed node's dependents are never started.
    """
    from dive.node_job import finish_sweep

    pending = [n for n in graph.nodes if not done(n)]
    running: dict[str, Any] = {}
    failed: set[str] = set()
    shown = ""

    def show(starting: list[str]) -> None:  # a progress line whenever what runs or is done changes
        nonlocal shown
        line = progress_line(graph, node_states(graph), running=[*running, *starting])
        if line.split(" ", 1)[1] != shown:
            echo(line)
            shown = line.split(" ", 1)[1]

    while pending or running:
        for digest, job in list(running.items()):
            if job.done():
                del running[digest]
                if _failed(job):
                    failed.add(digest)
                _record(graph, digest, "failed" if digest in failed else "done")
        pending = [n for n in pending if n.digest not in graph.downstream(failed)]  # never started
        ready = [n for n in pending if all(done(graph.node(i)) for i in n.inputs)]
        for node in ready[: max(0, parallel - len(running))]:
            pending.remove(node)
            show([node.digest])
            running[node.digest] = _start_local(graph, node, in_process)
        if not running and pending and not ready:
            failed.update(n.digest for n in pending)  # inputs neither done nor coming: lost
            break
        if running:
            show([])
            time.sleep(LOCAL_POLL_S)
    if failed or any(not done(n) for n in graph.nodes):
        return False
    if in_process:
        finish_sweep(str(graph.sweep_dir))
        return True
    job = _local_executor(graph, graph.final_resources).submit(finish_sweep, str(graph.sweep_dir))
    graph.final_job_id = str(job.job_id)
    graph.save()
    job.wait()
    return not _failed(job)


class _Finished:
    """A node run in this process, with the two methods drive_local reads of a submitit job."""

    def __init__(self, error: BaseException | None):
        self.error = error

    def done(self) -> bool:
        return True

    def exception(self) -> BaseException | None:
        return self.error


def _start_local(graph: SweepGraph, node: GraphNode, in_process: bool) -> Any:
    from dive.node_job import NodeJob, run_node

    if in_process:
        _record(graph, node.digest, "running", "in-process")
        try:
            run_node(str(graph.sweep_dir), node.digest)
        except Exception as error:  # a failed node stops its dependents only; the others run
            log.exception("%s failed", node.node)
            return _Finished(error)
        return _Finished(None)
    job = _local_executor(graph, node.resources).submit(NodeJob(), str(graph.sweep_dir), node.digest)
    _record(graph, node.digest, "running", str(job.job_id))
    return job


def _local_executor(graph: SweepGraph, asked: dict[str, Any]) -> Any:
    import submitit

    executor = submitit.LocalExecutor(folder=graph.sweep_dir / JOBS / "%j")
    executor.update_parameters(timeout_min=int(asked["timeout_min"]))
    return executor


def _failed(job: Any) -> bool:
    try:
        return job.exception() is not None
    except Exception:  # killed without a result: submitit cannot even read an outcome
        return True


def _record(graph: SweepGraph, digest: str, state: str, job_id: str | None = None) -> None:
    """A local job's state, in graph.json for stage=status (the only writer is this driver)."""
    node = graph.node(digest)
    node.job_id = job_id or node.job_id
    node.state = state
    graph.save()


# ---------------------------------------------------------------------------------------- states


def node_states(graph: SweepGraph) -> dict[str, tuple[str, str]]:
    """digest (and FINAL) -> (state, log) with state one of done, running, queued, failed, pending.

    From the artifacts first (DONE wins over anything a scheduler says), then the scheduler: Slurm's
    squeue/sacct, or what the local driver recorded.
    """
    from dive.artifacts import held_by_another
    from dive.node_job import FINISHED

    slurm: dict[str, tuple[str, str]] = {}
    if graph.launcher == "slurm":
        slurm = slurm_states([n.job_id or "" for n in graph.nodes] + [graph.final_job_id or ""])
    states: dict[str, tuple[str, str]] = {}
    for node in graph.nodes:
        logs = _log(graph, node.job_id)
        if done(node):
            states[node.digest] = ("done", "")
        elif graph.launcher == "slurm":
            states[node.digest] = (_slurm_state(slurm.get(node.job_id or "")), logs)
        elif held_by_another(Path(node.path)):
            states[node.digest] = ("running", logs)
        else:
            # the driver started it, but no live process holds it: it failed or was killed
            states[node.digest] = ("failed" if node.state in ("running", "failed") else "pending", logs)
    if (graph.sweep_dir / FINISHED).exists():
        states[FINAL] = ("done", "")
    elif graph.launcher == "slurm":
        states[FINAL] = (_slurm_state(slurm.get(graph.final_job_id or "")), _log(graph, graph.final_job_id))
    else:
        states[FINAL] = ("pending", "")
    return states


def _slurm_state(found: tuple[str, str] | None) -> str:
    if found is None:
        return "failed"  # submitted but known to neither squeue nor sacct: lost
    state, reason = found
    if state in ("RUNNING", "COMPLETING", "CONFIGURING"):
        return "running"
    if state in ALIVE:
        # waiting on a failed job's output: it can never start, so it counts with what failed
        return "failed" if "DependencyNeverSatisfied" in reason else "queued"
    return "failed"  # COMPLETED without DONE, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, ...


def _log(graph: SweepGraph, job_id: str | None) -> str:
    if not job_id:
        return ""
    found = sorted((graph.sweep_dir / JOBS / job_id).glob("*.err"))
    return str(found[0]) if found else ""


def progress_line(
    graph: SweepGraph, states: dict[str, tuple[str, str]], running: list[str] | None = None
) -> str:
    """One line a person can follow: how many nodes are done, what runs (also ``running``), what failed."""
    states = {**states, **{digest: ("running", "") for digest in running or []}}
    from dive.progress import how_far

    named = {
        n.digest: f"{n.node}({','.join(n.points) if len(n.points) < len(graph.points) else 'all'})"
        for n in graph.nodes
    }
    for node in graph.nodes:
        far = how_far(node.stage, node.path) if states.get(node.digest, ("",))[0] == "running" else ""
        named[node.digest] += f" {far}" if far else ""
    by_state: dict[str, list[str]] = {}
    for digest, (state, _) in states.items():
        by_state.setdefault(state, []).append(named.get(digest, "report"))
    finished = len(by_state.get("done", []))
    parts = [f"{finished}/{len(states)} done"]
    for state in ("running", "failed"):
        if by_state.get(state):
            parts.append(f"{state}: {' '.join(by_state[state])}")
    if by_state.get("queued"):
        parts.append(f"{len(by_state['queued'])} queued")
    return f"[{time.strftime('%H:%M:%S')}] {graph.sweep} · " + " · ".join(parts)


def follow(graph: SweepGraph, echo: Callable[[str], None] = print) -> bool:
    """Wait for a Slurm graph: print a progress line whenever it changes; True once the report is
    written, False when something failed and everything else that could run has run."""
    last = ""
    while True:
        states = node_states(graph)
        line = progress_line(graph, states)
        if line.split(" ", 1)[1] != last.split(" ", 1)[-1]:
            echo(line)
            last = line
        if states[FINAL][0] == "done":
            return True
        failed = {d for d, (s, _) in states.items() if s == "failed"}
        live = {d for d, (s, _) in states.items() if s in ("running", "queued")}
        if failed and not live:
            return False
        time.sleep(POLL_S)


# ---------------------------------------------------------------------------------------- retry


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
    states = node_states(graph)
    again, keep = to_retry(graph, states)
    stuck = [graph.node(d).job_id for d in again if states[d][0] in ("queued", "failed")]
    if states[FINAL][0] != "done":
        stuck.append(graph.final_job_id)
    scancel([j for j in stuck if j])
    return submit_slurm(graph, keep)


def describe(graph: SweepGraph, submitted: int) -> str:
    reused = sum(done(n) for n in graph.nodes)
    return (
        f"sweep {graph.sweep}: {len(graph.nodes)} artifacts ({reused} already done), "
        f"{submitted} jobs for launcher={graph.launcher}\n"
        f"  graph and logs: {graph.sweep_dir}\n"
        f"  status:         python -m dive stage=status +sweep={graph.sweep}\n"
        f"  after a failure: python -m dive stage=retry +sweep={graph.sweep}"
    )


# ---------------------------------------------------------------------------------------- commands


def run_sweep(cfg: DictConfig, jobs: list[list[str]], configs: list[DictConfig]) -> int:
    """``python -m dive +sweep=<name>``: plan, open the sweep's MLflow run, submit; the exit status."""
    from dive.tracking import start_sweep_run

    if cfg.launcher.name == "slurm":
        check_array_sizes([(str(c.point), c) for c in configs], max_array_size())
    graph = build(cfg, jobs, configs)
    first = configs[0]
    created = time.strftime("%Y-%m-%d %H:%M:%S")
    plan_file = {"sweep": graph.sweep, "created": created, "launcher": graph.launcher, "jobs": jobs}
    (graph.sweep_dir / "plan.json").write_text(json.dumps(plan_file, indent=2))
    start_sweep_run(first, Path(first.paths.results), str(graph.sweep_dir), [p for p, _ in graph.points])
    graph.save()
    return _execute(graph, first, submit_slurm, bool(first.launcher.detach))


def retry_sweep(cfg: DictConfig) -> int:
    """``python -m dive stage=retry +sweep=<name>``: rerun what failed in the sweep's latest run."""
    from dive.dispatch import GRAPH_FILE
    from dive.node_job import point_config
    from dive.status import latest_sweep

    base = latest_sweep(cfg)
    if not (base / GRAPH_FILE).exists():
        raise FileNotFoundError(f"{base} has no {GRAPH_FILE} (it ran before job graphs): run the sweep again")
    graph = SweepGraph.load(base)
    first = point_config(graph.points[0][1], graph.root)
    return _execute(graph, first, retry, bool(cfg.launcher.detach))  # this command's --detach


def _execute(graph: SweepGraph, cfg: DictConfig, submit: Callable[[SweepGraph], int], detach: bool) -> int:
    """Submit (Slurm) or drive (local, debug) the graph; follow it unless detached; report the end."""
    if graph.launcher == "slurm":
        submitted = submit(graph)
        graph.save()
        print(describe(graph, submitted), flush=True)
        if detach:
            return 0
        return conclude(graph, cfg, follow(graph))
    waiting = sum(not done(n) for n in graph.nodes) + 1
    print(describe(graph, waiting), flush=True)
    if detach:
        start_driver(graph)
        return 0
    ok = drive_local(graph, in_process=graph.launcher == "debug", parallel=int(cfg.launcher.parallel))
    return conclude(graph, cfg, ok)


def conclude(graph: SweepGraph, cfg: DictConfig, ok: bool) -> int:
    """The summary table and the report's path (last line), or what failed and how to retry it."""
    from dive.node_job import FINISHED
    from dive.stages.report import headline_text
    from dive.status import write_status
    from dive.tracking import end_sweep_run, sweep_run_id

    if ok:
        out = Path((graph.sweep_dir / FINISHED).read_text())
        print(headline_text(out), flush=True)
        print(out, flush=True)  # last: scripts and tests read the report's path from the last line
        return 0
    end_sweep_run(cfg, Path(cfg.paths.results), sweep_run_id(cfg, str(graph.sweep_dir)), "FAILED")
    print(write_status(cfg, graph.sweep_dir), flush=True)
    print(
        f"dive: sweep {graph.sweep} stopped with failed jobs (logs above); finished artifacts are kept. "
        f"Rerun only what failed: python -m dive stage=retry +sweep={graph.sweep}",
        file=sys.stderr,
    )
    return 1


def start_driver(graph: SweepGraph) -> subprocess.Popen[bytes]:
    """A detached local sweep: the driver runs in its own session, logging next to the graph."""
    logfile = (graph.sweep_dir / "driver.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "dive.jobgraph", str(graph.sweep_dir)],
        stdout=logfile,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def _main(sweep_dir: str) -> None:
    """``python -m dive.jobgraph <sweep dir>``: the background driver of a detached local sweep."""
    from dive.__main__ import LOG_FORMAT

    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    graph = SweepGraph.load(Path(sweep_dir))
    from dive.node_job import point_config

    parallel = int(point_config(graph.points[0][1], graph.root).launcher.parallel)
    raise SystemExit(0 if drive_local(graph, in_process=False, parallel=parallel) else 1)


if __name__ == "__main__":
    _main(sys.argv[1])
