"""Sharded synthesis: a shard killed with SIGKILL and run again loses and duplicates nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dive.records import Task, write_tasks
from dive.stages.synth import ShardJob
from dive.synth import shards
from dive.tools.registry import load_tools

DOMAINS = ["general"]


def _config(quantity: int) -> dict[str, object]:
    return {
        "pool_domains": DOMAINS,
        "pool_size": None,
        "variety": None,
        "quantity": quantity,
        "toolset_min": 3,
        "toolset_max": 6,
        "exemplars_min": 3,
        "exemplars_max": 5,
        "rounds": 2,
        "calls_per_round": 2,
        "split": "train",
        "seed": 0,
        "backend": "scripted",
        "near_duplicate": 0.9,
    }


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A validate artifact passing every general tool (the gate itself is tested elsewhere)."""
    folder = tmp_path_factory.mktemp("validate")
    rows = [{"id": tid, "passed": True} for tid in sorted(load_tools(tuple(DOMAINS)))]
    (folder / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def test_plan_covers_every_index_once() -> None:
    for quantity, count in [(10, 3), (7, 7), (5, 9), (1, 1)]:
        plan = shards.plan(quantity, count)
        assert sorted(i for part in plan for i in part) == list(range(quantity))
        assert max(map(len, plan)) - min(map(len, plan)) <= 1


def test_torn_last_line_is_cut_and_redone(tmp_path: Path) -> None:
    path = tmp_path / "shard.jsonl"
    write_tasks(path, [Task(0, ["a"], rejected="x"), Task(1, ["a"], rejected="x")])
    with path.open("a") as handle:
        handle.write('{"index": 2, "toolset": ["a"], "rej')  # killed mid-write
    assert shards.done_indices(path) == {0, 1}
    assert path.read_text().count("\n") == 2 and path.read_text().endswith("\n")


def test_kill_nine_then_rerun_loses_and_duplicates_nothing(tmp_path: Path, manifest: Path) -> None:
    quantity = 400
    config = _config(quantity)
    killed = tmp_path / "killed"
    script = (
        "import json, sys; from dive.stages.synth import ShardJob; "
        "c = json.loads(sys.argv[1]); "
        f"ShardJob(c, {str(manifest)!r}, {str(killed)!r}, None, {{}})(0, list(range(c['quantity'])))"
    )
    process = subprocess.Popen([sys.executable, "-c", script, json.dumps(config)])
    path = shards.shard_path(killed, 0)
    deadline = time.monotonic() + 300
    while (not path.exists() or path.read_text().count("\n") < 5) and time.monotonic() < deadline:
        assert process.poll() is None, "the shard ended before it could be killed"
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    written = path.read_text().count("\n")
    assert 5 <= written < quantity, "the kill must land mid-run for this test to mean anything"

    ShardJob(config, str(manifest), str(killed), None, {})(0, list(range(quantity)))
    resumed = shards.merge([path])
    assert [t.index for t in resumed] == list(range(quantity))
    assert path.read_text().count("\n") == quantity  # nothing written twice

    unbroken = tmp_path / "unbroken"
    ShardJob(config, str(manifest), str(unbroken), None, {})(0, list(range(quantity)))
    assert [t.to_json() for t in resumed] == [
        t.to_json() for t in shards.merge([shards.shard_path(unbroken, 0)])
    ]


def test_shards_merge_to_the_unsharded_records(tmp_path: Path, manifest: Path) -> None:
    config = _config(30)
    plan = shards.plan(30, 4)
    job = ShardJob(config, str(manifest), str(tmp_path / "sharded"), None, {})
    for k, indices in enumerate(plan):
        job(k, indices)
    sharded = shards.merge([shards.shard_path(tmp_path / "sharded", k) for k in range(len(plan))])
    single = ShardJob(config, str(manifest), str(tmp_path / "single"), None, {})
    single(0, list(range(30)))
    whole = shards.merge([shards.shard_path(tmp_path / "single", 0)])
    assert [t.to_json() for t in sharded] == [t.to_json() for t in whole]
