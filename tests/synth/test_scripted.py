"""The scripted synthesizer on a small fake pool: chaining, determinism, resume, variety, diversity."""

from __future__ import annotations

from dive.pools.seeds import Seed
from dive.records import Call
from dive.synth.diversity import Trace, call_graph, diversity_metrics, graph_key
from dive.synth.sampling import SynthSettings
from dive.synth.scripted import synthesize
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


def test_calls_chain_and_answer_is_entailed() -> None:
    tools = _fake_tools()
    tasks = [t for t in synthesize(tools, SEEDS, EXEMPLARS, _settings()) if t.rejected is None]
    assert tasks
    for task in tasks:
        calls = task.calls
        assert task.seed is not None
        assert [c.tool.split(".")[-1] for c in calls] == ["capital", "city_population", "double"]
        assert calls[1].arguments["city"] == CAPITALS[task.seed.name]  # output fed forward
        assert (calls[1].input_from, calls[1].input_key) == (0, "capital")
        assert task.answer == str(2 * POPULATION[CAPITALS[task.seed.name]])
        assert "multi-hop" in task.structure and "computation" in task.structure
        assert len(task.derivation) == 3  # one (Q, A) per round, each harder


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
