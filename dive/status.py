"""``python -m dive stage=status +sweep=<name>``: where a sweep stands, point by point and stage by stage.

Read from the artifacts, so it works for every launcher and while the sweep runs: each point of the
sweep's plan (``plan.json`` of its latest run, or ``sweep_dir``) is composed again, and every node of its
pipeline is looked up at its content address. A node is

* ``done``: its ``DONE`` marker is there;
* ``running``: a live process holds its lease;
* ``stopped``: work started but neither finished nor is held (a failure or a kill; rerunning resumes it);
  the point's job log is named;
* ``pending``: nothing was written yet.

A sweep run as a job graph (``graph.json``, dive/jobgraph.py) adds the scheduler's view: ``queued`` (its
Slurm job waits), ``failed`` (its job failed, was cancelled or lost; the job's log is named), and the
final ``report`` job.

Shared artifacts (the base model's evaluation, validate) show the same state in every point using them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from dive.artifacts import held_by_another

STATES = ("done", "running", "queued", "failed", "stopped", "pending")


@dataclass(frozen=True)
class NodeState:
    point: str
    node: str
    state: str
    path: str
    log: str = ""
    progress: str = ""  # how far a running stage is (dive/progress.py)


def state_of(path: Path) -> str:
    if (path / "DONE").exists():
        return "done"
    if held_by_another(path):
        return "running"
    return "stopped" if path.exists() else "pending"


def latest_sweep(cfg: DictConfig) -> Path:
    folder = Path(cfg.paths.sweeps) / str(cfg.sweep.name)
    runs = sorted(p for p in folder.glob("*") if (p / "plan.json").exists()) if folder.exists() else []
    if not runs:
        raise FileNotFoundError(f"no run of sweep {cfg.sweep.name!r} under {folder}: start it first")
    return runs[-1]


def sweep_status(cfg: DictConfig, sweep_dir: Path | None = None) -> list[NodeState]:
    """The state of every pipeline node of every point in the sweep's plan."""
    from hydra import compose

    from dive.config import apply_point
    from dive.graph import PIPELINE, address, nodes_of
    from dive.progress import how_far

    base = sweep_dir or latest_sweep(cfg)
    plan = json.loads((base / "plan.json").read_text())
    states = []
    for n, overrides in enumerate(plan["jobs"]):
        point_cfg = apply_point(
            compose(config_name="dive", overrides=[*overrides, f"paths.root={cfg.paths.root}"])
        )
        point = str(point_cfg.point or n)
        log = _job_log(base, n, point)
        memo: dict[str, Any] = {}
        for stage in PIPELINE:
            for node in nodes_of(stage, point_cfg):
                artifact = address(point_cfg, node, memo)
                state = state_of(artifact.path)
                far = how_far(artifact.stage, artifact.path) if state == "running" else ""
                shown = log if state == "stopped" else ""
                states.append(NodeState(point, node, state, str(artifact.path), shown, far))
    return states


def _job_log(base: Path, n: int, point: str) -> str:
    """The point job's own log (Hydra's, or submitit's under the sweep dir), where one exists."""
    found = sorted((base / f"{n}-{point}").glob("*.log")) + sorted(base.glob(f".submitit/*_{n}/*.err"))
    return str(found[0]) if found else ""


def table(states: list[NodeState]) -> str:
    """Points down, nodes across, then each stopped node's log."""
    points = list(dict.fromkeys(s.point for s in states))
    nodes = list(dict.fromkeys(s.node for s in states))
    cells = {(s.point, s.node): f"{s.state} {s.progress}".strip() for s in states}
    lines = ["| point | " + " | ".join(nodes) + " | done |", "|---|" + "---|" * (len(nodes) + 1)]
    for point in points:
        row = [cells.get((point, node), "") for node in nodes]
        finished = sum(cell == "done" for cell in row)
        lines.append(f"| {point} | " + " | ".join(row) + f" | {finished}/{len([c for c in row if c])} |")
    stopped = [s for s in states if s.state in ("stopped", "failed")]
    lines += [
        f"{s.state}: {s.point}/{s.node}: {s.path}" + (f" (log: {s.log})" if s.log else "") for s in stopped
    ]
    return "\n".join(lines)


def graph_status(base: Path) -> list[NodeState]:
    """The states of a job-graph sweep (``graph.json``): artifacts first, then the scheduler's view
    (queued, running, failed with the job's log), per point; the final job shows as ``report``."""
    from dive.dispatch import FINAL, SweepGraph
    from dive.jobgraph import node_states
    from dive.progress import how_far

    graph = SweepGraph.load(base)
    states = node_states(graph)
    out = []
    for point, _ in graph.points:
        for node in graph.nodes:
            if point in node.points:
                state, log = states[node.digest]
                far = how_far(node.stage, node.path) if state == "running" else ""
                out.append(NodeState(point, node.node, state, str(node.path), log, far))
        state, log = states[FINAL]
        out.append(NodeState(point, "report", state, str(graph.sweep_dir), log))
    return out


def write_status(cfg: DictConfig, sweep_dir: Path | None = None) -> str:
    """Print-ready table; also written to ``<sweep run>/sweep_status.json`` for tools."""
    from dive.dispatch import GRAPH_FILE

    base = sweep_dir or latest_sweep(cfg)
    states = graph_status(base) if (base / GRAPH_FILE).exists() else sweep_status(cfg, base)
    (base / "sweep_status.json").write_text(json.dumps([s.__dict__ for s in states], indent=2))
    return table(states)
