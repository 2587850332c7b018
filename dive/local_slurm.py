"""The one-node Slurm on localhost (slurm/start_local_cluster.sh): which ports it may use.

The tests and bench/dispatch.py start their own cluster; when a default port is taken (a cluster a
person started, another test session) they ask the kernel for free ones and pass them to the script.
"""

from __future__ import annotations

import socket

# start_local_cluster.sh's port variables and defaults (slurmctld, slurmd, slurmdbd, MariaDB)
PORT_VARS = {
    "DIVE_SLURM_CTLD_PORT": 6817,
    "DIVE_SLURMD_PORT": 6818,
    "DIVE_SLURMDBD_PORT": 6819,
    "DIVE_SLURM_DB_PORT": 3307,
}


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def cluster_ports() -> dict[str, str]:
    """The default ports, or free ones when a default is taken; as the script's environment."""
    if all(port_free(p) for p in PORT_VARS.values()):
        return {k: str(v) for k, v in PORT_VARS.items()}
    socks = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in PORT_VARS]
    try:
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return {k: str(sock.getsockname()[1]) for k, sock in zip(PORT_VARS, socks, strict=True)}
    finally:
        for sock in socks:
            sock.close()
