"""Stage internals on tiny inputs: answer judge, rewards, advantages, SFT batching and masks, reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

from dive.records import Call, Task
from dive.rewards import answers_match, format_reward, needs_tools, reward
from dive.stages.grpo import advantages
from dive.stages.report import write_report
from dive.stages.sft import IGNORE, collate, tokenize_conversation


def test_answer_judge() -> None:
    assert answers_match("Nairobi.", "nairobi")
    assert answers_match("1,234.5", "1234.5") and answers_match("0.30004", "0.3")
    assert (
        not answers_match("0.31", "0.3")
        and not answers_match(None, "x")
        and not answers_match("Paris", "Rome")
    )


TOOL_TASK = Task(
    0, ["geo.capital"], "t0", "Capital of Kenya?", "Nairobi", calls=[Call("geo.capital", {}, True)]
)
CALL = '<tool_call>\n{"name": "geo__capital", "arguments": {"country": "Kenya"}}\n</tool_call>'


def test_reward_weights_format_and_correctness() -> None:
    calls = [Call("t", {}, True, valid=True), Call("u", {}, False, error="unknown tool", valid=False)]
    assert format_reward(["t"], calls, "42", needs_tools=True) == pytest.approx(0.75)
    total, r_format, r_correct = reward(0.2, [CALL, "Nairobi"], calls, "Nairobi", TOOL_TASK)
    assert (r_correct, r_format, total) == (1.0, 0.75, pytest.approx(1.0 + 0.2 * 0.75))


def test_format_reward_wants_a_well_formed_call_where_the_task_needs_one() -> None:
    assert needs_tools(TOOL_TASK) and not needs_tools(Task(1, [], "t1", "2+2?", "4"))
    answer = "The final answer is: Nairobi."
    valid = Call("geo.capital", {"country": "Kenya"}, True, output={"capital": "Nairobi"}, valid=True)
    unknown = Call("geo__nope", {}, False, error="unknown tool 'geo__nope'", valid=False)
    assert format_reward([CALL, answer], [valid], "Nairobi", needs_tools=True) == 1.0  # a valid call
    assert format_reward([answer], [], "Nairobi", needs_tools=True) == 0.5  # no call on a tool task
    assert format_reward([answer], [], "Nairobi", needs_tools=False) == 1.0  # ... where none is needed
    assert format_reward(["<tool_call>{broken", answer], [], "Nairobi", needs_tools=False) == 0.5  # malformed
    assert format_reward([CALL + "<tool_call>{broken", answer], [valid], "N", needs_tools=True) == 0.75
    assert format_reward([CALL.replace("capital", "nope"), answer], [unknown], "N", needs_tools=True) == 0.5
    assert format_reward(["<tool_call>broken"], [], None, needs_tools=True) == 0.0


def test_group_relative_advantages() -> None:
    adv = advantages([1.0, 0.0, 0.5, 0.5], ["a", "a", "b", "b"])
    assert adv[0] > 0 > adv[1] and adv[2] == adv[3] == 0.0


def _char_tokenizer() -> PreTrainedTokenizerFast:
    vocab = {chr(i): i for i in range(32, 127)} | {"\n": 10, "<|im_end|>": 200, "<|im_start|>": 201}
    bpe = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    bpe.pre_tokenizer = pre_tokenizers.Split("", "isolated")
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe)
    tokenizer.add_special_tokens({"additional_special_tokens": ["<|im_end|>", "<|im_start|>"]})
    return tokenizer


def test_labels_cover_assistant_tokens_only() -> None:
    record = {"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A1"}]}
    ids, labels = tokenize_conversation(record, _char_tokenizer())
    target = [t for t, lab in zip(ids, labels, strict=True) if lab != IGNORE]
    assert _char_tokenizer().decode(target).replace(" ", "") == "A1<|im_end|>"
    batch = collate([(ids, labels), (ids[:5], labels[:5])], pad_id=0)
    assert batch["attention_mask"][1].sum() == 5 and (batch["labels"][1, 5:] == IGNORE).all()


def test_report_from_point_status_files(make_cfg, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg = make_cfg("+sweep=smoke")
    sweep_dir = tmp_path / "sweeps" / "smoke" / "2026-01-01_00-00-00"
    for n, (point, acc) in enumerate([("v1", 0.25), ("vtask", 0.5)]):
        job = sweep_dir / f"{n}-{point}"
        job.mkdir(parents=True)
        metrics = {
            "eval/dive_eval/all/accuracy": acc,
            "eval_base/dive_eval/all/accuracy": acc / 2,
            "eval_base/bfcl/prompting_mode": 1.0,
            "eval_ref/big/bfcl/irrelevance/accuracy": 0.75,
            "diversity/unique_call_graphs": 3.0 + n,
        }
        (job / "status.json").write_text(
            json.dumps(
                {
                    "point": point,
                    "metrics": metrics,
                    "config": {"pool_domains": ["general"], "variety": n, "quantity": 8},
                }
            )
        )
    out = write_report(cfg, None)
    table = (out / "summary.md").read_text()
    assert "| v1 |" in table and "0.5" in table
    assert (out / "summary.png").exists() and (out / "history.csv").exists()
    models = (out / "models.md").read_text()  # a row per model of each point, references included
    assert "| v1 | base | prompting | 0.125 |" in models and "| vtask | grpo | " in models
    assert "| v1 | ref:big |" in models and "0.75" in models
    write_report(cfg, None)
    assert len((out / "history.csv").read_text().splitlines()) == 3  # history does not duplicate rows
