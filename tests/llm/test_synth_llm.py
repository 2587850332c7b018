"""The LLM synthesizer's loop in-process: tools that raise or hang are recorded and survived, and
derivation replies are parsed by their line tags."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import pytest

from dive.llm.client import Endpoint, LLMClient
from dive.llm.fake import FakeLLM, FakeServer, completion
from dive.pools.seeds import Seed
from dive.synth.llm import LLMSettings, Tally, parse_derivation, synthesize_llm
from dive.synth.sampling import SynthSettings
from dive.tools.base import REGISTRY, Tool, tool

IDS = ["general.fake.capital", "general.fake.explodes", "general.fake.stalls"]
RELEASE = threading.Event()  # lets the stalled tool's thread finish after the test


def _pool() -> dict[str, Tool]:
    for tid in IDS:
        REGISTRY.pop(tid, None)

    @tool(IDS[0], "R", params={"country": "A country."}, examples=[{"country": "Kenya"}], package="dive",
          requires=[], accepts={"country": "country"}, produces={"capital": "city"})  # fmt: skip
    def capital(country: str) -> dict:
        """Capital of a country."""
        return {"country": country, "capital": "Nairobi"}

    @tool(IDS[1], "R", params={"country": "A country."}, examples=[{"country": "Kenya"}], package="dive",
          requires=[], accepts={"country": "country"})  # fmt: skip
    def explodes(country: str) -> dict:
        """A tool whose library raises."""
        raise RuntimeError("library failure")

    @tool(IDS[2], "R", params={"country": "A country."}, examples=[{"country": "Kenya"}], package="dive",
          requires=[], accepts={"country": "country"})  # fmt: skip
    def stalls(country: str) -> dict:
        """A tool that hangs."""
        RELEASE.wait(600)
        return {}

    return {tid: REGISTRY.pop(tid) for tid in IDS}


@pytest.fixture(autouse=True)
def _release_stalled_threads() -> object:
    RELEASE.clear()
    yield
    RELEASE.set()


def _settings() -> SynthSettings:
    return SynthSettings(
        quantity=1, variety=None, toolset_min=3, toolset_max=3, exemplars_min=1, exemplars_max=1,
        rounds=1, calls_per_round=3, seed=0, split="train",
    )  # fmt: skip


def test_tools_that_raise_or_hang_are_recorded_and_survived() -> None:
    tools = _pool()
    calls = [(tools[t].name, {"country": "Kenya"}) for t in IDS]
    derivation = "QUERY: What is the capital of Kenya?\nANSWER: Nairobi\nREASONING: the capital tool"
    fake = FakeLLM([completion("", calls), completion(derivation)])
    tally = Tally()

    async def run() -> list:
        endpoint = Endpoint("http://fake/v1", "toy", max_retries=0)
        async with LLMClient(endpoint, transport=fake.transport()) as client:
            stream = synthesize_llm(
                tools,
                [Seed("general", "country", "Kenya")],
                [{"question": "Which city is the capital of Chile?", "structure": ["lookup"]}],
                _settings(),
                LLMSettings(max_output_chars=500, tool_timeout_s=0.5),
                client,
                [0],
                tally,
            )
            return [task async for task in stream]

    (task,) = asyncio.run(run())
    assert [c.ok for c in task.calls] == [True, False, False]
    assert "RuntimeError: library failure" in str(task.calls[1].error)
    assert "timed out" in str(task.calls[2].error)
    assert tally.counts["tool_error"] == 1 and tally.counts["tool_timeout"] == 1
    assert task.rejected is None and (task.question, task.answer) == (
        "What is the capital of Kenya?",
        "Nairobi",
    )
    offered = {t["function"]["name"] for t in fake.seen[0].body["tools"]}
    assert offered == {tools[t].name for t in IDS}  # the toolset, as OpenAI tools


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("QUERY: What is X?\nANSWER: 42.\nREASONING: r", ("What is X?", "42")),
        (
            "**EVOLVED_QUERY:** Which is larger?\n**EVOLVED_ANSWER:** Kenya\nREASONING: r",
            ("Which is larger?", "Kenya"),
        ),
        ("QUERY: only a question", None),
        ("I cannot do that.", None),
    ],
)
def test_derivation_replies_parse_by_tag(reply: str, expected: tuple[str, str] | None) -> None:
    assert parse_derivation(reply, 2) == expected


def test_a_killed_llm_solve_resumes_without_redoing_or_losing_tasks(tmp_path: Path) -> None:
    from dive.records import Task, Trajectory, Verdict
    from dive.stages.solve import PARTIAL, _solve_llm
    from dive.tools.registry import load_tools
    from tests.llm.toy_model import ToyModel

    tools = load_tools(("general",))
    tasks = [
        Task(i, ["general.factbook.capital"], id=f"t{i}", question=f"Question {i}?", answer="x")
        for i in range(3)
    ]
    finished = Trajectory("t1", [{"role": "user", "content": "Question 1?"}], [], Verdict(True, "correct"))
    with (tmp_path / PARTIAL).open("w") as handle:  # task 1 finished, task 2 torn mid-write by a kill
        handle.write(json.dumps({"index": 1, **finished.to_json()}) + "\n" + '{"index": 2, "task_id": "t')
    model = ToyModel(tools)
    with FakeServer(model) as server:
        role = {"base_url": server.base_url, "server": None, "device": None, "model": "toy"}
        role |= {"temperature": 0.0, "max_tokens": 16}
        config = {"teacher": role, "judge": role, "attempts": 1, "max_rounds": 2, "max_output_chars": 500}
        transport = {"api_key_env": {"teacher": None, "judge": None}, "concurrency": 2, "timeout_s": 10.0}
        transport |= {"max_retries": 0, "startup_timeout_s": 10.0, "tool_timeout_s": 10.0}
        trajectories, _ = asyncio.run(_solve_llm(config, tasks, tools, transport, None, tmp_path))
    assert [t.task_id for t in trajectories] == ["t0", "t1", "t2"]
    assert trajectories[1] == finished  # kept from before the kill, not redone
    asked = [m["content"] for seen in model.seen for m in seen.body["messages"] if m["role"] == "user"]
    assert not any("Question 1?" in text for text in asked) and any("Question 2?" in text for text in asked)
    assert len((tmp_path / PARTIAL).read_text().splitlines()) == 3
