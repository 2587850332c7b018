"""Diversity of what is trained: sft.jsonl conversations as call traces, and their metrics."""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path
from typing import Any

import pytest

from dive import model
from dive.pools.exemplars import load_exemplars
from dive.pools.seeds import load_seeds
from dive.records import TOOL_TYPES, Call, Task, write_jsonl
from dive.stages import sft
from dive.stages.sft import tokenize_conversation
from dive.synth.diversity import Trace, call_edges, diversity_metrics, ok_calls, row_metrics, trace_of_row
from dive.synth.sampling import SynthSettings
from dive.synth.scripted import synthesize
from dive.tools.registry import load_tools
from tests.conftest import compose_config
from tests.helpers import sft_row, tool_request, tool_result, tool_schema

DOMAINS = ("general", "science")


def _row_of(task: Task, max_chars: int | None = None) -> dict[str, Any]:
    """The conversation a teacher replaying all of ``task``'s calls, one per turn, would leave."""
    calls = [(call.tool, call.arguments, call.shown(max_chars)) for call in task.calls]
    return sft_row(task.question, calls, task.answer, list(task.toolset))


def test_row_to_trace_edges_through_a_truncated_output_and_failed_calls() -> None:
    cut = '{"capital": "Nairobi", "country": "Kenya", "notes": "a very long text' + " ...[truncated]"
    row = {
        "tools": [
            tool_schema("general.geo.capital"),
            tool_schema("general.geo.population"),
            tool_schema("science.x.y"),
        ],
        "messages": [
            {"role": "system", "content": "..."},
            {"role": "user", "content": "How many people live in the capital of Kenya?"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [tool_request("a", "general.geo.capital", {"country": "Kenya"})],
            },
            tool_result("a", cut),
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    tool_request(
                        "a", "general.geo.population", {"city": "Nairobi"}
                    ),  # ids may repeat across turns
                    tool_request("b", "science.x.y", {"q": "Nairobi"}),
                ],
            },
            tool_result("a", '{"population": 4397073}'),
            tool_result("b", json.dumps({"error": "service down"})),
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [tool_request("c", "general.geo.population", {})],
            },
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [tool_request("d", "science.x.y", {"q": "Nairobi"})],
            },
            tool_result("d", '{"error": "unknown city; valid: [\'Lagos\', ' + " ...[truncated]"),
            {"role": "assistant", "content": "The final answer is: 4397073."},
        ],
    }
    trace = trace_of_row(row)
    assert list(trace.toolset) == ["general.geo.capital", "general.geo.population", "science.x.y"]
    assert [c.tool for c in trace.calls] == [
        "general.geo.capital",
        "general.geo.population",
        "science.x.y",
        "general.geo.population",
        "science.x.y",
    ]
    assert [c.turn for c in trace.calls] == [2, 4, 4, 7, 8]
    first, second, failed, unanswered, cut_error = trace.calls
    assert first.ok and first.output == cut  # kept as text: it does not parse
    assert second.ok and second.output == {"population": 4397073}
    assert not failed.ok and failed.error == "service down" and failed.output is None
    assert not unanswered.ok  # no tool message answered it
    assert not cut_error.ok and cut_error.error is not None and cut_error.error.startswith('{"error"')
    assert call_edges(ok_calls(trace)) == ((0, 1),)  # "Nairobi" flows out of the cut text


def test_parallel_calls_of_one_turn_are_ordered_and_bad_arguments_are_invalid() -> None:
    bad = {"id": "z", "type": "function", "function": {"name": "general__geo__capital", "arguments": "{oops"}}
    row = {
        "tools": [tool_schema("general.geo.capital")],
        "messages": [
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [tool_request("x", "general.geo.capital", {"country": "Peru"}), bad],
            },
            tool_result("x", '{"capital": "Lima"}'),
            tool_result("z", '{"capital": "Lima"}'),
        ],
    }
    trace = trace_of_row(row)
    assert trace.calls[0].valid and not trace.calls[1].valid and trace.calls[1].arguments == {}
    assert call_edges(ok_calls(trace)) == ((0, 1),)  # one turn: the calls are ordered, no data flow


@pytest.fixture(scope="module")
def synthesized() -> tuple[list[Task], dict[str, str]]:
    """Real tasks from the scripted synthesizer over two domains, and their tools' types."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # some library tools warn on odd inputs
        tools = {k: t for k, t in load_tools(DOMAINS).items() if t.available() is None}
        settings = SynthSettings(
            quantity=30,
            variety=None,
            toolset_min=4,
            toolset_max=8,
            exemplars_min=3,
            exemplars_max=5,
            rounds=2,
            calls_per_round=3,
            seed=0,
            split="train",
        )
        records = synthesize(tools, load_seeds(list(DOMAINS), split="train"), load_exemplars(), settings)
        tasks = [t for t in records if t.rejected is None]
    return tasks, {tid: t.type for tid, t in tools.items()}


def test_metrics_on_rows_equal_metrics_on_their_tasks(synthesized: tuple[list[Task], dict[str, str]]) -> None:
    tasks, types = synthesized
    assert len(tasks) > 10 and any(len(ok_calls(t)) > 1 for t in tasks)
    assert any(not c.ok for t in tasks for c in t.calls)  # failed calls are among them
    on_tasks = diversity_metrics(tasks, types)
    on_rows = row_metrics([_row_of(t) for t in tasks], types, prefix="sft_data")
    assert on_rows == {k.replace("diversity/", "sft_data/"): v for k, v in on_tasks.items()}
    assert on_rows["sft_data/unique_call_graphs"] > 1 and on_rows["sft_data/rp_topology_classes"] > 1


def test_unknown_tool_types_collapse_topologies(synthesized: tuple[list[Task], dict[str, str]]) -> None:
    tasks, types = synthesized
    rows = [_row_of(t, max_chars=60) for t in tasks]
    typed = row_metrics(rows, types, prefix="d")
    untyped = row_metrics(rows, {}, prefix="d")
    assert untyped["d/rp_topology_classes"] <= typed["d/rp_topology_classes"]
    assert untyped["d/unique_call_graphs"] == typed["d/unique_call_graphs"]
    assert untyped["d/retrieval_call_share"] == 0.0


def test_graph_memo_gives_the_hash_of_each_graph() -> None:
    chain = [
        Call("a", {"x": "Kenya"}, True, {"c": "Nairobi"}, turn=0),
        Call("b", {"c": "Nairobi"}, True, 1, turn=1),
    ]
    apart = [
        Call("b", {"c": "Lagos"}, True, 1, turn=0),
        Call("a", {"x": "Kenya"}, True, {"c": "Nairobi"}, turn=1),
    ]
    swapped = [
        Call("a", {"x": "Kenya"}, True, {"c": "Nairobi"}, turn=0),
        Call("b", {"c": "Lagos"}, True, 1, turn=1),
    ]
    metrics = diversity_metrics(
        [_trace(chain), _trace(apart), _trace(swapped), _trace(chain)], {"a": "R", "b": "P"}
    )
    assert metrics["diversity/unique_call_sequences"] == 2
    assert metrics["diversity/unique_call_graphs"] == 2  # apart and swapped are isomorphic
    assert metrics["diversity/rp_topology_classes"] == 2


def _trace(calls: list[Call]) -> Trace:
    return Trace(sorted({c.tool for c in calls}), calls)


# ---------------------------------------------------------------------------------------------
# the sft stage reports the diversity of exactly what it trains on


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The tiny model's tokenizer, built offline as the model stage builds it."""
    from transformers import AutoTokenizer

    out = tmp_path_factory.mktemp("tiny")
    model.compute(model.config(compose_config(["model=tiny"])), {}, out, None)  # type: ignore[arg-type]
    return AutoTokenizer.from_pretrained(out / "hf")


def _one_call_row(tool_id: str, description: str = "") -> dict[str, Any]:
    row = sft_row("Q?", [(tool_id, {"q": "Kenya"}, '{"answer": "Nairobi"}')], "Nairobi", [tool_id])
    row["tools"][0]["function"]["description"] = description
    return row


def _solve_dir(tmp_path: Path, types: dict[str, str] | None) -> Path:
    rows = [
        _one_call_row("geo.capital"),  # held out for eval: the first kept conversation
        _one_call_row("science.big", "a long description " * 200),  # over max_seq_len: dropped
        _one_call_row("geo.population"),
        _one_call_row("math.double"),
    ]
    solve = tmp_path / "solve"
    solve.mkdir()
    write_jsonl(solve / "sft.jsonl", rows, sort_keys=False)
    if types is not None:
        (solve / TOOL_TYPES).write_text(json.dumps(types))
    return solve


def test_sft_reports_diversity_of_the_trained_rows_only(tokenizer: Any, tmp_path: Path) -> None:
    solve = _solve_dir(
        tmp_path, {"geo.capital": "R", "geo.population": "R", "math.double": "P", "science.big": "R"}
    )
    short = len(tokenize_conversation(_one_call_row("geo.population"), tokenizer)[0])
    config = {"max_seq_len": short + 50, "eval_fraction": 0.1}
    data = sft.load_data(config, solve / "sft.jsonl", tokenizer, tmp_path)
    assert (len(data.train), len(data.eval), data.dropped) == (2, 1, 1)
    assert data.metrics["sft_data/tools_covered"] == 2  # not the dropped nor the held-out conversation
    assert data.metrics["sft_data/unique_toolsets"] == 2
    assert data.metrics["sft_data/rp_topology_classes"] == 2  # R and P
    assert data.metrics["sft_data/retrieval_call_share"] == 0.5
    for plot in ("tool_frequency.png", "rp_topology.png"):
        assert (tmp_path / plot).stat().st_size > 0
    assert sft.load_data(config, solve / "sft.jsonl", tokenizer, None).metrics == {}  # ranks > 0


def test_sft_without_tool_types_warns_and_collapses_topologies(
    tokenizer: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    solve = _solve_dir(tmp_path, None)
    config = {"max_seq_len": 100_000, "eval_fraction": 0.0}
    with caplog.at_level(logging.WARNING, logger="dive.stages.sft"):
        data = sft.load_data(config, solve / "sft.jsonl", tokenizer, tmp_path)
    assert "tool_types.json" in caplog.text
    assert data.metrics["sft_data/tools_covered"] == 4
    assert data.metrics["sft_data/rp_topology_classes"] == 1  # every call is "?"
