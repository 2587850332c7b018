"""A sweep through hydra-submitit-launcher onto the real local Slurm cluster: the product path at scale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import TINY_SMOKE, mlflow_runs, run_dive

pytestmark = pytest.mark.slurm


def test_smoke_sweep_runs_as_a_slurm_array(slurm_cluster: Path, tmp_path: Path) -> None:
    args = [*TINY_SMOKE, "tools.domains=[science]", "launcher=slurm", "slurm=localhost"]
    result = run_dive(args, tmp_path)
    assert result.stdout.strip().splitlines()[-1] == str(tmp_path / "results" / "smoke")
    job_dirs = [p.name for p in tmp_path.glob("sweeps/smoke/*/.submitit/*")]
    assert any(re.fullmatch(r"\d+_\d+", name) for name in job_dirs), job_dirs  # a Slurm array, not local
    points = [r for r in mlflow_runs(tmp_path) if r.data.tags.get("dive.kind") == "point"]
    assert sorted(r.info.run_name for r in points) == ["v1", "vtask"]
    assert all(r.info.status == "FINISHED" for r in points)
