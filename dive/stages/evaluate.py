"""Stage ``evaluate``: DIVE-Eval (in-distribution) and BFCL v4 (out-of-distribution), per model.

* DIVE-Eval (dive/eval/dive_eval.py): held-out-seed tasks, each with its own toolset of real tools,
  scored by the answer judge; k samples per task at the configured temperature / top-p. A trained
  checkpoint's evaluation first proves the eval tasks share no seed and no toolset with its training set.
* BFCL v4 (dive/eval/bfcl_run.py): six categories scored as BFCL scores them, the whole category unless
  ``evaluate.bfcl_limit`` asks for a slice, in BFCL's function-calling or prompting mode per model.

Every model is a :class:`dive.eval.chat_model.ChatModel`: our checkpoints run in-process
(``evaluate.backend=inprocess``) or behind a managed ``llm.server`` (``served``: ``transformers serve``
on CPU, ``vllm serve`` on GPU); ``evaluate.references`` adds rows for any OpenAI-compatible endpoint.

Each of ``evaluate.models`` (grpo, sft, base) is its own content-addressed artifact (graph nodes
``evaluate_<model>``), so the base model is scored once for every sweep point that shares it; the
references are one more node. Metric keys: ``<prefix>/<benchmark>/<category>/<metric>`` with prefix
``eval`` (GRPO), ``eval_sft``, ``eval_base`` or ``eval_ref/<name>``.

    python -m dive stage=evaluate evaluate.bfcl_limit=null          # whole BFCL categories
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig, OmegaConf

from dive.artifacts import Artifact
from dive.eval import bfcl_run, dive_eval
from dive.eval.chat_model import ChatModel, Decoding, InProcessModel, ServedModel
from dive.records import model_dir, read_tasks, write_jsonl

if TYPE_CHECKING:
    from dive.graph import Runtime

log = logging.getLogger(__name__)
PREFIX = {"grpo": "eval", "sft": "eval_sft", "base": "eval_base"}  # metric namespace per checkpoint
REFERENCES = "references"  # the variant scoring evaluate.references


def config(cfg: DictConfig, variant: str) -> dict[str, Any]:
    """Settings for scoring one checkpoint (grpo, sft or base) or the reference endpoints."""
    values: dict[str, Any] = OmegaConf.to_container(cfg.evaluate, resolve=True)  # type: ignore[assignment]
    values.pop("models")  # which checkpoints to score is the pipeline's business, not one score's
    values.update(
        checkpoint=variant,
        domains=list(cfg.tools.domains),
        max_output_chars=cfg.tools.max_output_chars,
        seed=cfg.seed,
    )
    if variant == REFERENCES:  # endpoints of their own: our model and backend play no part
        values.pop("backend")
        return values
    values.pop("references")
    values.update(model=cfg.model.name, function_calling=cfg.model.function_calling, dtype=cfg.model.dtype)
    if values["backend"] == "served":
        values["server"] = {"kind": cfg.llm.server, "device": cfg.llm.device}
    return values


def label(config: dict[str, Any]) -> str:
    if config["checkpoint"] == REFERENCES:
        return "references-" + "-".join(sorted(config["references"]))[:60]
    return f"{config['checkpoint']}-{config['model']}"


def bfcl_mode(config: dict[str, Any], reference: dict[str, Any] | None = None) -> str:
    """BFCL's mode for a model: our checkpoints were trained in dive's tool-call format (fc); a base model
    is prompted in its own function-calling format if it has one, else in BFCL's prompting mode."""
    if reference is not None:
        return str(reference.get("bfcl_mode") or "fc")
    if config["bfcl_mode"] != "auto":
        return str(config["bfcl_mode"])
    trained = config["checkpoint"] in ("sft", "grpo")
    return "fc" if trained or config["function_calling"] else "prompting"


def compute(
    config: dict[str, Any], inputs: dict[str, Artifact], out: Path, runtime: Runtime
) -> dict[str, float]:
    import torch

    torch.manual_seed(config["seed"])
    tasks = read_tasks(inputs["eval_tasks"])
    metrics: dict[str, float] = {}
    if "synth" in inputs:  # a trained checkpoint: its training set must not contain the eval tasks
        held = dive_eval.check_held_out(tasks, read_tasks(inputs["synth"]), inputs["synth"].path.name)
        metrics.update(held.metrics(f"{PREFIX[config['checkpoint']]}/dive_eval/held_out"))
    for name, prefix, mode, opener in _models(config, inputs, out, runtime):
        started = time.monotonic()
        folder = out if name == config["checkpoint"] else out / name
        folder.mkdir(parents=True, exist_ok=True)
        with opener() as chat:
            metrics.update(_score(config, chat, mode, tasks, folder, prefix))
        metrics[f"{prefix}/wall_seconds"] = time.monotonic() - started
        metrics[f"{prefix}/bfcl/prompting_mode"] = float(mode == "prompting")
    return metrics


def _models(
    config: dict[str, Any], inputs: dict[str, Artifact], out: Path, runtime: Runtime
) -> Iterator[tuple[str, str, str, Any]]:
    """(name, metric prefix, BFCL mode, context manager yielding a ChatModel) per model to score."""
    if config["checkpoint"] == REFERENCES:
        for name, reference in sorted(config["references"].items()):
            yield name, f"eval_ref/{name}", bfcl_mode(config, reference), _endpoint(reference, runtime, name)
        return
    policy = next(a for n, a in inputs.items() if n not in ("eval_tasks", "synth"))  # dive/graph.py
    checkpoint = config["checkpoint"]
    label_ = f"{checkpoint}-{config['model']}"
    path = model_dir(policy)
    opener = (
        _served(path, config, runtime, out, label_)
        if config.get("backend") == "served"
        else _in_process(path, config, label_)
    )
    yield checkpoint, PREFIX[checkpoint], bfcl_mode(config), opener


def _in_process(path: Path, config: dict[str, Any], label_: str) -> Any:
    @contextlib.contextmanager
    def opener() -> Iterator[ChatModel]:
        from dive.model import load_policy

        model, tokenizer = load_policy(path, config["dtype"])
        chat = InProcessModel(model, tokenizer, label_, batch_size=config["batch_size"])
        try:
            yield chat
        finally:
            chat.close()

    return opener


def _served(path: Path, config: dict[str, Any], runtime: Runtime, out: Path, label_: str) -> Any:
    @contextlib.contextmanager
    def opener() -> Iterator[ChatModel]:
        from dive.llm.server import ManagedServer, ServerSpec

        server = config["server"]
        spec = ServerSpec(
            kind=server["kind"],
            model_path=str(path),
            device=server["device"],
            startup_timeout_s=runtime.llm.get("startup_timeout_s", 600.0),
        )
        from transformers import AutoConfig, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(path)
        max_context = getattr(AutoConfig.from_pretrained(path), "max_position_embeddings", None)
        with ManagedServer(spec, out / f"server-{server['kind']}.log") as managed:
            endpoint = _endpoint_of(managed.base_url, managed.model, None, runtime)
            yield ServedModel(endpoint, label_, tokenizer=tokenizer, max_context=max_context)

    return opener


def _endpoint(reference: dict[str, Any], runtime: Runtime, name: str) -> Any:
    @contextlib.contextmanager
    def opener() -> Iterator[ChatModel]:
        endpoint = _endpoint_of(
            reference["base_url"], reference["model"], reference.get("api_key_env"), runtime
        )
        yield ServedModel(endpoint, name)

    return opener


def _endpoint_of(base_url: str, model: str, api_key_env: str | None, runtime: Runtime) -> Any:
    from dive.llm.client import Endpoint

    llm = runtime.llm
    return Endpoint(
        base_url=base_url,
        model=model,
        api_key_env=api_key_env,
        concurrency=llm.get("concurrency", 4),
        timeout_s=llm.get("timeout_s", 120.0),
        max_retries=llm.get("max_retries", 5),
    )


def _score(
    config: dict[str, Any], chat: ChatModel, mode: str, tasks: list[Any], folder: Path, prefix: str
) -> dict[str, float]:
    from dive.tools.registry import load_tools

    metrics: dict[str, float] = {}
    decoding = Decoding(config["temperature"], config["top_p"], config["max_new_tokens"])
    if tasks:
        tools = load_tools(tuple(config["domains"]))
        episodes = dive_eval.attempt(
            chat, tasks, tools, config["samples"], config["max_turns"], decoding, config["max_output_chars"]
        )
        write_jsonl(folder / "dive_eval.jsonl", dive_eval.records(tasks, episodes))
        metrics.update(dive_eval.score(tasks, episodes, f"{prefix}/dive_eval"))
    if config["bfcl_categories"]:
        path = folder / "bfcl.jsonl"
        done = _scored(path)
        if done:
            log.info("BFCL: resuming, %d items already scored in %s", len(done), path)
        write_jsonl(path, done.values(), sort_keys=False)  # drops a line a kill cut short
        with path.open("a") as handle:
            metrics.update(
                bfcl_run.run(
                    chat,
                    list(config["bfcl_categories"]),
                    mode,
                    config["bfcl_limit"],
                    config["bfcl_max_new_tokens"],
                    handle,
                    prefix=f"{prefix}/bfcl",
                    done=done,
                )
            )
    for name in config["online"]:  # validate checked keys and hosts before any work started
        metrics.update(_online(config, chat, name, decoding, folder, prefix))
    return metrics


def _online(
    config: dict[str, Any], chat: ChatModel, name: str, decoding: Decoding, folder: Path, prefix: str
) -> dict[str, float]:
    from dive.eval.online import ONLINE_BENCHMARKS
    from dive.eval.online_run import run

    with (folder / f"online_{name}.jsonl").open("w") as handle:
        return run(
            chat,
            ONLINE_BENCHMARKS[name],
            config["online_limit"],
            decoding,
            config["max_turns"],
            handle,
            prefix,
        )


def _scored(path: Path) -> dict[str, dict[str, Any]]:
    """BFCL lines an interrupted run of this artifact wrote (a last line cut by a kill is dropped)."""
    if not path.exists():
        return {}
    rows = {}
    for line in path.read_text().splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        rows[row["id"]] = row
    return rows
