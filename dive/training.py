"""Small helpers shared by the SFT and GRPO recipes: distributed set-up, DeepSpeed config, saving.

The recipes themselves (dive/stages/sft.py, dive/stages/grpo.py) stay separate, readable top to bottom.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


RENDEZVOUS_TIMEOUT_ENV = "DIVE_RENDEZVOUS_TIMEOUT_S"
DEFAULT_RENDEZVOUS_TIMEOUT_S = 60.0


class RendezvousError(RuntimeError):
    """torch.distributed could not be set up: the ranks did not meet, or the backend found no network."""


def rendezvous_timeout_s(value: float | None = None) -> float:
    """Seconds a rank waits for the rendezvous: ``value``, else $DIVE_RENDEZVOUS_TIMEOUT_S, else 60."""
    if value is None:
        raw = os.environ.get(RENDEZVOUS_TIMEOUT_ENV, "").strip()
        try:
            value = float(raw) if raw else DEFAULT_RENDEZVOUS_TIMEOUT_S
        except ValueError:
            raise ValueError(f"{RENDEZVOUS_TIMEOUT_ENV}={raw!r} is not a number of seconds") from None
    if not value > 0:
        raise ValueError(f"the rendezvous timeout must be > 0 seconds, got {value}")
    return value


def _hint(problem: str, exc: BaseException, checks: str) -> str:
    reason = (str(exc).strip().splitlines() or [""])[0] or type(exc).__name__
    return f"torch.distributed set-up failed: {problem} ({type(exc).__name__}: {reason}). Check {checks}."


_LOOPBACK = (
    "that the loopback interface is up (`ip link show lo`; `ip link set lo up` in a fresh network namespace)"
)


def setup_distributed(rendezvous_timeout: float | None = None) -> tuple[int, int]:
    """Initialise torch.distributed (DeepSpeed then reuses the group); returns (rank, world_size).

    Under torchrun the env vars are already set; in a Slurm job of several tasks they come from Slurm's
    (submitit's TorchDistributedEnvironment); in a plain process (a sweep point on a laptop) we make a
    world of one. CPU training uses gloo.

    A world of one meets in an in-process HashStore: no TCP store, no port, nothing to connect to. Larger
    worlds meet through the usual env:// TCP store, bounded by ``rendezvous_timeout`` seconds
    ($DIVE_RENDEZVOUS_TIMEOUT_S, default 60) rather than by the collective timeout (10 minutes) that
    ``deepspeed.init_distributed`` would use for both. Failures raise :class:`RendezvousError` naming
    what to check: MASTER_ADDR/MASTER_PORT, the loopback interface, a firewall.
    """
    import torch

    if not torch.cuda.is_available():
        os.environ.setdefault("DS_ACCELERATOR", "cpu")
    if "RANK" not in os.environ and int(os.environ.get("SLURM_NTASKS", "1")) > 1:
        import submitit

        # a multi-task Slurm job (srun or submitit): each task is one rank; node 0 hosts the store
        submitit.helpers.TorchDistributedEnvironment().export(set_cuda_visible_devices=False)
    if "RANK" not in os.environ:
        os.environ.update(
            RANK="0",
            LOCAL_RANK="0",
            WORLD_SIZE="1",
            LOCAL_WORLD_SIZE="1",
            # Nothing connects here (a world of one uses a HashStore); DeepSpeed's CPU shared-memory
            # op names its segment after these two.
            MASTER_ADDR="127.0.0.1",
            MASTER_PORT=str(free_port()),
        )
    import deepspeed
    import torch.distributed as dist

    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    if not dist.is_initialized():
        _init_process_group(backend, rank, world, rendezvous_timeout)
    deepspeed.init_distributed(dist_backend=backend, verbose=False)
    return rank, world


def _init_process_group(backend: str, rank: int, world: int, rendezvous_timeout: float | None) -> None:
    from datetime import timedelta

    import torch
    import torch.distributed as dist
    from deepspeed.constants import default_pg_timeout  # collectives' timeout ($DEEPSPEED_TIMEOUT minutes)

    if world == 1:
        store: Any = dist.HashStore()
    else:
        timeout_s = rendezvous_timeout_s(rendezvous_timeout)
        try:  # torchrun's agent store, or a TCP store served by rank 0: what init_method="env://" does
            store, _, _ = next(dist.rendezvous("env://", rank, world, timeout=timedelta(seconds=timeout_s)))
        except (RuntimeError, ValueError) as exc:  # DistNetworkError/DistStoreError, bad MASTER_* values
            where = f"{os.environ.get('MASTER_ADDR')}:{os.environ.get('MASTER_PORT')}"
            problem = f"rank {rank} of {world} did not rendezvous at {where} within {timeout_s:g} s"
            checks = (
                "that MASTER_ADDR/MASTER_PORT name a host every rank reaches and a port free on rank 0, "
                f"{_LOOPBACK}, that no firewall blocks the port, and that all {world} ranks started "
                f"(set {RENDEZVOUS_TIMEOUT_ENV} to wait longer)"
            )
            raise RendezvousError(_hint(problem, exc, checks)) from exc
        store.set_timeout(default_pg_timeout)  # from here on the store serves collectives
        store = dist.PrefixStore("default_pg", store)  # as init_process_group(init_method=...) does
    kwargs: dict[str, Any] = {}
    # DeepSpeed binds the device for multi-rank NCCL (not on 2.6.0 < torch < 2.7.1, where that hangs)
    buggy = "2.6.0" < torch.__version__ < "2.7.1"
    if backend == "nccl" and world > 1 and not buggy and _accepts_device_id():
        kwargs["device_id"] = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    try:
        dist.init_process_group(
            backend, store=store, rank=rank, world_size=world, timeout=default_pg_timeout, **kwargs
        )
    except RuntimeError as exc:  # gloo without a usable interface: "Unable to find interface for: [...]"
        problem = f"the {backend} process group of {world} rank(s) could not start"
        checks = (
            f"{_LOOPBACK}, that this host's name ({socket.gethostname()}) resolves to an address of an "
            "interface that is up (or set GLOO_SOCKET_IFNAME / NCCL_SOCKET_IFNAME to one), and that no "
            "firewall blocks it"
        )
        raise RendezvousError(_hint(problem, exc, checks)) from exc


def _accepts_device_id() -> bool:
    import inspect

    import torch.distributed as dist

    return "device_id" in inspect.signature(dist.init_process_group).parameters


def adamw(model: Any, lr: float, weight_decay: float) -> Any:
    """torch AdamW, fused where the build supports it (on CPU it cuts the optimizer step ~5x)."""
    import torch

    try:
        return torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay, fused=True)
    except (RuntimeError, TypeError):
        return torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)


def checkpoint_activations(model: Any) -> None:
    """Non-reentrant activation checkpointing (PyTorch's recommended kind; the reentrant one needs an input
    that requires grad). It acts in train mode only, so rollouts keep their KV cache. transformers 5
    renamed ``gradient_checkpointing_enable`` (an alias until v6)."""
    kwargs = {"use_reentrant": False}
    if hasattr(model, "activation_checkpointing_enable"):
        model.activation_checkpointing_enable(activation_checkpointing_kwargs=kwargs)
    else:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=kwargs)


def load_trainable(path: str | Path, config: dict[str, Any]) -> Any:
    """The HF model a recipe trains, from ``path``, as ``config`` (sft.* or grpo.*) asks: in bf16 with
    ``precision`` bf16 (DeepSpeed keeps fp32 master weights itself), else upcast to fp32 (exact for bf16
    weights); activation checkpointing with ``gradient_checkpointing``."""
    import torch
    from transformers import AutoModelForCausalLM

    dtype = getattr(torch, config["dtype"]) if config["precision"] == "bf16" else torch.float32
    model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype)
    if config["gradient_checkpointing"]:  # recompute activations in backward: memory for ~30% more compute
        checkpoint_activations(model)
    return model


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


def rng_state() -> dict[str, Any]:
    """Every random generator a recipe draws from (Python, torch CPU and CUDA), for a checkpoint."""
    import torch

    state: dict[str, Any] = {"python": random.getstate(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: dict[str, Any]) -> None:
    import torch

    random.setstate(state["python"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def resume(engine: Any, out: Path, recipe: str) -> tuple[int, dict[str, Any]]:
    """(step, client state) to continue from: the last checkpoint in ``out/checkpoints`` (0, {} if none).

    The checkpoint's random-generator states are restored, so sampling after a resume draws exactly what
    an unbroken run would have. Progress rows written after that checkpoint are dropped, because those
    steps are redone: a killed job's history then holds every step exactly once.
    """
    directory = out / "checkpoints"
    tag = latest_checkpoint(directory)
    step, state = 0, {}
    if tag is not None:  # DeepSpeed hands back its own keys too: ours are step, rng and recipe
        _, saved = engine.load_checkpoint(str(directory), tag=tag)
        step, state = int(saved["step"]), dict(saved.get("recipe", {}))
        if "rng" in saved:
            restore_rng(saved["rng"])
        log.info("resumed %s from %s at step %d", recipe, directory / tag, step)
    progress = out / "progress.jsonl"
    rows = [r for r in read_progress(progress) if r["step"] <= step]
    progress.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return step, state


def checkpoint(engine: Any, out: Path, step: int, rank: int, state: dict[str, Any] | None = None) -> None:
    """Save a resumable checkpoint of every rank at ``step`` (with this rank's random-generator states and
    the recipe's own ``state``) and keep only that one."""
    tag = f"step{step}"
    client_state = {"step": step, "rng": rng_state(), "recipe": state or {}}
    engine.save_checkpoint(str(out / "checkpoints"), tag=tag, client_state=client_state)
    if rank == 0:
        prune_checkpoints(out / "checkpoints", keep=tag)


class Preempted(SystemExit):
    """Training stopped at a step boundary after a preemption signal, with a checkpoint of that step.

    A SystemExit, so nothing catches it as an error; the stage's tracked run ends KILLED, not FAILED, and
    the next run of the same stage resumes from the checkpoint (Slurm requeues a submitit job itself).
    """

    def __init__(self, signum: int, step: int | None):
        super().__init__(128 + signum)
        self.signum, self.step = signum, step

    def __str__(self) -> str:
        where = "" if self.step is None else f" after step {self.step}"
        return f"preempted by {signal.Signals(self.signum).name}{where} (checkpointed)"


PREEMPTION_SIGNALS = (signal.SIGTERM, signal.SIGUSR2)  # Slurm's preemption / --signal, submitit's default


class Preemption:
    """Turn SIGTERM/SIGUSR2 into a checkpoint at the next step boundary, then hand over.

    A signal only sets a flag: the step in flight finishes (a half-done optimizer step is never saved).
    ``requested()`` is collective when several ranks train, so every rank checkpoints the same step.
    ``hand_over()`` restores the previous handlers and calls the one that was there (submitit's requeues
    the job and exits); otherwise it raises :class:`Preempted`.

        with Preemption() as preemption:
            while step < total:
                ...one step...
                stop = preemption.requested()  # once per step: a second ask could answer differently
                if stop or step % every == 0:
                    checkpoint(engine, out, step, rank)
                if stop:
                    preemption.hand_over(step)
    """

    def __init__(self) -> None:
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}
        self._agreed: int | None = None

    def __enter__(self) -> Preemption:
        if threading.current_thread() is threading.main_thread():  # handlers live in the main thread only
            for sig in PREEMPTION_SIGNALS:
                self._previous[sig] = signal.signal(sig, self._note)
        return self

    def __exit__(self, *exc: object) -> None:
        self._restore()

    def _restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous = {}

    def _note(self, signum: int, frame: Any) -> None:
        if self.signum is None:
            log.warning("caught %s: checkpointing after this step", signal.Signals(signum).name)
        self.signum = signum

    def requested(self) -> bool:
        """Whether any rank was signalled (the same answer on every rank; call it on every rank)."""
        import torch
        import torch.distributed as dist

        flag = float(self.signum or 0)
        if dist.is_initialized() and dist.get_world_size() > 1:
            on_gpu = dist.get_backend() == "nccl"  # NCCL reduces GPU tensors only
            value = torch.tensor([flag], device=f"cuda:{torch.cuda.current_device()}" if on_gpu else "cpu")
            dist.all_reduce(value, op=dist.ReduceOp.MAX)
            flag = float(value.item())
        self._agreed = int(flag) or None
        return self._agreed is not None

    def hand_over(self, step: int | None) -> None:
        """Restore the previous handlers and pass the signal on (``step``: the one checkpointed)."""
        signum = self._agreed or self.signum or int(signal.SIGTERM)
        previous = self._previous.get(signum)
        self._restore()
        where = "the ranks" if step is None else f"step {step}"
        log.warning("preempted: the checkpoint of %s is saved", where)
        if callable(previous):
            previous(signum, None)  # submitit: requeue the job and exit
        raise Preempted(signum, step)


def prune_checkpoints(directory: Path, keep: str) -> None:
    """Keep only the newest checkpoint: CPU disks fill fast with optimizer states."""
    for path in directory.glob("step*"):
        if path.is_dir() and path.name != keep:
            shutil.rmtree(path, ignore_errors=True)


def run_torchrun(module: str, args: dict[str, Any], world_size: int) -> None:
    """Run ``python -m module --args JSON`` as ``world_size`` ranks on this node (multi-rank on one box).

    torchrun's own rendezvous is bounded like the ranks' ($DIVE_RENDEZVOUS_TIMEOUT_S, default 60 s).
    """
    timeout_s = rendezvous_timeout_s()
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        f"--nproc_per_node={world_size}",
        f"--master_port={free_port()}",
        f"--rdzv-conf=timeout={max(1, math.ceil(timeout_s))}",
        "-m",
        module,
        json.dumps(args),
    ]
    with Preemption() as preemption:
        process = subprocess.Popen(command)
        forwarded = False
        while process.poll() is None:
            if preemption.signum is not None and not forwarded:
                # torchrun's agent passes SIGTERM on to every rank, whose own Preemption checkpoints
                process.send_signal(signal.SIGTERM)
                forwarded = True
            time.sleep(0.2)
        if preemption.requested():
            preemption.hand_over(None)
    if process.returncode != 0:
        raise RuntimeError(
            f"torchrun of {world_size} ranks of {module} exited with status {process.returncode} (its output "
            f"is above). If it did not rendezvous within {timeout_s:g} s, check {_LOOPBACK}, and that no "
            f"firewall blocks 127.0.0.1 ({RENDEZVOUS_TIMEOUT_ENV} sets the wait)."
        )


def append_progress(out: Path, row: dict[str, float]) -> None:
    """One step's metrics, appended to ``out/progress.jsonl`` (the stage logs them to MLflow afterwards)."""
    with (out / "progress.jsonl").open("a") as handle:
        handle.write(json.dumps(row) + "\n")


def read_progress(path: Path) -> list[dict[str, float]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def finish(out: Path, log_metrics: Callable[..., None]) -> dict[str, float]:
    """Log a recipe's per-step progress (after the run, from one process) and return its final metrics."""
    for row in read_progress(out / "progress.jsonl"):
        log_metrics({k: v for k, v in row.items() if k != "step"}, int(row["step"]))
    return json.loads((out / "final_metrics.json").read_text())
