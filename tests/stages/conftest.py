"""Fixtures of the training-recipe tests: the tiny model and a one-rank process group for engines."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dive.training import free_port, setup_distributed


@pytest.fixture(scope="module")
def world_of_one() -> Iterator[None]:
    """A one-rank gloo process group for DeepSpeed engines in this process, torn down afterwards.

    DeepSpeed caches groups it derives from the default one (deepspeed.utils.groups); they die with it,
    so the cache is cleared on both sides, or the next module's engine would broadcast over a dead group.
    """
    import deepspeed.utils.groups as ds_groups
    import torch.distributed as dist

    env = {
        "RANK": "0",
        "LOCAL_RANK": "0",
        "WORLD_SIZE": "1",
        "LOCAL_WORLD_SIZE": "1",
        "DS_ACCELERATOR": "cpu",
    }
    with pytest.MonkeyPatch.context() as patch:
        for key, value in {**env, "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(free_port())}.items():
            patch.setenv(key, value)
        ds_groups._WORLD_GROUP = None
        setup_distributed()
        yield
        dist.destroy_process_group()
        ds_groups._WORLD_GROUP = None


def record_step_gradients(engine: Any, grads: dict[str, Any]) -> Callable[[], None]:
    """Wrap ``engine.step`` so the accumulated gradient is copied into ``grads`` at the accumulation
    boundary, before the optimizer consumes it; returns the wrapper (already installed)."""
    from deepspeed.utils import safe_get_full_grad

    step = engine.step

    def step_and_record() -> None:
        if engine.is_gradient_accumulation_boundary():
            grads.update({n: safe_get_full_grad(p).clone() for n, p in engine.module.named_parameters()})
        step()

    engine.step = step_and_record
    return step_and_record
