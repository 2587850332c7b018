"""A reference row end to end: ``evaluate.references`` names an OpenAI-compatible endpoint (here the fake
server on a real socket), ``stage=evaluate`` scores it on DIVE-Eval and BFCL in its own artifact, and the
requests carry the tools (function-calling mode) with greedy decoding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dive.llm.fake import FakeLLM, FakeServer, completion
from tests.helpers import run_dive

pytestmark = pytest.mark.slow


def test_reference_endpoint_is_scored_in_its_own_artifact(tmp_path: Path) -> None:
    pytest.importorskip("bfcl_eval")
    llm = FakeLLM(default=completion("The final answer is: 42"))
    with FakeServer(llm) as server:
        reference = f"{{base_url: '{server.base_url}', model: big-model}}"
        args = [
            "stage=evaluate",
            "debug=tiny",
            "tracking=none",
            "launcher=debug",
            "evaluate.models=[]",
            "evaluate.bfcl_limit=1",
            f"+evaluate.references.big={reference}",
        ]
        run_dive(args, tmp_path)
    (artifact,) = tmp_path.glob("artifacts/evaluate/references-big-*")
    metrics = json.loads((artifact / "metrics.json").read_text())
    assert metrics["eval_ref/big/bfcl/irrelevance/accuracy"] == 1.0  # it answered without a call
    assert metrics["eval_ref/big/bfcl/simple_python/accuracy"] == 0.0
    assert metrics["eval_ref/big/bfcl/multi_turn_base/items"] == 1.0
    assert "eval_ref/big/dive_eval/all/accuracy" in metrics
    bodies = [seen.body for seen in llm.seen]
    assert all(b["model"] == "big-model" and b["temperature"] == 0.0 for b in bodies)
    assert any(b.get("tools") for b in bodies)  # fc mode: BFCL's functions went as tools
    assert (artifact / "big" / "bfcl.jsonl").exists()
