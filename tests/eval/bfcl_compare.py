"""Compare ``dive.eval.bfcl.check`` with BFCL's own AST checker on gold and perturbed calls.

BFCL's checker imports every provider SDK, so this runs in a separate virtual environment, never the
project's (about 6 GB, mostly CUDA torch pulled in by sentence-transformers)::

    python -m venv /tmp/bfclvenv && /tmp/bfclvenv/bin/pip install bfcl-eval==2026.3.23 soundfile
    /tmp/bfclvenv/bin/python tests/eval/bfcl_compare.py [--seed N] [category ...]

Prints per-category verdict agreement, prompt (tools + messages) mismatches against BFCL's own OpenAI
FC conversion, and the first disagreements; exits 1 on any difference.
"""

# ruff: noqa: E402  (imports follow the sys.path line that makes `dive` importable from the venv)
from __future__ import annotations

import argparse
import collections
import copy
import json
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo root, for `dive`

from bfcl_eval.constants.enums import Language, ModelStyle
from bfcl_eval.constants.type_mappings import GORILLA_TO_OPENAPI
from bfcl_eval.eval_checker.ast_eval.ast_checker import ast_checker
from bfcl_eval.model_handler.utils import convert_to_tool
from bfcl_eval.utils import is_empty_output, is_function_calling_format_output, load_dataset_entry

from dive.eval.bfcl import CATEGORIES, LIVE_CATEGORIES, BfclItem, check, gold_calls, load_items

# Any registered model with underscore_to_dot=True and no "_" in its name (BFCL swaps "_" for "/" in lookups).
MODEL = "gpt-4o-2024-11-20-FC"
Calls = list[dict[str, Any]]


def bfcl_verdict(item: BfclItem, calls: Calls) -> bool:
    """BFCL's verdict through the same steps as its eval_runner for an FC model (decode, format, check)."""
    try:
        decoded = [
            {c["name"]: json.loads(c["arguments"]) if isinstance(c["arguments"], str) else c["arguments"]}
            for c in calls
        ]
    except (json.JSONDecodeError, KeyError, TypeError):
        decoded = None
    if "relevance" in item.category:
        made_call = decoded is not None and not is_empty_output(decoded)
        return not made_call if "irrelevance" in item.category else made_call
    if decoded is None or not is_function_calling_format_output(decoded):
        return False
    funcs, answers = copy.deepcopy(item.functions), copy.deepcopy(item.answers)
    return ast_checker(funcs, decoded, answers, Language.PYTHON, item.category, MODEL)["valid"]


def mutate(v: Any, rng: random.Random) -> Any:
    """A nearby value: some must still pass (case, spacing, int for float), most must fail."""
    if isinstance(v, bool):
        opts: list[Any] = [not v, int(v), str(v).lower()]
    elif isinstance(v, int):
        opts = [v + 1, float(v), str(v), -v, None]
    elif isinstance(v, float):
        opts = [v * 1.5 + 1, int(v), str(v), v + 0.5]
    elif isinstance(v, str):
        opts = [v + "x", v.upper(), v.replace(" ", "_"), v.replace(" ", "-"), f" {v}.", "", [v], v[:-1]]
    elif isinstance(v, list):
        opts = [v[::-1], v[:-1], v + v[:1], []]
        if v and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
            opts += [[float(x) for x in v], [int(x) for x in v], [str(x) for x in v]]
        if v and isinstance(v[0], str):
            opts += [[x.upper() for x in v], ",".join(v)]
        if v and isinstance(v[0], dict):
            opts += [[mutate(v[0], rng)] + v[1:]]
    elif isinstance(v, dict):
        opts = [{**v, "zz": 1}, {}]
        for k in list(v)[:3]:
            opts += [{kk: vv for kk, vv in v.items() if kk != k}, {**v, k: mutate(v[k], rng)}]
    else:
        opts = [0, "None"]
    return rng.choice(opts)


def _any_answer_calls(item: BfclItem, rng: random.Random) -> Calls:
    # A random possible value per parameter ("" = omit), so later alternatives get exercised too.
    alt = copy.deepcopy(item)
    for answer in alt.answers:
        for params in answer.values():
            for p, values in params.items():
                params[p] = [rng.choice(values)] if values else values
    return gold_calls(alt)


def perturbations(item: BfclItem, rng: random.Random) -> list[tuple[str, Calls]]:
    names = list(item.name_map) or ["x"]
    if "relevance" in item.category:
        some = {"name": rng.choice(names), "arguments": {}}
        bad = [{"name": "x", "arguments": [1]}], [{"name": names[0], "arguments": "not json"}]
        return [("rel", c) for c in ([], [some], [some, some], *bad)]
    gold = gold_calls(item)
    out = [("gold", gold)] + [("alt", _any_answer_calls(item, rng)) for _ in range(4)]
    for _ in range(8):
        calls = copy.deepcopy(gold)
        call = rng.choice(calls)
        args, kind = (
            call["arguments"],
            rng.choice(["value"] * 3 + ["drop", "extra", "declared", "name", "dotted", "null"]),
        )
        if kind == "value" and args:
            key = rng.choice(list(args))
            args[key] = mutate(args[key], rng)
        elif kind == "drop" and args:
            del args[rng.choice(list(args))]
        elif kind == "extra":
            args["extra_param"] = 1
        elif kind == "name":
            call["name"] = rng.choice([n for n in names if n != call["name"]] or ["nope"])
        elif kind == "dotted":
            call["name"] = item.name_map.get(call["name"], call["name"])
        elif kind == "declared":  # a declared parameter the answer does not list
            props = next(f for f in item.functions if f["name"] == item.name_map[call["name"]])["parameters"]
            unused = [p for p in props["properties"] if p not in args]
            if unused:
                args[rng.choice(unused)] = props["properties"][unused[0]].get("default", "abc")
        elif kind == "null" and args:
            args[rng.choice(list(args))] = None
        out.append((kind, calls))
    if len(gold) > 1:
        shuffled = gold[:]
        rng.shuffle(shuffled)
        out += [
            ("shuffle", shuffled),
            ("reverse", gold[::-1]),
            ("dup", [gold[0]] * len(gold)),
            ("short", gold[:-1]),
        ]
    return out + [
        ("empty", []),
        ("double", gold + gold[:1]),
        ("badargs", [{"name": names[0], "arguments": [1]}]),
    ]


def prompt_mismatches(category: str) -> list[str]:
    """Ids whose tools or messages differ from what BFCL sends an OpenAI chat-completions FC model."""
    theirs = {e["id"]: e for e in load_dataset_entry(category)}
    bad = []
    for item in load_items(category):
        entry = theirs[item.id]
        tools = convert_to_tool(entry["function"], GORILLA_TO_OPENAPI, ModelStyle.OPENAI_COMPLETIONS)
        if tools != item.tools or [m for turn in entry["question"] for m in turn] != item.messages:
            bad.append(item.id)
    return bad


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("categories", nargs="*", default=list(CATEGORIES + LIVE_CATEGORIES))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    totals: collections.Counter = collections.Counter()
    disagreements = []
    for category in args.categories:
        counts: collections.Counter = collections.Counter()
        for item in load_items(category):
            for kind, calls in perturbations(item, rng):
                theirs = bfcl_verdict(item, calls)
                ours, reason = check(item, calls)
                counts["agree" if ours == theirs else "disagree"] += 1
                counts[f"bfcl_{'valid' if theirs else 'invalid'}"] += 1
                if ours != theirs:
                    disagreements.append((item.id, kind, calls, ours, theirs, reason))
        counts["prompt_mismatch"] = len(prompt_mismatches(category))
        totals.update(counts)
        print(
            f"{category:24s} pairs={counts['agree'] + counts['disagree']:6d} agree={counts['agree']:6d} "
            f"disagree={counts['disagree']:4d} bfcl_valid={counts['bfcl_valid']} "
            f"bfcl_invalid={counts['bfcl_invalid']} prompt_mismatch={counts['prompt_mismatch']}"
        )
    pairs = totals["agree"] + totals["disagree"]
    print(f"TOTAL pairs={pairs} agree={totals['agree']} prompt_mismatch={totals['prompt_mismatch']}")
    for row in disagreements[:20]:
        print(json.dumps(row, default=str)[:400])
    return 1 if disagreements or totals["prompt_mismatch"] else 0


if __name__ == "__main__":
    sys.exit(main())
