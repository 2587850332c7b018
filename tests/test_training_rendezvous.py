"""dive.training.setup_distributed: a world of one needs no TCP rendezvous; larger ones fail in bounded time.

Each case runs setup in a fresh interpreter (torch.distributed is process-global). HANG_S only detects a hang
(the bug was a 10-minute loop of DistNetworkError retries); it is no performance bound.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from dive.training import (
    DEFAULT_RENDEZVOUS_TIMEOUT_S,
    RENDEZVOUS_TIMEOUT_ENV,
    free_port,
    rendezvous_timeout_s,
)
from tests.conftest import REPO

HANG_S = 240

PROBE = """
import sys
import torch
import torch.distributed as dist
from dive.training import RendezvousError, setup_distributed
try:
    rank, world = setup_distributed()
except RendezvousError as exc:
    print("RENDEZVOUS_ERROR", exc, flush=True)
    sys.exit(3)
value = torch.ones(1)
dist.all_reduce(value)
store = dist.distributed_c10d._get_default_store()
store = getattr(store, "underlying_store", store)
print("OK", rank, world, value.item(), type(store).__name__, flush=True)
"""


def _probe(env: dict[str, str], prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    drop = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
    base = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("TORCHELASTIC")}
    pythonpath = os.pathsep.join(p for p in (str(REPO), base.get("PYTHONPATH", "")) if p)
    try:
        return subprocess.run(
            [*prefix, sys.executable, "-c", PROBE],
            env={**base, "PYTHONPATH": pythonpath, "CUDA_VISIBLE_DEVICES": "", **env},
            capture_output=True,
            text=True,
            timeout=HANG_S,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"setup_distributed hung for {HANG_S} s:\n{exc.stdout!r}\n{(exc.stderr or '')[-3000:]!r}")


def _unshare_net() -> tuple[str, ...]:
    """A prefix that runs a command in a fresh network namespace (loopback down), or skip."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare (util-linux) not installed")
    probe = subprocess.run([unshare, "-n", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot create a network namespace here (needs root): {probe.stderr.strip()}")
    return (unshare, "-n")


@pytest.fixture
def unused_tcp_port() -> int:
    return free_port()


def _out(res: subprocess.CompletedProcess[str]) -> str:
    return f"rc={res.returncode}\n--- stdout ---\n{res.stdout}\n--- stderr ---\n{res.stderr[-3000:]}"


def test_world_of_one_meets_in_memory() -> None:
    res = _probe({})
    assert res.returncode == 0, _out(res)
    assert res.stdout.split()[-5:] == ["OK", "0", "1", "1.0", "HashStore"], _out(res)


def test_world_of_one_with_loopback_down_fails_fast_and_says_why() -> None:
    res = _probe({}, prefix=_unshare_net())
    # No rendezvous to retry: either the backend starts (it needs no network), or it fails at once with
    # the hint. gloo needs an interface holding the host's address, and a fresh namespace has none up.
    if res.returncode == 0:
        assert "OK 0 1" in res.stdout, _out(res)
    else:
        assert res.returncode == 3, _out(res)
        assert "RENDEZVOUS_ERROR" in res.stdout and "loopback interface is up" in res.stdout, _out(res)
        assert "DistNetworkError" not in res.stderr, _out(res)  # no TCP store was tried


@pytest.mark.parametrize("netns", [False, True], ids=["peer-missing", "loopback-down"])
def test_rank_that_cannot_rendezvous_fails_within_the_timeout(netns: bool, unused_tcp_port: int) -> None:
    env = {
        "RANK": "0",
        "LOCAL_RANK": "0",
        "WORLD_SIZE": "2",
        "LOCAL_WORLD_SIZE": "2",
        "MASTER_ADDR": "127.0.0.1",
        "MASTER_PORT": str(unused_tcp_port),
        RENDEZVOUS_TIMEOUT_ENV: "3",
    }
    res = _probe(env, prefix=_unshare_net() if netns else ())
    assert res.returncode == 3, _out(res)
    message = res.stdout
    assert f"rank 0 of 2 did not rendezvous at 127.0.0.1:{unused_tcp_port} within 3 s" in message, _out(res)
    for hint in ("MASTER_ADDR/MASTER_PORT", "loopback interface is up", "firewall", RENDEZVOUS_TIMEOUT_ENV):
        assert hint in message, _out(res)


def test_rendezvous_timeout_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(RENDEZVOUS_TIMEOUT_ENV, raising=False)
    assert rendezvous_timeout_s() == DEFAULT_RENDEZVOUS_TIMEOUT_S == 60
    assert rendezvous_timeout_s(5) == 5
    monkeypatch.setenv(RENDEZVOUS_TIMEOUT_ENV, "12.5")
    assert rendezvous_timeout_s() == 12.5
    assert rendezvous_timeout_s(7) == 7  # an explicit argument wins
    for bad in ("soon", "0", "-1"):
        monkeypatch.setenv(RENDEZVOUS_TIMEOUT_ENV, bad)
        with pytest.raises(ValueError, match="seconds"):
            rendezvous_timeout_s()
