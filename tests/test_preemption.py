"""Preemption: a signal becomes a checkpoint at a step boundary, the stage's MLflow run is continued by
the job that resumes it, and a killed holder's lease is taken over at once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dive.artifacts import held_by_another, lease
from dive.training import Preempted, Preemption, restore_rng, rng_state


def test_a_signal_only_sets_a_flag_until_the_step_boundary() -> None:
    with Preemption() as preemption:
        assert not preemption.requested()
        os.kill(os.getpid(), signal.SIGUSR2)  # delivered to this (main) thread before kill returns
        assert preemption.signum == signal.SIGUSR2
        assert preemption.requested()
        with pytest.raises(Preempted) as caught:
            preemption.hand_over(7)
    assert caught.value.code == 128 + signal.SIGUSR2
    assert "after step 7" in str(caught.value)
    assert signal.getsignal(signal.SIGUSR2) is signal.SIG_DFL  # handlers restored


def test_hand_over_calls_the_handler_that_was_there_first() -> None:
    seen: list[int] = []

    def submitit_like(signum: int, frame: Any) -> None:
        seen.append(signum)  # submitit requeues here, then exits

    previous = signal.signal(signal.SIGTERM, submitit_like)
    try:
        with Preemption() as preemption:
            os.kill(os.getpid(), signal.SIGTERM)
            assert preemption.requested()
            with pytest.raises(Preempted):
                preemption.hand_over(3)
        assert seen == [signal.SIGTERM]
        assert signal.getsignal(signal.SIGTERM) is submitit_like
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_rng_state_round_trips() -> None:
    import random

    import torch

    state = rng_state()
    expected = (random.random(), torch.rand(3))
    random.random(), torch.rand(5)  # the generators move on
    restore_rng(state)
    assert random.random() == expected[0]
    assert torch.equal(torch.rand(3), expected[1])


def test_a_killed_holders_lease_is_free_at_once(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    (tmp_path / "LEASE").write_text(f"{socket.gethostname()}:{int(dead.stdout)}:1")
    assert not held_by_another(tmp_path)
    (tmp_path / "LEASE").write_text(f"{socket.gethostname()}:{os.getppid()}:1")  # a live process
    assert held_by_another(tmp_path)
    (tmp_path / "LEASE").unlink()
    with lease(tmp_path):  # this thread's own lease is not "another's"
        assert not held_by_another(tmp_path)


def test_a_preempted_stage_continues_its_mlflow_run(tmp_path: Path) -> None:
    import mlflow

    from dive.tracking import MlflowTracker

    uri = f"sqlite:///{tmp_path}/mlflow.db"
    tracker = MlflowTracker(uri, "preemption", tmp_path / "mlartifacts")
    run_file = tmp_path / "artifact" / "mlflow_run_id"
    run_file.parent.mkdir()
    with pytest.raises(Preempted), tracker.stage("sft", {"lr": 1e-5}, run_file):
        tracker.log_metrics({"sft/loss": 2.0}, step=1)
        raise Preempted(signal.SIGTERM, 1)
    first = run_file.read_text()
    client = mlflow.MlflowClient(uri)
    assert client.get_run(first).info.status == "KILLED"
    with tracker.stage("sft", {"lr": 1e-5}, run_file):  # the requeued job
        tracker.log_metrics({"sft/loss": 1.0}, step=2)
    assert run_file.read_text() == first
    runs = client.search_runs([tracker.experiment_id])
    assert [r.info.run_id for r in runs] == [first]
    assert runs[0].info.status == "FINISHED"
    assert [m.step for m in client.get_metric_history(first, "sft/loss")] == [1, 2]
    with tracker.stage("sft", {"lr": 1e-5}):  # no run file (a reused artifact): a run of its own
        pass
    assert len(client.search_runs([tracker.experiment_id])) == 2
