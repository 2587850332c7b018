"""Evidence collection for the scripted synthesizer: real calls that chain on entity kinds.

Each call takes one entity found so far (the seed, or an entity an earlier output declared: a capital
city, a gene's chromosome) through a parameter that accepts that kind. Only specific kinds chain: a
``number`` output is a codon index or a DNA mass alike, so it never feeds another tool. Every other
required argument comes from the tool's first example and is stated in the question as a given value;
a processing tool's numbers and any date are varied (deterministically, from the task's RNG) so that
tasks on one tool do not all ask the same thing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
from collections.abc import Sequence
from typing import Any

from dive.pools.seeds import Seed
from dive.records import Call
from dive.synth.phrasing import nameable
from dive.synth.verify import GENERIC_KINDS, is_number
from dive.tools.base import Tool

TEMPORAL_KINDS = frozenset({"date", "year"})
MAX_ANSWER_CHARS = 120
COUNT_KEY = re.compile(r"total|count|^n_|^num|^all_")  # a zero here is "how many? none"
MAX_NESTED = 6  # answer keys taken from one nested section
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(T[\d:.]+Z?)?")


@dataclasses.dataclass(frozen=True)
class Entity:
    kind: str
    value: Any
    source: int  # index of the call whose output held it; -1 for the seed
    key: str  # output key it came from ("" for the seed)


@dataclasses.dataclass(frozen=True)
class Option:
    """A call the collector could make next: ``tool`` fed ``entity`` through ``param`` (a standalone
    computation has neither), its other required arguments ``given``."""

    tool: Tool
    param: str
    entity: Entity | None
    given: dict[str, Any]


class Collector:
    """The calls of one task, with what each was fed: the chained parameter and the given arguments."""

    def __init__(
        self, toolset: Sequence[Tool], seed: Seed, rng: random.Random, prefer_processing: bool
    ) -> None:
        self.toolset = list(toolset)
        self.tools = {t.id: t for t in toolset}
        self.seed = seed
        self.rng = rng
        self.prefer_processing = prefer_processing  # the exemplars ask for a computation
        self.calls: list[Call] = []
        self.known = [Entity(seed.kind, seed.name, -1, "")]
        self.param_of: dict[int, str] = {}  # the chained parameter of each call ("" when standalone)
        self.given_of: dict[int, dict[str, Any]] = {}  # the arguments the question states
        self.done: set[tuple[str, str, str]] = set()

    # -----------------------------------------------------------------------------------------
    # collection

    def collect(self, round_: int, n: int) -> None:
        for _ in range(n):
            option = self._next_option()
            if option is None:
                return
            self._make(option, round_)

    def _next_option(self) -> Option | None:
        """Policy: prefer processing tools when a computation is wanted, then the newest entities
        (deeper chains), then tools not yet called (wider coverage)."""
        used = {c.tool for c in self.calls}
        ranked: list[tuple[tuple[bool, int, bool], Option]] = []
        for option in self._options():
            source = option.entity.source if option.entity is not None else -2
            processing = self.prefer_processing and option.tool.type == "P"
            ranked.append(((processing, source, option.tool.id not in used), option))
        if not ranked:
            return None
        best = max(rank for rank, _ in ranked)
        top = [option for rank, option in ranked if rank == best]
        return top[self.rng.randrange(len(top))]

    def _options(self) -> list[Option]:
        found = []
        for entity in self.known:
            for tool in self.toolset:
                for param, kind in tool.accepts.items():
                    if kind != entity.kind or kind in GENERIC_KINDS or self._loops(tool, entity):
                        continue
                    given = given_arguments(tool, param)
                    if given is not None and _key(tool, param, entity) not in self.done:
                        found.append(Option(tool, param, entity, given))
        if self.prefer_processing:
            for tool in self.toolset:
                given = given_arguments(tool, "")
                if tool.type == "P" and given and _key(tool, "", None) not in self.done:
                    found.append(Option(tool, "", None, given))
        return found

    def _loops(self, tool: Tool, entity: Entity) -> bool:
        """A tool fed its own output: once is a walk ("the parent of the parent"), except for a
        calculator (the normal form of a normal form asks nothing new); twice is a loop."""
        source = entity.source
        if source < 0 or self.calls[source].tool != tool.id:
            return False
        before = self.calls[source].input_from
        return tool.type == "P" or (before >= 0 and self.calls[before].tool == tool.id)

    def _make(self, option: Option, round_: int) -> None:
        """Call the option with varied given values; if that fails, once more with the example's."""
        self.done.add(_key(option.tool, option.param, option.entity))
        varied = vary(option.tool, option.given, self.rng)
        for given in [varied] if varied == option.given else [varied, option.given]:
            index = self.record(option.tool, option.param, option.entity, given, round_)
            if self.calls[index].ok:
                return

    def record(
        self, tool: Tool, param: str, entity: Entity | None, given: dict[str, Any], round_: int
    ) -> int:
        """Make one real call and record it with its provenance; returns its index."""
        arguments = {**given, param: entity.value} if entity is not None else dict(given)
        result = tool(arguments)
        index = len(self.calls)
        self.calls.append(
            Call.from_result(
                tool.id,
                arguments,
                result,
                turn=index,
                type=tool.type,
                round=round_,
                input_from=entity.source if entity is not None else -1,
                input_key=entity.key if entity is not None else "",
                input_value=entity.value if entity is not None else None,
                produces=list(tool.produces),
            )
        )
        self.param_of[index] = param
        self.given_of[index] = dict(given)
        if result.ok:
            self.known.extend(entities(tool, result.output, index))
        return index

    def follow(self, chain: Sequence[int], root: str, round_: int) -> int | None:
        """Call the tools of ``chain`` again from another root entity, with the same given values and
        output keys; the index of the last call, or None when a call fails or a key is missing."""
        entity = Entity(self.seed.kind, root, -1, "")
        for n, i in enumerate(chain):
            tool = self.tools[self.calls[i].tool]
            index = self.record(tool, self.param_of[i], entity, self.given_of[i], round_)
            if not self.calls[index].ok:
                return None
            if n + 1 < len(chain):
                key = self.calls[chain[n + 1]].input_key
                value = first_item(self.calls[index].output.get(key))
                if value is None:
                    return None
                entity = Entity(tool.produces.get(key, ""), value, index, key)
        return index

    # -----------------------------------------------------------------------------------------
    # what a derivation needs to know about a chain

    def temporal(self, chain: Sequence[int]) -> bool:
        """A date or year enters the chain: given, or as the chained entity."""
        for i in chain:
            tool = self.tools[self.calls[i].tool]
            names = [self.param_of[i], *self.given_of[i]]
            if any(tool.accepts.get(name) in TEMPORAL_KINDS for name in names):
                return True
        return False


def _key(tool: Tool, param: str, entity: Entity | None) -> tuple[str, str, str]:
    return tool.id, param, "" if entity is None else repr(entity.value)


def first_item(value: Any) -> Any:
    """A chained value: the value itself, or a list's first item (the question says "the first of")."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, bool) or not isinstance(value, str | int | float) or not str(value).strip():
        return None
    return value


def entities(tool: Tool, output: Any, index: int) -> list[Entity]:
    """The entities an output holds under the specific kinds the tool declares it produces."""
    if not isinstance(output, dict):
        return []
    found = []
    for key, kind in tool.produces.items():
        value = first_item(output.get(key))
        if kind not in GENERIC_KINDS and value is not None:
            found.append(Entity(kind, value, index, key))
    return found


def given_arguments(tool: Tool, chained: str) -> dict[str, Any] | None:
    """The required arguments besides ``chained``, from the tool's first example (optional ones stay at
    their defaults); None when the example lacks one."""
    example = tool.examples[0] if tool.examples else {}
    given = {}
    for name in tool.parameters["required"]:
        if name == chained:
            continue
        if name not in example:
            return None
        given[name] = example[name]
    return given


def vary(tool: Tool, given: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Given values varied around the example: a processing tool's numbers (and lists of numbers) by
    x0.5-1.5 at the example's precision, any date by up to a year."""
    varied = {}
    for name, value in given.items():
        if tool.type == "P" and is_number(value):
            value = _scaled(value, rng.uniform(0.5, 1.5))
        elif tool.type == "P" and isinstance(value, list) and value and all(map(is_number, value)):
            factor = rng.uniform(0.5, 1.5)  # one factor: a series keeps its shape
            value = [_scaled(v, factor) for v in value]
        elif isinstance(value, str) and _DATE.fullmatch(value):
            value = _shifted(value, rng.randint(-365, 365))
        varied[name] = value
    return varied


def _scaled(value: float, factor: float) -> float:
    if isinstance(value, int):
        return round(value * factor) if abs(value) > 1 else value
    text = repr(value)
    decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 3
    scaled = float(f"{round(value * factor, min(decimals, 4)):.6g}")  # exactly as the question prints it
    return scaled if scaled != 0 else value


def _shifted(value: str, days: int) -> str:
    match = _DATE.fullmatch(value)
    assert match is not None
    day = dt.date.fromisoformat(match.group(1)) + dt.timedelta(days=days)
    return day.isoformat() + (match.group(2) or "")


def answer_fields(call: Call, tool: Tool | None) -> list[tuple[str, Any]]:
    """Scalar (key, value) pairs of a call's output that can serve as an answer, best first.

    Keys the tool declares it produces come first, then other top-level keys, then ``parent/child``
    keys one level down (a Factbook section). Values that merely echo an argument never count, nor do
    keys that restate one (``country_code`` of a country), nor a zero count ("how many? none").
    """
    output = call.output
    if not call.ok or not isinstance(output, dict):
        return []
    echoed = {_words(v) for v in call.arguments.values()}
    if tool is not None:  # a default the call left alone is an echo too
        defaults = tool.parameters["properties"].values()
        echoed |= {_words(spec["default"]) for spec in defaults if "default" in spec}
    restated = {f"{name}_{suffix}" for name in call.arguments for suffix in ("code", "name", "id")}
    pairs = [(k, v) for k, v in output.items() if k not in restated and _answerable(k, v, echoed)]
    if tool is not None:  # a question must be able to say what the answer is
        pairs = [(k, v) for k, v in pairs if nameable(tool, k)]
    for parent, inner in output.items():
        if isinstance(inner, dict) and "/" not in parent:
            nested = [(f"{parent}/{k}", v) for k, v in inner.items() if "/" not in str(k)]
            pairs += [(k, v) for k, v in nested if _answerable(k, v, echoed)][:MAX_NESTED]
    declared = call.produces
    return sorted(pairs, key=lambda kv: declared.index(kv[0]) if kv[0] in declared else len(declared))


def _words(value: Any) -> str:
    """A value's words, so "INDEPENDENT BANK CORP" echoes "Independent Bank Corp."."""
    return " ".join(re.findall(r"[a-z0-9]+", str(value).lower())) or str(value).strip()


def _answerable(key: str, value: Any, echoed: set[str]) -> bool:
    if isinstance(value, bool) or value is None or _words(value) in echoed:
        return False
    if value == 0 and COUNT_KEY.search(key):
        return False
    return is_number(value) or (isinstance(value, str) and 0 < len(value) <= MAX_ANSWER_CHARS)
