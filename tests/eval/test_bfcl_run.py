"""The BFCL driver: a model answering BFCL's gold calls scores 1 in every category and mode, a model
answering prose scores 0 (except irrelevance), the multi-turn loop follows BFCL's step rules, and an
interrupted run resumes without asking the model again."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

import pytest

pytest.importorskip("bfcl_eval")

from dive.eval import bfcl, bfcl_multi_turn, bfcl_run  # noqa: E402
from dive.eval.chat_model import ChatModel, Conversation, Decoding, Reply  # noqa: E402

SINGLE = list(bfcl_run.SINGLE_TURN)


class Scripted(ChatModel):
    """Answers from a function of the conversation; counts what it was asked."""

    label = "scripted"

    def __init__(self, answer: Any) -> None:
        self.answer, self.asked = answer, 0

    def reply(self, conversations: Sequence[Conversation], decoding: Decoding) -> list[Reply]:
        self.asked += len(conversations)
        return [Reply(self.answer(messages, tools)) for messages, tools in conversations]


def _question(messages: list[dict[str, Any]]) -> str:
    return next(m["content"] for m in messages if m["role"] == "user")


def _python(name: str, args: dict[str, Any]) -> str:
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in args.items())})"


def _gold_single(mode: str) -> Scripted:
    gold = {}
    for category in SINGLE:
        for item in bfcl.load_items(category, limit=4):
            calls = bfcl.gold_calls(item)
            if mode == "prompting":
                names = item.name_map  # the dotted names a prompting model sees
                gold[_question(item.messages)] = (
                    "[" + ", ".join(_python(names[c["name"]], c["arguments"]) for c in calls) + "]"
                )
            else:
                gold[_question(item.messages)] = (
                    "".join(f"<tool_call>\n{json.dumps(c)}\n</tool_call>" for c in calls)
                    or "No function fits."
                )
    return Scripted(
        lambda messages, tools: (
            gold[_question(messages)] if gold[_question(messages)] != "[]" else "None of the functions fit."
        )
    )


def _run(
    chat: ChatModel, categories: list[str], mode: str, limit: int, done: dict | None = None
) -> tuple[dict, list]:
    out = io.StringIO()
    metrics = bfcl_run.run(chat, categories, mode, limit, 64, out, done=done)
    return metrics, [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.parametrize("mode", ["prompting", "fc"])
def test_gold_answers_score_one_in_every_single_turn_category(mode: str) -> None:
    metrics, rows = _run(_gold_single(mode), SINGLE, mode, 4)
    assert all(metrics[f"eval/bfcl/{c}/accuracy"] == 1.0 for c in SINGLE), [
        r for r in rows if not r["correct"]
    ]
    assert metrics["eval/bfcl/summary/non_live_ast_python"] == 1.0 and len(rows) == 20


def test_prose_scores_zero_except_irrelevance() -> None:
    metrics, _ = _run(Scripted(lambda m, t: "I would compute it by hand."), SINGLE, "prompting", 3)
    assert metrics["eval/bfcl/irrelevance/accuracy"] == 1.0
    assert all(metrics[f"eval/bfcl/{c}/accuracy"] == 0.0 for c in bfcl_run.AST_SUMMARY)


def test_prompting_mode_sends_bfcl_system_prompt_and_no_tools() -> None:
    seen = []
    chat = Scripted(lambda messages, tools: seen.append((messages, tools)) or "[]")
    _run(chat, ["simple_python"], "prompting", 1)
    ((messages, tools),) = seen
    assert tools is None and messages[0]["role"] == "system"
    assert messages[0]["content"].startswith("You are an expert in composing functions.")
    assert '"name": "calculate_triangle_area"' in messages[0]["content"]


def _gold_multi_turn(item: bfcl_multi_turn.MultiTurnItem, extra_steps: int = 0) -> Scripted:
    """Per user turn: the turn's gold calls as Python (positional arguments named from the docs), then
    ``extra_steps`` harmless calls, then an empty reply that ends the turn."""
    params = {f["name"]: list(f["parameters"]["properties"]) for f in item.functions}

    def as_python(call: str) -> str:
        parsed = bfcl_multi_turn.parse_ground_truth(call)
        named = dict(zip(params[parsed.name], parsed.args, strict=False)) | parsed.kwargs
        return _python(parsed.name, named)

    def answer(messages: list[dict[str, Any]], tools: Any) -> str:
        turn = sum(m["role"] == "user" for m in messages) - 1
        steps = 0
        for m in reversed(messages):
            if m["role"] == "user":
                break
            steps += m["role"] == "assistant"
        gold = item.ground_truth[turn]
        if steps == 0 and gold:
            return "[" + ", ".join(as_python(c) for c in gold) + "]"
        return "[]" if steps > extra_steps else "This is done."

    return Scripted(answer)


def test_multi_turn_gold_conversations_pass_and_extra_prose_ends_turns() -> None:
    items = bfcl_multi_turn.load_multi_turn_items(limit=5)
    for item in items:
        chat = _gold_multi_turn(item)
        row = bfcl_run._run_item(chat, item, "prompting", Decoding())
        assert row["correct"], (item.id, row["reason"], row["decoded"])
        gold_turns = sum(1 for t in item.ground_truth if t)
        assert chat.asked == len(item.turns) + gold_turns  # each gold turn: calls, then the ending reply


def test_multi_turn_step_limit_fails_the_item() -> None:
    item = bfcl_multi_turn.load_multi_turn_items(limit=1)[0]
    chat = Scripted(lambda messages, tools: "[pwd()]")  # never stops calling
    row = bfcl_run._run_item(chat, item, "prompting", Decoding())
    assert not row["correct"] and row["reason"] == "multi_turn:force_terminated"
    assert chat.asked == bfcl_multi_turn.MAX_STEPS + 1


def test_interrupted_run_resumes_without_asking_again() -> None:
    chat = _gold_single("prompting")
    _, first = _run(chat, ["simple_python"], "prompting", 4)
    done = {row["id"]: row for row in first[:3]}
    chat.asked = 0
    metrics, rows = _run(chat, ["simple_python"], "prompting", 4, done=done)
    assert chat.asked == 1 and [r["id"] for r in rows] == [first[3]["id"]]
    assert (
        metrics["eval/bfcl/simple_python/items"] == 4.0 and metrics["eval/bfcl/simple_python/accuracy"] == 1.0
    )


def test_stage_reads_back_what_a_killed_run_wrote(tmp_path: Any) -> None:
    from dive.stages.evaluate import _scored

    path = tmp_path / "bfcl.jsonl"
    path.write_text('{"id": "a", "correct": true}\n{"id": "b", "correct": false}\n{"id": "c", "corr')
    assert sorted(_scored(path)) == ["a", "b"]  # the line the kill cut short is asked again
    assert _scored(tmp_path / "absent.jsonl") == {}
