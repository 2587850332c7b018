"""The LLM path end to end through the real CLI, against a local OpenAI-compatible server (a toy model
that reads each request): `python -m dive stage=solve synth.backend=llm solve.backend=llm
llm.base_url=...` synthesizes, verifies, solves and judges, survives the endpoint's faults, and fails
loudly (never with an empty dataset) when the endpoint stays down."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from dive.llm.fake import DROP, FakeServer, completion, rate_limited, server_error
from dive.records import load_tasks, read_jsonl
from dive.tools.registry import load_tools
from tests.helpers import run_dive
from tests.llm.toy_model import ToyModel

pytestmark = pytest.mark.slow
DOMAINS = ["general"]


def _args(base_url: str, quantity: int = 6) -> list[str]:
    return [
        "stage=solve",
        "synth.backend=llm",
        "solve.backend=llm",
        f"llm.base_url={base_url}",
        "llm.model=toy",
        "llm.max_retries=4",
        "llm.timeout_s=5",
        "tracking=none",
        "launcher=debug",
        "model=tiny",
        f"tools.domains=[{','.join(DOMAINS)}]",
        f"synth.quantity={quantity}",
        "synth.rounds=1",
        "synth.calls_per_round=1",
    ]


def _artifact(root: Path, stage: str) -> Path:
    found = [p.parent for p in root.glob(f"artifacts/{stage}/*/DONE")]
    assert len(found) == 1, found
    return found[0]


def test_llm_synthesis_and_solving_survive_endpoint_faults(tmp_path: Path) -> None:
    faults = [
        rate_limited("0"),  # with Retry-After
        rate_limited(),  # without
        server_error(500),
        DROP,  # a dropped connection
        completion("", [("general__nonexistent", "{not json")]),  # malformed tool-call JSON
    ]
    model = ToyModel(load_tools(tuple(DOMAINS)), script=faults)
    with FakeServer(model) as server:
        run_dive(_args(server.base_url), tmp_path)
    synth = _artifact(tmp_path, "synth")
    metrics = json.loads((synth / "metrics.json").read_text())
    assert metrics["synth/llm/retries"] >= 4  # 429 twice, 500, the drop
    assert metrics["synth/llm/malformed_tool_calls"] >= 1
    assert metrics["synth/tasks"] == 6
    tasks = load_tasks(synth / "tasks.jsonl")
    assert tasks, metrics
    for task in tasks:  # every kept question states its inputs and is answered by a recorded output
        call = next(c for c in task.calls if c.ok)
        assert all(str(v) in task.question for v in call.arguments.values())
        assert task.answer in json.dumps(call.output)
    solve = _artifact(tmp_path, "solve")
    trajectories = read_jsonl(solve / "trajectories.jsonl")
    assert [t["task_id"] for t in trajectories] == [t.id for t in tasks]
    kept = read_jsonl(solve / "sft.jsonl")
    assert kept and all(t["verdict"]["reason"] in ("correct", "incorrect", "partial") for t in trajectories)
    # the teacher's own messages: a tool call, the tool's real result, the answer
    roles = [m["role"] for m in kept[0]["messages"]]
    assert roles[:2] == ["system", "user"] and "tool" in roles and roles[-1] == "assistant"
    assert {"collect", "derive", "teach", "judge"} <= set(model.roles)


def test_an_endpoint_that_stays_down_fails_the_run_loudly(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_dive([*_args(f"http://127.0.0.1:{port}/v1"), "llm.max_retries=1"], tmp_path, check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "EndpointError" in output and f"127.0.0.1:{port}" in output
    assert not list(tmp_path.glob("artifacts/synth/*/DONE"))
    assert not list(tmp_path.glob("artifacts/synth/*/tasks.jsonl"))
