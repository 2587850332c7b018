"""What each SFT optimizer step consists of, decided from the data before training starts.

* :func:`batches`: length-bucketed micro-batches, the same plan on every rank (each takes its share),
  deterministic from (seed, epoch) and resumable from any micro-step;
* :func:`count_steps`: optimizer steps from the data: the first of ``sft.epochs``, ``sft.max_tokens``
  and ``sft.max_steps`` reached;
* :class:`WarmupCosine`: the LR factor of a step (linear warm-up, then a cosine down to a floor);
* :func:`token_loss_sum`: summed cross-entropy of the trained (assistant) tokens; the recipe divides it by
  the trained tokens of the whole optimizer step, so every token weighs the same whatever micro-batch
  or rank it lands in.

Everything here is plain Python (torch only in the loss), so the tests check it without an engine.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

IGNORE = -100  # the label of a context token (system prompt, question, tool output): no loss
Example = tuple[list[int], list[int]]  # token ids, labels


def trained_tokens(example: Example) -> int:
    """Tokens of ``example`` that are loss targets: labels after the first (the first is never predicted)."""
    return sum(1 for label in example[1][1:] if label != IGNORE)


# ---------------------------------------------------------------------------------------------
# data order


def epoch_batches(lengths: Sequence[int], size: int, seed: int, epoch: int, bucket: int) -> list[list[int]]:
    """One epoch's global micro-batches: indices into the examples, ``size`` each (the last may be short).

    The examples are shuffled by (seed, epoch), cut into chunks of ``bucket`` micro-batches, and sorted
    by length inside each chunk, so a micro-batch holds alike lengths and pads little; the micro-batches
    are shuffled again so that lengths do not trend within an epoch (nor follow the LR schedule).
    """
    order = list(range(len(lengths)))
    random.Random(f"{seed}:{epoch}").shuffle(order)
    chunk = size * bucket
    global_batches: list[list[int]] = []
    for begin in range(0, len(order), chunk):
        part = sorted(order[begin : begin + chunk], key=lambda i: -lengths[i])  # stable: ties stay shuffled
        global_batches += [part[i : i + size] for i in range(0, len(part), size)]
    random.Random(f"{seed}:{epoch}:batches").shuffle(global_batches)
    return global_batches


def micro_batches_per_epoch(examples: int, micro_batch: int, world: int) -> int:
    return math.ceil(examples / (micro_batch * world))


def global_stream(
    lengths: Sequence[int], size: int, seed: int, bucket: int, start: int = 0
) -> Iterator[tuple[int, list[int]]]:
    """(epoch, global micro-batch) from global micro-step ``start`` on, epoch after epoch, forever."""
    per_epoch = math.ceil(len(lengths) / size)
    epoch, skip = divmod(start, per_epoch)  # whole epochs are skipped without being built
    while True:
        for batch in epoch_batches(lengths, size, seed, epoch, bucket)[skip:]:
            yield epoch, batch
        epoch, skip = epoch + 1, 0


@dataclasses.dataclass(frozen=True)
class Micro:
    """One micro-step as one rank sees it."""

    examples: list[Example]  # this rank's share; a one-token filler without targets when it has none
    tokens: int  # trained tokens of this micro-step summed over every rank
    seen: int  # all tokens (context too) of this micro-step over every rank
    epoch: int


def batches(
    examples: Sequence[Example],
    micro_batch: int,
    seed: int,
    rank: int,
    world: int,
    start: int,
    bucket: int = 50,
) -> Iterator[Micro]:
    """This rank's micro-batches from micro-step ``start`` on (a resumed run passes its step x grad_accum).

    Every rank builds the same global plan and takes every ``world``-th example of each length-sorted
    global micro-batch, so the ranks' shares are disjoint and alike in length. When an epoch's last
    micro-batch is too short to give every rank an example, the rank left out runs a filler (one token,
    no target): under ZeRO every rank must take part in every forward and backward.
    """
    lengths = [len(ids) for ids, _ in examples]
    trained = [trained_tokens(e) for e in examples]
    for epoch, batch in global_stream(lengths, micro_batch * world, seed, bucket, start):
        share = [examples[i] for i in batch[rank::world]]
        filler: Example = (examples[batch[0]][0][:1], [IGNORE])
        yield Micro(share or [filler], sum(trained[i] for i in batch), sum(lengths[i] for i in batch), epoch)


# ---------------------------------------------------------------------------------------------
# how long


def count_steps(examples: Sequence[Example], config: dict[str, Any], world: int) -> int:
    """Optimizer steps of the run: the first of ``epochs``, ``max_tokens`` (trained tokens) and
    ``max_steps`` reached; at least one. The same on every rank and on every resume."""
    per_epoch = micro_batches_per_epoch(len(examples), config["micro_batch"], world)
    steps = max(1, math.ceil(config["epochs"] * per_epoch / config["grad_accum"]))
    if config["max_tokens"] is not None:
        steps = min(steps, _steps_for_tokens(examples, config, world, config["max_tokens"], steps))
    if config["max_steps"] is not None:
        steps = min(steps, config["max_steps"])
    return steps


def _steps_for_tokens(
    examples: Sequence[Example], config: dict[str, Any], world: int, budget: int, limit: int
) -> int:
    """The step in which the trained tokens reach ``budget`` (walking the real plan), at most ``limit``."""
    lengths = [len(ids) for ids, _ in examples]
    trained = [trained_tokens(e) for e in examples]
    stream = global_stream(lengths, config["micro_batch"] * world, config["seed"], config["bucket_batches"])
    total = 0
    for step in range(1, limit + 1):
        for _ in range(config["grad_accum"]):
            total += sum(trained[i] for i in next(stream)[1])
        if total >= budget:
            return step
    return limit


# ---------------------------------------------------------------------------------------------
# learning rate


def warmup_steps(total: int, ratio: float) -> int:
    return min(total, math.ceil(total * ratio))


@dataclasses.dataclass
class WarmupCosine:
    """LR factor of optimizer step ``step`` (0-based): linear warm-up to 1 over ``warmup`` steps, then a
    half cosine down to ``min_ratio`` at the last step (``total - 1``).

    A callable object rather than a closure, so that ``LambdaLR.state_dict`` (which DeepSpeed checkpoints
    with the engine) carries its fields, and a resumed run is seen to continue the same schedule.
    """

    total: int
    warmup: int
    min_ratio: float

    def __call__(self, step: int) -> float:
        if step < self.warmup:
            return (step + 1) / self.warmup  # the first step already trains (HF's schedule starts at 0)
        progress = min(1.0, (step - self.warmup) / max(1, self.total - 1 - self.warmup))
        return self.min_ratio + (1 - self.min_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


# ---------------------------------------------------------------------------------------------
# loss


def token_loss_sum(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Summed cross-entropy of every target token (label != IGNORE), each predicted from the position
    before it. Only the target rows of the logits enter the loss, so a context position gets exactly zero
    gradient, and only those rows are upcast (to float32 at least: bf16 logits lose the loss's precision)."""
    import torch

    targets = labels[:, 1:]
    keep = targets != IGNORE
    picked = logits[:, :-1][keep]
    picked = picked.to(torch.promote_types(picked.dtype, torch.float32))
    return torch.nn.functional.cross_entropy(picked, targets[keep], reduction="sum")
