"""DIVE-Eval's call-format metrics: how often a policy calls tools in the right format."""

from __future__ import annotations

import math
from types import SimpleNamespace

from dive.eval.dive_eval import call_format_metrics
from dive.records import Call


def _episode(*valid: bool) -> SimpleNamespace:
    return SimpleNamespace(calls=[Call("t", {}, ok=v, valid=v) for v in valid])


def test_tool_call_rate_counts_tasks_with_a_well_formed_call() -> None:
    episodes = [_episode(), _episode(False), _episode(False, True), _episode(True, True)]
    metrics = call_format_metrics(episodes, "eval/x")
    assert metrics["eval/x/tool_call_rate"] == 0.5  # the last two
    assert metrics["eval/x/valid_call_share"] == 3 / 5
    assert metrics["eval/x/tool_calls_per_task"] == 5 / 4


def test_no_call_at_all_is_a_zero_rate_and_no_share() -> None:
    metrics = call_format_metrics([_episode(), _episode()], "eval/x")
    assert metrics["eval/x/tool_call_rate"] == 0.0
    assert math.isnan(metrics["eval/x/valid_call_share"])
    assert call_format_metrics([], "eval/x")["eval/x/tool_call_rate"] == 0.0
