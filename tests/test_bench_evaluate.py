"""bench/evaluate.py runs end to end (tiny model, one item per BFCL category) and prints its comparison."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_quick_bench_compares_in_process_and_served(tmp_path: Path) -> None:
    pytest.importorskip("bfcl_eval")
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "evaluate.py"), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "speed-up ours/served" in result.stdout
    numbers = json.loads(out.read_text())
    assert numbers["items"] == 6 and numbers["same_scores"] == 6 and numbers["same_replies"] == 6
