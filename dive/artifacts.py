"""Content-addressed stage artifacts with a DONE marker and a heartbeat lease.

A stage's directory is ``<artifacts>/<stage>/<label>-<hash6>``; the hash covers only the config fields
that change the result plus the hashes of the stage's inputs, so two sweep points that share an upstream
config share its artifact, and rerunning with another launcher or tracker reuses everything. ``DONE`` is
written last: a directory without it is unfinished and its stage resumes from what it holds. The lease
(after marin's executor) makes a second process that needs the same artifact wait for the first instead
of computing it twice; a lease whose heartbeat stopped (killed job) is taken over.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

HEARTBEAT_S = 5.0
STALE_AFTER_S = 60.0


@dataclasses.dataclass(frozen=True)
class Artifact:
    stage: str
    label: str
    digest: str  # full sha256 of (stage, config, input digests)
    path: Path

    @property
    def done(self) -> bool:
        return (self.path / "DONE").exists()

    def metrics(self) -> dict[str, float]:
        return json.loads((self.path / "metrics.json").read_text())


def artifact_for(root: Path, stage: str, label: str, config: Any, inputs: list[Artifact]) -> Artifact:
    """The artifact a stage would write for ``config`` given its ``inputs`` (nothing is created)."""
    payload = {"stage": stage, "config": config, "inputs": sorted(a.digest for a in inputs)}
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    return Artifact(stage, label, digest, root / stage / f"{label}-{digest[:6]}")


def produce(
    artifact: Artifact, config: Any, compute: Callable[[Path], dict[str, float]]
) -> tuple[dict[str, float], bool]:
    """Run ``compute(dir)`` unless the artifact is DONE; returns (metrics, computed_now).

    ``compute`` writes its files into ``dir`` (resuming from partial files if a previous attempt died)
    and returns its headline metrics; they are stored in ``metrics.json`` before ``DONE``.
    """
    if artifact.done:
        log.info("skip %s: already done at %s", artifact.stage, artifact.path)
        return artifact.metrics(), False
    artifact.path.mkdir(parents=True, exist_ok=True)
    with lease(artifact.path):
        if artifact.done:  # another process finished it while we waited for the lease
            return artifact.metrics(), False
        (artifact.path / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True, default=str))
        metrics = compute(artifact.path)
        _write_atomic(artifact.path / "metrics.json", json.dumps(metrics, indent=2, sort_keys=True))
        _write_atomic(artifact.path / "DONE", time.strftime("%Y-%m-%dT%H:%M:%S"))
    return metrics, True


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + f".tmp{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


@contextlib.contextmanager
def lease(directory: Path, stale_after_s: float = STALE_AFTER_S) -> Iterator[None]:
    """Hold ``directory/LEASE`` while working; wait for a live holder, take over a stale one."""
    path = directory / "LEASE"
    owner = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    waited = False
    while not _try_acquire(path, owner, stale_after_s):
        holder = _read(path)
        if not waited and holder:  # (no holder: a stale lease was just removed; the next try races for it)
            log.info("waiting for %s (held by %s)", directory, holder)
            waited = True
        time.sleep(1.0)
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(path, owner, stop), daemon=True)
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join()
        if _read(path).startswith(owner):
            path.unlink(missing_ok=True)


def held_by_another(directory: Path, stale_after_s: float = STALE_AFTER_S) -> bool:
    """Whether a live process other than this one holds ``directory``'s lease (a killed holder's lease
    on this host counts as free at once, another host's once its heartbeat is stale)."""
    path = directory / "LEASE"
    owner = _read(path)
    if not owner:
        return False
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host == socket.gethostname() and pid.isdigit():
        if int(pid) == os.getpid():  # this process: another thread's lease, unless it is this thread's
            return not owner.startswith(f"{host}:{pid}:{threading.get_ident()}")
        return pid_alive(int(pid))
    try:
        return time.time() - path.stat().st_mtime < stale_after_s
    except FileNotFoundError:
        return False


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this host (under any user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, under another user
    return True


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def _try_acquire(path: Path, owner: str, stale_after_s: float) -> bool:
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        try:
            age = time.time() - path.stat().st_mtime
        except FileNotFoundError:
            return False  # released between our open and stat: try again
        if age < stale_after_s and held_by_another(path.parent, stale_after_s):
            return False
        log.warning("taking over lease %s (holder gone; last heartbeat %.0f s ago)", path, age)
        path.unlink(missing_ok=True)
        return False  # re-race for it with O_EXCL so only one process wins
    with os.fdopen(fd, "w") as handle:
        handle.write(owner)
    return True


def _heartbeat(path: Path, owner: str, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_S):
        if _read(path).startswith(owner):
            os.utime(path)
