"""In-process and served greedy evaluation agree: the same checkpoint scored through HF generate here and
through a managed ``transformers serve`` gives the same replies and the same BFCL scores.

SmolLM2-135M in BFCL's prompting mode (real text, every category, a multi-turn item that fits its
context) and the tiny model in function-calling mode (tools sent to the server's chat template).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from dive.eval import bfcl_multi_turn, bfcl_run
from dive.eval.chat_model import InProcessModel, ServedModel
from dive.llm.client import Endpoint
from dive.llm.server import ManagedServer, ServerSpec
from dive.model import load_policy
from tests.conftest import compose_config

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not __import__("importlib").util.find_spec("bfcl_eval"), reason="bfcl-eval is not installed"
    ),
]


@pytest.fixture(scope="module")
def smollm2_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dive import model as model_stage

    out = tmp_path_factory.mktemp("smollm2")
    model_stage.compute(model_stage.config(compose_config(["model=smollm2"])), {}, out, runtime=None)  # type: ignore[arg-type]
    return out / "hf"


def _shortest_multi_turn() -> int:
    """The multi_turn_base item with the shortest function docs, so its whole dialogue fits 8k tokens."""
    items = bfcl_multi_turn.load_multi_turn_items()
    return min(range(len(items)), key=lambda i: len(json.dumps(items[i].functions)))


def _both(path: Path, mode: str, plan: list[tuple[str, int, int]], tmp_path: Path) -> tuple[list, list]:
    """(in-process rows, served rows) for ``plan`` = [(category, offset, count)]."""
    model, tokenizer = load_policy(path)
    in_process = InProcessModel(model, tokenizer, "in-process", batch_size=1)
    spec = ServerSpec("transformers", str(path), startup_timeout_s=300.0)
    with ManagedServer(spec, tmp_path / "server.log") as server:
        endpoint = Endpoint(server.base_url, server.model, timeout_s=600.0, max_retries=0, concurrency=1)
        served = ServedModel(endpoint, "served", tokenizer=tokenizer, max_context=in_process.max_context)
        return _rows(in_process, mode, plan), _rows(served, mode, plan)


def _rows(chat: object, mode: str, plan: list[tuple[str, int, int]]) -> list[dict]:
    out = io.StringIO()
    for category, offset, count in plan:
        bfcl_run.run(chat, [category], mode, count, 48, out, offset=offset)  # type: ignore[arg-type]
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _assert_agree(ours: list[dict], theirs: list[dict]) -> None:
    assert [r["id"] for r in ours] == [r["id"] for r in theirs]
    for a, b in zip(ours, theirs, strict=True):
        assert a["output"] == b["output"], a["id"]
        assert (a["correct"], a["reason"]) == (b["correct"], b["reason"]), a["id"]


def test_smollm2_prompting_mode_agrees(smollm2_dir: Path, tmp_path: Path) -> None:
    plan = [(c, 0, 2) for c in bfcl_run.SINGLE_TURN] + [("multi_turn_base", _shortest_multi_turn(), 1)]
    ours, theirs = _both(smollm2_dir, "prompting", plan, tmp_path)
    _assert_agree(ours, theirs)
    assert any(r["decoded"] for r in ours)  # SmolLM2 writes some calls in BFCL's Python format


def test_tiny_function_calling_mode_agrees(tiny_dir: Path, tmp_path: Path) -> None:
    plan = [(c, 0, 3) for c in bfcl_run.SINGLE_TURN] + [("multi_turn_base", 0, 1)]
    ours, theirs = _both(tiny_dir, "fc", plan, tmp_path)
    _assert_agree(ours, theirs)
    assert ours[-1]["reason"] == "multi_turn:context_overflow"  # both sides refuse what does not fit
