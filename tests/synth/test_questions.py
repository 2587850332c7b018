"""Scripted tasks over the real pool read like questions a person would ask.

For every kept task: the question with earlier tool outputs determines every argument of its solution
calls (checked by :func:`entailment` and again here, independently), it names no tool and no step, and
replaying its solution calls with the real tools recomputes its answer. A majority is kept, and the
exemplars' structures occur.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

import pytest

from dive.pools.exemplars import load_exemplars
from dive.pools.seeds import load_seeds
from dive.records import Task
from dive.synth.sampling import SynthSettings
from dive.synth.scripted import synthesize
from dive.synth.verify import entailment, named_tools, recompute_task
from dive.tools.base import Tool
from dive.tools.registry import load_tools

DOMAINS = ("general", "science", "finance")
TASKS = 150


@pytest.fixture(scope="module")
def pool() -> dict[str, Tool]:
    return {tid: t for tid, t in load_tools(DOMAINS).items() if t.available() is None}


@pytest.fixture(scope="module")
def synthesized(pool: dict[str, Tool]) -> tuple[list[Task], Counter[str]]:
    """(kept tasks, rejection reasons) of one seeded run."""
    settings = SynthSettings(TASKS, None, 3, 8, 3, 5, 2, 2, 0, "train")
    records = list(synthesize(pool, load_seeds(DOMAINS, split="train"), load_exemplars(), settings))
    kept, rejected = [], Counter[str]()
    for task in records:
        reason = task.rejected
        if reason is None and named_tools(task.question, pool):
            reason = "names_tools"
        if reason is None and not (verdict := entailment(task, pool)).ok:
            reason = f"not_entailed/{verdict.reason}"
        if reason is None:
            kept.append(task)
        else:
            rejected[reason] += 1
    structures = Counter(tag for task in kept for tag in task.structure)
    print(f"\nkept {len(kept)}/{len(records)}; rejected {dict(rejected)}; structures {dict(structures)}")
    return kept, rejected


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def _numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in re.findall(r"-?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?", text, re.I)]


def _fed(value: Any, name: str, tool: Tool, earlier: list[tuple[Tool, Any]]) -> bool:
    """Whether an earlier output holds ``value``, under the same specific kind for a number."""
    for source, output in earlier:
        if not isinstance(output, dict):
            continue
        for key, held in output.items():
            if value not in _leaves(held):
                continue
            if isinstance(value, str):
                return True
            kind = source.produces.get(key, "number")
            if kind == tool.accepts.get(name) and kind != "number":
                return True
    return False


def _argument_problems(task: Task, solution: list[int], pool: dict[str, Tool]) -> list[str]:
    """Arguments of the solution calls that neither the question nor an earlier output determines."""
    question = task.question.casefold()
    numbers = _numbers(task.question)
    problems = []
    for n, index in enumerate(solution):
        call = task.calls[index]
        tool = pool[call.tool]
        earlier = [(pool[task.calls[j].tool], task.calls[j].output) for j in solution[:n]]
        for name, value in call.arguments.items():
            if tool.parameters["properties"][name].get("default", object()) == value:
                continue
            for leaf in _leaves(value):
                if isinstance(leaf, bool):
                    stated = name.replace("_", " ") in question
                elif isinstance(leaf, str):
                    stated = leaf.casefold() in question
                else:
                    stated = any(math.isclose(leaf, x, rel_tol=1e-9) for x in numbers)
                if not (stated or _fed(leaf, name, tool, earlier)):
                    problems.append(f"{call.tool}({name}={leaf!r})")
    return problems


def test_kept_share_and_structures(synthesized: tuple[list[Task], Counter[str]]) -> None:
    kept, rejected = synthesized
    assert len(kept) > 0.5 * TASKS, rejected
    structures = Counter(tag for task in kept for tag in task.structure)
    assert {"lookup", "multi-hop", "computation"} <= set(structures), structures
    assert len({"comparison", "aggregation", "ranking"} & set(structures)) >= 2, structures


def test_question_determines_every_argument(
    synthesized: tuple[list[Task], Counter[str]], pool: dict[str, Tool]
) -> None:
    for task in synthesized[0]:
        solution = entailment(task, pool).solution
        assert solution and task.answer_call in solution
        assert _argument_problems(task, solution, pool) == [], task.question


def test_question_names_no_tool_and_no_step(
    synthesized: tuple[list[Task], Counter[str]], pool: dict[str, Tool]
) -> None:
    for task in synthesized[0]:
        text = task.question.casefold()
        for tool in (pool[tid] for tid in task.toolset):
            for name in (tool.id, tool.name, tool.id.split(".", 1)[1]):
                assert name.casefold() not in text, (name, task.question)
        assert not re.search(r"\bstep \d|\bthe tools?\b|__", text), task.question


def test_replayed_solution_recomputes_the_answer(
    synthesized: tuple[list[Task], Counter[str]], pool: dict[str, Tool]
) -> None:
    for task in synthesized[0]:
        outputs: list[Any] = [None] * len(task.calls)
        for index in entailment(task, pool).solution:
            call = task.calls[index]
            result = pool[call.tool](call.arguments)  # the real tool, called again
            outputs[index] = result.output if result.ok else None
        assert recompute_task(task, outputs) == task.answer, task.question
