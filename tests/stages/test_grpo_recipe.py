"""The GRPO recipe's parts on the tiny model: batched log-probs, the loss mask over a real tool-calling
episode, DeepSpeed's accumulated step, validation of the sizes, and (slow) whole runs: preempted and
resumed, and two torchrun ranks."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
import torch

from dive.config import ConfigError, GrpoConfig, validate
from dive.grpo_loss import LOSS_TYPES, Objective, Window
from dive.records import Call, Task, write_tasks
from dive.rollout import Episode, _advance, start
from dive.stages import grpo
from dive.tools.registry import load_tools
from dive.training import Preempted, run_torchrun
from tests.conftest import REPO, compose_config
from tests.stages.conftest import record_step_gradients

CAPITAL = "general.factbook.capital"


def _config(**values: Any) -> dict[str, Any]:
    base = {**dataclasses.asdict(GrpoConfig()), "dtype": "float32", "model": "tiny", "precision": "fp32"}
    return {**base, "max_output_chars": 300, "domains": ["general"], **values}


def _synthetic(n: int, seed: int) -> list[Episode]:
    """``n`` episodes of 9-30 tokens: a prompt, then generated spans with an injected span between."""
    g = torch.Generator().manual_seed(seed)
    episodes = []
    for i in range(n):
        prompt, gen, tool = (int(x) for x in torch.randint(3, 10, (3,), generator=g))
        mask = [0] * prompt + [1] * gen + [0] * tool + [1] * (i + 2)
        ids = torch.randint(3, 1000, (len(mask),), generator=g).tolist()
        episodes.append(Episode(f"t{i}", [], [], {}, ids, mask))
    return episodes


# ---------------------------------------------------------------------------------------------
# log-probs and the loss mask


def test_batched_logps_equal_one_episode_forwards(tiny_dir: Path) -> None:
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_dir, dtype=torch.float32)
    episodes = _synthetic(5, seed=1)
    batched = grpo.episode_logps(model, episodes, micro_batch=3, pad_id=0, device="cpu")
    for episode, row in zip(episodes, batched, strict=True):
        (alone,) = grpo.episode_logps(model, [episode], micro_batch=1, pad_id=0, device="cpu")
        assert row.shape == alone.shape == (len(episode.token_ids) - 1,)
        first = episode.gen_mask.index(1) - 1  # the first target the single forward computes
        torch.testing.assert_close(row[first:], alone[first:], atol=1e-5, rtol=1e-5)
        assert (alone[first:] < 0).all() and (alone[:first] == 0).all()


def _tool_episode(tiny_dir: Path) -> tuple[Episode, Any]:
    """A real episode through the rollout's own bookkeeping: prompt, a generated call to a real tool,
    its injected response, a generated answer (the generations are scripted, the rest is not)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_dir)
    tool = load_tools(("general",))[CAPITAL]
    messages = [{"role": "system", "content": "Answer."}, {"role": "user", "content": "Capital of Kenya?"}]
    episode = start("t", messages, [tool.openai_schema()], {tool.name: tool}, tokenizer)
    stop = tokenizer.convert_tokens_to_ids("<|im_end|>")
    call = f'<tool_call>\n{{"name": "{tool.name}", "arguments": {{"country": "Kenya"}}}}\n</tool_call>'
    for text in (call, "The final answer is: Nairobi."):
        ids = tokenizer(text + "<|im_end|>", add_special_tokens=False)["input_ids"]
        _advance(episode, ids, tokenizer, stop, last_turn=False, max_chars=300)
    assert episode.calls[0].ok and episode.final == "Nairobi"
    return episode, tokenizer


@pytest.mark.parametrize("loss_type", LOSS_TYPES)
def test_prompt_and_tool_output_tokens_carry_no_gradient(tiny_dir: Path, loss_type: str) -> None:
    from transformers import AutoModelForCausalLM

    episode, tokenizer = _tool_episode(tiny_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_dir, dtype=torch.float64)
    batch = grpo.collate([episode], tokenizer.pad_token_id)
    mask = batch.mask[0].bool()
    first_gen = episode.gen_mask.index(1) - 1
    context = ~mask
    tool = context.clone()
    tool[:first_gen] = False  # the injected response: not generated, after the first generated token
    decoded = tokenizer.decode([t for t, m in zip(episode.token_ids[1:], tool.tolist(), strict=True) if m])
    assert "Nairobi" in decoded and "tool_response" in decoded  # the tool's output is in the stream
    assert context[:first_gen].all() and tool.any() and mask.any()

    with torch.no_grad():
        old = grpo.token_logps(model, batch)[0]
    scored = [grpo.Scored(episode, 1.5, old, old - 0.1)]
    loss_fn = Objective(loss_type, 0.2, 0.2, 0.05, 64)
    window = Window(1, 1, 1, float(mask.sum()))

    def params_grad(detach: Any) -> dict[str, torch.Tensor]:
        model.zero_grad()
        logp = grpo.token_logps(model, batch)
        logp.retain_grad()
        used = torch.where(detach, logp.detach(), logp)
        loss, _ = grpo.micro_batch_loss(used, batch, scored, loss_fn, window)
        loss.backward()
        assert logp.grad is not None
        assert (logp.grad[0][context] == 0).all()  # exactly zero at every prompt and tool position
        assert (logp.grad[0][mask] != 0).all()  # and not at the generated ones
        return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}

    full = params_grad(torch.zeros_like(batch.mask, dtype=torch.bool))
    without_tool = params_grad(tool[None])  # the tool output's log-probs cut out of the graph
    for name, grad in full.items():
        torch.testing.assert_close(without_tool[name], grad, atol=0, rtol=0, msg=name)


# ---------------------------------------------------------------------------------------------
# one optimizer step through DeepSpeed


@pytest.mark.parametrize(
    ("loss_type", "checkpointing"), [("grpo", False), ("dr_grpo", False), ("dapo", False), ("dapo", True)]
)
def test_deepspeed_step_gradient_is_the_minibatch_one(
    tiny_dir: Path, world_of_one: None, loss_type: str, checkpointing: bool
) -> None:
    """ZeRO-2, a minibatch of 4 episodes as 2 accumulated micro-batches of 2: DeepSpeed's 1/accumulation
    is not applied on top of the loss's own, so the step's gradient is that of the minibatch's loss in
    one forward (for the loss types whose value does not depend on the micro-batching), with or without
    activation checkpointing."""
    from transformers import AutoModelForCausalLM

    config = _config(
        loss_type=loss_type,
        minibatch_size=4,
        micro_batch=2,
        prompts_per_step=2,
        group_size=6,
        gradient_checkpointing=checkpointing,
    )
    engine = grpo.engine_for(config, tiny_dir, world=1)
    reference = AutoModelForCausalLM.from_pretrained(tiny_dir, dtype=torch.float32)
    episodes = _synthetic(4, seed=3)
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        logps = grpo.episode_logps(reference, episodes, 4, 0, "cpu")
    olds = [lp + 0.3 * torch.randn(lp.shape, generator=g) for lp in logps]  # the clip acts on some tokens
    items = [
        grpo.Scored(e, a, o, None) for e, a, o in zip(episodes, [1.0, -0.5, 0.8, -1.2], olds, strict=True)
    ]
    loss_fn = grpo.objective(config)
    tokens = 3.0 * sum(sum(e.gen_mask[1:]) for e in episodes)
    grads: dict[str, torch.Tensor] = {}
    record_step_gradients(engine, grads)  # the accumulated gradient, before the optimizer uses it
    engine.train()  # as the recipe trains (activation checkpointing only acts in train mode)
    totals = grpo.optimizer_step(engine, items, 2, 0, loss_fn, Window(2, 1, 3, tokens))
    assert 0 < totals.clipped < totals.tokens

    batch = grpo.collate(episodes, 0)
    loss, _ = grpo.micro_batch_loss(
        grpo.token_logps(reference, batch), batch, items, loss_fn, Window(1, 1, 3, tokens)
    )
    loss.backward()
    assert totals.loss == pytest.approx(float(loss.detach()), rel=1e-5)
    for name, param in reference.named_parameters():
        torch.testing.assert_close(grads[name], param.grad, rtol=1e-4, atol=1e-7, msg=name)


# ---------------------------------------------------------------------------------------------
# configuration


def test_rollout_batch_must_split_evenly(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError) as error:
        validate(compose_config(["model=tiny", "grpo.world_size=4", "grpo.prompts_per_step=2"]))
    assert "grpo.world_size (4) must divide grpo.prompts_per_step (2)" in str(error.value)
    with pytest.raises(ConfigError) as error:
        validate(compose_config(["model=tiny", "grpo.minibatch_size=3", "grpo.loss_type=ppo"]))
    message = str(error.value)
    assert "grpo.minibatch_size (3) must divide the episodes of a step" in message
    assert (
        "grpo.loss_type = 'ppo' is not a valid choice; valid: ['grpo', 'bnpo', 'dr_grpo', 'dapo']" in message
    )
    with pytest.raises(ConfigError, match=r"grpo.world_size x grpo.micro_batch \(1 x 4\) must divide"):
        validate(compose_config(["model=tiny", "grpo.micro_batch=4"]))
    with pytest.raises(ConfigError, match="grpo.clip_eps_high = -0.1 must be null or > 0"):
        validate(compose_config(["model=tiny", "grpo.clip_eps_high=-0.1"]))
    monkeypatch.setattr("dive.config.bf16_supported", lambda: False)
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    with pytest.raises(ConfigError) as error:
        validate(compose_config(["model=tiny", "grpo.precision=bf16", "grpo.zero_stage=4"]))
    assert "grpo.precision = 'bf16' is not supported on this machine" in str(error.value)
    assert "grpo.zero_stage = 4 is not a valid choice; valid: [0, 1, 2, 3]" in str(error.value)


def test_gpu_profile_with_the_paper_sizes() -> None:
    cfg = compose_config(["model=tiny", "grpo=gpu", "scale=paper", "model.max_context=null"])
    config = grpo.config(cfg)
    assert config["precision"] == "fp32"  # auto, and this machine has no GPU
    assert config["world_size"] == 8 and config["zero_stage"] in (2, 3)
    assert grpo.objective(config).max_completion_length == config["max_turns"] * config["max_new_tokens"]


# ---------------------------------------------------------------------------------------------
# whole runs (slow)


def _tasks() -> list[Task]:
    places = [("Kenya", "Nairobi"), ("France", "Paris"), ("Peru", "Lima")]
    return [
        Task(
            i,
            [CAPITAL],
            f"t{i}",
            f"What is the capital of {c}?",
            a,
            calls=[Call(CAPITAL, {"country": c}, True)],
        )
        for i, (c, a) in enumerate(places)
    ]


def _varied(episodes: list[Episode], tasks: Any, alpha: float) -> list[tuple[float, float, float]]:
    """A stand-in reward that differs within a group (a random tiny model never answers right)."""
    return [(float(sum(e.token_ids) % 7), 0.0, 0.0) for e in episodes]


def _weights(directory: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    return load_file(directory / "model.safetensors")


@pytest.mark.slow
def test_preempted_run_resumes_to_the_unbroken_result(
    tiny_dir: Path, world_of_one: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM during step 1: a checkpoint of step 1, Preempted; the rerun resumes with the RNG states and
    ends with exactly the unbroken run's metrics and weights. lr is high so the clip visibly acts."""
    config = _config(steps=3, checkpoint_every=10, lr=1e-3, max_new_tokens=12, max_turns=1)
    monkeypatch.setattr(grpo, "score", _varied)
    out = tmp_path / "unbroken"
    out.mkdir()
    grpo.train(config, _tasks(), tiny_dir, out)

    signalled: list[bool] = []

    def score_then_sigterm(*args: Any) -> list[tuple[float, float, float]]:
        if not signalled:
            signalled.append(True)
            os.kill(os.getpid(), signal.SIGTERM)  # only noted: the step still finishes
        return _varied(*args)

    out = tmp_path / "preempted"
    out.mkdir()
    monkeypatch.setattr(grpo, "score", score_then_sigterm)
    with pytest.raises(Preempted):
        grpo.train(config, _tasks(), tiny_dir, out)
    assert (out / "checkpoints" / "latest").read_text() == "step1"
    grpo.train(config, _tasks(), tiny_dir, out)

    unbroken = [json.loads(x) for x in (tmp_path / "unbroken" / "progress.jsonl").read_text().splitlines()]
    resumed = [json.loads(x) for x in (out / "progress.jsonl").read_text().splitlines()]
    assert [r["step"] for r in resumed] == [1, 2, 3]
    assert resumed == unbroken
    assert any(r["grpo/clip_fraction"] > 0 for r in unbroken) and any(
        r["grpo/ratio_mean"] != 1 for r in unbroken
    )
    theirs, ours = _weights(tmp_path / "unbroken" / "hf"), _weights(out / "hf")
    assert all(torch.equal(theirs[k], ours[k]) for k in theirs)
    assert not all(torch.equal(theirs[k], w) for k, w in _weights(tiny_dir).items())  # it did learn


RANK_MODULE = """
import hashlib, json, os, sys
from pathlib import Path
import deepspeed
from dive.stages import grpo

out = Path(json.loads(sys.argv[1])["out"])
save_hf = grpo.save_hf

def score(episodes, tasks, alpha):  # varied rewards (see the test), each rank's written down
    rewards = [float(sum(e.token_ids) % 7) for e in episodes]
    with (out / f"rewards.{os.environ['RANK']}.jsonl").open("a") as handle:
        handle.write(json.dumps(rewards) + "\\n")
    return [(r, 0.0, 0.0) for r in rewards]

def fingerprint_then_save(engine, tokenizer, path, zero_stage, rank):
    digest = hashlib.sha256()
    params = list(engine.module.parameters())
    with deepspeed.zero.GatheredParameters(params):  # ZeRO-3 shards: whole again (else a no-op)
        for param in params:
            digest.update(param.detach().cpu().numpy().tobytes())
    (out / f"params.{rank}").write_text(digest.hexdigest())
    save_hf(engine, tokenizer, path, zero_stage, rank)

grpo.score, grpo.save_hf = score, fingerprint_then_save
grpo.rank_main(**json.loads(sys.argv[1]))
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("zero_stage", "kl_coef", "loss_type"), [(2, 0.0, "dapo"), (3, 0.05, "bnpo")], ids=["zero2", "zero3_kl"]
)
def test_two_ranks_share_the_prompts_and_end_identical(
    tiny_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    zero_stage: int,
    kl_coef: float,
    loss_type: str,
) -> None:
    """world_size 2 under torchrun (gloo): each rank rolls out one of the step's two prompts, the ranks end
    with bit-identical weights that moved, and rank 0 logs metrics over both ranks' episodes. With ZeRO-3
    the weights are gathered for the rollouts and for saving; with kl_coef the reference model scores too."""
    (tmp_path / "mods").mkdir()
    (tmp_path / "mods" / "grpo_rank.py").write_text(RANK_MODULE)
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path / 'mods'}{os.pathsep}{REPO}")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    write_tasks(tmp_path / "frontier.jsonl", _tasks())
    out = tmp_path / "grpo"
    out.mkdir()
    sizes = {"steps": 2, "world_size": 2, "minibatch_size": 2, "micro_batch": 1, "max_new_tokens": 12}
    config = _config(**sizes, lr=1e-3, zero_stage=zero_stage, kl_coef=kl_coef, loss_type=loss_type)
    args = {
        "config": config,
        "frontier": str(tmp_path / "frontier.jsonl"),
        "policy": str(tiny_dir),
        "out": str(out),
    }
    run_torchrun("grpo_rank", args, world_size=2)

    assert (out / "params.0").read_text() == (out / "params.1").read_text()
    saved = _weights(out / "hf")
    assert not all(torch.equal(saved[k], w) for k, w in _weights(tiny_dir).items())  # it did learn
    rows = [json.loads(x) for x in (out / "progress.jsonl").read_text().splitlines()]
    per_rank = [
        [json.loads(x) for x in (out / f"rewards.{r}.jsonl").read_text().splitlines()] for r in (0, 1)
    ]
    assert [r["step"] for r in rows] == [1, 2]
    for step, row in enumerate(rows):
        both = per_rank[0][step] + per_rank[1][step]
        assert row["grpo/episodes"] == len(both) == 4
        assert row["grpo/reward"] == pytest.approx(sum(both) / 4)
        assert ("grpo/kl" in row) == (kl_coef > 0) and 0 <= row["grpo/clip_fraction"] <= 1
    assert json.loads((out / "final_metrics.json").read_text())["grpo/episodes"] == 4
