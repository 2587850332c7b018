"""Session fixture that runs a real one-node Slurm cluster (with slurmdbd, so sacct works) on localhost."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
START = REPO / "slurm" / "start_local_cluster.sh"
STOP = REPO / "slurm" / "stop_local_cluster.sh"
BINARIES = ("slurmctld", "slurmd", "slurmdbd", "sbatch", "sacct", "munged", "mariadbd", "mariadb-install-db")
# start_local_cluster.sh's port variables and defaults (slurmctld, slurmd, slurmdbd, MariaDB).
PORT_VARS = {
    "DIVE_SLURM_CTLD_PORT": 6817,
    "DIVE_SLURMD_PORT": 6818,
    "DIVE_SLURMDBD_PORT": 6819,
    "DIVE_SLURM_DB_PORT": 3307,
}


def _missing_binaries() -> list[str]:
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    return [b for b in BINARIES if shutil.which(b, path=path) is None]


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _cluster_ports() -> dict[str, str]:
    """The default ports, or free ones when a default is taken (e.g. a cluster started outside pytest)."""
    if all(_port_free(p) for p in PORT_VARS.values()):
        return {k: str(v) for k, v in PORT_VARS.items()}
    socks = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in PORT_VARS]
    try:
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return {k: str(sock.getsockname()[1]) for k, sock in zip(PORT_VARS, socks, strict=True)}
    finally:
        for sock in socks:
            sock.close()


def _stop(cluster_dir: Path) -> None:
    res = subprocess.run([str(STOP), str(cluster_dir)], capture_output=True, text=True, timeout=120)
    if res.returncode != 0:
        print(f"stop_local_cluster.sh failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")


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
            env={**os.environ, **_cluster_ports()},
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
