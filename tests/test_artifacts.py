"""Content addressing, the DONE marker, resumption and the lease."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

from dive import artifacts
from dive.artifacts import artifact_for, lease, produce


def test_hash_covers_config_and_inputs_only(tmp_path: Path) -> None:
    a = artifact_for(tmp_path, "synth", "x", {"q": 1}, [])
    assert a == artifact_for(tmp_path, "synth", "x", {"q": 1}, [])
    assert a.digest != artifact_for(tmp_path, "synth", "x", {"q": 2}, []).digest
    b = artifact_for(tmp_path, "solve", "y", {}, [a])
    assert (
        b.digest
        != artifact_for(
            tmp_path, "solve", "y", {}, [artifact_for(tmp_path, "synth", "x", {"q": 2}, [])]
        ).digest
    )
    assert a.path.name == f"x-{a.digest[:6]}" and a.path.parent.name == "synth"


def test_done_artifact_is_not_recomputed(tmp_path: Path) -> None:
    calls = []

    def compute(out: Path) -> dict[str, float]:
        calls.append(out)
        (out / "data.txt").write_text("hi")
        return {"n": 1.0}

    art = artifact_for(tmp_path, "s", "l", {}, [])
    assert produce(art, {}, compute) == ({"n": 1.0}, True)
    assert produce(art, {}, compute) == ({"n": 1.0}, False)
    assert len(calls) == 1 and art.done


def test_failed_compute_leaves_no_done_and_resumes(tmp_path: Path) -> None:
    art = artifact_for(tmp_path, "s", "l", {}, [])

    def crash(out: Path) -> dict[str, float]:
        (out / "partial.txt").write_text("step 1")
        raise RuntimeError("killed")

    with contextlib.suppress(RuntimeError):
        produce(art, {}, crash)
    assert not art.done and not (art.path / "LEASE").exists()
    seen = []
    produce(art, {}, lambda out: seen.append((out / "partial.txt").read_text()) or {"n": 2.0})
    assert seen == ["step 1"] and art.done


def test_second_process_waits_for_the_lease_holder(tmp_path: Path) -> None:
    order: list[str] = []
    holder_in = threading.Event()

    def holder() -> None:
        with lease(tmp_path):
            holder_in.set()
            time.sleep(1.5)
            order.append("first done")

    thread = threading.Thread(target=holder)
    thread.start()
    holder_in.wait()
    with lease(tmp_path):
        order.append("second in")
    thread.join()
    assert order == ["first done", "second in"]


def test_stale_lease_is_taken_over(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "LEASE"
    path.write_text("deadhost:1:1")
    old = time.time() - 3600
    os.utime(path, (old, old))
    monkeypatch.setattr(artifacts, "STALE_AFTER_S", 1.0)
    with lease(tmp_path, stale_after_s=1.0):
        assert "deadhost" not in path.read_text()
    assert not path.exists()
