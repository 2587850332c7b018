"""Benchmark evaluation: our in-process ChatModel against the same model behind a local server.

The alternative a user would otherwise pick is BFCL's own recipe for an open model: start an
OpenAI-compatible server on the checkpoint (BFCL's OSS handler starts ``vllm serve``; on a CPU the twin
is ``transformers serve``) and send every step of every conversation over HTTP. Ours runs the model in
the evaluating process and reuses the KV cache of a multi-turn conversation's previous step. Both sides
run the same BFCL items, greedy, one after the other, through ``dive.eval.bfcl_run`` (only the
``ChatModel`` differs), and the bench prints seconds per item, the ratio, and how many replies agree.

Usage::

    python bench/evaluate.py                    # SmolLM2, 2 items per category (~10 min on 2 cores)
    python bench/evaluate.py --items 1 --categories simple_python multi_turn_base
    python bench/evaluate.py --model-dir /path/to/hf --server vllm   # on a GPU machine
    python bench/evaluate.py --quick                          # the tiny random model, seconds
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from dive.eval import bfcl_run  # noqa: E402
from dive.eval.chat_model import ChatModel, InProcessModel, ServedModel  # noqa: E402
from dive.llm.client import Endpoint  # noqa: E402
from dive.llm.server import ManagedServer, ServerSpec  # noqa: E402
from dive.model import load_policy  # noqa: E402


def model_dir(name: str, work: Path) -> Path:
    """An HF directory of the ``model=<name>`` artifact, built offline into ``work``."""
    from dive import model as model_stage
    from tests.conftest import compose_config

    out = work / name
    if not (out / "hf" / "config.json").exists():
        out.mkdir(parents=True, exist_ok=True)
        model_stage.compute(model_stage.config(compose_config([f"model={name}"])), {}, out, runtime=None)  # type: ignore[arg-type]
    return out / "hf"


def timed(chat: ChatModel, opts: argparse.Namespace) -> tuple[float, list[dict[str, Any]], dict[str, float]]:
    out = io.StringIO()
    started = time.perf_counter()
    metrics = bfcl_run.run(chat, opts.categories, opts.mode, opts.items, opts.max_new_tokens, out)
    seconds = time.perf_counter() - started
    return seconds, [json.loads(line) for line in out.getvalue().splitlines()], metrics


def bench(path: Path, opts: argparse.Namespace, work: Path) -> dict[str, Any]:
    from transformers import AutoConfig

    model, tokenizer = load_policy(path)
    ours = InProcessModel(model, tokenizer, "in-process", batch_size=opts.batch_size)
    ours_s, ours_rows, ours_metrics = timed(ours, opts)
    del model, ours
    spec = ServerSpec(opts.server, str(path), device=opts.device, startup_timeout_s=600.0)
    with ManagedServer(spec, work / f"server-{opts.server}.log") as server:
        endpoint = Endpoint(server.base_url, server.model, timeout_s=600.0, max_retries=0, concurrency=1)
        max_context = getattr(AutoConfig.from_pretrained(path), "max_position_embeddings", None)
        served = ServedModel(endpoint, opts.server, tokenizer=tokenizer, max_context=max_context)
        theirs_s, theirs_rows, theirs_metrics = timed(served, opts)
    items = len(ours_rows)
    return {
        "items": items,
        "in_process_s": ours_s,
        "served_s": theirs_s,
        "in_process_s_per_item": ours_s / items,
        "served_s_per_item": theirs_s / items,
        "speedup": theirs_s / ours_s,
        "same_replies": sum(a["output"] == b["output"] for a, b in zip(ours_rows, theirs_rows, strict=True)),
        "same_scores": sum(a["correct"] == b["correct"] for a, b in zip(ours_rows, theirs_rows, strict=True)),
        "accuracy_in_process": {k: v for k, v in ours_metrics.items() if k.endswith("/accuracy")},
        "accuracy_served": {k: v for k, v in theirs_metrics.items() if k.endswith("/accuracy")},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the tiny random model, 1 item per category")
    parser.add_argument("--model-dir", type=Path, help="an HF model directory (default: SmolLM2-135M)")
    parser.add_argument("--server", default="transformers", choices=["transformers", "vllm"])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--mode", default="prompting", choices=["prompting", "fc"])
    parser.add_argument("--categories", nargs="+", default=list(bfcl_run.CATEGORIES))
    parser.add_argument("--items", type=int, default=2, help="items per category")
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=1, help="in-process batch (1: the server's pace)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    opts = parser.parse_args()
    if opts.quick:
        opts.items, opts.max_new_tokens = 1, 16
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path = opts.model_dir or model_dir("tiny" if opts.quick else "smollm2", work)
        result = bench(path, opts, work)
    result["machine"] = platform.platform()
    print(
        f"BFCL {opts.mode}, {result['items']} items ({', '.join(opts.categories)}), greedy, "
        f"max {opts.max_new_tokens} new tokens\n"
        f"  in-process (dive ChatModel, KV-cache reuse): {result['in_process_s_per_item']:.2f} s/item\n"
        f"  {opts.server} serve (HTTP, no reuse):        {result['served_s_per_item']:.2f} s/item\n"
        f"  speed-up ours/served: {result['speedup']:.2f}x; same replies {result['same_replies']}/"
        f"{result['items']}, same scores {result['same_scores']}/{result['items']}"
    )
    if opts.json:
        opts.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
