"""Checks every domain's tool pool must pass: tool counts, seed coverage and usability, exemplar file.

Plain functions taking the domain name (or its tools) and thresholds; each tests/tools/test_<domain>.py
calls them and keeps its own spot checks of real values.
"""

from __future__ import annotations

import collections
import json
import random
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pytest

from dive.pools.exemplars import EXEMPLAR_DIR, STRUCTURES, load_exemplars
from dive.pools.seeds import load_seeds
from dive.tools.base import Tool

ArgsFor = Callable[[Tool, str, str], dict[str, Any]]


def run_ok(tools: Mapping[str, Tool], tool_id: str, args: dict[str, Any]) -> Any:
    """Run a tool (skipping when its package is absent) and return its output, asserting success."""
    tool = tools[tool_id]
    if tool.available():
        pytest.skip(tool.available())
    result = tool(args)
    assert result.ok, result.error
    return result.output


def check_tool_counts(tools: Mapping[str, Tool], min_total: int = 95, min_retrieval: int = 38) -> None:
    kinds = collections.Counter(t.type for t in tools.values())
    assert len(tools) >= min_total and kinds["R"] >= min_retrieval, (len(tools), dict(kinds))


# ------------------------------------------------------------------------------------------------ seeds


def seeds_by_kind(domain: str) -> dict[str, list[str]]:
    """The domain's seed names, grouped by kind (kinds and names sorted)."""
    by_kind: dict[str, list[str]] = collections.defaultdict(list)
    for seed in load_seeds([domain]):
        by_kind[seed.kind].append(seed.name)
    return dict(by_kind)


def check_seed_count(
    by_kind: Mapping[str, list[str]], minimum: int = 5000, distinct_names: bool = False
) -> None:
    """At least ``minimum`` seeds ((kind, name) pairs, or names across kinds with ``distinct_names``)."""
    if distinct_names:
        count = len({name for names in by_kind.values() for name in names})
    else:
        count = sum(len(names) for names in by_kind.values())
    assert count >= minimum, f"only {count} seeds"


def check_seed_kinds_accepted(tools: Mapping[str, Tool], kinds: Iterable[str], minimum: int = 2) -> None:
    """Every seed kind is accepted by at least ``minimum`` tools of the pool."""
    for kind in kinds:
        accepting = sorted(t.id for t in tools.values() if kind in t.accepts.values())
        assert len(accepting) >= minimum, f"seed kind {kind} is accepted by {accepting}"


def accepting(tools: Mapping[str, Tool], kind: str, first_only: bool = False) -> list[tuple[Tool, str]]:
    """(tool, parameter) pairs of the runnable tools taking a ``kind`` seed, in pool order.

    ``first_only`` keeps one parameter per tool (the first taking that kind)."""
    pairs = []
    for tool in tools.values():
        if tool.available():
            continue
        params = [p for p, k in tool.accepts.items() if k == kind]
        pairs += [(tool, p) for p in params[:1]] if first_only else [(tool, p) for p in params]
    return pairs


def example_args(tool: Tool, param: str, name: str) -> dict[str, Any]:
    """The tool's first example with ``param`` set to the seed."""
    return {**tool.examples[0], param: name}


def example_args_listed(tool: Tool, param: str, name: str) -> dict[str, Any]:
    """As ``example_args``, wrapping the seed in a list where the parameter is an array."""
    is_list = tool.parameters["properties"][param].get("type") == "array"
    return {**tool.examples[0], param: [name] if is_list else name}


def bare_args(tool: Tool, param: str, name: str) -> dict[str, Any]:
    """Only the seed, for tools whose one required parameter is ``param``."""
    return {param: name}


def check_seeds_usable(
    kind: str,
    names: list[str],
    candidates: list[tuple[Tool, str]],
    args_for: ArgsFor = example_args,
    rng: random.Random | None = None,
    sample_size: int = 50,
    ratio: float = 0.9,
) -> None:
    """A fixed sample of ``sample_size`` seeds: >= ``ratio`` of them give an ok result with some candidate."""
    rng = rng or random.Random(0)
    sample = rng.sample(sorted(names), min(sample_size, len(names)))
    good = sum(any(tool(args_for(tool, param, name)).ok for tool, param in candidates) for name in sample)
    assert good >= ratio * len(sample), f"{kind}: only {good}/{len(sample)} seeds work"


# -------------------------------------------------------------------------------------------- exemplars


def check_exemplars(
    domain: str, min_rows: int = 65, min_tag_uses: int = 2, min_question_chars: int = 21
) -> None:
    """The domain's exemplar file: enough distinct, well-formed questions using every structure tag."""
    rows = load_exemplars([domain])
    path = EXEMPLAR_DIR / f"{domain}.jsonl"
    in_file = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert rows == in_file, f"{path.name} holds rows of another domain, or another file rows of {domain}"
    assert len(rows) >= min_rows
    used: collections.Counter[str] = collections.Counter()
    for row in rows:
        assert set(row) == {"question", "structure", "domain"} and row["domain"] == domain, row
        question = row["question"]
        assert isinstance(question, str) and len(question.strip()) >= min_question_chars, row
        assert row["structure"] and set(row["structure"]) <= set(STRUCTURES), row
        used.update(row["structure"])
    assert set(used) == set(STRUCTURES) and min(used.values()) >= min_tag_uses, dict(used)
    assert sum(len(r["structure"]) >= 2 for r in rows) > len(rows) / 2
    assert len({r["question"] for r in rows}) == len(rows)
