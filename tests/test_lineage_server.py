"""Lineage against a real ``mlflow server`` (the sqlite store is covered by the e2e test): a stage run
carries its artifact's digest, its inputs and the source commit, read back over HTTP."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dive.training import free_port
from tests.helpers import run_dive

pytestmark = pytest.mark.slow


@pytest.fixture
def mlflow_server(tmp_path: Path) -> Iterator[str]:
    mlflow = shutil.which("mlflow") or str(Path(sys.executable).parent / "mlflow")
    port = free_port()
    command = [
        mlflow, "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        "--backend-store-uri", f"sqlite:///{tmp_path / 'server.db'}",
        "--default-artifact-root", str(tmp_path / "server-artifacts"),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        else:
            pytest.fail("mlflow server did not become healthy in 120 s")
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def test_stage_lineage_reaches_an_mlflow_server(mlflow_server: str, tmp_path: Path) -> None:
    import mlflow

    args = [
        "stage=synth",
        "debug=tiny",
        "launcher=debug",
        "tracking=mlflow_server",
        f"tracking.uri={mlflow_server}",
    ]
    root = tmp_path / "root"
    root.mkdir()
    run_dive(args, root)
    mlflow.set_tracking_uri(mlflow_server)
    runs = mlflow.search_runs(experiment_names=["dive"], output_format="list")
    stages = {r.info.run_name: r.data.tags for r in runs if r.data.tags.get("dive.kind") == "stage"}
    assert {"validate", "synth"} <= set(stages)
    synth = stages["synth"]
    assert Path(synth["dive.artifact"]).name.endswith(synth["dive.digest"][:6])
    assert synth["dive.input.validate"].split(" ")[0] == stages["validate"]["dive.digest"]
    assert len(synth["dive.git_commit"].removesuffix("-dirty")) == 40
