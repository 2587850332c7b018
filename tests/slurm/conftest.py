"""Session fixtures: a real one-node Slurm cluster (with slurmdbd, so sacct works) on localhost, and the
MaxArraySize it was started with."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dive.local_slurm import cluster_ports

REPO = Path(__file__).resolve().parents[2]
START = REPO / "slurm" / "start_local_cluster.sh"
STOP = REPO / "slurm" / "stop_local_cluster.sh"
MAX_ARRAY_SIZE = 4  # far below Slurm's 1001, so a test can submit more tasks than one array may hold
BINARIES = ("slurmctld", "slurmd", "slurmdbd", "sbatch", "sacct", "munged", "mariadbd", "mariadb-install-db")


def _missing_binaries() -> list[str]:
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    return [b for b in BINARIES if shutil.which(b, path=path) is None]


def _stop(cluster_dir: Path) -> None:
    res = subprocess.run([str(STOP), str(cluster_dir)], capture_output=True, text=True, timeout=120)
    if res.returncode != 0:
        print(f"stop_local_cluster.sh failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")


@pytest.fixture(scope="session")
def cluster_max_array_size() -> int:
    """The MaxArraySize ``slurm_cluster`` starts Slurm with, for tests that split arrays around it."""
    return MAX_ARRAY_SIZE


@pytest.fixture(scope="session")
def slurm_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Start slurm/start_local_cluster.sh in a temp dir, export SLURM_CONF for the session, stop it after."""
    missing = _missing_binaries()
    if missing:
        pytest.skip(f"Slurm binaries missing ({', '.join(missing)}): run slurm/install.sh")
    cluster_dir = tmp_path_factory.mktemp("slurm")
    t0 = time.monotonic()
    try:
        res = subprocess.run(
            [str(START), str(cluster_dir)],
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **cluster_ports(), "DIVE_SLURM_MAX_ARRAY_SIZE": str(MAX_ARRAY_SIZE)},
        )
    except subprocess.TimeoutExpired as exc:
        _stop(cluster_dir)
        pytest.fail(f"start_local_cluster.sh timed out:\n{exc.stdout!r}\n{exc.stderr!r}")
    if res.returncode != 0:
        _stop(cluster_dir)
        pytest.fail(f"start_local_cluster.sh failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
    print(f"local Slurm cluster up in {time.monotonic() - t0:.1f} s at {cluster_dir}")
    old_conf = os.environ.get("SLURM_CONF")
    os.environ["SLURM_CONF"] = str(cluster_dir / "slurm.conf")
    try:
        yield cluster_dir
    finally:
        _stop(cluster_dir)
        if old_conf is None:
            os.environ.pop("SLURM_CONF", None)
        else:
            os.environ["SLURM_CONF"] = old_conf
