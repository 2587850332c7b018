"""dive/grpo_loss.py against TRL 1.16's own ``GRPOTrainer._compute_loss`` on identical tensors.

TRL's method runs unchanged on a trainer built without its __init__ (no model, no accelerator): the
instance gets only the attributes ``_compute_loss`` reads, and its ``_get_per_token_logps_and_entropies``
returns the given log-probs, so every line after that is TRL's. trl is in the ``test`` extra.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

import pytest
import torch
from trl import GRPOConfig, GRPOTrainer

from dive.grpo_loss import LOSS_TYPES, Objective, Window, grpo_loss

B, C = 4, 9
MAX_COMPLETION = 16
WINDOWS = [Window(1, 1, 1, 23.0), Window(2, 2, 3, 61.0)]  # one micro-batch alone; 2 accumulated x 2 ranks


def _default(name: str) -> Any:
    return {f.name: f.default for f in dataclasses.fields(GRPOConfig)}[name]


def _tensors(seed: int) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    logp = -torch.rand(B, C, generator=g, dtype=torch.float64) * 3
    completion = torch.ones(B, C)
    completion[1, 6:] = 0  # right padding
    completion[3, 4:] = 0
    tool = torch.ones(B, C)
    tool[0, 2:5] = 0  # an injected tool response in the middle of the completion
    tool[2, 3:4] = 0
    return {
        "logp": logp,
        "old": logp + torch.randn(B, C, generator=g, dtype=torch.float64) * 0.4,  # ratios beyond the clip
        "ref": logp + torch.randn(B, C, generator=g, dtype=torch.float64) * 0.3,
        "advantages": torch.tensor([1.3, -0.7, 0.4, -1.1], dtype=torch.float64),
        "completion_mask": completion,
        "tool_mask": tool,
    }


class _Accelerator:
    """What _compute_loss asks of accelerate: the rank count, and reductions (metrics only: one process)."""

    def __init__(self, num_processes: int):
        self.num_processes = num_processes

    def reduce(self, tensor: torch.Tensor, reduction: str = "sum") -> torch.Tensor:
        return tensor

    def gather(self, tensor: torch.Tensor) -> torch.Tensor:
        return tensor


def _trl(objective: Objective, window: Window, t: dict[str, torch.Tensor], logp: torch.Tensor) -> Any:
    trainer: Any = object.__new__(GRPOTrainer)
    trainer.__dict__.update(
        loss_type=objective.loss_type,
        epsilon_low=objective.clip_low,
        epsilon_high=objective.clip_high,
        beta=objective.kl_coef,
        max_completion_length=objective.max_completion_length,
        current_gradient_accumulation_steps=window.accumulation,
        accelerator=_Accelerator(window.world),
        args=SimpleNamespace(
            steps_per_generation=window.accumulation * window.minibatches,
            use_bias_correction_kl=_default("use_bias_correction_kl"),
            delta=_default("delta"),
        ),
        importance_sampling_level=_default("importance_sampling_level"),
        top_entropy_quantile=_default("top_entropy_quantile"),
        off_policy_mask_threshold=_default("off_policy_mask_threshold"),
        use_vllm=False,
        vllm_importance_sampling_correction=False,
        aux_loss_enabled=False,
        _entropy_bonus_enabled=False,
        model=SimpleNamespace(training=True),
        _metrics={"train": defaultdict(list), "eval": defaultdict(list)},
    )
    trainer._get_per_token_logps_and_entropies = lambda *a, **k: (logp, torch.zeros_like(logp), None)
    inputs = {
        "prompt_ids": torch.zeros(B, 2, dtype=torch.long),
        "prompt_mask": torch.ones(B, 2, dtype=torch.long),
        "completion_ids": torch.zeros(B, C, dtype=torch.long),
        "completion_mask": t["completion_mask"],
        "tool_mask": t["tool_mask"],
        "advantages": t["advantages"],
        "old_per_token_logps": t["old"],
        "ref_per_token_logps": t["ref"],
        "num_items_in_batch": torch.tensor(window.batch_tokens),
    }
    return trainer._compute_loss(None, inputs), trainer._metrics["train"]


@pytest.mark.parametrize("window", WINDOWS, ids=["single", "accumulated"])
@pytest.mark.parametrize("kl_coef", [0.0, 0.05], ids=["no_kl", "kl"])
@pytest.mark.parametrize("loss_type", LOSS_TYPES)
def test_loss_and_gradient_equal_trl(loss_type: str, kl_coef: float, window: Window) -> None:
    t = _tensors(seed=len(loss_type))
    objective = Objective(loss_type, 0.2, 0.28, kl_coef, MAX_COMPLETION)
    ours_logp = t["logp"].clone().requires_grad_(True)
    trl_logp = t["logp"].clone().requires_grad_(True)
    mask = t["completion_mask"] * t["tool_mask"]
    ours, totals = grpo_loss(ours_logp, t["old"], t["ref"], t["advantages"], mask, objective, window)
    theirs, metrics = _trl(objective, window, t, trl_logp)
    ours.backward()
    theirs.backward()
    assert 0 < totals.clipped < totals.tokens  # the clip acts on some tokens, not all
    assert float(ours.detach()) == pytest.approx(float(theirs.detach()), abs=1e-5, rel=1e-5)
    torch.testing.assert_close(ours_logp.grad, trl_logp.grad, atol=1e-5, rtol=1e-5)
    assert (ours_logp.grad[mask == 0] == 0).all()
    assert totals.clipped / totals.tokens == pytest.approx(metrics["clip_ratio/region_mean"][-1], abs=1e-6)
    if kl_coef > 0:
        assert totals.kl / totals.tokens == pytest.approx(metrics["kl"][-1], abs=1e-6)
    else:
        assert "kl" not in metrics


def test_trl_default_loss_type_is_ours() -> None:
    from dive.config import GrpoConfig

    assert GrpoConfig().loss_type == _default("loss_type")
