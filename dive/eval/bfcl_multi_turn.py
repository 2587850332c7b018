"""BFCL v4 multi-turn (``multi_turn_base``): a stateful tool environment and a port of BFCL's checker.

Multi-turn entries are scored by running the model's calls against BFCL's simulated backends (a file
system, a trading bot, ...) and comparing, after every turn, the backends' state and the call results with
those of the gold calls. BFCL does this by building call strings and ``eval``-ing them, which runs
arbitrary model text; here calls are data (``Call``) dispatched to the backends' bound methods, so nothing
a model writes is ever evaluated. Only the backend modules are imported (they need the stdlib and mpmath),
never BFCL's handlers, which pull in every provider SDK.

The model loop belongs to the caller. As in BFCL, a step that fails to decode (ValueError) or has no
calls ends the turn; after the (``MAX_STEPS`` + 1)-th executed step of a turn the whole entry stops, so
``check`` reports ``multi_turn:force_terminated`` unless that was the last turn::

    env = Environment.for_item(item)                 # one per item, kept across its turns
    calls = decode_execute(text)
    messages += tool_messages(calls, env.execute(calls))
    result = check(item, steps_per_turn)             # replays on fresh environments
"""

from __future__ import annotations

import ast
import copy
import functools
import importlib
import inspect
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dive.eval.bfcl import PYTHON_HINT, data_dir
from dive.eval.bfcl_prompt import decode_prompting

CATEGORIES = ("multi_turn_base",)
MAX_STEPS = 20  # BFCL's MAXIMUM_STEP_LIMIT: a turn is force-quit once its step count exceeds it
# Class -> module of bfcl_eval's func_source_code; the function-doc file bears the same name (.json).
_MODULES = {
    "GorillaFileSystem": "gorilla_file_system",
    "MathAPI": "math_api",
    "MessageAPI": "message_api",
    "TwitterAPI": "posting_api",
    "TicketAPI": "ticket_api",
    "TradingBot": "trading_bot",
    "TravelAPI": "travel_booking",
    "VehicleControlAPI": "vehicle_control",
}
_BACKEND = "bfcl_eval.eval_checker.multi_turn_eval.func_source_code"
_STATELESS = frozenset({"MathAPI"})  # no _load_scenario
_FORBIDDEN = frozenset({"kill", "exit", "quit", "remove", "unlink", "popen", "Popen", "run"})


@dataclass
class MultiTurnItem:
    """One multi-turn entry: user turns, the tools of its classes and the gold calls of each turn."""

    id: str
    category: str
    turns: list[list[dict[str, str]]]  # per turn, the user messages that open it
    functions: list[dict[str, Any]]  # BFCL function docs (with BFCL's Python hint), involved_classes order
    involved_classes: list[str]
    initial_config: dict[str, Any]
    ground_truth: list[list[str]]  # per turn, gold call strings; [] where no call should be made


@dataclass(frozen=True)
class Call:
    """A function call as data; only gold calls have ``args`` (BFCL drops positional model arguments)."""

    name: str
    kwargs: dict[str, Any]
    args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class CheckResult:
    valid: bool
    error_type: str = ""  # BFCL's error type, e.g. "multi_turn:instance_state_mismatch"
    message: str = ""


def _read_jsonl(path: Any) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@functools.cache
def _class_docs(class_name: str) -> tuple[dict[str, Any], ...]:
    path = data_dir() / "multi_turn_func_doc" / f"{_MODULES[class_name]}.json"
    return tuple(_read_jsonl(path))


def _functions(involved_classes: list[str]) -> list[dict[str, Any]]:
    functions = copy.deepcopy([doc for name in involved_classes for doc in _class_docs(name)])
    for func in functions:
        func["description"] += PYTHON_HINT
    return functions


def load_multi_turn_items(
    category: str = "multi_turn_base", limit: int | None = None, offset: int = 0
) -> list[MultiTurnItem]:
    """Items of ``category`` in BFCL id order (by the integer suffix), ``offset`` first, at most ``limit``."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown multi-turn category {category!r}; valid: {', '.join(CATEGORIES)}")
    name = f"BFCL_v4_{category}.json"
    gold = {e["id"]: e["ground_truth"] for e in _read_jsonl(data_dir() / "possible_answer" / name)}
    entries = sorted(_read_jsonl(data_dir() / name), key=lambda e: int(e["id"].rsplit("_", 1)[1]))
    end = None if limit is None else offset + limit
    return [
        MultiTurnItem(
            id=e["id"],
            category=category,
            turns=e["question"],
            functions=_functions(e["involved_classes"]),
            involved_classes=list(e["involved_classes"]),
            initial_config=e["initial_config"],
            ground_truth=gold[e["id"]],
        )
        for e in entries[offset:end]
    ]


# ---- decoding ---------------------------------------------------------------------------------------


def decode_execute(text: str) -> list[Call]:
    """Calls in a prompting-mode reply, as BFCL's default_decode_execute_prompting reads it: its AST
    decoder (dive/eval/bfcl_prompt.py, which never evaluates model text) then its execution list.

    Raises ValueError for anything BFCL could not decode (prose included)."""
    return [_as_call(str(name), kwargs) for call in decode_prompting(text) for name, kwargs in call.items()]


def _as_call(name: str, kwargs: dict[str, Any]) -> Call:
    return Call(name, {str(k): _nested(v) for k, v in kwargs.items()})


def _nested(value: Any) -> Any:
    """BFCL's parse_nested_value: a dict whose values are all dicts is a call (its first key), and runs."""
    if not isinstance(value, dict):
        return value
    if all(isinstance(v, dict) for v in value.values()):
        if not value:
            raise ValueError("empty dict argument")  # BFCL fails to decode it (IndexError)
        name, kwargs = next(iter(value.items()))
        return _as_call(str(name), kwargs)
    return {str(k): _nested(v) for k, v in value.items()}


def calls_from_structured(calls: list[dict[str, Any]]) -> list[Call]:
    """Calls from function-calling output ``[{"name": str, "arguments": dict | JSON str}]``."""
    out = []
    for call in calls:
        arguments = call.get("arguments", {})
        if isinstance(arguments, str):
            try:
                arguments = json.loads(arguments)
            except json.JSONDecodeError as e:
                raise ValueError(f"arguments are not JSON: {e}") from None
        if not isinstance(call.get("name"), str) or not isinstance(arguments, dict):
            raise ValueError(f"not a function call: {call!r}")
        out.append(Call(call["name"], dict(arguments)))
    return out


def parse_ground_truth(call: str) -> Call:
    """A gold call string such as ``sort('final_report.pdf')``; positional arguments are kept."""
    node = ast.parse(call, mode="eval").body
    if not isinstance(node, ast.Call) or any(kw.arg is None for kw in node.keywords):
        raise ValueError(f"not a plain call: {call!r}")
    kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg}
    return Call(ast.unparse(node.func), kwargs, tuple(ast.literal_eval(a) for a in node.args))


def call_string(call: Call) -> str:
    """The call as BFCL's decoded_output_to_execution_list writes it, e.g. ``cd(folder='document')``."""
    parts = [repr(a) for a in call.args] + [f"{k}={_render(v)}" for k, v in call.kwargs.items()]
    return f"{call.name}({', '.join(parts)})"


def _render(value: Any) -> str:
    if isinstance(value, Call):
        return call_string(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"'{k}': {_render(v)}" for k, v in value.items()) + "}"
    return repr(value)


def tool_messages(calls: list[Call], results: list[str]) -> list[dict[str, str]]:
    """BFCL's prompting-mode tool messages: one per call, named by the call string."""
    if len(calls) != len(results):
        raise ValueError(f"{len(calls)} calls but {len(results)} results")
    return [
        {"role": "tool", "name": call_string(c), "content": r} for c, r in zip(calls, results, strict=True)
    ]


# ---- execution --------------------------------------------------------------------------------------


def _instantiate(class_name: str, initial_config: dict[str, Any]) -> Any:
    if class_name not in _MODULES:
        raise ValueError(f"unsupported BFCL class {class_name!r}; supported: {', '.join(_MODULES)}")
    instance = getattr(importlib.import_module(f"{_BACKEND}.{_MODULES[class_name]}"), class_name)()
    if class_name not in _STATELESS:
        instance._load_scenario(copy.deepcopy(initial_config.get(class_name, {})), long_context=False)
    return instance


def _as_text(result: Any) -> str:
    # Exactly BFCL's conversion: exact str kept, exact dict as JSON when it serialises, else str().
    if type(result) is str:
        return result
    if type(result) is dict:
        try:
            return json.dumps(result)
        except Exception:
            return str(result)
    return str(result)


class Environment:
    """Fresh backend instances of one item; executes calls on their public methods."""

    def __init__(self, involved_classes: Sequence[str], initial_config: dict[str, Any]) -> None:
        self._instances = {name: _instantiate(name, initial_config) for name in involved_classes}
        # One flat namespace; a later class's method shadows an earlier one's, as in BFCL's mapping.
        self._methods: dict[str, Any] = {}
        for instance in self._instances.values():
            for name, method in inspect.getmembers(instance, inspect.ismethod):
                if not name.startswith("_"):
                    self._methods[name] = method

    @classmethod
    def for_item(cls, item: MultiTurnItem) -> Environment:
        return cls(item.involved_classes, item.initial_config)

    @property
    def instances(self) -> dict[str, Any]:
        return self._instances

    def execute(self, calls: Sequence[Call]) -> list[str]:
        """One result string per call, as BFCL's execute_multi_turn_func_call gives them."""
        results = []
        for call in calls:
            parts = call.name.split(".")
            bare = parts[1] if len(parts) > 1 else parts[0]  # BFCL screens the second dotted part
            if bare in _FORBIDDEN:
                results.append(f"Error during execution: Function call {bare} is not allowed.")
                continue
            try:
                results.append(_as_text(self._invoke(call)))
            except Exception as e:
                results.append(f"Error during execution: {e}")
        return results

    def _invoke(self, call: Call) -> Any:
        method = self._methods.get(call.name)
        if method is None:  # what eval raises; a dotted name fails on its first part
            raise NameError(f"name '{call.name.split('.')[0]}' is not defined")
        args = [self._argument(a) for a in call.args]
        return method(*args, **{k: self._argument(v) for k, v in call.kwargs.items()})

    def _argument(self, value: Any) -> Any:
        # Nested calls run first, like eval does; copies keep a backend from mutating or keeping the
        # caller's Call, which the checker replays later.
        if isinstance(value, Call):
            return self._invoke(value)
        if isinstance(value, dict):
            return {k: self._argument(v) for k, v in value.items()}
        return copy.deepcopy(value)


# ---- checking ---------------------------------------------------------------------------------------


@dataclass
class _Replay:
    model: Environment
    gold: Environment
    model_results: list[str] = field(default_factory=list)  # every model result so far, all turns


def check(item: MultiTurnItem, steps_per_turn: list[list[list[Call]]]) -> CheckResult:
    """BFCL's multi-turn verdict for the calls of each step of each turn (undecodable steps as [])."""
    gold = item.ground_truth
    if len(steps_per_turn) != len(gold):
        return CheckResult(
            False,
            "multi_turn:force_terminated",
            f"Model was force-terminated: {len(steps_per_turn)} turns, ground truth has {len(gold)}.",
        )
    replay = _Replay(Environment.for_item(item), Environment.for_item(item))
    for turn, (steps, gold_calls) in enumerate(zip(steps_per_turn, gold, strict=True)):
        result = _check_turn(replay, turn, [s for s in steps if s], gold_calls)
        if not result.valid:
            return result
    return CheckResult(True)


def _check_turn(replay: _Replay, turn: int, steps: list[list[Call]], gold_calls: list[str]) -> CheckResult:
    for step in steps:
        replay.model_results.extend(replay.model.execute(step))
    gold_results = replay.gold.execute([parse_ground_truth(c) for c in gold_calls])
    # A turn without gold calls is one the model should decline; its calls still ran, for later turns.
    if not gold_calls:
        return CheckResult(True)
    if not steps:
        return CheckResult(
            False, "multi_turn:empty_turn_model_response", f"Model response list is empty for turn {turn}"
        )
    for class_name, gold_instance in replay.gold.instances.items():
        differences = _differences(replay.model.instances[class_name], gold_instance)
        if differences:
            return CheckResult(
                False,
                "multi_turn:instance_state_mismatch",
                f"Model instance for {class_name} does not match the state with ground truth instance "
                f"after turn {turn}: {', '.join(differences)} differ.",
            )
    missing = _missing(gold_results, replay.model_results)
    if missing:
        return CheckResult(
            False,
            "multi_turn:execution_response_mismatch",
            f"Model response execution results so far does not contain all the ground truth response "
            f"execution results for turn {turn}; missing: {missing}",
        )
    return CheckResult(True)


def _differences(model_instance: Any, gold_instance: Any) -> list[str]:
    """Public attributes (those of the gold instance) whose values differ."""
    return [
        name
        for name, value in vars(gold_instance).items()
        if not name.startswith("_") and getattr(model_instance, name) != value
    ]


def _missing(gold_results: list[str], model_results: list[str]) -> list[str]:
    # Unordered multiset containment: parallel calls may run in any order.
    remaining = list(model_results)
    missing = []
    for result in gold_results:
        if result in remaining:
            remaining.remove(result)
        else:
            missing.append(result)
    return missing
