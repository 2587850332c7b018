"""A preempted SFT or GRPO run resumes exactly: after SIGTERM mid-run and a rerun, the trained weights
equal those of an unbroken run with the same seed, every step is logged once, and the stage keeps one
MLflow run.

Each recipe runs once unbroken (root ``a``); root ``b`` copies a's upstream artifacts, is sent SIGTERM
once a step or two have been logged (the periodic checkpoint is set beyond the run, so only the
preemption checkpoint can make the resume exact), and is run again to the end.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import mlflow_runs, run_dive

pytestmark = pytest.mark.slow

COMMON = ["debug=tiny", "tools.domains=[science]"]
RECIPES = {
    "sft": [
        "stage=sft",
        "sft.epochs=100",
        "sft.max_steps=30",
        "sft.checkpoint_every=1000",
        "sft.max_seq_len=4096",
    ],
    "grpo": ["stage=grpo", "grpo.steps=6", "grpo.checkpoint_every=1000"],
}


def _env(root: Path) -> dict[str, str]:
    return {**os.environ, "DIVE_ROOT": str(root), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def _weights(root: Path, stage: str) -> dict[str, object]:
    from safetensors.torch import load_file

    (path,) = root.glob(f"artifacts/{stage}/*/hf/model.safetensors")
    return load_file(str(path))


def _preempt(root: Path, stage: str, args: list[str]) -> str:
    """Start the stage, SIGTERM it after its first logged step, and return its output."""
    job = subprocess.Popen(
        [sys.executable, "-m", "dive", *args],
        cwd=root,
        env=_env(root),
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 900
    progress = root / "artifacts" / stage
    while not any(p.stat().st_size for p in progress.glob("*/progress.jsonl")):
        assert job.poll() is None, f"{stage} ended before it was signalled:\n{job.communicate()[0][-3000:]}"
        assert time.time() < deadline, f"{stage} logged no step"
        time.sleep(0.01)
    job.send_signal(signal.SIGTERM)
    output, _ = job.communicate(timeout=600)
    assert job.returncode == 128 + signal.SIGTERM, output[-3000:]
    return output


@pytest.mark.parametrize("stage", ["sft", "grpo"])
def test_preempted_run_resumes_to_the_unbroken_runs_weights(stage: str, tmp_path: Path) -> None:
    import torch

    args = [*COMMON, *RECIPES[stage]]
    unbroken, resumed = tmp_path / "a", tmp_path / "b"
    unbroken.mkdir()
    run_dive(args, unbroken)
    shutil.copytree(unbroken / "artifacts", resumed / "artifacts")
    shutil.rmtree(resumed / "artifacts" / stage)

    output = _preempt(resumed, stage, args)
    assert "checkpointing after this step" in output
    (stage_dir,) = (resumed / "artifacts" / stage).iterdir()
    assert not (stage_dir / "DONE").exists()
    steps_before = len((stage_dir / "progress.jsonl").read_text().splitlines())

    rerun = run_dive(args, resumed)
    assert f"resumed {stage.upper()}" in rerun.stdout + rerun.stderr
    steps = [json.loads(line)["step"] for line in (stage_dir / "progress.jsonl").read_text().splitlines()]
    assert steps_before < len(steps) and steps == list(range(1, len(steps) + 1))

    expected, actual = _weights(unbroken, stage), _weights(resumed, stage)
    assert expected.keys() == actual.keys()
    different = [k for k in expected if not torch.equal(expected[k], actual[k])]
    assert not different, f"{len(different)} tensors differ from the unbroken run's, e.g. {different[:3]}"

    stage_runs = [r for r in mlflow_runs(resumed) if r.data.tags.get("dive.kind") == "stage"]
    trained = [r for r in stage_runs if r.info.run_name == stage]
    assert len(trained) == 1 and trained[0].info.status == "FINISHED"
    assert (stage_dir / "mlflow_run_id").read_text() == trained[0].info.run_id
