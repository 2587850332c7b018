"""Entailment and answer recomputation on hand-built tasks: what must pass and what must fail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dive.records import Call, Derivation, Task
from dive.synth.verify import (
    OPERATIONS,
    entailment,
    named_tools,
    recompute_answer,
    recompute_task,
    values_match,
)
from dive.tools.base import REGISTRY, Tool, tool

CAPITALS = {"Kenya": "Nairobi", "France": "Paris"}
POPULATION = {"Nairobi": 4397073, "Paris": 2138551}


def _register(tid: str, kind: str, fn: Callable[..., dict], **declared: Any) -> Tool:
    REGISTRY.pop(tid, None)
    tool(tid, kind, package="dive", requires=[], **declared)(fn)  # type: ignore[arg-type]
    return REGISTRY.pop(tid)


def capital(country: str) -> dict:
    """Capital city of a country."""
    return {"country": country, "capital": CAPITALS[country]}


def population(city: str) -> dict:
    """Population of a city."""
    return {"city": city, "population": POPULATION[city]}


def magnitude(planet: str, date: str) -> dict:
    """How bright a planet looks on a date."""
    return {"planet": planet, "magnitude": -4.1 if date == "2024-03-01" else -3.9}


def codon_index(taxon: str) -> dict:
    """Codon adaptation index of a taxon's genes."""
    return {"cai": 0.75}


def copies(mass: float) -> dict:
    """DNA copies in a mass of DNA."""
    return {"copies": round(mass * 1000)}


def weigh(sample: str) -> dict:
    """Mass of a sample in grams."""
    return {"mass_g": 0.75}


@pytest.fixture(scope="module")
def tools() -> dict[str, Tool]:
    country = {"country": "Country name, e.g. 'Kenya'."}
    found = [
        _register(
            "general.fake.capital",
            "R",
            capital,
            params=country,
            examples=[{"country": "Kenya"}],
            accepts={"country": "country"},
            produces={"capital": "city"},
        ),
        _register(
            "general.fake.population",
            "R",
            population,
            params={"city": "City name, e.g. 'Paris'."},
            examples=[{"city": "Paris"}],
            accepts={"city": "city"},
            produces={"population": "number"},
        ),
        _register(
            "science.fake.magnitude",
            "R",
            magnitude,
            params={"planet": "Planet, e.g. 'Venus'.", "date": "UTC date, e.g. '2024-03-01'."},
            examples=[{"planet": "Venus", "date": "2024-03-01"}],
            accepts={"planet": "planet", "date": "date"},
            produces={"magnitude": "number"},
        ),
        _register(
            "biology.fake.codon_index",
            "P",
            codon_index,
            params={"taxon": "Taxon, e.g. 'Homo sapiens'."},
            examples=[{"taxon": "Homo sapiens"}],
            accepts={"taxon": "taxon"},
            produces={"cai": "number"},
        ),
        _register(
            "biology.fake.copies",
            "P",
            copies,
            params={"mass": "DNA mass in g, e.g. 0.5."},
            examples=[{"mass": 0.5}],
            accepts={"mass": "mass_g"},
            produces={"copies": "number"},
        ),
        _register(
            "biology.fake.weigh",
            "R",
            weigh,
            params={"sample": "Sample name, e.g. 'S1'."},
            examples=[{"sample": "S1"}],
            accepts={"sample": "sample"},
            produces={"mass_g": "mass_g"},
        ),
    ]
    return {t.id: t for t in found}


def _call(tools: dict[str, Tool], tid: str, arguments: dict[str, Any], **provenance: Any) -> Call:
    result = tools[tid](arguments)
    return Call.from_result(tid, arguments, result, **provenance)


def _task(question: str, answer: str, calls: list[Call], derivation: Derivation | None = None) -> Task:
    toolset = sorted({c.tool for c in calls})
    derived = [derivation] if derivation else []
    return Task(0, toolset, question=question, answer=answer, calls=calls, derivation=derived)


def _chain(tools: dict[str, Tool]) -> list[Call]:
    return [
        _call(tools, "general.fake.capital", {"country": "Kenya"}, input_value="Kenya"),
        _call(tools, "general.fake.population", {"city": "Nairobi"}, input_from=0, input_key="capital"),
    ]


def test_chain_with_derivation_passes(tools: dict[str, Tool]) -> None:
    derivation = Derivation(2, "q", "4397073", ["multi-hop"], 1, "population", "value", [(1, "population")])
    task = _task("What is the population of the capital of Kenya?", "4397073", _chain(tools), derivation)
    verdict = entailment(task, tools)
    assert (verdict.ok, verdict.reason, verdict.solution) == (True, "ok", [0, 1])


def test_task_without_operands_is_searched(tools: dict[str, Tool]) -> None:
    """An LLM synthesizer's task records no derivation: the answer is found among the outputs."""
    task = _task("What is the population of the capital of Kenya?", "4,397,073", _chain(tools))
    verdict = entailment(task, tools)
    assert verdict.ok and verdict.solution == [0, 1]  # the ancestor comes in through the data flow


def test_answer_absent_fails(tools: dict[str, Tool]) -> None:
    derivation = Derivation(2, "q", "123", ["multi-hop"], 1, "population", "value", [(1, "population")])
    for d in (derivation, None):
        task = _task("What is the population of the capital of Kenya?", "123", _chain(tools), d)
        assert entailment(task, tools).reason == "answer_not_in_evidence"


def test_no_successful_call_is_no_evidence(tools: dict[str, Tool]) -> None:
    failed = _call(tools, "general.fake.capital", {"country": "Atlantis"})
    assert not failed.ok
    assert entailment(_task("What is the capital of Atlantis?", "x", [failed]), tools).reason == "no_evidence"


def test_argument_copied_from_an_example_must_be_stated(tools: dict[str, Tool]) -> None:
    """The Venus question of the issue: its answer depends on a date the question never gives."""
    calls = [_call(tools, "science.fake.magnitude", {"planet": "Venus", "date": "2024-03-01"})]
    derivation = Derivation(1, "q", "-4.1", ["lookup"], 0, "magnitude", "value", [(0, "magnitude")])
    silent = _task("What is the magnitude of the planet Venus?", "-4.1", calls, derivation)
    assert entailment(silent, tools).reason == "argument_not_given"
    stated = _task("What is the magnitude of the planet Venus on 2024-03-01?", "-4.1", calls, derivation)
    assert entailment(stated, tools).ok


def test_generic_number_does_not_chain(tools: dict[str, Tool]) -> None:
    """A codon index fed into a DNA-mass argument: both are bare numbers, so no derivation links them."""
    calls = [
        _call(tools, "biology.fake.codon_index", {"taxon": "Homo sapiens"}, input_value="Homo sapiens"),
        _call(tools, "biology.fake.copies", {"mass": 0.75}, input_from=0, input_key="cai"),
    ]
    derivation = Derivation(2, "q", "750", ["multi-hop"], 1, "copies", "value", [(1, "copies")])
    question = "How many DNA copies are in a mass equal to the codon adaptation index of Homo sapiens?"
    assert entailment(_task(question, "750", calls, derivation), tools).reason == "argument_not_given"
    # the same number stated in the question is a given value, not a chain
    assert entailment(_task("How many DNA copies are in 0.75 g?", "750", calls, derivation), tools).ok


def test_number_of_one_specific_kind_chains(tools: dict[str, Tool]) -> None:
    calls = [
        _call(tools, "biology.fake.weigh", {"sample": "S1"}, input_value="S1"),
        _call(tools, "biology.fake.copies", {"mass": 0.75}, input_from=0, input_key="mass_g"),
    ]
    derivation = Derivation(2, "q", "750", ["multi-hop"], 1, "copies", "value", [(1, "copies")])
    verdict = entailment(
        _task("How many DNA copies are in the mass of sample S1?", "750", calls, derivation), tools
    )
    assert verdict.ok and verdict.solution == [0, 1]


def test_comparison_recomputes_entity(tools: dict[str, Tool]) -> None:
    calls = [
        *_chain(tools),
        _call(tools, "general.fake.capital", {"country": "France"}, input_value="France"),
        _call(tools, "general.fake.population", {"city": "Paris"}, input_from=2, input_key="capital"),
    ]
    operands = [(1, "population"), (3, "population")]
    derivation = Derivation(2, "q", "Kenya", ["comparison"], 1, "population", "argmax", operands)
    question = "For which country, Kenya or France, is the population of the capital larger?"
    task = _task(question, "Kenya", calls, derivation)
    verdict = entailment(task, tools)
    assert verdict.ok and verdict.solution == [0, 1, 2, 3]
    outputs = [c.output for c in calls]
    assert recompute_task(task, outputs) == "Kenya"
    assert recompute_answer(derivation, outputs) is None  # an entity answer needs the subjects
    assert recompute_answer(derivation, outputs, ["Kenya", "France"]) == "Kenya"
    no_operands = _task(question, "Kenya", calls)  # found by search among the outputs
    assert entailment(no_operands, tools).ok


@pytest.mark.parametrize(
    ("operation", "expected"),
    [("value", "5"), ("max", "7"), ("min", "5"), ("sum", "12"), ("difference", "-2"), ("argmin", "A")],
)
def test_operations(operation: str, expected: str) -> None:
    outputs = [{"x": 5}, {"x": 7}]
    derivation = Derivation(1, "q", "", [], 0, "x", operation, [(0, "x"), (1, "x")])
    assert operation in OPERATIONS
    assert recompute_answer(derivation, outputs, ["A", "B"]) == expected


def test_recompute_refuses_ties_missing_and_text() -> None:
    tie = Derivation(1, "q", "", [], 0, "x", "argmax", [(0, "x"), (1, "x")])
    assert recompute_answer(tie, [{"x": 1}, {"x": 1}], ["A", "B"]) is None
    assert recompute_answer(tie, [{"x": 1}, None], ["A", "B"]) is None
    summed = Derivation(1, "q", "", [], 0, "x", "sum", [(0, "x"), (1, "x")])
    assert recompute_answer(summed, [{"x": "a"}, {"x": 2}]) is None
    nested = Derivation(1, "q", "", [], 0, "sex_ratio/at birth", "value", [(0, "sex_ratio/at birth")])
    assert recompute_answer(nested, [{"sex_ratio": {"at birth": "1.06"}}]) == "1.06"
    assert recompute_answer(Derivation(1, "q", "", [], 0, "x", "value"), [{"x": 0.1 + 0.2}]) == "0.3"


def test_values_match_tolerance() -> None:
    assert values_match("4,397,073", 4397073) and values_match("0.0931", 0.09312866)
    assert not values_match("0.1", 0.14) and not values_match("Nairobi", "Paris")
    assert values_match(" nairobi ", "Nairobi")


def test_named_tools(tools: dict[str, Tool]) -> None:
    assert named_tools("What is the capital of Kenya?", tools) == []
    assert named_tools("Use general.fake.capital on Kenya.", tools) == ["general.fake.capital"]
    assert named_tools("Call general__fake__capital for Kenya", tools) == ["general__fake__capital"]
    assert "fake.codon_index" in named_tools("Run fake.codon_index on it.", tools)
    assert named_tools("step 1: capital of Kenya; step 2: its population", tools) == ["step 1", "step 2"]
