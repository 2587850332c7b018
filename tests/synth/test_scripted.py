"""The scripted synthesizer on a small fake pool: chaining on kinds, structures, determinism, resume,
variety, diversity."""

from __future__ import annotations

from typing import Any

from dive.pools.seeds import Seed
from dive.records import Call, Task
from dive.synth.diversity import Trace, call_graph, diversity_metrics, graph_key
from dive.synth.sampling import SynthSettings
from dive.synth.scripted import synthesize
from dive.synth.verify import entailment, named_tools, recompute_task
from dive.tools.base import REGISTRY, Tool, ToolError, tool

CAPITALS = {"Kenya": "Nairobi", "France": "Paris", "Japan": "Tokyo"}
POPULATION = {"Nairobi": 4397073, "Paris": 2138551, "Tokyo": 8336599}


def _fake_tools() -> dict[str, Tool]:
    ids = ["general.fake.capital", "general.fake.city_population", "general.fake.double"]
    for tid in ids:
        REGISTRY.pop(tid, None)

    @tool(
        ids[0],
        "R",
        params={"country": "Country name, e.g. 'Kenya'."},
        examples=[{"country": "Kenya"}],
        package="dive",
        requires=[],
        accepts={"country": "country"},
        produces={"capital": "city"},
    )
    def capital(country: str) -> dict:
        """Capital city of a country."""
        if country not in CAPITALS:
            raise ToolError(f"unknown country {country!r}")
        return {"country": country, "capital": CAPITALS[country]}

    @tool(
        ids[1],
        "R",
        params={"city": "City name, e.g. 'Paris'."},
        examples=[{"city": "Paris"}],
        package="dive",
        requires=[],
        accepts={"city": "city"},
        produces={"population": "number"},
    )
    def city_population(city: str) -> dict:
        """Population of a city."""
        return {"city": city, "population": POPULATION[city]}

    @tool(
        ids[2],
        "P",
        params={"x": "A number, e.g. 2."},
        examples=[{"x": 2}],
        package="dive",
        requires=[],
        accepts={"x": "number"},
        produces={"result": "number"},
    )
    def double(x: float) -> dict:
        """Twice a number."""
        return {"result": 2 * x}

    return {tid: REGISTRY.pop(tid) for tid in ids}


SEEDS = [Seed("general", "country", c) for c in CAPITALS]
EXEMPLARS = [{"question": "q", "structure": ["multi-hop"], "domain": "general"}] * 5


def _settings(**kw: object) -> SynthSettings:
    base = dict(
        quantity=6,
        variety=None,
        toolset_min=3,
        toolset_max=3,
        exemplars_min=3,
        exemplars_max=5,
        rounds=3,
        calls_per_round=1,
        seed=0,
        split="train",
    )
    return SynthSettings(**{**base, **kw})  # type: ignore[arg-type]


def _shots(structure: str) -> list[dict[str, Any]]:
    return [{"question": "q", "structure": [structure], "domain": "general"}] * 5


def _kept(tools: dict[str, Tool], exemplars: list[dict[str, Any]], **kw: object) -> list[Task]:
    """The tasks synthesized, each checked: entailed, naming no tool, its answer recomputable."""
    tasks = [t for t in synthesize(tools, SEEDS, exemplars, _settings(**kw)) if t.rejected is None]
    assert tasks
    for task in tasks:
        assert entailment(task, tools).ok, task.question
        assert named_tools(task.question, tools) == [], task.question
        assert recompute_task(task, [c.output for c in task.calls]) == task.answer
    return tasks


def test_calls_chain_on_entity_kinds_and_answer_is_entailed() -> None:
    tools = _fake_tools()
    for task in _kept(tools, EXEMPLARS):
        calls = task.calls
        assert task.seed is not None
        assert [c.tool.split(".")[-1] for c in calls] == ["capital", "city_population"]
        assert calls[1].arguments["city"] == CAPITALS[task.seed.name]  # output fed forward
        assert (calls[1].input_from, calls[1].input_key) == (0, "capital")
        assert task.answer == str(POPULATION[CAPITALS[task.seed.name]])
        assert task.structure == ["multi-hop"] and task.derivation[-1].operands == [(1, "population")]
        assert f"capital city of the country {task.seed.name}" in task.question  # the goal, not the tools
        assert "population" in task.question and "step" not in task.question
        assert len(task.derivation) == 3  # one (Q, A) per round


def test_generic_number_never_feeds_another_tool() -> None:
    """The population is a bare number: doubling it would chain a city size into any numeric input."""
    tools = _fake_tools()
    computed = _kept(tools, _shots("computation"))
    populations = set(POPULATION.values())
    for task in computed:
        assert not any(c.tool.endswith("double") and c.arguments["x"] in populations for c in task.calls)
    doubled = [t for t in computed if "computation" in t.structure]
    assert doubled
    for task in doubled:  # the calculator ran on an input the question states
        (call,) = [c for c in task.calls if c.tool.endswith("double")]
        assert str(call.arguments["x"]) in task.question and task.answer == str(2 * call.arguments["x"])


def test_comparison_aggregation_ranking_follow_sibling_seeds() -> None:
    tools = _fake_tools()
    seen = set()
    for structure, operands in (("comparison", 2), ("aggregation", 2), ("ranking", 3)):
        tasks = [t for t in _kept(tools, _shots(structure), quantity=12) if structure in t.structure]
        assert tasks, structure
        for task in tasks:
            derivation = task.derivation[-1]
            assert len(derivation.operands) == operands
            countries = {c.arguments["country"] for c in task.calls if "country" in c.arguments}
            assert len(countries) >= operands  # the chain was followed from sibling countries
            seen.add(derivation.operation)
    assert seen & {"argmax", "argmin"} and seen & {"sum", "difference"}


def test_deterministic_and_resumable() -> None:
    tools = _fake_tools()
    full = list(synthesize(tools, SEEDS, EXEMPLARS, _settings()))
    again = list(synthesize(tools, SEEDS, EXEMPLARS, _settings()))
    resumed = list(synthesize(tools, SEEDS, EXEMPLARS, _settings(), start=4))
    assert full == again
    assert resumed == full[4:]


def test_variety_bounds_unique_toolsets() -> None:
    tools = _fake_tools()
    one = list(synthesize(tools, SEEDS, EXEMPLARS, _settings(variety=1, toolset_min=2, toolset_max=2)))
    assert len({tuple(t.toolset) for t in one}) == 1


def test_diversity_metrics_on_hand_built_traces() -> None:
    chain = [
        Call("a", {"x": "Kenya"}, True, {"c": "Nairobi"}, turn=0),
        Call("b", {"city": "Nairobi"}, True, {"p": 5}, turn=1),
    ]
    parallel = [
        Call("a", {"x": "Kenya"}, True, {"c": "Nairobi"}, turn=0),
        Call("b", {"city": "Lagos"}, True, {"p": 5}, turn=1),
        Call("c", {"city": "Lagos"}, False, error="down", turn=2),  # failed calls are not in the graph
    ]
    assert call_graph(chain).number_of_edges() == 1 and call_graph(parallel).number_of_edges() == 0
    assert graph_key(call_graph(chain)) != graph_key(call_graph(parallel))
    metrics = diversity_metrics(
        [Trace(["a", "b"], chain), Trace(["a", "b", "c"], parallel)],
        {"a": "R", "b": "P"},
    )
    assert metrics["diversity/tools_covered"] == 2
    assert metrics["diversity/unique_toolsets"] == 2
    assert metrics["diversity/unique_call_sequences"] == 1
    assert metrics["diversity/unique_call_graphs"] == 2
    assert metrics["diversity/rp_topology_classes"] == 2
    assert metrics["diversity/tools_per_task"] == 2
