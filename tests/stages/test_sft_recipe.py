"""The SFT recipe's parts: steps from the data, the LR schedule, length bucketing, the exact token-weighted
loss (through the real DeepSpeed engine too) and the assistant-only loss mask."""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch

from dive.config import ConfigError, SftConfig, validate
from dive.sft_batches import (
    IGNORE,
    Example,
    WarmupCosine,
    batches,
    count_steps,
    epoch_batches,
    micro_batches_per_epoch,
    token_loss_sum,
    trained_tokens,
    warmup_steps,
)
from dive.stages import sft
from dive.training import free_port
from tests.conftest import compose_config
from tests.stages.conftest import record_step_gradients


def _examples(n: int, seed: int = 0) -> list[Example]:
    """``n`` conversations of 12-60 tokens, example ``i`` starting with token ``i`` (so it can be named),
    with a trained tail of 1-10 tokens."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        length, tail = rng.randint(12, 60), rng.randint(1, 10)
        ids = [i] + [rng.randint(0, 99) for _ in range(length - 1)]
        out.append((ids, [IGNORE] * (length - tail) + ids[length - tail :]))
    return out


def _config(**values: Any) -> dict[str, Any]:
    return {**dataclasses.asdict(SftConfig()), **values}


# ---------------------------------------------------------------------------------------------
# how long


def test_steps_follow_the_data_size() -> None:
    config = sft.config(
        compose_config(["model=tiny", "sft.micro_batch=2", "sft.grad_accum=4", "sft.epochs=3"])
    )
    small, large = count_steps(_examples(400), config, 1), count_steps(_examples(800), config, 1)
    assert small == math.ceil(3 * 200 / 4) == 150 and large == 2 * small
    assert count_steps(_examples(800), config, world=2) == small  # twice the ranks: half the steps
    assert count_steps(_examples(400), {**config, "epochs": 0.5}, 1) == 25
    assert count_steps(_examples(400), {**config, "max_steps": 7}, 1) == 7
    assert sft.label(config) == "tiny-e3" and sft.label({**config, "max_steps": 7}) == "tiny-e3-s7"


def test_a_token_budget_ends_training_at_the_step_that_reaches_it() -> None:
    examples = [(list(range(20)), [IGNORE] * 15 + list(range(15, 20))) for _ in range(64)]  # 5 trained each
    config = _config(micro_batch=2, grad_accum=2, epochs=10)  # 4 examples, 20 trained tokens a step
    assert count_steps(examples, {**config, "max_tokens": 200}, 1) == 10
    assert count_steps(examples, {**config, "max_tokens": 201}, 1) == 11
    assert count_steps(examples, {**config, "max_tokens": 10**9}, 1) == 160  # epochs come first


# ---------------------------------------------------------------------------------------------
# learning rate


def test_warmup_then_cosine_to_the_floor() -> None:
    factor = WarmupCosine(total=20, warmup=warmup_steps(20, 0.2), min_ratio=0.1)
    values = [factor(s) for s in range(20)]
    assert values[:4] == [0.25, 0.5, 0.75, 1.0]  # linear warm-up; the first step already trains
    assert values[4] == 1.0 and values[-1] == pytest.approx(0.1)  # cosine from the peak to the floor
    assert all(a > b for a, b in zip(values[4:], values[5:], strict=False))
    assert values[4 + 15 // 2] == pytest.approx(0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 7 / 15)))
    assert WarmupCosine(10, warmup_steps(10, 0.0), 0.0)(0) == 1.0  # no warm-up


def test_schedule_resumes_from_its_state_dict() -> None:
    def scheduler() -> torch.optim.lr_scheduler.LambdaLR:
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1e-3)
        return torch.optim.lr_scheduler.LambdaLR(optimizer, WarmupCosine(12, 3, 0.1))

    unbroken, first = scheduler(), scheduler()
    for _ in range(5):
        unbroken.optimizer.step(), unbroken.step()
        first.optimizer.step(), first.step()
    resumed = scheduler()  # what DeepSpeed's load_checkpoint does with the engine's scheduler
    resumed.load_state_dict(first.state_dict())
    for _ in range(7):
        assert resumed.get_last_lr() == unbroken.get_last_lr()
        unbroken.optimizer.step(), unbroken.step()
        resumed.optimizer.step(), resumed.step()


# ---------------------------------------------------------------------------------------------
# data order


def _take(stream: Iterator[sft.Micro], n: int) -> list[sft.Micro]:
    return [next(stream) for _ in range(n)]


def _names(micro: sft.Micro) -> list[int]:
    """The examples of a micro-batch by their first token; a filler (no target) is left out."""
    return [ids[0] for ids, labels in micro.examples if any(label != IGNORE for label in labels)]


def test_bucketing_covers_every_example_once_per_epoch_on_disjoint_ranks() -> None:
    examples, world, size = _examples(37), 2, 3
    per_epoch = micro_batches_per_epoch(len(examples), size, world)  # 7: the last one holds 1 of 6
    shares = [_take(batches(examples, size, 5, rank, world, 0, bucket=2), 2 * per_epoch) for rank in range(2)]
    for epoch in range(2):
        seen = [
            name
            for rank in shares
            for m in rank[epoch * per_epoch : (epoch + 1) * per_epoch]
            for name in _names(m)
        ]
        assert sorted(seen) == list(range(37))  # every example, once
    for m0, m1 in zip(shares[0], shares[1], strict=True):
        assert not set(_names(m0)) & set(_names(m1))  # the ranks' shares are disjoint
        assert m0.tokens == m1.tokens == sum(trained_tokens(examples[i]) for i in _names(m0) + _names(m1))
    assert any(not _names(m) for m in shares[1])  # a rank left without an example runs a filler
    again = _take(batches(examples, size, 5, 0, world, 0, bucket=2), 2 * per_epoch)
    assert [_names(m) for m in again] == [_names(m) for m in shares[0]]  # the same order on a rerun
    other = _take(batches(examples, size, 6, 0, world, 0, bucket=2), per_epoch)
    assert [_names(m) for m in other] != [_names(m) for m in shares[0][:per_epoch]]  # the seed matters


def test_batches_resume_at_any_micro_step() -> None:
    examples = _examples(23)
    full = _take(batches(examples, 2, 0, 1, 2, 0, bucket=3), 20)
    for start in (1, 5, 6, 13):  # 6 micro-steps an epoch: inside, at and past an epoch boundary
        resumed = _take(batches(examples, 2, 0, 1, 2, start, bucket=3), 20 - start)
        assert resumed == full[start:]


def test_buckets_hold_alike_lengths() -> None:
    lengths = [len(ids) for ids, _ in _examples(400)]

    def padding(bucket: int) -> int:
        plan = epoch_batches(lengths, 8, seed=0, epoch=0, bucket=bucket)
        return sum(max(lengths[i] for i in b) * len(b) - sum(lengths[i] for i in b) for b in plan)

    assert padding(50) < padding(1) / 4


# ---------------------------------------------------------------------------------------------
# loss


def _tiny_model() -> Any:
    """A random 2-layer Llama in float64, so sums in another order agree to ~1e-12."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    sizes = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4}
    config = LlamaConfig(
        vocab_size=100, num_key_value_heads=2, max_position_embeddings=128, pad_token_id=0, **sizes
    )
    return LlamaForCausalLM(config).to(torch.float64)


def _loss_sum(model: Any, examples: list[Example]) -> torch.Tensor:
    """The recipe's summed token loss of ``examples`` as one padded micro-batch."""
    batch = sft.collate(examples, pad_id=0)
    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    return token_loss_sum(logits, batch["labels"])


def _per_token_losses(model: Any, example: Example) -> list[float]:
    """Cross-entropy of each trained token of one unpadded conversation, by hand."""
    ids, labels = example
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([ids])).logits[0]
    log_probs = torch.log_softmax(logits, dim=-1)
    return [-float(log_probs[t - 1, labels[t]]) for t in range(1, len(ids)) if labels[t] != IGNORE]


def test_step_loss_is_the_token_weighted_mean_and_its_gradient_that_of_one_batch() -> None:
    model, examples = _tiny_model(), _examples(3, seed=1)
    micros = [[examples[0]], examples[1:]]  # 2 micro-batches, different trained-token counts
    counts = [sum(trained_tokens(e) for e in m) for m in micros]
    assert counts[0] != counts[1]
    step_tokens = sum(counts)
    summed = 0.0
    for micro in micros:  # what the recipe does: sum / step_tokens per micro-batch, gradients accumulate
        loss = _loss_sum(model, micro)
        (loss / step_tokens).backward()
        summed += float(loss.detach())
    accumulated = {n: p.grad.clone() for n, p in model.named_parameters()}
    by_hand = [x for e in examples for x in _per_token_losses(model, e)]
    assert len(by_hand) == step_tokens
    assert summed / step_tokens == pytest.approx(sum(by_hand) / len(by_hand), abs=1e-6)
    sums = [sum(x for e in m for x in _per_token_losses(model, e)) for m in micros]
    mean_of_means = (sums[0] / counts[0] + sums[1] / counts[1]) / 2
    assert abs(mean_of_means - summed / step_tokens) > 1e-3  # the recipe's loss is not that

    model.zero_grad()
    (_loss_sum(model, examples) / step_tokens).backward()  # one batch of the same examples
    for name, param in model.named_parameters():
        torch.testing.assert_close(param.grad, accumulated[name], rtol=1e-7, atol=1e-10, msg=name)


def test_deepspeed_step_gradient_is_the_token_weighted_one(tiny_dir: Path, world_of_one: None) -> None:
    """Through the real engine (ZeRO-2, grad_accum 2): DeepSpeed's own 1/grad_accum is compensated."""
    from transformers import AutoModelForCausalLM

    config = sft.config(compose_config(["model=tiny", "sft.grad_accum=2", "sft.micro_batch=2"]))
    engine, _ = sft._engine(config, str(tiny_dir), total=4)
    examples = _examples(3, seed=2)
    tokens = [trained_tokens(e) for e in examples]
    micros = [sft.Micro([examples[0]], tokens[0], 0, 0), sft.Micro(examples[1:], sum(tokens[1:]), 0, 0)]
    grads: dict[str, torch.Tensor] = {}
    record_step_gradients(engine, grads)  # the accumulated gradient, before the optimizer uses it
    loss = sft.optimizer_step(engine, micros, world=1, pad_id=0)

    reference = AutoModelForCausalLM.from_pretrained(tiny_dir, dtype=torch.float32)
    expected = _loss_sum(reference, examples) / sum(tokens)
    expected.backward()
    assert loss == pytest.approx(expected.item(), rel=1e-5)
    for name, param in reference.named_parameters():
        torch.testing.assert_close(grads[name], param.grad, rtol=1e-4, atol=1e-6, msg=name)


CONVERSATION = {
    "messages": [
        {
            "role": "system",
            "content": "You are a research assistant that answers questions by calling tools.",
        },
        {"role": "user", "content": "What is 17 squared?"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {"id": "c0", "type": "function", "function": {"name": "square", "arguments": '{"x": 17}'}}
            ],
        },
        {"role": "tool", "tool_call_id": "c0", "content": '{"result": 289, "note": "zebra quartz"}'},
        {"role": "assistant", "content": "The final answer is: 289."},
    ],
    "tools": [{"type": "function", "function": {"name": "square", "parameters": {"type": "object"}}}],
}


def test_prompt_and_tool_output_tokens_carry_no_gradient(tiny_dir: Path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_dir)
    ids, labels = sft.tokenize_conversation(CONVERSATION, tokenizer)
    trained_text = tokenizer.decode([t for t, lab in zip(ids, labels, strict=True) if lab != IGNORE])
    assert '"name": "square"' in trained_text and "The final answer is: 289." in trained_text
    assert "zebra quartz" not in trained_text and "17 squared" not in trained_text
    assert "research assistant" not in trained_text

    model = AutoModelForCausalLM.from_pretrained(tiny_dir, dtype=torch.float64)
    logits = model(input_ids=torch.tensor([ids])).logits.detach().requires_grad_(True)
    targets = torch.tensor([labels])
    token_loss_sum(logits, targets).backward()
    assert logits.grad is not None
    row_norms = logits.grad[0].abs().sum(dim=-1)
    target_of_row = labels[1:] + [IGNORE]  # row t predicts token t + 1; the last row predicts nothing
    masked = [t for t, lab in enumerate(target_of_row) if lab == IGNORE]
    trained = [t for t, lab in enumerate(target_of_row) if lab != IGNORE]
    assert masked and trained
    assert (row_norms[masked] == 0).all()  # exactly zero at every context position
    assert (row_norms[trained] > 0).all()

    base = token_loss_sum(logits, targets).item()
    noisy = logits.detach().clone()
    noisy[0, masked] += 5 * torch.randn(len(masked), noisy.shape[-1], dtype=noisy.dtype)
    assert float(token_loss_sum(noisy, targets)) == base  # context predictions do not count at all
    noisy[0, trained[0]] += 5 * torch.randn(noisy.shape[-1], dtype=noisy.dtype)
    assert float(token_loss_sum(noisy, targets)) != base


def test_precision_is_checked_against_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dive.config.bf16_supported", lambda: False)
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    with pytest.raises(ConfigError) as error:
        validate(compose_config(["model=tiny", "sft.precision=bf16"]))
    assert "sft.precision = 'bf16' is not supported on this machine" in str(error.value)
    assert "valid here: ['fp32', 'auto']" in str(error.value)
    with pytest.raises(
        ConfigError, match=r"sft.precision = 'fp16' is not a valid choice; valid: \['fp32', 'bf16', 'auto'\]"
    ):
        validate(compose_config(["model=tiny", "sft.precision=fp16"]))
    # from a login node the Slurm job's GPUs are elsewhere: the job checks on its own node
    validate(compose_config(["model=tiny", "sft.precision=bf16", "launcher=slurm", "slurm=localhost"]))
    assert sft.config(compose_config(["model=tiny", "sft=gpu"]))["precision"] == "fp32"  # auto, no GPU


RANK_SCRIPT = """
import json, sys, torch
from deepspeed.utils import safe_get_full_grad
from dive.sft_batches import batches
from dive.stages import sft
from dive.training import setup_distributed
from tests.conftest import compose_config

args = json.loads(sys.argv[1])
rank, world = setup_distributed()
config = sft.config(compose_config(["model=tiny", "sft.grad_accum=2", "sft.micro_batch=2"]))
engine, _ = sft._engine(config, args["base"], total=4)
examples = [tuple(e) for e in args["examples"]]
stream = batches(examples, 2, 0, rank, world, 0, bucket=1)
micros = [next(stream) for _ in range(2)]
grads, step = {}, engine.step

def step_and_record():
    if engine.is_gradient_accumulation_boundary():  # a collective on ZeRO-2: every rank calls it
        grads.update({n: safe_get_full_grad(p).clone() for n, p in engine.module.named_parameters()})
    step()

engine.step = step_and_record
loss = sft.optimizer_step(engine, micros, world, pad_id=0)
names = [ids[0] for m in micros for ids, _ in m.examples]
torch.save({"loss": loss, "grads": grads, "names": names}, f"{args['out']}.{rank}")
"""


@pytest.mark.slow
def test_two_ranks_step_gradient_is_the_token_weighted_one(tiny_dir: Path, tmp_path: Path) -> None:
    """2 gloo ranks, ZeRO-2, grad_accum 2 over 5 conversations: shares of 2+1 and 2+filler. DeepSpeed's
    average over ranks is compensated, and the step's loss and gradient are those of one batch of all 5."""
    import json
    import os
    import subprocess
    import sys

    from transformers import AutoModelForCausalLM

    from tests.conftest import REPO

    examples = _examples(5, seed=3)
    script = tmp_path / "rank.py"
    script.write_text(RANK_SCRIPT)
    args = json.dumps({"base": str(tiny_dir), "examples": examples, "out": str(tmp_path / "result")})
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node=2",
        f"--master_port={free_port()}",
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    done = subprocess.run([*command, str(script), args], cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    results = [torch.load(tmp_path / f"result.{rank}") for rank in (0, 1)]

    reference = AutoModelForCausalLM.from_pretrained(tiny_dir, dtype=torch.float32)
    expected = _loss_sum(reference, examples) / sum(trained_tokens(e) for e in examples)
    expected.backward()
    names = results[0]["names"] + results[1]["names"]
    assert len(names) == 6 and set(names) == set(range(5))  # one rank ran a filler
    for result in results:
        assert result["loss"] == pytest.approx(expected.item(), rel=1e-5)
        for name, param in reference.named_parameters():
            torch.testing.assert_close(result["grads"][name], param.grad, rtol=1e-4, atol=1e-6, msg=name)
