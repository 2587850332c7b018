"""stage=status: every node of every point of a sweep's plan, in the state its artifact shows."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hydra import initialize_config_dir

from dive.__main__ import CONF_DIR
from dive.config import apply_point
from dive.graph import address
from dive.status import sweep_status, table
from tests.conftest import compose_config

JOBS = [["+sweep=smoke", "point=v1", "debug=tiny"], ["+sweep=smoke", "point=vtask", "debug=tiny"]]


@pytest.fixture
def sleeper() -> Iterator[int]:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process.pid
    process.kill()


def test_states_of_a_sweep_in_progress(tmp_path: Path, sleeper: int) -> None:
    root = f"paths.root={tmp_path}"
    run = tmp_path / "sweeps" / "smoke" / "2026-01-01_00-00-00"
    run.mkdir(parents=True)
    (run / "plan.json").write_text(json.dumps({"sweep": "smoke", "jobs": JOBS}))
    (run / "0-v1").mkdir()
    (run / "0-v1" / "__main__.log").write_text("Traceback ...")
    v1 = apply_point(compose_config([*JOBS[0], root]))
    done, stopped, running = (address(v1, node).path for node in ("validate", "synth", "solve"))
    for path in (done, stopped, running):
        path.mkdir(parents=True)
    (done / "DONE").write_text("")
    (running / "LEASE").write_text(f"{socket.gethostname()}:{sleeper}:1")

    cfg = compose_config(["+sweep=smoke", "debug=tiny", root])
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):  # as inside the running app
        states = sweep_status(cfg, run)
    by_point = {(s.point, s.node): s for s in states}
    assert (
        by_point["v1", "validate"].state == "done" and by_point["vtask", "validate"].state == "done"
    )  # shared
    assert by_point["v1", "synth"].state == "stopped"
    assert by_point["v1", "synth"].log.endswith("0-v1/__main__.log")
    assert by_point["v1", "solve"].state == "running"
    assert (
        by_point["vtask", "synth"].state == "pending" and by_point["v1", "evaluate_base"].state == "pending"
    )
    shown = table(states)
    assert "| v1 | done | stopped | running |" in shown and "| 1/9 |" in shown
    assert f"stopped: v1/synth: {stopped}" in shown
