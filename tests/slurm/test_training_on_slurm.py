"""Both training recipes as a 2-task Slurm job on the local cluster: each task is a rank (gloo), and the
job trains exactly what two torchrun ranks on one machine train from the same inputs and seed."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import cloudpickle
import pytest

from dive.records import FRONTIER
from dive.training import run_torchrun
from tests.conftest import compose_config
from tests.helpers import run_dive
from tests.slurm.test_submitit_slurm import _make_executor, _wait

pytestmark = pytest.mark.slurm

# The job unpickles rank_job in a fresh interpreter where this module is not importable: ship it by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

UPSTREAM = ["debug=tiny", "tools.domains=[science]", "tracking=none"]
RECIPES: dict[str, list[str]] = {
    "sft": ["sft.world_size=2", "sft.max_steps=3"],
    "grpo": ["grpo.world_size=2", "grpo.steps=2"],
}


VARIED_GRPO = """
import json, sys
from dive.stages import grpo

def score(episodes, tasks, alpha):  # a reward that differs within a group, from what was sampled
    return [(float(sum(e.token_ids) % 7), 0.0, 0.0) for e in episodes]

grpo.score = score
rank_main = grpo.rank_main
if __name__ == "__main__":
    rank_main(**json.loads(sys.argv[1]))
"""


def rank_job(module: str, args: dict[str, Any]) -> int:
    """One Slurm task: run the recipe's rank entry (the torchrun ranks run the same function)."""
    importlib.import_module(module).rank_main(**args)
    return int(os.environ["SLURM_PROCID"])


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root holding the base model, sft.jsonl, an SFT model and frontier tasks (the tiny pipeline)."""
    root = tmp_path_factory.mktemp("upstream")
    run_dive(["stage=select", *UPSTREAM], root)
    return root


def _args(recipe: str, root: Path, out: Path) -> dict[str, Any]:
    module = importlib.import_module(f"dive.stages.{recipe}")
    config = module.config(compose_config([*UPSTREAM, *RECIPES[recipe]]))
    (model,) = root.glob("artifacts/model/*/hf")
    if recipe == "sft":
        (data,) = root.glob("artifacts/solve/*/sft.jsonl")
        return {"config": config, "data": str(data), "base": str(model), "out": str(out)}
    (frontier,) = root.glob(f"artifacts/select/*/{FRONTIER}")
    (policy,) = root.glob("artifacts/sft/*/hf")
    return {"config": config, "frontier": str(frontier), "policy": str(policy), "out": str(out)}


def _weights(out: Path) -> dict[str, Any]:
    from safetensors.torch import load_file

    return load_file(str(out / "hf" / "model.safetensors"))


@pytest.mark.parametrize("recipe", ["sft", "grpo"])
def test_a_two_task_slurm_job_trains_what_two_torchrun_ranks_train(
    recipe: str, upstream: Path, slurm_cluster: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # one thread per rank in both launches: same reductions
    module = f"dive.stages.{recipe}"
    if recipe == "grpo":  # the tiny random model earns one reward for all: rewards that vary, to learn
        (tmp_path / "varied_grpo.py").write_text(VARIED_GRPO)
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
        module = "varied_grpo"
    on_one_machine, on_slurm = tmp_path / "torchrun", tmp_path / "slurm"
    for out in (on_one_machine, on_slurm):
        out.mkdir()
    run_torchrun(module, _args(recipe, upstream, on_one_machine), 2)

    executor = _make_executor(tmp_path / "submitit", slurm_ntasks_per_node=2, nodes=1)
    executor.update_parameters(timeout_min=15, slurm_setup=["export OMP_NUM_THREADS=1"])
    job = executor.submit(rank_job, module, _args(recipe, upstream, on_slurm))
    _wait(job, 900)
    assert sorted(job.results()) == [0, 1]  # both tasks ran a rank to the end

    expected, actual = _weights(on_one_machine), _weights(on_slurm)
    different = [k for k in expected if not torch.equal(expected[k], actual[k])]
    assert expected.keys() == actual.keys() and not different, different[:3]
    args = _args(recipe, upstream, on_slurm)
    start = _weights(Path(args["base" if recipe == "sft" else "policy"]).parent)
    assert any(not torch.equal(start[k], actual[k]) for k in start if k in actual), "training moved nothing"
    assert (on_slurm / "final_metrics.json").exists()
