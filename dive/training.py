"""Small helpers shared by the SFT and GRPO recipes: distributed set-up, DeepSpeed config, saving.

The recipes themselves (dive/stages/sft.py, dive/stages/grpo.py) stay separate, readable top to bottom.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def setup_distributed() -> tuple[int, int]:
    """Initialise torch.distributed through DeepSpeed; returns (rank, world_size).

    Under torchrun or Slurm the env vars are already set; in a plain process (a sweep point on a laptop)
    we make a world of one. CPU training uses gloo (DeepSpeed picks it when no GPU is present).
    """
    import torch

    if not torch.cuda.is_available():
        os.environ.setdefault("DS_ACCELERATOR", "cpu")
    if "RANK" not in os.environ:
        os.environ.update(
            RANK="0",
            LOCAL_RANK="0",
            WORLD_SIZE="1",
            LOCAL_WORLD_SIZE="1",
            MASTER_ADDR="127.0.0.1",
            MASTER_PORT=str(free_port()),
        )
    import deepspeed

    deepspeed.init_distributed(dist_backend="nccl" if torch.cuda.is_available() else "gloo", verbose=False)
    return int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])


def adamw(model: Any, lr: float, weight_decay: float) -> Any:
    """torch AdamW, fused where the build supports it (on CPU it cuts the optimizer step ~5x)."""
    import torch

    try:
        return torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay, fused=True)
    except (RuntimeError, TypeError):
        return torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)


def deepspeed_config(micro_batch: int, grad_accum: int, zero_stage: int, bf16: bool) -> dict[str, Any]:
    return {
        "train_micro_batch_size_per_gpu": micro_batch,
        "gradient_accumulation_steps": grad_accum,
        "gradient_clipping": 1.0,
        "zero_optimization": {"stage": zero_stage},
        "zero_allow_untested_optimizer": True,  # torch AdamW: no JIT-compiled DeepSpeed op needed on CPU
        "bf16": {"enabled": bf16},
        "steps_per_print": 1_000_000_000,
        "wall_clock_breakdown": False,
    }


def save_hf(engine: Any, tokenizer: Any, out: Path, zero_stage: int, rank: int) -> None:
    """Write an HF directory from a DeepSpeed engine (ZeRO-3 parameters are gathered first)."""
    state = engine._zero3_consolidated_16bit_state_dict() if zero_stage == 3 else None
    if rank == 0:
        tmp = out.with_name(out.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        if state is not None:
            engine.module.save_pretrained(tmp, state_dict=state)
        else:
            engine.module.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        shutil.rmtree(out, ignore_errors=True)
        tmp.rename(out)  # a reader never sees a half-written model


def latest_checkpoint(directory: Path) -> str | None:
    latest = directory / "latest"
    return latest.read_text().strip() if latest.exists() else None


def resume(engine: Any, out: Path, recipe: str) -> int:
    """The step to continue from: the last checkpoint in ``out/checkpoints`` (0 if none).

    Progress rows written after that checkpoint are dropped, because those steps are redone: a killed
    job's history then holds every step exactly once.
    """
    directory = out / "checkpoints"
    tag = latest_checkpoint(directory)
    step = 0
    if tag is not None:
        _, client_state = engine.load_checkpoint(str(directory), tag=tag)
        step = int(client_state["step"])
        log.info("resumed %s from %s at step %d", recipe, directory / tag, step)
    progress = out / "progress.jsonl"
    rows = [r for r in read_progress(progress) if r["step"] <= step]
    progress.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return step


def checkpoint(engine: Any, out: Path, step: int, rank: int) -> None:
    """Save a resumable checkpoint of every rank at ``step`` and keep only that one."""
    tag = f"step{step}"
    engine.save_checkpoint(str(out / "checkpoints"), tag=tag, client_state={"step": step})
    if rank == 0:
        prune_checkpoints(out / "checkpoints", keep=tag)


def prune_checkpoints(directory: Path, keep: str) -> None:
    """Keep only the newest checkpoint: CPU disks fill fast with optimizer states."""
    for path in directory.glob("step*"):
        if path.is_dir() and path.name != keep:
            shutil.rmtree(path, ignore_errors=True)


def run_torchrun(module: str, args: dict[str, Any], world_size: int) -> None:
    """Run ``python -m module --args JSON`` as ``world_size`` ranks on this node (multi-rank on one box)."""
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        f"--nproc_per_node={world_size}",
        f"--master_port={free_port()}",
        "-m",
        module,
        json.dumps(args),
    ]
    subprocess.run(command, check=True)


def append_progress(out: Path, row: dict[str, float]) -> None:
    """One step's metrics, appended to ``out/progress.jsonl`` (the stage logs them to MLflow afterwards)."""
    with (out / "progress.jsonl").open("a") as handle:
        handle.write(json.dumps(row) + "\n")


def read_progress(path: Path) -> list[dict[str, float]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
