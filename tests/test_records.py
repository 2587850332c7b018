"""Typed records: JSON round trips, one call shape for synthesis and rollouts, old task lines still read."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from dive.pools.seeds import Seed
from dive.records import (
    Call,
    Derivation,
    Task,
    Trajectory,
    Verdict,
    load_tasks,
    read_jsonl,
    write_tasks,
    write_trajectories,
)
from dive.rollout import Episode, run_calls
from dive.synth.sampling import SynthSettings
from dive.synth.scripted import synthesize
from dive.tools.base import REGISTRY, Tool, ToolError, tool

POPULATION = {"Nairobi": 4397073, "Paris": 2138551}


def _fake_tool() -> Tool:
    REGISTRY.pop("general.fakerec.population", None)

    @tool(
        "general.fakerec.population",
        "R",
        params={"city": "City name, e.g. 'Paris'."},
        examples=[{"city": "Paris"}],
        package="dive",
        requires=[],
        accepts={"city": "city"},
        produces={"population": "number"},
    )
    def population(city: str) -> dict:
        """Population of a city."""
        if city not in POPULATION:
            raise ToolError(f"unknown city {city!r}")
        return {"city": city, "population": POPULATION[city], "note": "x" * 300}

    return REGISTRY.pop("general.fakerec.population")


def _task() -> Task:
    calls = [
        Call(
            "general.fakerec.population",
            {"city": "Paris"},
            True,
            {"city": "Paris", "population": 2138551},
            type="R",
            round=1,
            input_value="Paris",
            produces=["population"],
        ),
        Call("general.fakerec.population", {"city": "Atlantis"}, False, error="unknown city", turn=1),
    ]
    step = Derivation(1, "How many people live in Paris?", "2138551", ["lookup"], 0, "population")
    return Task(
        0,
        ["general.fakerec.population"],
        id="train-abc",
        question=step.question,
        answer=step.answer,
        answer_call=0,
        structure=["lookup"],
        domain="general",
        seed=Seed("general", "city", "Paris"),
        exemplars=["q"],
        calls=calls,
        evidence=["INFO: ..."],
        derivation=[step],
    )


def test_task_round_trips_through_json(tmp_path: Path) -> None:
    task = _task()
    assert Task.from_json(json.loads(json.dumps(task.to_json()))) == task
    assert "rejected" not in task.to_json() and "pass_rate" not in task.to_json()
    frontier = dataclasses.replace(task, pass_rate=0.5)
    rejected = Task(3, ["general.fakerec.population"], rejected="no_entry_tool")
    write_tasks(tmp_path / "t.jsonl", [task, frontier])
    write_tasks(tmp_path / "t.jsonl", [rejected], append=True)
    assert load_tasks(tmp_path / "t.jsonl") == [task, frontier, rejected]
    assert task.answer_key == "population" and rejected.answer_key is None


def test_old_task_line_still_reads() -> None:
    """A tasks.jsonl line written before the records were typed: a failed call kept {"error"} as output."""
    line = (
        '{"answer": "Convertible Mark", "answer_call": 0, "calls": [{"arguments": {"code": "BAM"}, '
        '"input_from": -1, "input_key": "", "input_value": "BAM", "ok": true, "output": {"code": "BAM", '
        '"name": "Convertible Mark"}, "produces": ["name"], "round": 1, "tool": "finance.currency.info", '
        '"turn": 0, "type": "R"}, {"arguments": {"code": "XXX"}, "input_from": -1, "input_key": "", '
        '"input_value": "XXX", "ok": false, "output": {"error": "unknown code"}, "produces": ["name"], '
        '"round": 2, "tool": "finance.currency.info", "turn": 1, "type": "R"}], "derivation": [{"answer": '
        '"Convertible Mark", "answer_call": 0, "answer_key": "name", "question": "Q?", "round": 1, '
        '"structure": ["lookup"]}], "domain": "finance", "evidence": ["INFO: ..."], "exemplars": ["E?"], '
        '"id": "train-2fae1bc0dffd", "index": 0, "question": "Q?", "seed": {"domain": "finance", "kind": '
        '"currency_code", "name": "BAM"}, "structure": ["lookup"], "toolset": ["finance.currency.info"]}'
    )
    task = Task.from_json(json.loads(line))
    assert task.seed == Seed("finance", "currency_code", "BAM")
    assert task.calls[0].output["name"] == task.answer and task.answer_key == "name"
    failed = task.calls[1]
    assert (failed.ok, failed.output, failed.error) == (False, None, "unknown code")
    assert failed.shown() == '{"error": "unknown code"}'  # what a model was shown then and now
    assert failed.valid and task.pass_rate is None and task.rejected is None
    assert Task.from_json(json.loads(json.dumps(task.to_json()))) == task


def test_rollout_and_synthesis_calls_share_one_shape() -> None:
    population = _fake_tool()
    settings = SynthSettings(1, None, 1, 1, 0, 0, 1, 1, 0, "train")
    (task,) = synthesize({population.id: population}, [Seed("general", "city", "Paris")], [], settings)
    made = task.calls[0]
    assert made.ok and made.output == population({"city": "Paris"}).output  # kept whole

    episode = Episode("k", [], [], {population.name: population}, [], [])
    parsed = [
        {"name": population.name, "arguments": {"city": "Paris"}},
        {"name": population.name, "arguments": {"city": "Atlantis"}},
        {"name": "nope", "arguments": {}},
    ]
    messages = run_calls(episode, parsed, max_chars=50)
    ok, failed, unknown = episode.calls
    assert all(type(c) is Call for c in (made, ok, failed, unknown))
    assert set(made.to_json()) == set(ok.to_json()) == set(unknown.to_json())
    assert ok.output == made.output and ok.type == made.type == "R"  # raw output, not the cut text
    # the model sees exactly what the tool result's content() gives, cut to max_chars
    for call, message in zip(episode.calls[:2], messages[:2], strict=True):
        assert message["content"] == call.shown(50) == population(call.arguments).content(50)
    assert messages[0]["content"].endswith(" ...[truncated]")
    assert (failed.ok, failed.output, failed.error) == (False, None, "unknown city 'Atlantis'")
    assert not unknown.valid and unknown.tool == "nope"
    assert json.loads(messages[2]["content"])["error"].startswith("unknown tool 'nope'; available:")
    assert Call.from_json(json.loads(json.dumps(ok.to_json()))) == ok


def test_trajectory_round_trip_keeps_schema_order(tmp_path: Path) -> None:
    """The chat format renders tool schemas as stored, so their key order must survive the file."""
    schema = {"type": "function", "function": {"name": "f", "description": "d", "parameters": {}}}
    messages = [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]
    trajectory = Trajectory("train-abc", messages, [schema], Verdict(True, "ok"))
    write_trajectories(tmp_path / "trajectories.jsonl", [trajectory])
    (row,) = read_jsonl(tmp_path / "trajectories.jsonl")
    assert list(row["tools"][0]) == ["type", "function"] and list(row["tools"][0]["function"])[0] == "name"
    assert Trajectory.from_json(row) == trajectory
    assert trajectory.sft_row() == {"messages": messages, "tools": [schema]}
