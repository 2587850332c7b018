"""The smoke sweep as a job graph on the real local Slurm: one job per stage with its profile's
resources, afterok chains, shared artifacts once; a killed job is retried alone with what it feeds."""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from dive.dispatch import SweepGraph
from dive.jobgraph import node_states
from tests.helpers import TINY_SMOKE, done_markers, mlflow_runs, run_dive

pytestmark = pytest.mark.slurm
ON_SLURM = [*TINY_SMOKE, "tools.domains=[science]", "launcher=slurm", "slurm=localhost"]
TWO_CPUS = {"sft", "grpo", "evaluate"}  # conf/slurm/localhost.yaml: the GPU stages of a real cluster


def _jobs(ids: list[str]) -> list[tuple[str, str, str, int]]:
    """(job id, name, state, allocated CPUs) of these jobs, as sacct accounts them."""
    out = subprocess.run(
        ["sacct", "-X", "-n", "-P", "-j", ",".join(ids), "-o", "JobIDRaw,JobName,State,AllocCPUS"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [line.split("|") for line in out.splitlines() if line.strip()]
    return [(j, name, state.split()[0], int(cpus)) for j, name, state, cpus in rows]


def _graph_jobs(sweep_dir: Path) -> dict[str, str]:
    """Node (digest, or "finish") -> the Slurm job the sweep's graph.json names for it."""
    graph = SweepGraph.load(sweep_dir)
    return {**{n.digest: str(n.job_id) for n in graph.nodes}, "finish": str(graph.final_job_id)}


def test_smoke_sweep_runs_as_a_job_graph(slurm_cluster: Path, tmp_path: Path) -> None:
    result = run_dive(ON_SLURM, tmp_path)
    assert result.stdout.strip().splitlines()[-1] == str(tmp_path / "results" / "smoke")
    (sweep_dir,) = (p.parent for p in tmp_path.glob("sweeps/smoke/*/graph.json"))
    jobs = _jobs(list(_graph_jobs(sweep_dir).values()))
    names = Counter(name for _, name, _, _ in jobs)
    # 18 artifacts: validate, model, eval_tasks, the base model's evaluation once; 7 per point; the report
    assert names == {
        "dive-validate": 1,
        "dive-model": 1,
        "dive-synth": 3,
        "dive-solve": 2,
        "dive-sft": 2,
        "dive-select": 2,
        "dive-grpo": 2,
        "dive-evaluate": 5,
        "dive-report": 1,
    }, jobs
    assert all(state == "COMPLETED" for _, _, state, _ in jobs), jobs
    for _, name, _, cpus in jobs:
        assert cpus == (2 if name.removeprefix("dive-") in TWO_CPUS else 1), (name, cpus)

    before = done_markers(tmp_path)
    local = run_dive([a for a in ON_SLURM if not a.startswith(("launcher=", "slurm="))], tmp_path)
    assert "18 artifacts (18 already done), 1 jobs for launcher=local" in local.stdout  # same hashes
    assert done_markers(tmp_path) == before


def _wait_until_settled(sweep_dir: Path, timeout_s: float = 900) -> dict[str, tuple[str, str]]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        states = node_states(SweepGraph.load(sweep_dir))
        if not any(state in ("running", "queued") for state, _ in states.values()):
            return states
        time.sleep(3)
    raise AssertionError(f"sweep in {sweep_dir} did not settle: {states}")


def test_a_killed_stage_job_is_retried_with_only_what_it_feeds(slurm_cluster: Path, tmp_path: Path) -> None:
    submitted = run_dive([*ON_SLURM, "--detach"], tmp_path)
    assert "stage=status" in submitted.stdout  # detached: it says where to look and returns
    sweep_dir = next(tmp_path.glob("sweeps/smoke/*/graph.json")).parent
    graph = SweepGraph.load(sweep_dir)
    killed = next(n for n in graph.nodes if n.node == "grpo" and n.points == ["v1"])
    subprocess.run(["scancel", str(killed.job_id)], check=True)

    states = _wait_until_settled(sweep_dir)
    failed = {graph.node(d).node for d, (s, _) in states.items() if s == "failed" and d != "finish"}
    assert failed == {"grpo", "evaluate_grpo"}  # the killed job and the one reading it (never started)
    status = run_dive([*ON_SLURM, "stage=status"], tmp_path).stdout
    assert f"failed: v1/grpo: {killed.path}" in status and "| vtask |" in status
    done_before = done_markers(tmp_path)
    submitted = _graph_jobs(sweep_dir)

    retried = run_dive([*ON_SLURM, "stage=retry"], tmp_path)
    assert retried.stdout.strip().splitlines()[-1] == str(tmp_path / "results" / "smoke")
    resubmitted = {k: j for k, j in _graph_jobs(sweep_dir).items() if submitted[k] != j}
    again = _jobs(list(resubmitted.values()))
    assert sorted(name for _, name, _, _ in again) == ["dive-evaluate", "dive-grpo", "dive-report"], again
    assert all(state == "COMPLETED" for _, _, state, _ in again)
    assert all(done_markers(tmp_path)[k] == t for k, t in done_before.items())  # finished ones kept

    stage_runs = [r for r in mlflow_runs(tmp_path) if r.data.tags.get("dive.kind") == "stage"]
    per_artifact = Counter(r.data.tags["dive.artifact"] for r in stage_runs)
    assert len(per_artifact) == 18 and set(per_artifact.values()) == {1}  # one run per stage job
    points = [r for r in mlflow_runs(tmp_path) if r.data.tags.get("dive.kind") == "point"]
    assert sorted(r.info.run_name for r in points) == ["v1", "vtask"]


def test_a_preempted_stage_job_requeues_resumes_and_keeps_its_run(
    slurm_cluster: Path, tmp_path: Path
) -> None:
    """Slurm's time-limit warning (USR2): SFT checkpoints at the step, submitit requeues the job, the
    requeued job resumes from the checkpoint and continues the same MLflow run; no step is lost or doubled."""
    args = [
        *ON_SLURM,
        "point=v1",
        "stage=sft",
        "sft.epochs=100",
        "sft.max_steps=60",
        "sft.checkpoint_every=4",
        "--detach",
    ]
    run_dive(args, tmp_path)
    sweep_dir = next(tmp_path.glob("sweeps/smoke/*/graph.json")).parent
    graph = SweepGraph.load(sweep_dir)
    sft = next(n for n in graph.nodes if n.node == "sft")
    deadline = time.monotonic() + 600
    while _lines(sft.path / "progress.jsonl") < 3:  # a few steps in
        assert time.monotonic() < deadline, node_states(graph)
        time.sleep(0.5)
    subprocess.run(["scancel", "--signal=USR2", str(sft.job_id)], check=True)
    states = _wait_until_settled(sweep_dir)
    assert all(state == "done" for state, _ in states.values()), states

    steps = [json.loads(line)["step"] for line in (sft.path / "progress.jsonl").read_text().splitlines()]
    assert steps == list(range(1, 61))  # resumed from the checkpoint: every step once
    log = "".join(p.read_text() for p in (sweep_dir / ".submitit" / str(sft.job_id)).glob("*.err"))
    assert "Caught signal SIGUSR2" in log and "requeue" in log.lower()
    runs = [r for r in mlflow_runs(tmp_path) if r.data.tags.get("dive.artifact") == str(sft.path)]
    assert len(runs) == 1 and runs[0].info.status == "FINISHED"  # the requeued job continued the run


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0
