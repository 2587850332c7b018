"""The GRPO objective on per-token log-probabilities: no model, no engine, exactly TRL 1.16's arithmetic.

Per token t of episode i (a position the policy generated; prompts, tool results and padding are masked):

    ratio  = exp(logp - old_logp)                                  (old: the policy that sampled the batch)
    loss_t = -min(ratio * A_i, clip(ratio, 1 - eps_low, 1 + eps_high) * A_i) + beta * ratio * k3
    k3     = exp(ref_logp - logp) - (ref_logp - logp) - 1          (only when beta = kl_coef > 0)

The KL term carries the ratio (TRL 1.16's default ``use_bias_correction_kl=True``, DeepSeek-V3.2): its
gradient is then the unbiased reverse-KL gradient even when the batch is off-policy.

Aggregation (:data:`LOSS_TYPES`) follows ``trl.GRPOTrainer._compute_loss`` term for term, including how a
micro-batch's loss is scaled for its place in the optimizer step (:class:`Window`), so that summing the
micro-batch losses of one rank and averaging over ranks (what DeepSpeed does with ``scale_wrt_gas=False``)
gives the minibatch loss:

* ``grpo``: each episode's token mean, then the mean over episodes (length-biased, the original GRPO);
* ``bnpo``: the token mean over the micro-batch (TRL's "local batch": it depends on ``grpo.micro_batch``);
* ``dr_grpo``: the token sum over (episodes x ``max_completion_length``), a constant normaliser;
* ``dapo``: the token sum over the loss tokens of the whole rollout batch across ranks, per minibatch.

tests/stages/test_grpo_trl_parity.py runs TRL's own method on the same tensors for every type.
"""

from __future__ import annotations

import dataclasses
from typing import Any

LOSS_TYPES = ("grpo", "bnpo", "dr_grpo", "dapo")


@dataclasses.dataclass(frozen=True)
class Objective:
    """What is optimised (the ``grpo.*`` keys of the same names)."""

    loss_type: str  # one of LOSS_TYPES
    clip_low: float  # eps_low: the ratio is clipped below at 1 - clip_low
    clip_high: float  # eps_high: ... and above at 1 + clip_high (DAPO's clip-higher when > clip_low)
    kl_coef: float  # beta; 0 drops the KL term (and the reference model)
    max_completion_length: int  # dr_grpo's constant: the most tokens an episode can generate


@dataclasses.dataclass(frozen=True)
class Window:
    """Where a micro-batch sits in its optimizer step (TRL's names in brackets)."""

    accumulation: int  # micro-batches per optimizer step on each rank [current_gradient_accumulation_steps]
    world: int  # ranks [accelerator.num_processes]
    minibatches: int  # optimizer steps per pass over the rollout batch [steps_per_generation / accumulation]
    batch_tokens: float  # loss tokens of the whole rollout batch, all ranks [num_items_in_batch]


@dataclasses.dataclass
class Totals:
    """Sums over masked tokens (and micro-batches) for logging; add them up, then divide."""

    loss: float = 0.0  # sum of micro-batch losses as backpropagated
    tokens: float = 0.0
    clipped: float = 0.0  # tokens where the clip removed the gradient (TRL's clip_ratio/region_mean)
    ratio: float = 0.0
    kl: float = 0.0

    def add(self, other: Totals) -> None:
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


def per_token_loss(
    logp: Any, old_logp: Any, ref_logp: Any | None, advantages: Any, objective: Objective
) -> tuple[Any, Any, Any | None]:
    """(loss per token, ratio, ratio-weighted k3 KL or None), all (B, T); ``advantages`` is (B,)."""
    import torch

    advantages = advantages.unsqueeze(1)
    ratio = torch.exp(logp - old_logp)
    clipped = torch.clamp(ratio, 1 - objective.clip_low, 1 + objective.clip_high)
    loss = -torch.min(ratio * advantages, clipped * advantages)
    kl = None
    if objective.kl_coef != 0.0:
        if ref_logp is None:
            raise ValueError("kl_coef > 0 needs the reference model's log-probs (ref_logp)")
        kl = (torch.exp(ref_logp - logp) - (ref_logp - logp) - 1) * ratio
        loss = loss + objective.kl_coef * kl
    return loss, ratio, kl


def aggregate(per_token: Any, mask: Any, objective: Objective, window: Window) -> Any:
    """The micro-batch's scalar loss, scaled for accumulation exactly as TRL scales it."""
    masked = per_token * mask
    kind = objective.loss_type
    if kind == "grpo":
        loss = (masked.sum(-1) / mask.sum(-1).clamp(min=1.0)).mean()
    elif kind == "bnpo":
        loss = masked.sum() / mask.sum().clamp(min=1.0)
    elif kind == "dr_grpo":
        loss = masked.sum() / (per_token.size(0) * objective.max_completion_length)
    elif kind == "dapo":
        # the rollout batch's token count, per rank and per minibatch (TRL: N / P * gas / steps_per_gen)
        share = max(window.batch_tokens, 1.0) / window.world / window.minibatches
        return masked.sum() / share
    else:
        raise ValueError(f"grpo.loss_type = {kind!r} is not a valid choice; valid: {list(LOSS_TYPES)}")
    return loss / window.accumulation


def grpo_loss(
    logp: Any,
    old_logp: Any,
    ref_logp: Any | None,
    advantages: Any,
    mask: Any,
    objective: Objective,
    window: Window,
) -> tuple[Any, Totals]:
    """(scalar loss to backpropagate for this micro-batch, its token totals for logging).

    ``mask`` (B, T) is 1 where the policy generated the target token; everything else contributes neither
    loss nor gradient (it multiplies every term, so the gradient there is exactly 0).
    """
    import torch

    per_token, ratio, kl = per_token_loss(logp, old_logp, ref_logp, advantages, objective)
    loss = aggregate(per_token, mask, objective, window)
    with torch.no_grad():
        adv = advantages.unsqueeze(1)
        low = (ratio < 1 - objective.clip_low) & (adv < 0)
        high = (ratio > 1 + objective.clip_high) & (adv > 0)
        totals = Totals(
            loss=float(loss.detach()),
            tokens=float(mask.sum()),
            clipped=float(((low | high).float() * mask).sum()),
            ratio=float((ratio * mask).sum()),
            kl=float((kl * mask).sum()) if kl is not None else 0.0,
        )
    return loss, totals
