"""Whether a task's recorded evidence entails it, and its answer recomputed from (replayed) outputs.

Both synthesizers' tasks pass through here. The scripted one records how its answer follows
(``Derivation.operation`` over ``operands``); an LLM synthesizer may record only question, answer and
calls, so :func:`entailment` then searches the outputs for the answer. Either way a task is entailed
when the answer follows from successful outputs and every argument of the calls it follows from is
stated in the question, read from an earlier output of that path, or left at its schema default.

Numbers chain between calls only under the same specific kind (``year`` into ``year``): a bare
``number`` output is a codon index or a mass alike, so feeding one into another tool's parameter is
not a derivation a person could follow (see GENERIC_KINDS).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from dive.records import Call, Derivation, Task
from dive.tools.base import REGISTRY, Tool

# Catch-all kinds: they say what JSON type a value has, not what it means, so they never chain.
GENERIC_KINDS = frozenset({"", "number", "str", "string", "text", "value", "integer", "float", "int", "any"})
MAX_LEAVES = 400  # scalar values read per output (a long table says nothing more about entailment)
MAX_SUPPORTS = 24  # candidate answer sources tried per task without recorded operands
MAX_PAIRED = 150  # numbers whose pairwise sums and differences are tried (11k pairs)

Values = Sequence[Any]
OPERATIONS: dict[str, Callable[[Values, Sequence[str]], Any]] = {
    "value": lambda v, s: v[0],
    "max": lambda v, s: max(v),
    "min": lambda v, s: min(v),
    "sum": lambda v, s: sum(v),
    "difference": lambda v, s: v[0] - v[1],
    "argmax": lambda v, s: s[v.index(max(v))],
    "argmin": lambda v, s: s[v.index(min(v))],
}
NUMERIC_OPERATIONS = frozenset(OPERATIONS) - {"value"}
ENTITY_OPERATIONS = frozenset({"argmax", "argmin"})


@dataclasses.dataclass(frozen=True)
class Entailment:
    ok: bool
    reason: str  # "ok", "no_evidence", "answer_not_in_evidence" or "argument_not_given"
    solution: list[int]  # indices of the calls the answer follows from, with their data-flow ancestors


# ---------------------------------------------------------------------------------------------
# values


def format_value(value: Any) -> str:
    """How answers (and given values in questions) print a value: floats to 6 significant digits."""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def normalize(text: Any) -> str:
    text = str(text).casefold().replace("\u2019", "'").replace("\u2212", "-")
    return " ".join(text.split()).strip(" '\"")


def as_number(value: Any) -> float | None:
    if is_number(value):
        return float(value)
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
        return float(value.strip().replace(",", "").replace("\u2212", "-"))
    return None


def numbers_match(stated: float, value: float, digits: int = 0) -> bool:
    """Equal within 1e-6, or equal once ``value`` is rounded to the ``digits`` (>= 3) significant
    digits ``stated`` was written with."""
    if math.isclose(stated, value, rel_tol=1e-6, abs_tol=1e-12):
        return True
    return digits >= 3 and float(f"{value:.{digits}g}") == stated


def values_match(stated: Any, value: Any) -> bool:
    """A stated answer (text) against a recorded value: the same number or the same normalized text."""
    a, b = as_number(stated), as_number(value)
    if a is not None and b is not None:
        return numbers_match(a, b, _significant_digits(str(stated)))
    return normalize(stated) == normalize(value)


def _significant_digits(text: str) -> int:
    mantissa = re.split(r"[eE]", text.strip().lstrip("-+").replace(",", ""))[0]
    return len(mantissa.replace(".", "").lstrip("0"))


_NUMBER_TEXT = re.compile(r"[-+\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_NUMBER_IN_TEXT = re.compile(r"(?<![\w.])[-\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(%?)")


def leaves(output: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """(top-level key, scalar) pairs of an output, nested lists and dicts included."""
    stack: list[tuple[str, Any]] = [(key, output)]
    count = 0
    while stack and count < MAX_LEAVES:
        top, value = stack.pop()
        if isinstance(value, dict):
            stack.extend(reversed([(top or str(k), v) for k, v in value.items()]))
        elif isinstance(value, list):
            stack.extend(reversed([(top, v) for v in value]))
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            count += 1
            yield top, value


def output_value(output: Any, key: str) -> Any:
    """The value under ``key`` of an output: a top-level key, or ``parent/child`` one level down."""
    if not isinstance(output, dict):
        return output
    if key in output or "/" not in key:
        return output.get(key)
    parent, child = key.split("/", 1)
    inner = output.get(parent)
    return inner.get(child) if isinstance(inner, dict) else None


# ---------------------------------------------------------------------------------------------
# answers recomputed from outputs


def call_chain(calls: Sequence[Call], index: int) -> list[int]:
    """Indices of the calls that lead from the seed to call ``index`` (its recorded chain), in order."""
    chain = []
    while 0 <= index < len(calls) and index not in chain:
        chain.append(index)
        index = calls[index].input_from
    return chain[::-1]


def subject(calls: Sequence[Call], index: int) -> str:
    """The entity a chain of calls starts from (what a question names when it compares chains)."""
    root = calls[call_chain(calls, index)[0]]
    if root.input_value is not None:
        return format_value(root.input_value)
    texts = [v for v in root.arguments.values() if isinstance(v, str)]
    return texts[0] if texts else ""


def recompute_answer(
    derivation: Derivation, outputs: Sequence[Any], subjects: Sequence[str] | None = None
) -> str | None:
    """The answer the derivation's operation gives over ``outputs`` (one per call index, e.g. replayed
    ones), formatted like the synthesizer's answers; None when an operand is missing or not numeric
    where a number is needed, or when the answer is a tie. ``argmax``/``argmin`` answer an entity, so
    they need ``subjects`` (one per operand; see :func:`recompute_task`)."""
    operands = derivation.operands or [(derivation.answer_call, derivation.answer_key)]
    operation = OPERATIONS.get(derivation.operation)
    if operation is None:
        return None
    values = []
    for index, key in operands:
        value = output_value(outputs[index], key) if 0 <= index < len(outputs) else None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            return None
        values.append(value)
    if derivation.operation in NUMERIC_OPERATIONS and not all(map(is_number, values)):
        return None
    if derivation.operation in ENTITY_OPERATIONS:
        extreme = max(values) if derivation.operation == "argmax" else min(values)
        if subjects is None or len(subjects) != len(values) or values.count(extreme) > 1:
            return None
    return format_value(operation(values, subjects or []))


def recompute_task(task: Task, outputs: Sequence[Any]) -> str | None:
    """:func:`recompute_answer` for a task's last derivation, entities named as the task's calls do."""
    if not task.derivation:
        return None
    derivation = task.derivation[-1]
    operands = derivation.operands or [(derivation.answer_call, derivation.answer_key)]
    if any(not 0 <= i < len(task.calls) for i, _ in operands):
        return None
    return recompute_answer(derivation, outputs, [subject(task.calls, i) for i, _ in operands])


# ---------------------------------------------------------------------------------------------
# entailment


def entailment(task: Task, tools: Mapping[str, Tool] | None = None) -> Entailment:
    """Whether the recorded calls entail the task (see the module docstring). ``tools`` (default: every
    registered tool) gives the kinds that decide whether a number may flow from one call to another."""
    if not any(c.ok for c in task.calls):
        return Entailment(False, "no_evidence", [])
    supports = _supports(task)
    if not supports:
        return Entailment(False, "answer_not_in_evidence", [])
    flow = _Flow(task, REGISTRY if tools is None else tools)
    first: list[int] = []
    for support in supports:
        solution = flow.solution(support)
        if solution is not None:
            return Entailment(True, "ok", solution)
        first = first or sorted(support)
    return Entailment(False, "argument_not_given", first)


def _supports(task: Task) -> list[list[int]]:
    """Sets of calls the answer can follow from, most likely first."""
    derivation = task.derivation[-1] if task.derivation else None
    outputs = [c.output if c.ok else None for c in task.calls]
    if derivation is not None and (derivation.operands or derivation.answer_call >= 0):
        recomputed = recompute_task(task, outputs)
        if recomputed is not None and values_match(task.answer, recomputed):
            operands = derivation.operands or [(derivation.answer_call, derivation.answer_key)]
            return [sorted({i for i, _ in operands})]
        if derivation.operands:  # the recorded derivation does not hold: nothing else is trusted
            return []
    searches = (_single_supports(task, outputs), _pair_supports(task, outputs), _extreme_supports(task))
    return list(itertools.islice(itertools.chain(*searches), MAX_SUPPORTS))  # lazily: stop when enough


def _single_supports(task: Task, outputs: Sequence[Any]) -> Iterator[list[int]]:
    for i in reversed(range(len(outputs))):  # later calls first: the end of the longest path
        if outputs[i] is not None and any(values_match(task.answer, v) for _, v in leaves(outputs[i])):
            yield [i]


def _numbers(outputs: Sequence[Any]) -> list[tuple[int, float]]:
    return [
        (i, float(v))
        for i, out in enumerate(outputs)
        if out is not None
        for _, v in leaves(out)
        if is_number(v)
    ][:MAX_PAIRED]


def _pair_supports(task: Task, outputs: Sequence[Any]) -> Iterator[list[int]]:
    """Numbers of two calls whose sum or difference is the answer (a larger or smaller of two is a
    single value, found before)."""
    stated = as_number(task.answer)
    if stated is None:
        return
    digits = _significant_digits(task.answer)
    numbers = _numbers(outputs)
    for n, (i, a) in enumerate(numbers):
        for j, b in numbers[n + 1 :]:
            if i != j and any(numbers_match(stated, r, digits) for r in (a + b, a - b, b - a)):
                yield [i, j]


def _extreme_supports(task: Task) -> Iterator[list[int]]:
    """The answer names the entity whose call gave the largest or smallest value of some key among the
    calls of one tool."""
    calls = task.calls
    for call in calls:
        if not call.ok or not any(values_match(task.answer, v) for v in call.arguments.values()):
            continue
        peers = [j for j, c in enumerate(calls) if c.ok and c.tool == call.tool and c.output is not None]
        output = call.output if isinstance(call.output, dict) else {}
        for key, value in output.items() if len(peers) > 1 else ():
            values = [output_value(calls[j].output, key) for j in peers]
            numeric = is_number(value) and all(map(is_number, values)) and values.count(value) == 1
            if numeric and value in (max(values), min(values)):
                yield peers
                break


class _Flow:
    """The data flow of a task's calls: which earlier output (or the question) gives each argument."""

    def __init__(self, task: Task, tools: Mapping[str, Tool]) -> None:
        self.calls = task.calls
        self.tools = tools
        self.question = normalize(task.question)
        self.numbers = _question_numbers(task.question)

    def solution(self, support: Iterable[int]) -> list[int] | None:
        """The support plus its ancestors, or None when some argument on that path is not given."""
        found: set[int] = set()
        todo = sorted(set(support))
        while todo:
            index = todo.pop()
            if index in found:
                continue
            found.add(index)
            for name, value in self.calls[index].arguments.items():
                sources = self._sources(index, name, value)
                if sources is None:
                    return None
                todo.extend(sources)
        return sorted(found)

    def _sources(self, index: int, name: str, value: Any) -> list[int] | None:
        """Calls an argument is read from ([] when it is given or a default), None when it is neither."""
        tool = self.tools.get(self.calls[index].tool)
        spec = tool.parameters["properties"].get(name, {}) if tool is not None else {}
        if value is None or ("default" in spec and spec["default"] == value):
            return []
        if isinstance(value, bool):
            return [] if normalize(name.replace("_", " ")) in self.question else None
        sources: list[int] = []
        for leaf in _scalars(value):
            if self._given(leaf):
                continue
            source = self._provider(index, name, leaf)
            if source is None:
                return None
            sources.append(source)
        return sources

    def _given(self, value: Any) -> bool:
        number = as_number(value) if is_number(value) else None
        if number is not None:
            return any(numbers_match(number, q) for q in self.numbers)
        text = normalize(value)
        return bool(text) and re.search(rf"(?<!\w){re.escape(text)}(?!\w)", self.question) is not None

    def _provider(self, index: int, name: str, value: Any) -> int | None:
        """The earlier successful call whose output holds ``value`` under a kind that may feed ``name``
        (the recorded chain first, else the latest such call)."""
        recorded = self.calls[index].input_from
        order = ([recorded] if 0 <= recorded < index else []) + list(reversed(range(index)))
        for j in order:
            call = self.calls[j]
            if call.ok and any(
                values_match(value, v) and self._may_flow(j, key, index, name, value)
                for key, v in leaves(call.output)
            ):
                return j
        return None

    def _may_flow(self, source: int, key: str, target: int, name: str, value: Any) -> bool:
        if not is_number(value):
            return True
        out_tool = self.tools.get(self.calls[source].tool)
        in_tool = self.tools.get(self.calls[target].tool)
        produced = out_tool.produces.get(key, "") if out_tool is not None else ""
        accepted = in_tool.accepts.get(name, "") if in_tool is not None else ""
        return produced == accepted and produced not in GENERIC_KINDS


def _scalars(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [v for item in value.values() for v in _scalars(item)]
    if isinstance(value, list | tuple):
        return [v for item in value for v in _scalars(item)]
    return [value]


def _question_numbers(question: str) -> list[float]:
    found = []
    for match in _NUMBER_IN_TEXT.finditer(question):
        text = match.group(0).rstrip("%").replace(",", "").replace("\u2212", "-")
        number = float(text)
        found.append(number)
        if match.group(1):
            found.append(number / 100)
    return found


# ---------------------------------------------------------------------------------------------
# questions that give away the solution


_RECIPE = re.compile(
    r"\bstep\s*\d+\b|\b(?:use|using|call|calling|with) the tools?\b|\bthe tools? (?:called|named)\b", re.I
)


def named_tools(question: str, tools: Mapping[str, Tool] | Iterable[Tool]) -> list[str]:
    """Tool ids, function names or short names, and "step N" / "use the tool" recipes a question
    mentions: a question should state a goal, not the calls that reach it."""
    ids = tuple(sorted(tools if isinstance(tools, Mapping) else (t.id for t in tools)))
    names = _names(ids)
    tokens = (token.strip(".") for token in re.findall(r"[\w.]+", question.casefold()))
    found = [names[token] for token in tokens if token in names]
    return found + [m.group(0) for m in _RECIPE.finditer(question)]


@functools.lru_cache(maxsize=8)
def _names(ids: tuple[str, ...]) -> dict[str, str]:
    """Lower-cased name -> name, for every way a question could name one of the tools ``ids``: the id,
    the function name, the id without its domain, and a last part that is no plain word (``a_b``)."""
    names = {}
    for tid in ids:
        last = tid.rsplit(".", 1)[1]
        for name in (tid, tid.replace(".", "__"), tid.split(".", 1)[1], *([last] if "_" in last else [])):
            names[name.casefold()] = name
    return names
