"""bench/train.py: recipe configs map onto HF Trainer's and TRL's arguments; ``--quick`` runs end to end."""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "bench" / "train.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_train", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_recipe_configs_map_onto_trainer_and_trl(tmp_path: Path) -> None:
    from transformers import TrainingArguments
    from trl import GRPOConfig

    bench = _bench()
    import train_workers as workers  # on sys.path once bench/train.py is loaded

    cfg = bench.compose(tmp_path, "tiny", quick=True)
    opts = argparse.Namespace(micro_batch=None, grad_accum=None, prompts_per_step=None, group_size=None)

    sft = bench.sft_config(cfg, 3, opts)
    assert sft["max_steps"] == 3 and sft["checkpoint_every"] > 3
    hf = TrainingArguments(**workers.hf_sft_args(sft, 3, str(tmp_path / "hf"), bf16=False))
    assert hf.gradient_accumulation_steps == sft["grad_accum"] and hf.max_steps == 3

    grpo = bench.grpo_config(cfg, 3, opts)
    assert grpo["max_turns"] == 1
    trl = GRPOConfig(**workers.trl_args(grpo, 3, str(tmp_path / "trl")))
    episodes = grpo["prompts_per_step"] * grpo["group_size"]
    assert trl.generation_batch_size == episodes and trl.num_generations == grpo["group_size"]
    assert trl.per_device_train_batch_size * trl.gradient_accumulation_steps == grpo["minibatch_size"]
    assert trl.num_iterations == grpo["epochs_per_batch"] and trl.loss_type == grpo["loss_type"]


def test_a_renamed_key_is_named(tmp_path: Path) -> None:
    bench = _bench()
    with pytest.raises(KeyError, match="no_such_key"):
        bench.set_keys({"steps": 1}, {"no_such_key": 2}, "grpo")


@pytest.mark.slow
def test_quick_run_prints_both_comparisons(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--root", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for line in ("tokens/s dive / HF", "step time dive / TRL", "(c) GPU: ", "TRL tokenized the prompts"):
        assert line in result.stdout
