"""Run the real CLI in a subprocess and read what it left behind (artifacts, MLflow runs)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

TINY_SMOKE = ["+sweep=smoke", "debug=tiny", "sft.max_seq_len=4096", "evaluate.models=[grpo,sft,base]"]


def run_dive(
    args: list[str], root: Path, timeout: int = 1500, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """``python -m dive <args>`` with DIVE_ROOT=root; with ``check`` a failure raises with the job logs."""
    env = {**os.environ, "DIVE_ROOT": str(root), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    result = subprocess.run(
        [sys.executable, "-m", "dive", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        logs = "\n".join(p.read_text()[-3000:] for p in root.glob("sweeps/*/*/.submitit/*/*_log.err"))
        raise AssertionError(
            f"dive {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}\n{logs}"
        )
    return result


def done_markers(root: Path) -> dict[str, float]:
    return {str(p.parent.relative_to(root)): p.stat().st_mtime for p in root.glob("artifacts/*/*/DONE")}


def mlflow_runs(root: Path) -> list[Any]:
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{root}/results/mlflow.db")
    experiment = client.get_experiment_by_name("dive")
    return client.search_runs([experiment.experiment_id], max_results=1000)
