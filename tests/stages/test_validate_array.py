"""The validate gate as a submitit job array gives the same manifest as in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dive.pipeline import make_context

pytestmark = pytest.mark.slow


def test_array_and_inprocess_manifests_agree(make_cfg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    manifests = []
    for array in (False, True):
        root = tmp_path / f"array-{array}"  # the array flag is not in the hash: separate roots
        cfg = make_cfg(
            f"paths.root={root}",
            "tools.domains=[science]",
            f"tools.array={str(array).lower()}",
            "tools.array_chunks=3",
        )
        artifact = make_context(cfg).need("validate")
        entries = [json.loads(line) for line in (artifact.path / "manifest.jsonl").read_text().splitlines()]
        manifests.append({e["id"]: (e["passed"], e["type"]) for e in entries})
        assert (artifact.path / "submitit").exists() == array
    assert manifests[0] == manifests[1] and len(manifests[0]) > 60
