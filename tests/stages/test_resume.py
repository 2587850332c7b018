"""A killed training job resumes from its last checkpoint: nothing lost, nothing repeated."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ARGS = [
    "stage=sft",
    "debug=tiny",
    "tracking=none",
    "tools.domains=[science]",
    "sft.epochs=100",
    "sft.max_steps=40",
    "sft.checkpoint_every=5",
    "sft.max_seq_len=4096",
]


def _start(root: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "DIVE_ROOT": str(root)}
    return subprocess.Popen(
        [sys.executable, "-m", "dive", *ARGS],
        cwd=root,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_sft_killed_mid_run_resumes_without_duplicates(tmp_path: Path) -> None:
    job = _start(tmp_path)
    deadline = time.time() + 900
    while not list(tmp_path.glob("artifacts/sft/*/checkpoints/latest")):
        assert job.poll() is None, job.stdout.read() if job.stdout else ""
        assert time.time() < deadline, "no checkpoint appeared"
        time.sleep(0.05)
    job.send_signal(signal.SIGKILL)
    job.wait()
    sft_dir = next(tmp_path.glob("artifacts/sft/*"))
    assert not (sft_dir / "DONE").exists()
    killed_at = len((sft_dir / "progress.jsonl").read_text().splitlines())
    assert killed_at < 40

    rerun = _start(tmp_path)
    output, _ = rerun.communicate(timeout=900)
    assert rerun.returncode == 0, output
    assert "resumed SFT" in output
    steps = [json.loads(line)["step"] for line in (sft_dir / "progress.jsonl").read_text().splitlines()]
    assert steps == list(range(1, 41))
    assert (sft_dir / "DONE").exists()
