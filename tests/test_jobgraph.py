"""The sweep's job graph as jobs: order, failure isolation, retry selection, scheduler states, resources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dive import jobgraph, jobs_local, jobs_slurm
from dive.config import ConfigError, validate
from dive.dispatch import FINAL, GraphNode, SweepGraph, resources
from tests.conftest import compose_config


def _graph(tmp_path: Path) -> SweepGraph:
    """validate -> synth_a -> sft_a, validate -> synth_b -> sft_b (two points sharing validate)."""

    def node(name: str, inputs: list[str], points: list[str]) -> GraphNode:
        return GraphNode(name, name, name.split("_")[0], tmp_path / "artifacts" / name, [], points, inputs)

    nodes = [
        node("validate", [], ["a", "b"]),
        node("synth_a", ["validate"], ["a"]),
        node("sft_a", ["synth_a"], ["a"]),
        node("synth_b", ["validate"], ["b"]),
        node("sft_b", ["synth_b"], ["b"]),
    ]
    sweep_dir = tmp_path / "sweep"
    sweep_dir.mkdir()
    return SweepGraph("toy", sweep_dir, "debug", str(tmp_path), [("a", []), ("b", [])], nodes)


def _fake_run(failing: set[str], ran: list[str]):
    def run_node(sweep_dir: str, digest: str) -> str:
        ran.append(digest)
        path = Path(SweepGraph.load(Path(sweep_dir)).node(digest).path)
        path.mkdir(parents=True)
        if digest in failing:
            raise RuntimeError(f"{digest} broke")
        (path / "DONE").write_text("")
        return str(path)

    return run_node


def test_a_failed_node_stops_only_what_reads_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    graph = _graph(tmp_path)
    graph.save()
    ran: list[str] = []
    monkeypatch.setattr("dive.node_job.run_node", _fake_run({"synth_a"}, ran))
    lines: list[str] = []
    assert not jobs_local.drive_local(graph, in_process=True, parallel=1, echo=lines.append)
    assert ran == ["validate", "synth_a", "synth_b", "sft_b"]  # sft_a never started; point b finished
    states = jobgraph.node_states(SweepGraph.load(graph.sweep_dir))
    assert states["synth_a"][0] == "failed" and states["sft_a"][0] == "pending"
    assert states["sft_b"][0] == "done" and states[FINAL][0] == "pending"
    assert any("running: synth_a(a)" in line for line in lines) and "validate(all)" in lines[0]


def test_retry_takes_the_failed_node_and_its_dependents_only(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    states = {
        "validate": ("done", ""),
        "synth_a": ("failed", "log"),
        "sft_a": ("failed", ""),  # queued behind a failed job: DependencyNeverSatisfied
        "synth_b": ("running", ""),
        "sft_b": ("queued", ""),
        FINAL: ("queued", ""),
    }
    graph.node("synth_b").job_id, graph.node("sft_b").job_id = "7", "8"
    again, keep = jobs_slurm.to_retry(graph, states)
    assert again == {"synth_a", "sft_a"}
    assert keep == {"synth_b": "7", "sft_b": "8"}  # live jobs of the other point are left alone


def test_rerun_after_a_failure_computes_only_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = _graph(tmp_path)
    graph.save()
    monkeypatch.setattr("dive.node_job.run_node", _fake_run({"synth_a"}, []))
    jobs_local.drive_local(graph, in_process=True, parallel=1, echo=lambda line: None)
    ran: list[str] = []
    monkeypatch.setattr("dive.node_job.run_node", _fake_run(set(), ran))
    finished: list[str] = []
    monkeypatch.setattr("dive.node_job.finish_sweep", finished.append)
    (tmp_path / "artifacts" / "synth_a").rmdir()  # the failed attempt's empty folder
    assert jobs_local.drive_local(SweepGraph.load(graph.sweep_dir), True, 1, echo=lambda line: None)
    assert ran == ["synth_a", "sft_a"] and finished == [str(graph.sweep_dir)]


@pytest.mark.parametrize(
    ("found", "state"),
    [
        (("PENDING", "Dependency"), "queued"),
        (("PENDING", "DependencyNeverSatisfied"), "failed"),
        (("RUNNING", "None"), "running"),
        (("CANCELLED", ""), "failed"),
        (("TIMEOUT", ""), "failed"),
        (("COMPLETED", ""), "failed"),  # finished without DONE: the stage did not write its artifact
        (None, "failed"),  # known to neither squeue nor sacct: lost
    ],
)
def test_slurm_states_map_to_what_status_shows(found: tuple[str, str] | None, state: str) -> None:
    assert jobs_slurm.job_state(found) == state


def test_graph_json_round_trips(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    graph.node("sft_a").job_id = "42"
    graph.save()
    loaded = SweepGraph.load(graph.sweep_dir)
    assert loaded == graph and loaded.downstream({"synth_a"}) == {"synth_a", "sft_a"}


def test_each_stage_gets_the_resources_its_profile_asks_for() -> None:
    cfg = compose_config(["launcher=slurm", "slurm=gpu_cluster"])
    assert resources(cfg, "synth")["partition"] == "cpu" and resources(cfg, "synth")["gpus_per_node"] == 0
    gpu = {"partition": "gpu", "gpus_per_node": 8, "mem_gb": 512}
    assert resources(cfg, "sft") == {**resources(cfg, "synth"), **gpu}
    local = compose_config(["launcher=slurm", "slurm=localhost"])
    assert resources(local, "grpo")["cpus_per_task"] == 2 and resources(local, "report")["cpus_per_task"] == 1


def test_a_resource_for_an_unknown_stage_or_key_is_refused() -> None:
    cfg = compose_config(["launcher=slurm", "slurm=localhost", "+slurm.resources.sfft={cpus_per_task: 2}"])
    with pytest.raises(ConfigError, match="slurm.resources = 'sfft' is not a valid choice; valid: .*'sft'"):
        validate(cfg)
    cfg = compose_config(["launcher=slurm", "slurm=localhost", "+slurm.resources.sft.gpus=1"])
    with pytest.raises(ConfigError, match="slurm.resources.sft = 'gpus' is not a valid choice"):
        validate(cfg)


@pytest.mark.parametrize("parallel", [1, 2])
def test_a_local_sweep_runs_at_most_parallel_jobs_at_once(
    parallel: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = _graph(tmp_path)
    graph.save()
    live: list[str] = []
    most = 0

    class Job:  # a local job that finishes on the driver's third look at it
        def __init__(self, node: GraphNode) -> None:
            self.node, self.looks = node, 0

        def done(self) -> bool:
            self.looks += 1
            if self.looks < 3:
                return False
            Path(self.node.path).mkdir(parents=True, exist_ok=True)
            (Path(self.node.path) / "DONE").write_text("")
            if self.node.digest in live:
                live.remove(self.node.digest)
            return True

        def exception(self) -> None:
            return None

    def start(graph: SweepGraph, node: GraphNode, in_process: bool) -> Job:
        nonlocal most
        live.append(node.digest)
        most = max(most, len(live))
        return Job(node)

    monkeypatch.setattr(jobs_local, "_start_local", start)
    monkeypatch.setattr(jobs_local, "POLL_S", 0.0)
    monkeypatch.setattr("dive.node_job.finish_sweep", lambda sweep_dir: None)
    monkeypatch.setattr(jobs_local, "_local_executor", lambda graph, asked: _Final())
    assert jobs_local.drive_local(graph, in_process=False, parallel=parallel, echo=lambda line: None)
    assert most == parallel  # synth_a and synth_b can overlap once validate is done


class _Final:
    job_id = "0"

    def submit(self, fn, *args):  # type: ignore[no-untyped-def]
        return self

    def wait(self) -> None:
        return None

    def exception(self) -> None:
        return None


class _ArrayExecutor:
    """Records the arrays a stage submits; each "job" is the index of its task."""

    def __init__(self, cluster: str) -> None:
        self.cluster, self.arrays = cluster, []

    def map_array(self, fn: Any, *columns: list[Any]) -> list[Any]:
        self.arrays.append(len(columns[0]))
        return [fn(*args) for args in zip(*columns, strict=True)]


@pytest.mark.parametrize(
    ("cluster", "limit", "arrays"),
    [
        ("slurm", 1001, [1001, 1001, 498]),
        ("slurm", 5000, [2500]),
        ("slurm", None, [2500]),
        ("local", 10, [2500]),
    ],
)
def test_arrays_above_max_array_size_go_out_as_several_arrays_in_order(
    monkeypatch: pytest.MonkeyPatch, cluster: str, limit: int | None, arrays: list[int]
) -> None:
    monkeypatch.setattr(jobs_slurm, "max_array_size", lambda: limit)
    executor = _ArrayExecutor(cluster)
    shards = list(range(2500))
    jobs = jobs_slurm.map_array_within_limit(
        executor, lambda i, name: (i, name), shards, [f"s{i}" for i in shards]
    )
    assert executor.arrays == arrays
    assert jobs == [(i, f"s{i}") for i in shards]  # every task once, in the order given


def test_stopping_the_local_driver_stops_the_jobs_it_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = _graph(tmp_path)
    graph.save()
    cancelled: list[str] = []

    class Job:  # a local job that never ends by itself
        def __init__(self, node: GraphNode) -> None:
            self.node = node

        def done(self) -> bool:
            return False

        def cancel(self, check: bool = False) -> None:
            cancelled.append(self.node.digest)

    def interrupt(seconds: float) -> None:  # Ctrl-C while the driver waits for its first job
        raise KeyboardInterrupt

    monkeypatch.setattr(jobs_local, "_start_local", lambda graph, node, in_process: Job(node))
    monkeypatch.setattr(jobs_local.time, "sleep", interrupt)
    shown: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        jobs_local.drive_local(graph, in_process=False, parallel=1, echo=shown.append)
    assert cancelled == ["validate"]
    assert shown[-1].startswith("stopped: cancelled 1 running job(s) (validate); finished artifacts are kept")


def test_progress_prints_job_changes_at_once_and_counts_at_most_every_30_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = [0.0]
    monkeypatch.setattr(jobgraph.time, "monotonic", lambda: clock[0])
    lines = {  # (running stage, its count) -> the line progress_line would give
        False: "[t] s · 1/5 done · running: synth(all)",
        True: "[t] s · 1/5 done · running: synth(all) {count}/400 tasks",
    }
    current = {"count": 1, "stage": "synth"}

    def fake_line(graph: Any, states: Any, running: Any = None, counts: bool = True) -> str:
        return lines[counts].format(**current).replace("synth", current["stage"])

    monkeypatch.setattr(jobgraph, "progress_line", fake_line)
    shown: list[str] = []
    printer = jobgraph.ProgressPrinter(shown.append)
    for second in range(0, 61):  # a task a second for a minute
        clock[0], current["count"] = float(second), second + 1
        printer.show(None, {})  # type: ignore[arg-type]
    assert [line.split("running: ")[1] for line in shown] == [
        "synth(all) 1/400 tasks",
        "synth(all) 31/400 tasks",
        "synth(all) 61/400 tasks",
    ]
    clock[0], current["stage"] = 61.0, "solve"  # a new job: printed at once
    printer.show(None, {})  # type: ignore[arg-type]
    assert shown[-1].endswith("solve(all) 61/400 tasks")
    printer.show(None, {})  # type: ignore[arg-type]
    assert len(shown) == 4  # nothing changed: nothing printed
