"""Benchmark our SFT and GRPO recipes against the libraries a user would otherwise pick, in one run.

Same model directory, same data, same batch on both sides; every measurement runs in its own child
process (bench/train_workers.py: no shared caches, no torch.distributed state left behind by DeepSpeed),
one after the other.

(a) SFT tokens/s (goal: ours/HF >= 1.0): ``dive.stages.sft.train`` (DeepSpeed engine) against
    ``transformers.Trainer``. Ours runs first; the bench records the exact micro-batches it trained on
    (by wrapping ``sft.collate``) and feeds HF Trainer those same micro-batches in the same order (one
    dataset item = one micro-batch, padded by ``DataCollatorForSeq2Seq``: right-padded to the longest
    sequence of the micro-batch, as ``sft.collate`` pads). Same lr and schedule, AdamW (fused), weight
    decay, grad clipping 1.0, grad accumulation, precision (``sft.precision``, fp32 by default),
    token-weighted loss, optimizer steps. Tokens = non-pad input tokens. The first optimizer step is a
    warm-up, reported apart; tokens/s covers steps 2..N+1 (from the end of step 1 to the end of step
    N+1: data, forward, backward, optimizer; no checkpoint, no eval).
(b) GRPO seconds per step (goal: ours/TRL <= 1.0): ``dive.stages.grpo.train`` against
    ``trl.GRPOTrainer`` (``use_vllm=False``, no tools). Ours is made single-turn (``grpo.max_turns=1``:
    generate once, score, update) because TRL's trainer is given no tools. TRL gets ours' prompts step
    by step (recorded by wrapping ``grpo.rollout``; the task's question and toolset schemas rendered by
    ``dive.chat.render``), the same group size, prompts per step, max new tokens, temperature, top-k 50
    (what ours' ``generate`` inherits from transformers), loss type, clip, KL coefficient, lr, the same
    update plan (epochs over the rollout batch, minibatches, micro-batches), and ``dive.rewards.reward`` on
    its completions as the reward. Step time is the median over steps 2..N+1;
    sampled lengths differ between the two, so seconds per generated token is printed too.
(c) GPU only: SFT MFU of ours on a ~0.5B random Qwen2 model (bf16), and HF ``generate`` vs vLLM
    rollout tokens/s when vllm imports. Without a GPU these print "skipped: no GPU".

Data: the sft.jsonl of a solve artifact and the tasks of its synth artifact, made (once, then reused) under
``--root`` exactly as ``DIVE_ROOT=<root> python -m dive stage=solve tracking=none`` makes them (with
``debug=tiny`` under ``--quick``); the model is the ``model`` artifact there (SmolLM2-135M-Instruct
converted from GGUF, or the random tiny model).

The cores are shared: each row shows the share of them that other processes used during that run
(``others_cpu``, from /proc/stat); ``--wait-quiet`` waits for idle cores before each run, ``--repeat``
alternates runs per side and compares each side's best.

Usage::

    python bench/train.py --quick            # tiny random model, 2 measured steps: a smoke run
    python bench/train.py                    # SmolLM2-135M, 3 measured steps (~40 min on 2 idle cores)
    python bench/train.py --model tiny --steps 4 --repeat 2 --json train.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run from a checkout without installing
sys.path.insert(0, str(REPO / "bench"))

from train_workers import MFU_MICRO_BATCH, MFU_STEPS, ROLLOUT_NEW_TOKENS, ROLLOUT_PROMPTS  # noqa: E402

WORKERS = REPO / "bench" / "train_workers.py"

GOAL_SFT = 1.0  # ours/HF tokens/s at least this
GOAL_GRPO = 1.0  # ours/TRL seconds per step at most this
FULL = {"model": "smollm2", "steps": 3}
QUICK = {"model": "tiny", "steps": 2}
# Dense BF16 tensor-core peak (TFLOPS), from NVIDIA's H100 and H200 datasheets (the sparse figure halved).
# First match of the device name wins.
PEAK_BF16_TFLOPS = (("H200", 989.4), ("H100 PCIe", 756.0), ("H100", 989.4), ("A100", 312.0))
# ---------------------------------------------------------------------------------------------
# configs: our recipes' own config(cfg), then a few keys set by name


def compose(root: Path, model: str, quick: bool) -> Any:
    """The project's Hydra config (conf/dive.yaml), writing under ``root``, tracking off."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    from dive.__main__ import CONF_DIR
    from dive.config import validate

    overrides = [f"paths.root={root}", "tracking=none", *(["debug=tiny"] if quick else []), f"model={model}"]
    with initialize_config_dir(config_dir=CONF_DIR, version_base="1.3"):
        cfg = hydra_compose(config_name="dive", overrides=overrides)
    validate(cfg)
    return cfg


def set_keys(config: dict[str, Any], values: dict[str, Any], recipe: str) -> None:
    """Set recipe keys by name; a key the recipe no longer has is an error naming it (the bench is stale)."""
    require(config, tuple(values), recipe)
    config.update(values)


def require(config: dict[str, Any], names: tuple[str, ...], recipe: str) -> None:
    """The keys the bench maps onto the other library's arguments must exist (a clear error if renamed)."""
    missing = [name for name in names if name not in config]
    if missing:
        raise KeyError(
            f"[bench] the {recipe} config has no key(s) {missing} (it has {sorted(config)}); "
            "the recipe changed: update bench/train.py"
        )


SFT_KEYS = ("micro_batch", "grad_accum", "lr", "weight_decay", "warmup_ratio", "min_lr_ratio", "precision")
SFT_KEYS += ("gradient_checkpointing", "seed")
GRPO_KEYS = ("prompts_per_step", "group_size", "micro_batch", "minibatch_size", "epochs_per_batch")
GRPO_KEYS += ("loss_type", "clip_eps", "clip_eps_high", "kl_coef", "lr", "alpha", "max_new_tokens")
GRPO_KEYS += ("temperature", "precision", "gradient_checkpointing", "seed")


def sft_config(cfg: Any, total: int, opts: argparse.Namespace) -> dict[str, Any]:
    """``sft.config(cfg)`` for ``total`` optimizer steps, no checkpoint inside the run, one rank."""
    from dive.stages import sft

    config = sft.config(cfg)
    # max_steps the only limit: epochs enough for it, no token budget
    values = {
        "max_steps": total,
        "epochs": 1e6,
        "max_tokens": None,
        "checkpoint_every": total + 1,
        "world_size": 1,
    }
    if opts.micro_batch is not None:
        values["micro_batch"] = opts.micro_batch
    if opts.grad_accum is not None:
        values["grad_accum"] = opts.grad_accum
    set_keys(config, values, "sft")
    require(config, SFT_KEYS, "sft")
    return config


def grpo_config(cfg: Any, total: int, opts: argparse.Namespace) -> dict[str, Any]:
    """``grpo.config(cfg)`` for ``total`` steps, single-turn (TRL gets no tools), no checkpoint inside."""
    from dive.stages import grpo

    config = grpo.config(cfg)
    values: dict[str, Any] = {"steps": total, "max_turns": 1, "checkpoint_every": total + 1}
    if opts.prompts_per_step is not None:
        values["prompts_per_step"] = opts.prompts_per_step
    if opts.group_size is not None:
        values["group_size"] = opts.group_size
    set_keys(config, values, "grpo")
    require(config, GRPO_KEYS, "grpo")
    return config


# ---------------------------------------------------------------------------------------------
# data: the artifacts `python -m dive stage=solve` makes, and the model artifact


def prepare(cfg: Any) -> dict[str, str]:
    """Paths of the model dir, sft.jsonl and the synthesized tasks, producing (or reusing) the artifacts."""
    from dive.pipeline import make_context
    from dive.records import TASKS, model_dir

    ctx = make_context(cfg)
    model, solve, synth = ctx.need("model"), ctx.need("solve"), ctx.need("synth")
    return {
        "model": str(model_dir(model)),
        "sft_data": str(solve.path / "sft.jsonl"),
        "tasks": str(synth.path / TASKS),
    }


def cpu_seconds() -> tuple[float, float]:
    """(busy, all) CPU seconds of every core since boot, from /proc/stat; (0, 0) where there is none."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    except OSError:
        return 0.0, 0.0
    ticks = [float(v) / os.sysconf("SC_CLK_TCK") for v in fields]
    return sum(ticks) - ticks[3] - ticks[4], sum(ticks)  # idle and iowait are not busy


def children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wait_quiet(limit_s: float, window_s: float = 5.0) -> float:
    """Wait (at most ``limit_s``) for a ``window_s`` window in which other processes keep the cores under
    10% busy: the cores are shared, and a run next to another one measures the other one too."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit_s:
        busy, total = cpu_seconds()
        time.sleep(window_s)
        busy2, total2 = cpu_seconds()
        if total2 == total or (busy2 - busy) / (total2 - total) < 0.1:
            break
    return time.perf_counter() - start


def run_worker(
    name: str, spec: dict[str, Any], work: Path, kind: str | None = None, quiet_s: float = 0.0
) -> dict[str, Any]:
    """Run one measurement in a child process (output in ``work/<name>.log``); note the share of the cores
    other processes used meanwhile (``others_cpu``: 0 is a clean run)."""
    spec_path, result_path, log_path = (work / f"{name}.{ext}" for ext in ("spec.json", "result.json", "log"))
    spec_path.write_text(json.dumps(spec))
    result_path.unlink(missing_ok=True)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    command = [sys.executable, str(WORKERS), kind or name, str(spec_path), str(result_path)]
    waited = wait_quiet(quiet_s) if quiet_s > 0 else 0.0
    print(f"  running {name} (log: {log_path}) ...", flush=True)
    (busy, total), mine = cpu_seconds(), children_seconds()
    with log_path.open("w") as log:
        code = subprocess.run(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO).returncode
    (busy2, total2), mine2 = cpu_seconds(), children_seconds()
    if code != 0:
        tail = "\n".join(log_path.read_text().splitlines()[-25:])
        raise RuntimeError(f"[bench] {name} failed with exit status {code}; the end of {log_path}:\n{tail}")
    others = max(0.0, (busy2 - busy) - (mine2 - mine)) / (total2 - total) if total2 > total else 0.0
    return {**json.loads(result_path.read_text()), "others_cpu": others, "waited_s": waited}


# ---------------------------------------------------------------------------------------------
# the run


def alternate(
    names: tuple[str, str], spec: dict[str, Any], work: Path, opts: argparse.Namespace
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run ours then the library's, ``--repeat`` times alternately (ours records what the other replays)."""
    runs: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], [])
    for r in range(opts.repeat):
        for side, name in enumerate(names):
            tag = f"{name}{r + 1 if opts.repeat > 1 else ''}"
            out = {**spec, "out": str(work / name)}
            runs[side].append(run_worker(tag, out, work, kind=name, quiet_s=opts.wait_quiet))
    return runs


def bench_sft(cfg: Any, data: dict[str, str], opts: argparse.Namespace, work: Path) -> dict[str, Any]:
    config = sft_config(cfg, opts.steps + 1, opts)
    spec = {
        "config": config,
        "data": data["sft_data"],
        "base": data["model"],
        "batches": str(work / "sft_batches.json"),
    }
    ours, theirs = alternate(("sft_dive", "sft_hf"), spec, work, opts)
    best = max(ours, key=lambda r: r["tokens_per_s"]), max(theirs, key=lambda r: r["tokens_per_s"])
    return {
        "config": config,
        "runs": {"dive": ours, "hf": theirs},
        "dive": best[0],
        "hf": best[1],
        "ratio": best[0]["tokens_per_s"] / best[1]["tokens_per_s"],
    }


def bench_grpo(cfg: Any, data: dict[str, str], opts: argparse.Namespace, work: Path) -> dict[str, Any]:
    config = grpo_config(cfg, opts.steps + 1, opts)
    spec = {
        "config": config,
        "tasks": data["tasks"],
        "policy": data["model"],
        "prompts": str(work / "grpo_prompts.json"),
    }
    ours, theirs = alternate(("grpo_dive", "grpo_trl"), spec, work, opts)
    best = min(ours, key=lambda r: r["step_s"]), min(theirs, key=lambda r: r["step_s"])
    return {
        "config": config,
        "runs": {"dive": ours, "trl": theirs},
        "dive": best[0],
        "trl": best[1],
        "ratio": best[0]["step_s"] / best[1]["step_s"],
        "ratio_per_token": best[0]["s_per_completion_token"] / best[1]["s_per_completion_token"],
    }


def torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def gpu_name() -> str | None:
    import torch

    return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None


def peak_tflops(name: str) -> float | None:
    return next((peak for key, peak in PEAK_BF16_TFLOPS if key.lower() in name.lower()), None)


def bench_gpu(
    cfg: Any, data: dict[str, str], opts: argparse.Namespace, work: Path, name: str
) -> dict[str, Any]:
    """MFU of our SFT on a random ~0.5B model (bf16), and HF generate vs vLLM tokens/s; failures noted."""
    found: dict[str, Any] = {"device": name, "peak_tflops": peak_tflops(name)}
    config = sft_config(cfg, MFU_STEPS + 1, opts)
    set_keys(config, {"micro_batch": MFU_MICRO_BATCH, "dtype": "bfloat16", "precision": "bf16"}, "sft")
    spec = {
        "config": config,
        "data": data["sft_data"],
        "base": data["model"],  # the tokenizer; the worker builds the random model beside it
        "random_model": True,
        "batches": str(work / "mfu_batches.json"),
        "out": str(work / "sft_mfu"),
    }
    try:
        mfu = run_worker("sft_mfu", spec, work)
        flops = 6 * mfu["params"] * mfu["tokens_per_s"]
        peak = found["peak_tflops"]
        found["mfu"] = {**mfu, "tflops": flops / 1e12, "mfu": flops / (peak * 1e12) if peak else None}
    except RuntimeError as error:
        found["mfu"] = {"error": str(error).splitlines()[0]}
    spec = {"policy": data["model"], "prompts": str(work / "grpo_prompts.json"), "temperature": 1.0}
    for kind in ("generate_hf", "generate_vllm"):
        if kind == "generate_vllm" and not _imports("vllm"):
            found[kind] = {"error": "skipped: vllm does not import"}
            continue
        try:
            found[kind] = run_worker(kind, spec, work)
        except RuntimeError as error:
            found[kind] = {"error": str(error).splitlines()[0]}
    return found


def _imports(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


# ---------------------------------------------------------------------------------------------
# report


def _fmt(value: Any, spec: str = ".3g") -> str:
    return "-" if value is None else format(value, spec)


SFT_COLUMNS = (  # (result key, heading, width, format)
    ("tokens_per_s", "tokens/s", 10, ".1f"),
    ("step_s", "step s", 9, ".2f"),
    ("warmup_s", "warm-up s", 11, ".2f"),
    ("tokens", "tokens", 9, "d"),
    ("padded_tokens", "padded", 9, "d"),
    ("loss", "loss", 9, ".4f"),
)
GRPO_COLUMNS = (
    ("step_s", "step s", 9, ".2f"),
    ("gen_s", "gen s", 8, ".2f"),
    ("warmup_s", "warm-up s", 11, ".2f"),
    ("completion_tokens_per_step", "gen tok/step", 14, ".1f"),
    ("s_per_completion_token", "s/gen tok", 11, ".4f"),
    ("reward", "reward", 9, ".3f"),
)


def print_table(
    columns: tuple[tuple[str, str, int, str], ...], sides: list[tuple[str, list[Any], Any]]
) -> None:
    """One row per run of each side; ``*`` marks the run each side's figure comes from (its best)."""
    print(f"    {'':<22}" + "".join(f"{head:>{width}}" for _, head, width, _ in columns) + "  others' CPU")
    for label, runs, best in sides:
        for n, run in enumerate(runs, 1):
            name = (
                f"{label}{f' #{n}' if len(runs) > 1 else ''}{' *' if len(runs) > 1 and run is best else ''}"
            )
            cells = "".join(f"{_fmt(run[key], spec):>{width}}" for key, _, width, spec in columns)
            print(f"    {name:<22}{cells}{run['others_cpu']:>13.0%}")


def print_sft(s: dict[str, Any], meta: dict[str, Any]) -> None:
    if "error" in s:
        print(f"\n(a) SFT: failed: {s['error']}")
        return
    c = s["config"]
    print(
        f"\n(a) SFT, {meta['model']} ({s['dive']['params'] / 1e6:.1f}M params), {c['precision']}, "
        f"micro_batch {c['micro_batch']} x grad_accum {c['grad_accum']}, lr {c['lr']:g}, AdamW; "
        f"{meta['steps']} measured steps after 1 warm-up step. Both train on the same micro-batches in "
        "the same order, right-padded to the longest sequence of each; tokens = non-pad input tokens."
    )
    runs = s["runs"]
    print_table(
        SFT_COLUMNS, [("dive (DeepSpeed)", runs["dive"], s["dive"]), ("HF Trainer", runs["hf"], s["hf"])]
    )
    verdict = "MET" if s["ratio"] >= GOAL_SFT else "NOT MET"
    print(f"    tokens/s dive / HF: {s['ratio']:.2f}x (goal >= {GOAL_SFT:.1f}x: {verdict})")
    print(
        f"    dive's own sft/tokens_per_s (warm-up step and final checkpoint included): "
        f"{_fmt(s['dive']['own_tokens_per_s'], '.1f')}; HF optimizer: {s['hf']['optimizer']}"
    )


def print_grpo(g: dict[str, Any], meta: dict[str, Any]) -> None:
    if "error" in g:
        print(f"\n(b) GRPO: failed: {g['error']}")
        return
    c = g["config"]
    print(
        f"\n(b) GRPO, {meta['model']}, single-turn (grpo.max_turns=1; TRL gets no tools), {c['precision']}: "
        f"{c['prompts_per_step']} prompts x {c['group_size']} generations per step, then "
        f"{c['epochs_per_batch']} epoch(s) of minibatches of {c['minibatch_size']} episodes (micro_batch "
        f"{c['micro_batch']}); max_new_tokens {c['max_new_tokens']}, temperature {c['temperature']:g}, top_k "
        f"50, loss_type {c['loss_type']}. Median of {meta['steps']} steps after 1 warm-up step; sampled "
        "lengths differ, so seconds per generated token too."
    )
    runs = g["runs"]
    print_table(
        GRPO_COLUMNS,
        [("dive (DeepSpeed)", runs["dive"], g["dive"]), ("TRL GRPOTrainer", runs["trl"], g["trl"])],
    )
    verdict = "MET" if g["ratio"] <= GOAL_GRPO else "NOT MET"
    print(
        f"    step time dive / TRL: {g['ratio']:.2f}x (goal <= {GOAL_GRPO:.1f}x: {verdict}); per generated "
        f"token: {g['ratio_per_token']:.2f}x; TRL tokenized the prompts to ours' ids: "
        f"{g['trl']['prompt_ids_identical']}"
    )


def print_report(result: dict[str, Any]) -> None:
    meta = result["meta"]
    print_sft(result["sft"], meta)
    print_grpo(result["grpo"], meta)
    print_gpu(result["gpu"])
    print_summary(result)
    print(
        f"\n{meta['elapsed_s']:.0f} s in all (python {meta['python']}, {meta['machine']}, "
        f"{meta['threads']} torch threads); others' CPU: the share of the cores other processes used during "
        "the run (the cores are shared; well above 0% and that run's figures are not to be trusted); "
        f"logs in {meta['work']}"
    )


def print_gpu(gpu: dict[str, Any] | None) -> None:
    print(f"\n(c) GPU: {gpu['device'] if gpu else 'none'}")
    if gpu is not None and "error" in gpu:
        print(f"    failed: {gpu['error']}")
        return
    if gpu is None:
        print("    SFT MFU: skipped: no GPU\n    HF generate vs vLLM rollout tokens/s: skipped: no GPU")
        return
    m = gpu["mfu"]
    if "error" in m:
        print(f"    SFT MFU: failed: {m['error']}")
    else:
        mfu = f"{m['mfu']:.1%}" if m["mfu"] is not None else "n/a (peak unknown for this GPU)"
        print(
            f"    SFT MFU (dive, random {m['params'] / 1e9:.2f}B Qwen2, bf16, micro_batch {MFU_MICRO_BATCH}):"
            f" {m['tokens_per_s']:.0f} tokens/s = {m['tflops']:.1f} TFLOPS (6 x params x tokens/s) = {mfu}"
            f" of {_fmt(gpu['peak_tflops'], 'g')} TFLOPS dense BF16 (NVIDIA H100/H200 datasheets)"
        )
    for kind, label in (("generate_hf", "HF generate (dive.rollout)"), ("generate_vllm", "vLLM")):
        r = gpu[kind]
        text = r["error"] if "error" in r else f"{r['tokens_per_s']:.0f} tokens/s ({r['tokens']} tokens)"
        print(f"    rollout {label} ({ROLLOUT_PROMPTS} prompts, {ROLLOUT_NEW_TOKENS} new tokens): {text}")


def print_summary(result: dict[str, Any]) -> None:
    s, g = result["sft"], result["grpo"]
    rows = []
    if "error" not in s:
        rows += [
            ("SFT tokens/s", s["dive"]["tokens_per_s"], s["hf"]["tokens_per_s"], "HF", s["ratio"], ">= 1.0")
        ]
    if "error" not in g:
        rows += [
            ("GRPO s/step", g["dive"]["step_s"], g["trl"]["step_s"], "TRL", g["ratio"], "<= 1.0"),
            (
                "GRPO s/gen token",
                g["dive"]["s_per_completion_token"],
                g["trl"]["s_per_completion_token"],
                "TRL",
                g["ratio_per_token"],
                "-",
            ),
        ]
    print(f"\n    {'measure':<18}{'dive':>10}{'library':>16}{'dive/lib':>10}{'goal':>8}")
    for name, ours, theirs, lib, ratio, goal in rows:
        print(f"    {name:<18}{_num(ours):>10}{lib:>6} {_num(theirs):>9}{ratio:>9.2f}x{goal:>8}")


def _num(value: float) -> str:
    return f"{value:.1f}" if value >= 100 else f"{value:.4g}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny random model, debug=tiny data, 2 steps")
    parser.add_argument("--model", choices=["tiny", "smollm2"], default=None)
    parser.add_argument("--steps", type=int, default=None, help="measured steps (after 1 warm-up step)")
    parser.add_argument("--micro-batch", type=int, default=None, help="SFT micro batch (default: sft config)")
    parser.add_argument(
        "--grad-accum", type=int, default=None, help="SFT grad accumulation (default: config)"
    )
    parser.add_argument("--prompts-per-step", type=int, default=None, help="GRPO (default: grpo config)")
    parser.add_argument("--group-size", type=int, default=None, help="GRPO (default: grpo config)")
    parser.add_argument("--repeat", type=int, default=1, help="alternate runs per side; the best counts")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        help="before each run, wait up to this many s for the other processes to leave the cores idle",
    )
    parser.add_argument("--root", type=Path, default=REPO / "outputs" / "bench_train", help="DIVE_ROOT")
    parser.add_argument("--json", type=Path, default=None, help="write the results here")
    opts = parser.parse_args(argv)
    sizes = QUICK if opts.quick else FULL
    opts.model = opts.model or sizes["model"]
    opts.steps = opts.steps or sizes["steps"]
    if opts.steps < 1 or opts.repeat < 1:
        parser.error("--steps and --repeat must be >= 1")

    start = time.perf_counter()
    root = opts.root.resolve()
    work = root / "bench" / ("quick" if opts.quick else "full") / opts.model
    work.mkdir(parents=True, exist_ok=True)
    cfg = compose(root, opts.model, opts.quick)
    print(f"data and model: artifacts under {root}/artifacts (DIVE_ROOT={root}) ...", flush=True)
    data = prepare(cfg)
    result: dict[str, Any] = {"data": data}
    for part, bench in (("sft", bench_sft), ("grpo", bench_grpo)):
        try:
            result[part] = bench(cfg, data, opts, work)
        except (RuntimeError, ImportError, KeyError, AttributeError) as error:  # a recipe mid-change
            result[part] = {"error": f"{type(error).__name__}: {error}"}
    name = gpu_name()
    try:
        result["gpu"] = bench_gpu(cfg, data, opts, work, name) if name else None
    except (RuntimeError, ImportError, KeyError, AttributeError) as error:
        result["gpu"] = {"device": name, "error": f"{type(error).__name__}: {error}"}
    result["meta"] = {
        "quick": opts.quick,
        "model": cfg.model.name,
        "steps": opts.steps,
        "repeat": opts.repeat,
        "elapsed_s": time.perf_counter() - start,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "threads": torch_threads(),
        "work": str(work),
    }
    if opts.json is not None:  # first: the figures survive a failing report
        opts.json.parent.mkdir(parents=True, exist_ok=True)
        opts.json.write_text(json.dumps(result, indent=1, default=str) + "\n")
    print_report(result)
    if opts.json is not None:
        print(f"wrote {opts.json}")
    return 1 if any(isinstance(r, dict) and "error" in r for r in result.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
