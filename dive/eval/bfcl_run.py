"""Run a :class:`ChatModel` on BFCL v4 categories and score them the way BFCL does.

* Single-turn categories (``simple_python``, ``multiple``, ``parallel``, ``parallel_multiple``,
  ``irrelevance``): one reply per item, decoded per mode and checked by dive/eval/bfcl_prompt.py.
* ``multi_turn_base``: BFCL's inference loop (base_handler.inference_multi_turn_prompting): per user
  turn the model is asked again and again; each reply that decodes to calls is executed in BFCL's
  stateful Python environments (dive/eval/bfcl_multi_turn.py) and the results go back; a reply that
  does not decode, or decodes to nothing, ends the turn; more than 20 steps in a turn fails the item.
  The decoded calls per step are then checked against the ground truth's execution state and results.

Modes (BFCL's names): ``prompting``: the functions as JSON in BFCL's own system prompt, calls written as
Python (``[f(a=1)]``), no tools sent; ``fc``: the functions as tools in the model's own function-calling
chat template and calls in its own format. No system prompt of ours is added in either mode.

Summary as BFCL computes it: the non-live AST summary is the unweighted mean of simple, multiple,
parallel and parallel_multiple. BFCL's "simple" also averages Java and JavaScript, which dive does not
score, so ours is the Python part (the summary key says so).
"""

from __future__ import annotations

import json
import logging
import statistics
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

from dive.chat import assistant_message
from dive.eval import bfcl, bfcl_multi_turn, bfcl_prompt
from dive.eval.chat_model import ChatModel, Decoding

log = logging.getLogger(__name__)

SINGLE_TURN = bfcl.CATEGORIES  # the non-live Python categories
MULTI_TURN = bfcl_multi_turn.CATEGORIES
CATEGORIES = SINGLE_TURN + MULTI_TURN
AST_SUMMARY = ("simple_python", "multiple", "parallel", "parallel_multiple")
CHUNK = 32  # single-turn items per reply() call: progress is logged between chunks


def run(
    chat: ChatModel,
    categories: list[str],
    mode: str,
    limit: int | None,
    max_new_tokens: int,
    out: IO[str],
    prefix: str = "eval/bfcl",
    offset: int = 0,
    done: dict[str, dict[str, Any]] | None = None,
) -> dict[str, float]:
    """Score ``categories`` (``limit`` items of each from ``offset`` in BFCL's id order, all when None);
    one JSON line per item goes to ``out`` as soon as it is scored. Items in ``done`` (id -> the line an
    interrupted run wrote) are not asked again. Greedy, as BFCL's leaderboard runs."""
    decoding = Decoding(temperature=0.0, max_new_tokens=max_new_tokens)
    done = done or {}
    metrics: dict[str, float] = {}
    for category in categories:
        if category in MULTI_TURN:
            items: list[Any] = bfcl_multi_turn.load_multi_turn_items(category, limit, offset)
            asked = _multi_turn(chat, category, mode, [it for it in items if it.id not in done], decoding)
        else:
            items = bfcl.load_items(category, limit, offset)
            asked = _single_turn(chat, category, mode, [it for it in items if it.id not in done], decoding)
        rows = {it.id: done[it.id] for it in items if it.id in done}
        for row in asked:
            rows[row["id"]] = row
            out.write(json.dumps(row, default=str) + "\n")
            out.flush()
        scores = [rows[it.id]["correct"] for it in items]
        metrics[f"{prefix}/{category}/accuracy"] = statistics.fmean(scores) if scores else 0.0
        metrics[f"{prefix}/{category}/items"] = float(len(scores))
        metrics[f"{prefix}/{category}/seconds"] = sum(rows[it.id].get("seconds", 0.0) for it in items)
        log.info(
            "BFCL %s (%s): %.3f on %d items",
            category,
            mode,
            metrics[f"{prefix}/{category}/accuracy"],
            len(scores),
        )
    return {**metrics, **summary(metrics, prefix)}


def summary(metrics: dict[str, float], prefix: str) -> dict[str, float]:
    found = {c: metrics[f"{prefix}/{c}/accuracy"] for c in CATEGORIES if f"{prefix}/{c}/accuracy" in metrics}
    out = {}
    if all(c in found for c in AST_SUMMARY):
        out[f"{prefix}/summary/non_live_ast_python"] = statistics.fmean(found[c] for c in AST_SUMMARY)
    if found:
        out[f"{prefix}/summary/categories_mean"] = statistics.fmean(found.values())
    return out


def _single_turn(
    chat: ChatModel, category: str, mode: str, items: list[bfcl.BfclItem], decoding: Decoding
) -> Iterator[dict[str, Any]]:
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        conversations = [
            (bfcl_prompt.prompting_messages(it), None) if mode == "prompting" else (it.messages, it.tools)
            for it in chunk
        ]
        started = time.monotonic()
        replies = chat.reply(conversations, decoding)
        seconds = (time.monotonic() - started) / len(chunk)
        for item, reply in zip(chunk, replies, strict=True):
            correct, reason, calls = bfcl_prompt.score(item, mode, reply.text, reply.tool_calls)
            yield {
                "id": item.id,
                "category": category,
                "output": reply.text,
                "decoded": calls,
                "correct": correct,
                "reason": "context_overflow" if reply.overflow else reason,
                "seconds": seconds,
            }
        log.info("BFCL %s: %d/%d items", category, start + len(chunk), len(items))


def _multi_turn(
    chat: ChatModel,
    category: str,
    mode: str,
    items: list[bfcl_multi_turn.MultiTurnItem],
    decoding: Decoding,
) -> Iterator[dict[str, Any]]:
    workers = max(1, getattr(chat, "parallel", 1))
    with ThreadPoolExecutor(workers) as pool:
        for n, row in enumerate(pool.map(lambda it: _run_item(chat, it, mode, decoding), items), start=1):
            if n % 10 == 0 or n == len(items):
                log.info("BFCL %s: %d/%d items", category, n, len(items))
            yield row


def _run_item(
    chat: ChatModel, item: bfcl_multi_turn.MultiTurnItem, mode: str, decoding: Decoding
) -> dict[str, Any]:
    """BFCL's multi-turn inference loop on one item, then its checker on the decoded steps."""
    started = time.monotonic()
    env = bfcl_multi_turn.Environment.for_item(item)
    tools = [bfcl.to_tool(f) for f in _plain(item.functions)] if mode == "fc" else None
    decode = _decoder(mode)
    messages: list[dict[str, Any]] = []
    steps_per_turn: list[list[list[bfcl_multi_turn.Call]]] = []
    outputs: list[list[str]] = []
    failure, quit_ = "", False
    for turn, user_messages in enumerate(item.turns):
        if turn == 0 and mode == "prompting":
            user_messages = _with_system_prompt(user_messages, item.functions)
        messages += [dict(m) for m in user_messages]
        steps, texts = [], []
        while True:
            reply = chat.reply([(messages, tools)], decoding)[0]
            if reply.overflow:
                failure = "context_overflow"  # BFCL's request fails: the item is an inference error
                break
            texts.append(reply.text)
            try:
                calls = decode(reply.text, reply.tool_calls)
            except ValueError:
                calls = []
            messages.append(_assistant(mode, reply.text, calls))
            if not calls:
                break  # BFCL: an undecodable or empty reply ends the turn
            steps.append(calls)
            messages += _results(mode, calls, env.execute(calls))
            if len(steps) > bfcl_multi_turn.MAX_STEPS:
                quit_ = True  # BFCL force-quits the entry; check() fails it if turns are left unasked
                break
        steps_per_turn.append(steps)
        outputs.append(texts)
        if failure or quit_:
            break
    if failure:
        correct, error = False, f"multi_turn:{failure}"
    else:
        result = bfcl_multi_turn.check(item, steps_per_turn)
        correct, error = result.valid, result.error_type
    decoded = [[[bfcl_multi_turn.call_string(c) for c in step] for step in turn] for turn in steps_per_turn]
    return {
        "id": item.id,
        "category": item.category,
        "output": outputs,
        "decoded": decoded,
        "correct": correct,
        "reason": error,
        "seconds": time.monotonic() - started,
    }


def _decoder(mode: str) -> Callable[[str, list[dict[str, Any]] | None], list[bfcl_multi_turn.Call]]:
    if mode == "prompting":
        return lambda text, _structured: bfcl_multi_turn.decode_execute(text)
    return lambda text, structured: bfcl_multi_turn.calls_from_structured(
        bfcl_prompt.decode_fc(text, structured)
    )


def _plain(functions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Docs without BFCL's Python hint, which ``bfcl.to_tool`` appends itself."""
    return [{**f, "description": f["description"].removesuffix(bfcl.PYTHON_HINT)} for f in functions]


def _with_system_prompt(
    messages: list[dict[str, Any]], functions: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """BFCL's system_prompt_pre_processing_chat_model on the first turn."""
    prompt = bfcl_prompt.system_prompt(functions)
    messages = [dict(m) for m in messages]
    if messages and messages[0]["role"] == "system":
        messages[0]["content"] = prompt + "\n\n" + messages[0]["content"]
        return messages
    return [{"role": "system", "content": prompt}, *messages]


def _assistant(mode: str, text: str, calls: list[bfcl_multi_turn.Call]) -> dict[str, Any]:
    if mode == "prompting":
        return {"role": "assistant", "content": text}
    return assistant_message(text)  # the model's own tool-call blocks become structured tool_calls


def _results(mode: str, calls: list[bfcl_multi_turn.Call], results: list[str]) -> list[dict[str, Any]]:
    if mode == "prompting":
        return bfcl_multi_turn.tool_messages(calls, results)
    return [
        {"role": "tool", "tool_call_id": f"call_{n}", "content": result} for n, result in enumerate(results)
    ]
