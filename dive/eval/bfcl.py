"""BFCL v4 single-turn evaluation: load items as OpenAI chat requests and score tool calls like BFCL does.

The data come from the installed ``bfcl-eval`` wheel (installed with ``--no-deps``). Its modules are never
imported, because importing them pulls in every provider SDK; only the package directory is located.
Scoring is ``dive.eval.bfcl_ast``, a port of BFCL's AST checker; ``tests/eval/bfcl_compare.py`` checks, in a
separate venv holding the full bfcl-eval, that verdicts, tools and messages equal BFCL's own.

Usage::

    for item in load_items("simple_python", limit=10):
        text = my_model(item.messages, item.tools)
        correct, reason = check(item, parse_tool_calls(text))
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dive import chat
from dive.eval.bfcl_ast import ast_check, model_name

# Non-live single-turn Python categories (BFCL's "non_live" group minus Java/JavaScript).
CATEGORIES = ("simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance")
# Live categories share the exact file format and checker, so they load the same way.
LIVE_CATEGORIES = (
    "live_simple",
    "live_multiple",
    "live_parallel",
    "live_parallel_multiple",
    "live_irrelevance",
    "live_relevance",
)
_ALL = CATEGORIES + LIVE_CATEGORIES
_VERSION = "BFCL_v4"

# BFCL's GORILLA_TO_OPENAPI restricted to the types Python categories use. "any" becomes "string" as in
# BFCL's own FC prompts: its checker accepts only strings for "any", and every gold "any" value is a string.
_JSON_TYPES = {
    "integer": "integer",
    "number": "number",
    "float": "number",
    "string": "string",
    "boolean": "boolean",
    "bool": "boolean",
    "array": "array",
    "list": "array",
    "dict": "object",
    "object": "object",
    "tuple": "array",
    "any": "string",
}
# BFCL appends this to every Python function description (utils._get_language_specific_hint).
PYTHON_HINT = " Note that the provided function is in Python 3 syntax."
_FLOAT_HINT = " This is a float type value."


@dataclass
class BfclItem:
    """One BFCL test entry, ready to send to a chat model and to score."""

    id: str
    category: str
    messages: list[dict[str, str]]  # OpenAI chat messages (all question turns, flattened)
    tools: list[dict[str, Any]]  # OpenAI function tools, names with "." replaced by "_"
    name_map: dict[str, str]  # model-facing name -> BFCL name
    answers: list[dict[str, Any]]  # BFCL possible answers; [] for (ir)relevance categories
    functions: list[dict[str, Any]]  # BFCL's own function docs, which the checker reads types from


def data_dir() -> Path:
    """``bfcl_eval/data`` of the installed wheel, found without executing any of its code."""
    spec = importlib.util.find_spec("bfcl_eval")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("bfcl_eval is missing; run: pip install --no-deps bfcl-eval==2026.3.23")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _index(entry_id: str) -> int:
    # BFCL's sort_key: "simple_python_12" or live "live_simple_19-3-15"; the part before "-" orders entries.
    return int(entry_id.rsplit("_", 1)[1].split("-")[0])


@functools.cache
def _raw(category: str) -> tuple[tuple[dict[str, Any], list[dict[str, Any]]], ...]:
    """(entry, possible answers) pairs sorted by index; cached so repeated loads skip the JSON parsing."""
    root = data_dir()
    entries = sorted(_read_jsonl(root / f"{_VERSION}_{category}.json"), key=lambda e: _index(e["id"]))
    answer_file = root / "possible_answer" / f"{_VERSION}_{category}.json"
    gold = {a["id"]: a["ground_truth"] for a in _read_jsonl(answer_file)} if answer_file.exists() else {}
    if gold.keys() - {e["id"] for e in entries}:
        raise ValueError(f"{answer_file} has ids without a test entry")
    return tuple((e, gold.get(e["id"], [])) for e in entries)


def _convert_schema(spec: dict[str, Any], is_property: bool) -> dict[str, Any]:
    """A BFCL parameter spec as JSON schema, recursing into properties and items (BFCL stops at 2 levels)."""
    out = dict(spec)
    bfcl_type = spec.get("type")
    # Like BFCL: a missing or unknown type is sent as "string".
    out["type"] = _JSON_TYPES.get(bfcl_type, "string") if isinstance(bfcl_type, str) else "string"
    if bfcl_type == "float" and is_property:
        out["format"] = "float"
        out["description"] = spec.get("description", "") + _FLOAT_HINT
    if isinstance(spec.get("properties"), dict):
        out["properties"] = {k: _convert_schema(v, True) for k, v in spec["properties"].items()}
    if isinstance(spec.get("items"), dict):
        out["items"] = _convert_schema(spec["items"], False)
    return out


def to_tool(func: dict[str, Any]) -> dict[str, Any]:
    """BFCL function doc -> OpenAI tool, as BFCL's convert_to_tool does for OpenAI chat-completions models."""
    params = func.get("parameters", {})
    properties = {k: _convert_schema(v, True) for k, v in params.get("properties", {}).items()}
    parameters = {**params, "type": "object", "properties": properties}
    description = func.get("description", "") + PYTHON_HINT
    return {
        "type": "function",
        "function": {"name": model_name(func["name"]), "description": description, "parameters": parameters},
    }


def _item(category: str, entry: dict[str, Any], answers: list[dict[str, Any]]) -> BfclItem:
    functions = copy.deepcopy(entry["function"])
    messages = [{"role": m["role"], "content": m["content"]} for turn in entry["question"] for m in turn]
    return BfclItem(
        id=entry["id"],
        category=category,
        messages=messages,
        tools=[to_tool(f) for f in functions],
        name_map={model_name(f["name"]): f["name"] for f in functions},
        answers=copy.deepcopy(answers),
        functions=functions,
    )


def load_items(category: str, limit: int | None = None, offset: int = 0) -> list[BfclItem]:
    """Items of ``category`` in BFCL's id order, ``offset`` first, at most ``limit`` of them."""
    if category not in _ALL:
        raise ValueError(f"unknown BFCL category {category!r}; valid: {list(_ALL)}")
    if offset < 0 or (limit is not None and limit < 0):
        raise ValueError(f"offset ({offset}) and limit ({limit}) must be >= 0")
    rows = _raw(category)[offset : None if limit is None else offset + limit]
    return [_item(category, entry, answers) for entry, answers in rows]


def _decode(calls: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """Calls in BFCL's decoded form ``[{name: args}]``, or None where BFCL would fail to decode them."""
    if not isinstance(calls, list):
        return None
    out = []
    for call in calls:
        if not isinstance(call, dict) or not isinstance(call.get("name"), str):
            return None
        args = call.get("arguments", {})
        if isinstance(args, str):  # raw OpenAI tool_calls carry arguments as a JSON string
            try:
                args = json.loads(args)
            except json.JSONDecodeError:
                return None
        if not isinstance(args, dict):  # BFCL's is_function_calling_format_output rejects non-dict args
            return None
        out.append({call["name"]: args})
    return out


def check(item: BfclItem, calls: list[dict[str, Any]]) -> tuple[bool, str]:
    """(correct, reason) for ``calls`` = ``[{"name": model-facing name, "arguments": {...}}]``."""
    decoded = _decode(calls)
    # BFCL's is_empty_output: an undecodable answer counts as "no call" for (ir)relevance.
    made_call = bool(decoded)
    if "irrelevance" in item.category:
        return (not made_call, "" if not made_call else f"irrelevance: made {len(decoded or [])} call(s)")
    if "relevance" in item.category:
        return (made_call, "" if made_call else "relevance: no call made")
    if decoded is None:
        return False, "decoder_wrong_output_format: calls must be {name: str, arguments: dict}"
    return ast_check(item.category, item.functions, decoded, item.answers)


def _first(values: list) -> tuple[bool, Any]:
    """(present, value): the first possible value that is not "" (which only means "may be omitted")."""
    chosen = [v for v in values if v != ""]
    return (True, _concrete(chosen[0])) if chosen else (False, None)


def _concrete(value: Any) -> Any:
    # Dict answers hold a possible-value list per key, one level deep; deeper values are literal.
    if isinstance(value, dict):
        picked = {k: _first(v) if isinstance(v, list) else (True, v) for k, v in value.items()}
        return {k: v for k, (present, v) in picked.items() if present}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [_concrete(v) for v in value]
    return value


def gold_calls(item: BfclItem) -> list[dict[str, Any]]:
    """Calls built from the first possible value of each parameter: a reference answer that ``check`` accepts.

    "" entries (omit allowed) are skipped, so ``simple_python_200``'s required argument gets its real value,
    and parameters the function lacks are left out (``parallel_multiple_26``). Five live items have keys
    that no call can satisfy (a required parameter whose only answer is "", or an unknown parameter).
    """
    to_model = {bfcl: name for name, bfcl in item.name_map.items()}
    calls = []
    for answer in item.answers:
        ((name, params),) = answer.items()
        known = next((f["parameters"]["properties"] for f in item.functions if f["name"] == name), {})
        picked = {p: _first(values) for p, values in params.items() if p in known}
        args = {p: v for p, (present, v) in picked.items() if present}
        calls.append({"name": to_model.get(name, model_name(name)), "arguments": args})
    return calls


def parse_tool_calls(text: str) -> list[dict[str, Any]]:
    """Calls from model text: ``<tool_call>`` blocks, else the whole text as JSON (BFCL's leniency)."""
    return chat.parse_tool_calls(text, bare_json=True)
