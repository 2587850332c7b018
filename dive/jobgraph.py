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
import sys
import time
from collections.abc import Callable
from pathlib import Path

from omegaconf import DictConfig

from dive.dispatch import FINAL, JOBS, SweepGraph, done, plan, resources
from dive.jobs_local import drive_local, start_driver
from dive.jobs_slurm import job_state, retry, slurm_states, submit_slurm

log = logging.getLogger(__name__)
POLL_S = 3.0  # following a Slurm sweep: seconds between squeue/sacct looks
COUNT_EVERY_S = 30.0  # a running stage's count (tasks, steps) is reprinted at most this often


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


# ---------------------------------------------------------------------------------------- states


def node_states(graph: SweepGraph) -> dict[str, tuple[str, str]]:
    """digest (and FINAL) -> (state, log) with state one of done, running, queued, failed, pending.

    From the artifacts first (DONE wins over anything a scheduler says), then the scheduler: Slurm's
    squeue/sacct, or what the local driver recorded.
    """
    from dive.artifacts import held_by_another, pid_alive
    from dive.node_job import FINISHED

    slurm: dict[str, tuple[str, str]] = {}
    if graph.launcher == "slurm":
        slurm = slurm_states([n.job_id or "" for n in graph.nodes] + [graph.final_job_id or ""])
    states: dict[str, tuple[str, str]] = {}
    for node in graph.nodes:
        if done(node):
            states[node.digest] = ("done", "")
            continue
        logs = _log(graph, node.job_id)
        local_job = node.job_id or ""  # a local job's id is its pid on this host
        if graph.launcher == "slurm":
            states[node.digest] = (job_state(slurm.get(node.job_id or "")), logs)
        elif held_by_another(Path(node.path)) or (
            node.state == "running" and local_job.isdigit() and pid_alive(int(local_job))
        ):
            states[node.digest] = ("running", logs)  # (a local job still starting holds no lease yet)
        else:
            # the driver started it, but no live process holds it: it failed or was killed
            states[node.digest] = ("failed" if node.state in ("running", "failed") else "pending", logs)
    if (graph.sweep_dir / FINISHED).exists():
        states[FINAL] = ("done", "")
    elif graph.launcher == "slurm":
        states[FINAL] = (job_state(slurm.get(graph.final_job_id or "")), _log(graph, graph.final_job_id))
    else:
        states[FINAL] = ("pending", "")
    return states


def _log(graph: SweepGraph, job_id: str | None) -> str:
    if not job_id:
        return ""
    found = sorted((graph.sweep_dir / JOBS / job_id).glob("*.err"))
    return str(found[0]) if found else ""


def progress_line(
    graph: SweepGraph,
    states: dict[str, tuple[str, str]],
    running: list[str] | None = None,
    counts: bool = True,
) -> str:
    """One line a person can follow: how many nodes are done, what runs (also ``running``) and, with
    ``counts``, how far it is, what failed."""
    states = {**states, **{digest: ("running", "") for digest in running or []}}
    from dive.progress import how_far

    named = {
        n.digest: f"{n.node}({','.join(n.points) if len(n.points) < len(graph.points) else 'all'})"
        for n in graph.nodes
    }
    for node in graph.nodes:
        far = (
            how_far(node.stage, node.path)
            if counts and states.get(node.digest, ("",))[0] == "running"
            else ""
        )
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


class ProgressPrinter:
    """Prints a sweep's progress lines: at once when a job starts, ends or fails; when only a running
    stage's count moved (tasks, steps), at most every ``every_s`` seconds, not a line per task."""

    def __init__(self, echo: Callable[[str], None], every_s: float = COUNT_EVERY_S) -> None:
        self.echo, self.every_s = echo, every_s
        self.shown = self.shape = ""
        self.at = -every_s

    def show(
        self, graph: SweepGraph, states: dict[str, tuple[str, str]], running: list[str] | None = None
    ) -> None:
        line = progress_line(graph, states, running)
        body = line.split(" ", 1)[1]  # the line without its clock
        shape = progress_line(graph, states, running, counts=False).split(" ", 1)[1]
        now = time.monotonic()
        if body != self.shown and (shape != self.shape or now - self.at >= self.every_s):
            self.echo(line)
            self.shown, self.shape, self.at = body, shape, now


def follow(graph: SweepGraph, echo: Callable[[str], None] = print) -> bool:
    """Wait for a Slurm graph, printing its progress (:class:`ProgressPrinter`); True once the report
    is written, False when something failed and everything else that could run has run."""
    printer = ProgressPrinter(echo)
    while True:
        states = node_states(graph)
        printer.show(graph, states)
        if states[FINAL][0] == "done":
            return True
        failed = {d for d, (s, _) in states.items() if s == "failed"}
        live = {d for d, (s, _) in states.items() if s in ("running", "queued")}
        if failed and not live:
            return False
        time.sleep(POLL_S)


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
