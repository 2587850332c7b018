"""Real submitit jobs on the real local Slurm cluster (started by the slurm_cluster fixture)."""

from __future__ import annotations

import contextlib
import datetime
import os
import shlex
import shutil
import signal
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cloudpickle
import pytest
import submitit
from submitit.core.utils import FailedJobError

pytestmark = pytest.mark.slurm

# The jobs unpickle these functions in a fresh interpreter where this test module is not importable
# (tests/slurm is not on sys.path there): ship them by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


# ---------------------------------------------------------------- job functions (run inside Slurm jobs)
def add(a: int, b: int) -> dict[str, Any]:
    return {"sum": a + b, "host": socket.gethostname(), "job_id": os.environ.get("SLURM_JOB_ID")}


def square(x: int) -> tuple[int, str | None]:
    return x * x, os.environ.get("SLURM_ARRAY_TASK_ID")


def explode(tag: str) -> None:
    raise ValueError(f"boom from the job: {tag}")


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold back SIGTERM/SIGUSR2 so that submitit's checkpoint never sees a half-done step."""
    sigs = {signal.SIGTERM, signal.SIGUSR2}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class StepCounter(submitit.helpers.Checkpointable):
    """Counts steps into a file; on preemption submitit pickles self (with `done`) and requeues."""

    def __init__(self) -> None:
        self.done = 0

    def checkpoint(self, *args: Any, **kwargs: Any) -> submitit.helpers.DelayedSubmission:
        # submitit's preemption handler calls this, then runs `scontrol requeue` as a child of this process,
        # inside the job step. A requeue makes Slurm terminate the running job at once (SIGCONT, then SIGTERM
        # to every process of the step, SIGKILL after KillWait), and that SIGTERM races scontrol's own exit:
        # when it wins, scontrol "dies with SIGTERM" although the requeue went through, and submitit records
        # the job as failed. From here on the job only has to exit, so ignore SIGTERM: SIG_IGN (unlike
        # submitit's Python "bypass" handler) is inherited by scontrol across fork and exec.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        return super().checkpoint(*args, **kwargs)

    def __call__(self, log: str, n_steps: int, step_s: float) -> dict[str, Any]:
        restart = os.environ.get("SLURM_RESTART_COUNT", "0")
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"start {self.done} restart={restart}\n")
            f.flush()
            while self.done < n_steps:
                time.sleep(step_s)  # the "work" of one step
                with _signals_deferred():  # record the step and advance the state atomically
                    f.write(f"step {self.done}\n")
                    f.flush()
                    os.fsync(f.fileno())
                    self.done += 1
        return {"done": self.done, "restart_count": restart}


def all_reduce_rank() -> dict[str, Any]:
    import torch
    import torch.distributed as dist

    env = submitit.helpers.TorchDistributedEnvironment().export(set_cuda_visible_devices=False)
    dist.init_process_group(backend="gloo", timeout=datetime.timedelta(seconds=60))
    try:
        value = torch.tensor([float(env.rank + 1)])
        dist.all_reduce(value, op=dist.ReduceOp.SUM)
        return {"rank": env.rank, "world_size": env.world_size, "sum": value.item()}
    finally:
        dist.destroy_process_group()


# ---------------------------------------------------------------- helpers
def _wait(job: submitit.Job[Any], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not job.done():
        if time.monotonic() > deadline:
            state = job.state
            job.cancel(check=False)
            pytest.fail(
                f"job {job.job_id} not done after {timeout_s:.0f}s (state {state})\n"
                f"--- stdout ---\n{job.stdout()}\n--- stderr ---\n{job.stderr()}"
            )
        time.sleep(0.25)


def _lingering_scontrol(bin_dir: Path) -> str:
    """Write bin_dir/scontrol, which stays alive 1 s after a `scontrol requeue` returns; return a PATH export.

    On a loaded node scontrol may still be exiting when the requeued job's SIGTERM arrives; lingering makes
    that overlap certain instead of rare, so the preemption test fails every time the requeue is exposed.
    """
    real = shutil.which("scontrol", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
    assert real is not None
    bin_dir.mkdir(parents=True, exist_ok=True)
    shim = bin_dir / "scontrol"
    shim.write_text(f'#!/bin/sh\n{shlex.quote(real)} "$@"\nrc=$?\n[ "$1" = requeue ] && sleep 1\nexit $rc\n')
    shim.chmod(0o755)
    return f"export PATH={shlex.quote(str(bin_dir))}:$PATH"


def _make_executor(folder: Path, **params: Any) -> submitit.AutoExecutor:
    executor = submitit.AutoExecutor(folder=folder, cluster="slurm")
    executor.update_parameters(timeout_min=5, slurm_partition="debug", cpus_per_task=1, **params)
    return executor


@pytest.fixture
def executor(slurm_cluster: Path, tmp_path: Path) -> submitit.AutoExecutor:
    return _make_executor(tmp_path / "submitit")


# ---------------------------------------------------------------- tests
def test_submit_returns_value(executor: submitit.AutoExecutor) -> None:
    job = executor.submit(add, 2, 3)
    _wait(job, 60)
    out = job.result()
    assert out["sum"] == 5
    assert out["job_id"] == job.job_id
    # The result comes from the result pickle; sacct (slurmdbd) must also know the job ended (it lags ~1 s).
    deadline = time.monotonic() + 30
    while (state := job.get_info(mode="force").get("State")) != "COMPLETED":
        assert time.monotonic() < deadline, f"sacct state of job {job.job_id}: {state}"
        time.sleep(0.5)


def test_map_array(executor: submitit.AutoExecutor) -> None:
    executor.update_parameters(slurm_array_parallelism=3)
    jobs = executor.map_array(square, [1, 2, 3])
    assert len(jobs) == 3
    assert len({j.job_id.split("_")[0] for j in jobs}) == 1  # one Slurm array
    for j in jobs:
        _wait(j, 90)
    results = [j.result() for j in jobs]
    assert [r[0] for r in results] == [1, 4, 9]
    assert [r[1] for r in results] == ["0", "1", "2"]


def test_arrays_beyond_max_array_size_are_split(
    executor: submitit.AutoExecutor, cluster_max_array_size: int
) -> None:
    from dive.jobs_slurm import map_array_within_limit, max_array_size

    assert max_array_size() == cluster_max_array_size  # read from the running cluster (scontrol show config)
    with pytest.raises(Exception, match="(?i)array"):  # Slurm itself refuses one array of 6 tasks
        executor.map_array(square, list(range(cluster_max_array_size + 2)))
    jobs = map_array_within_limit(executor, square, list(range(cluster_max_array_size + 2)))
    assert len({j.job_id.split("_")[0] for j in jobs}) == 2  # two Slurm arrays: 4 tasks, then 2
    for j in jobs:
        _wait(j, 90)
    assert [j.result()[0] for j in jobs] == [x * x for x in range(cluster_max_array_size + 2)]


def test_failing_job_raises_with_remote_traceback(executor: submitit.AutoExecutor) -> None:
    job = executor.submit(explode, "tag-123")
    _wait(job, 60)
    with pytest.raises(FailedJobError) as excinfo:
        job.result()
    message = str(excinfo.value)
    assert "Traceback" in message
    assert "ValueError: boom from the job: tag-123" in message
    assert "in explode" in message  # the remote frame


def test_checkpointable_preemption_requeues_and_resumes(
    executor: submitit.AutoExecutor, tmp_path: Path
) -> None:
    log = tmp_path / "steps.log"
    n_steps = 12
    # The requeue's own SIGTERM must not kill scontrol (see StepCounter.checkpoint): make the overlap certain.
    executor.update_parameters(slurm_setup=[_lingering_scontrol(tmp_path / "bin")])
    job = executor.submit(StepCounter(), str(log), n_steps, 0.5)

    # Preempt once the job is running and has done a few steps.
    deadline = time.monotonic() + 60
    while (log.read_text().count("step ") if log.exists() else 0) < 3:
        if time.monotonic() > deadline:
            pytest.fail(f"job {job.job_id} did not start stepping (state {job.state})\n{job.stderr()}")
        time.sleep(0.2)
    job._interrupt()  # SIGTERM + USR2, as a preemption: checkpoint, scontrol requeue, exit

    _wait(job, 150)
    result = job.result()
    lines = log.read_text().splitlines()
    starts = [line for line in lines if line.startswith("start ")]
    steps = [int(line.split()[1]) for line in lines if line.startswith("step ")]

    assert result == {"done": n_steps, "restart_count": "1"}
    assert steps == list(range(n_steps)), f"lost or repeated steps: {lines}"
    assert len(starts) == 2, lines
    assert starts[0] == "start 0 restart=0"
    resumed_from = int(starts[1].split()[1])
    assert 3 <= resumed_from < n_steps and starts[1].endswith("restart=1"), lines


def test_two_tasks_torch_distributed_all_reduce(slurm_cluster: Path, tmp_path: Path) -> None:
    executor = _make_executor(tmp_path / "submitit", slurm_ntasks_per_node=2, nodes=1)
    job = executor.submit(all_reduce_rank)
    _wait(job, 120)
    results = sorted(job.results(), key=lambda r: r["rank"])
    assert [r["rank"] for r in results] == [0, 1]
    assert all(r["world_size"] == 2 for r in results)
    assert [r["sum"] for r in results] == [3.0, 3.0]  # (0 + 1) + (1 + 1) on both ranks
