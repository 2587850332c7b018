"""Question text for scripted tasks: the goal as nested noun phrases, every needed input stated.

A chain Kenya -(capital)-> Nairobi -(time zone)-> offset reads "the UTC offset of the time zone of the
capital of the country Kenya": each hop is named by the output key it reads (with the tool's
description when the key alone says too little, e.g. ``latest_value``), never by the tool. Arguments
that no earlier output feeds (a date, a unit, a numeric input of a calculator) are stated as given
values. The operation over several chains (larger of two, total, which of three is smallest) picks
one of a few phrasings, so questions do not all look the same.
"""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Sequence
from typing import Any

from dive.synth.verify import GENERIC_KINDS, format_value
from dive.tools.base import Tool

KIND_WORDS = {
    "gene_symbol": "gene",
    "icd10cm_code": "ICD-10-CM code",
    "icd9cm_code": "ICD-9-CM code",
    "exchange_mic": "exchange with MIC",
    "currency_code": "currency with code",
    "airport_code": "airport with IATA code",
    "country_code": "country with code",
    "naics_code": "NAICS code",
    "gics_code": "GICS code",
    "bioregistry_prefix": "Bioregistry prefix",
    "fairsharing_record": "FAIRsharing record",
    "arxiv_category": "arXiv category",
    "elixhauser_category": "Elixhauser category",
    "dna_sequence": "DNA sequence",
    "rna_sequence": "RNA sequence",
    "data_repository": "data repository",
    "timezone": "time zone",
}
# Unit suffixes of output keys ("distance_pc"), so the quantity says its unit in words.
UNIT_SUFFIXES = {
    "j_mol_k": "in J/(mol K)",
    "j_mol": "in J/mol",
    "kcal_per_mol": "in kcal/mol",
    "km_s_mpc": "in km/s/Mpc",
    "m3_mol": "in m3/mol",
    "sq_km": "in square km",
    "km": "in km",
    "pc": "in parsecs",
    "ly": "in light years",
    "au": "in AU",
    "usd": "in US dollars",
    "percent": "in percent",
    "pct": "in percent",
    "c": "in degrees Celsius",
    "celsius": "in degrees Celsius",
    "k": "in kelvin",
    "pa": "in pascals",
    "ev": "in eV",
    "mg": "in mg",
    "ng": "in ng",
    "kg": "in kg",
    "g": "in g",
    "h": "in hours",
    "s": "in seconds",
    "ms": "in milliseconds",
    "n": "in newtons",
    "da": "in daltons",
    "bp": "in base pairs",
    "nt": "in nucleotides",
    "pm": "in picometres",
    "m": "in metres",
}
# Keys that name no quantity by themselves: the tool's description says what they are.
VAGUE_KEYS = {"value", "values", "result", "total", "count", "n", "score", "name", "year", "date", "code"}
_CUT = re.compile(r":|;|\(|,\s|\s-\s|\.\s|\be\.g\.|\bi\.e\.")
# Ranges and bare numbers in descriptions ("an integer from 1 to 4999") would read as given values.
_NUMBERS = re.compile(r"\s*(?:\bfrom\s+)?(?<![\w-])-?\d[\d.,]*(?:\s*(?:-|to)\s*-?\d[\d.,]*)?(?![\w-])")
MAX_HEAD_WORDS = 10


@dataclasses.dataclass(frozen=True)
class Hop:
    """One call of a chain as a question names it: the output key read from it."""

    tool: Tool
    key: str
    first: bool = False  # the key held a list and the chain took its first item
    param: str = ""  # the parameter the entity before this hop fed ("" for a standalone computation)
    given: tuple[tuple[str, Any], ...] = ()  # the other arguments, stated as given values

    def role(self) -> str:
        """ " as first ICD-10-CM code" when the entity could fill another parameter of the same kind."""
        kind = self.tool.accepts.get(self.param)
        if kind is None or not any(self.tool.accepts.get(name) == kind for name, _ in self.given):
            return ""
        return f" as {parameter(self.tool, self.param)}"


@dataclasses.dataclass(frozen=True)
class Ask:
    """What a question asks: ``operation`` over the chain ``hops`` followed from each subject."""

    hops: list[Hop]
    kind: str  # entity kind of the subjects ("" when the chain starts from given values only)
    subjects: list[str]  # one per operand, in operand order (none for a standalone computation)
    operation: str  # value | max | min | argmax | argmin | sum | difference

    @property
    def inline(self) -> bool:
        """Given values go with their hop when several hops have some (else one clause says them)."""
        return sum(1 for hop in self.hops if hop.given) > 1

    def given(self) -> str:
        return "" if self.inline else given_values([(h.tool, n, v) for h in self.hops for n, v in h.given])


# ---------------------------------------------------------------------------------------------
# words for kinds, keys and parameters


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind, kind.replace("_", " "))


def plural(words: str) -> str:
    head, _, tail = words.partition(" with ")
    if re.search(r"[^aeiou]y$", head):
        head = head[:-1] + "ies"
    elif re.search(r"(s|x|ch|sh)$", head):
        head += "es"
    else:
        head += "s"
    return f"{head} with {tail}" if tail else head


def shown(value: Any) -> str:
    """A value as a question writes it: numbers like answers, text with spaces in quotes."""
    if isinstance(value, list):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    text = format_value(value)
    if isinstance(value, float) and float(text) != value:  # 6 digits would change the value given
        text = repr(value)
    return f"'{text}'" if isinstance(value, str) and re.search(r"\s", text) else text


def entity(kind: str, value: Any) -> str:
    return f"the {kind_words(kind)} {shown(value)}" if kind else shown(value)


def description_head(tool: Tool) -> str:
    """The first phrase of a tool's description, without the subject it is about ("of a country")."""
    head = _phrase(tool.description)
    for kind in tool.accepts.values():
        head = re.sub(rf"\s+(?:of|for|in) (?:a|an|one) {re.escape(kind_words(kind))}\b", "", head, flags=re.I)
    words = head.split()
    if not words or len(words) > MAX_HEAD_WORDS:
        return ""
    return _lower_first(" ".join(words))


def _phrase(text: str) -> str:
    """The first phrase of a description, without numbers."""
    return _NUMBERS.sub("", _CUT.split(text, 1)[0]).replace("`", "").strip().rstrip(".")


def _lower_first(text: str) -> str:
    """Lower-case a leading word unless it is an acronym ("DNA", "GC", "pH")."""
    first = text.split(" ", 1)[0]
    return text if sum(c.isupper() for c in first) > 1 else text[:1].lower() + text[1:]


def key_words(key: str) -> str:
    for suffix in sorted(UNIT_SUFFIXES, key=len, reverse=True):
        if key.endswith("_" + suffix) and len(key) > len(suffix) + 1:
            return f"{key[: -len(suffix) - 1].replace('_', ' ')} {UNIT_SUFFIXES[suffix]}"
    return key.replace("_", " ")


def quantity(tool: Tool, key: str) -> str:
    """The output key as a noun phrase; the description joins it when the key alone is unclear (a
    vague key such as ``latest_value``, any output of a calculator)."""
    if "/" in key:  # a field of a section: "sex ratio (at birth)"
        parent, child = (key_words(part) for part in key.split("/", 1))
        return parent if normalize_words(child) in normalize_words(parent) else f"{parent} ({child})"
    words = key_words(key)
    head = description_head(tool)
    if not head:
        return words
    if normalize_words(head).startswith(normalize_words(key.replace("_", " "))):
        return head
    if vague(key) or tool.type == "P":
        return f"{words} ({head})"
    return words


def vague(key: str) -> bool:
    return key in VAGUE_KEYS or key.startswith("latest")


def nameable(tool: Tool, key: str) -> bool:
    """Whether a question can say what ``key`` is: a vague key needs the tool's description."""
    return "/" in key or not vague(key) or bool(description_head(tool))


def normalize_words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def parameter(tool: Tool, name: str) -> str:
    """A parameter as a question names it: the entity kind it takes when no other parameter takes that
    kind ("country"), else its description's first phrase, else its name."""
    kind = tool.accepts.get(name, "")
    if kind not in GENERIC_KINDS and list(tool.accepts.values()).count(kind) == 1:
        return kind_words(kind)
    spec = tool.parameters["properties"].get(name, {})
    head = re.sub(r"^(?:optional|the|a|an)\s+", "", _phrase(spec.get("description", "")), flags=re.I)
    words = head.split()
    unclear = not words or len(words) > 6 or "'" in head or '"' in head
    if unclear or words[0].lower() in {"how", "what", "which", "whether", "if"}:
        return name.replace("_", " ")
    return _lower_first(" ".join(words))


def given_values(given: Sequence[tuple[Tool, str, Any]]) -> str:
    """The given values as a phrase, e.g. "UTC time 2024-04-08 and limit 3" (empty containers say
    nothing and are left out)."""
    parts = []
    for tool, name, value in given:
        if isinstance(value, bool):
            parts.append(f"{name.replace('_', ' ')} {'yes' if value else 'no'}")
        elif value not in ({}, []):
            parts.append(f"{parameter(tool, name)} {shown(value)}")
    return join(list(dict.fromkeys(parts)))


def join(items: Sequence[str], last: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


# ---------------------------------------------------------------------------------------------
# noun phrases for chains


def path(hops: Sequence[Hop], root: str | None, inline: bool = False) -> str:
    """The chain as a noun phrase, e.g. "the UTC offset of the time zone of the capital of <root>";
    without a root, read from an unnamed subject ("the UTC offset of the time zone of the capital").
    ``inline`` says each hop's given values after it: "the ancestor of X (with second code Y)"."""
    phrase = root
    for hop in hops:
        words = quantity(hop.tool, hop.key)
        head = f"the first of the {words}" if hop.first else f"the {words}"
        phrase = head if phrase is None else f"{head} of {phrase}{hop.role()}"
        if inline and hop.given:
            phrase += f" (with {given_values([(hop.tool, n, v) for n, v in hop.given])})"
    return phrase or ""


def _roots(ask: Ask) -> list[str | None]:
    return [entity(ask.kind, s) for s in ask.subjects] or [None]


# ---------------------------------------------------------------------------------------------
# questions


def question(ask: Ask, rng: random.Random) -> str:
    """The question text for ``ask``, one of a few phrasings drawn with ``rng``."""
    given = ask.given()
    n = len(ask.subjects)
    if ask.operation == "value":
        text = _value_question(ask, given, rng)
    elif n >= 3:
        text = _ranking_question(ask, rng)
    elif ask.operation in ("sum", "difference"):
        text = _aggregate_question(ask, rng)
    else:
        text = _comparison_question(ask, rng)
    if given and ask.operation != "value":
        text = text[:-1] + rng.choice([f", with {given}?", f" (take {given})?", f", given {given}?"])
    return text


def _value_question(ask: Ask, given: str, rng: random.Random) -> str:
    root = _roots(ask)[0]
    if root is None:  # a computation on given values only
        what = path(ask.hops, None, ask.inline)
        if not given:  # said after each hop
            return f"What is {what}?"
        options = [f"What is {what} for {given}?", f"Compute {what} given {given}."]
        return rng.choice([*options, f"With {given}, what is {what}?"])
    what = path(ask.hops, root, ask.inline)
    with_given = f", with {given}" if given else ""
    options = [f"What is {what}{with_given}?", f"Find {what}{with_given}."]
    options.append(f"Can you tell me {what}{with_given}?")
    if given:
        options.append(f"Taking {given}, what is {what}?")
    if len(ask.hops) > 1:
        inner, last = path(ask.hops[:-1], root, ask.inline), ask.hops[-1]
        words = quantity(last.tool, last.key)
        its = f"the first of its {words}" if last.first else f"its {words}"
        if ask.inline and last.given:
            its += f" (with {given_values([(last.tool, n, v) for n, v in last.given])})"
        options.append(f"Consider {inner}. What is {its}{with_given}?")
    return rng.choice(options)


def _extremes(operation: str, rng: random.Random, superlative: bool = False) -> str:
    high = operation in ("max", "argmax")
    if superlative:
        return rng.choice(["highest", "largest"] if high else ["lowest", "smallest"])
    return rng.choice(["larger", "greater", "higher"] if high else ["smaller", "lower"])


def _comparison_question(ask: Ask, rng: random.Random) -> str:
    a, b = ask.subjects
    more = _extremes(ask.operation, rng)
    rel = path(ask.hops, None, ask.inline)
    kind = kind_words(ask.kind)
    if ask.operation in ("argmax", "argmin"):
        return rng.choice(
            [
                f"For which {kind}, {shown(a)} or {shown(b)}, is {rel} {more}?",
                f"Which has the {more} {rel[4:]}: the {kind} {shown(a)} or the {kind} {shown(b)}?",
                f"Between the {plural(kind)} {shown(a)} and {shown(b)}, which has the {more} {rel[4:]}?",
            ]
        )
    first, second = (path(ask.hops, r, ask.inline) for r in _roots(ask))
    return rng.choice(
        [
            f"What is the {more} of {first} and {second}?",
            f"Of the {plural(kind)} {shown(a)} and {shown(b)}, what is the {more} {rel[4:]}?",
        ]
    )


def _aggregate_question(ask: Ask, rng: random.Random) -> str:
    a, b = ask.subjects
    first, second = (path(ask.hops, r, ask.inline) for r in _roots(ask))
    rel = path(ask.hops, None, ask.inline)[4:]
    kind = plural(kind_words(ask.kind))
    if ask.operation == "sum":
        return rng.choice(
            [
                f"What is the sum of {first} and {second}?",
                f"What is the combined {rel} of the {kind} {shown(a)} and {shown(b)}?",
                f"Adding up the {rel} of the {kind} {shown(a)} and {shown(b)}, what total do you get?",
            ]
        )
    return rng.choice(
        [
            f"By how much does {first} exceed {second}?",
            f"What is {first} minus {second}?",
            f"How much larger is {first} than {second}?",
        ]
    )


def _ranking_question(ask: Ask, rng: random.Random) -> str:
    names = join([shown(s) for s in ask.subjects])
    most = _extremes(ask.operation, rng, superlative=True)
    rel = path(ask.hops, None, ask.inline)[4:]
    kind = plural(kind_words(ask.kind))
    if ask.operation in ("argmax", "argmin"):
        return rng.choice(
            [
                f"Among the {kind} {names}, which has the {most} {rel}?",
                f"Which of the {kind} {names} has the {most} {rel}?",
            ]
        )
    return f"What is the {most} {rel} among the {kind} {names}?"
