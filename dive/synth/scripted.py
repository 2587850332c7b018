"""The scripted evidence-first synthesizer: offline, deterministic, real tools.

Per task (paper §2): sample a toolset (one of V pre-sampled ones, or a fresh one), a seed entity whose
kind some tool of the toolset accepts, and 3-5 query-only exemplars. Then for K rounds:

* evidence collection: call real tools of the toolset, each fed an entity found so far (the seed, or a
  value a previous call returned: a capital city, a gene's chromosome, a price), so calls chain;
* task derivation: rewrite (Q, A) so the recorded outputs entail it. The answer is a value copied from a
  call's output; the question walks the chain of calls that leads to it (one more hop each round, when
  the evidence allows), in the structure the exemplars suggest (lookup, multi-hop, comparison, ...).

An LLM synthesizer (a later backend) replaces the two choices marked "policy" below with model calls;
the loop, the trace format and the task record stay the same.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from dive.pools.seeds import Seed
from dive.records import Call, Derivation, Task
from dive.synth.sampling import SynthSettings, draws, sample_seed, seeds_by_kind
from dive.tools.base import Tool

SEED_ATTEMPTS = 3  # seeds tried per task before it is rejected for lack of evidence


@dataclasses.dataclass(frozen=True)
class Entity:
    kind: str
    value: Any
    source: int  # index of the call whose output held it; -1 for the seed
    key: str  # output key it came from ("" for the seed)


def synthesize(
    tools: Mapping[str, Tool],
    seeds: Sequence[Seed],
    exemplars: Sequence[Mapping[str, Any]],
    s: SynthSettings,
    start: int = 0,
    indices: Sequence[int] | None = None,
) -> Iterator[Task]:
    """Yield one record per task index (``indices``, default [start, quantity)): a task, or a rejection
    with its reason. Each index has its own RNG, so a resumed run produces exactly what an unbroken one
    would."""
    by_kind = seeds_by_kind(seeds)
    wanted = range(start, s.quantity) if indices is None else indices
    for draw in draws(tools, by_kind, exemplars, s, wanted):
        yield _one_task(draw.index, draw.toolset, by_kind, draw.exemplars, s, draw.rng)


def _one_task(
    index: int,
    toolset: list[Tool],
    seeds: Mapping[str, Sequence[Seed]],
    exemplars: Sequence[Mapping[str, Any]],
    s: SynthSettings,
    rng: random.Random,
) -> Task:
    accepted = {kind for t in toolset for kind in t.accepts.values()}
    ids = [t.id for t in toolset]
    shots = exemplars
    for _ in range(SEED_ATTEMPTS):  # a seed the entry tool does not know (a city missing from its table)
        seed = sample_seed(seeds, accepted, rng)
        if seed is None:
            return Task(index, ids, rejected="no_entry_tool")
        known = [Entity(seed.kind, seed.name, -1, "")]
        calls: list[Call] = []
        _collect(toolset, known, calls, 1, s.calls_per_round, rng)
        if any(c.ok for c in calls):
            break
    history: list[Derivation] = []
    for round_ in range(1, s.rounds + 1):
        if round_ > 1:
            _collect(toolset, known, calls, round_, s.calls_per_round, rng)
        derived = derive(seed, calls, [e.get("structure", []) for e in shots], round_)
        if derived is not None:
            history.append(derived)
    if not any(c.ok for c in calls):
        return Task(index, ids, calls=calls, rejected="no_evidence")
    if not history:
        return Task(index, ids, calls=calls, rejected="no_answer")
    final = history[-1]
    task_id = hashlib.sha256(f"{s.split}|{s.seed}|{index}|{seed.name}".encode()).hexdigest()[:12]
    return Task(
        index,
        ids,
        id=f"{s.split}-{task_id}",
        question=final.question,
        answer=final.answer,
        answer_call=final.answer_call,
        structure=final.structure,
        domain=seed.domain,
        seed=seed,
        exemplars=[e["question"] for e in shots],
        calls=calls,
        evidence=[_evidence_line(c) for c in calls if c.ok],
        derivation=history,
    )


# ---------------------------------------------------------------------------------------------
# evidence collection


def _collect(
    toolset: list[Tool],
    known: list[Entity],
    calls: list[Call],
    round_: int,
    n: int,
    rng: random.Random,
) -> None:
    for _ in range(n):
        choice = _next_call(toolset, known, calls, rng)
        if choice is None:
            return
        tool, param, entity = choice
        arguments = {**(tool.examples[0] if tool.examples else {}), param: entity.value}
        result = tool(arguments)
        index = len(calls)
        calls.append(
            Call.from_result(
                tool.id,
                arguments,
                result,
                turn=index,
                type=tool.type,
                round=round_,
                input_from=entity.source,
                input_key=entity.key,
                input_value=entity.value,
                produces=list(tool.produces),
            )
        )
        if result.ok:
            known.extend(_entities(tool, result.output, index))


def _next_call(
    toolset: list[Tool], known: list[Entity], calls: list[Call], rng: random.Random
) -> tuple[Tool, str, Entity] | None:
    """Policy: prefer the newest entities (deeper chains) and tools not yet called (wider coverage)."""
    done = {(c.tool, json.dumps(c.arguments, sort_keys=True, default=str)) for c in calls}
    used = {c.tool for c in calls}
    options = []
    for entity in known:
        for tool in toolset:
            for param, kind in tool.accepts.items():
                if kind != entity.kind:
                    continue
                args = {**(tool.examples[0] if tool.examples else {}), param: entity.value}
                if (tool.id, json.dumps(args, sort_keys=True, default=str)) in done:
                    continue
                options.append(((entity.source, tool.id not in used), tool, param, entity))
    if not options:
        return None
    best = max(rank for rank, *_ in options)
    top = [o for o in options if o[0] == best]
    _, tool, param, entity = top[rng.randrange(len(top))]
    return tool, param, entity


def _entities(tool: Tool, output: Any, index: int) -> list[Entity]:
    found = []
    if not isinstance(output, dict):
        return found
    for key, kind in tool.produces.items():
        value = output.get(key)
        values = value[:2] if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, str | int | float) and not isinstance(v, bool) and str(v).strip():
                found.append(Entity(kind, v, index, key))
    return found


def _evidence_line(call: Call) -> str:
    result = json.dumps(call.output, ensure_ascii=False, sort_keys=True)[:2000]
    return f"INFO: Used {call.tool} with {json.dumps(call.arguments, default=str)} -> {result}"


# ---------------------------------------------------------------------------------------------
# task derivation


def _answer_fields(call: Call) -> list[tuple[str, Any]]:
    """Scalar (key, value) pairs of a call's output that can serve as an answer, best first.

    Keys the tool declares it produces come first; values that merely echo an argument never count.
    """
    output = call.output
    if not isinstance(output, dict):
        return [("result", output)] if isinstance(output, str | int | float) else []
    echoed = {str(v).strip().lower() for v in call.arguments.values()}
    pairs = []
    for key, value in output.items():
        if isinstance(value, bool) or value is None or str(value).strip().lower() in echoed:
            continue
        if value == 0 and any(word in key for word in ("total", "count")):  # "how many? none" asks nothing
            continue
        if isinstance(value, int | float) or (isinstance(value, str) and 0 < len(value) <= 120):
            pairs.append((key, value))
    preferred = call.produces
    return sorted(
        pairs, key=lambda kv: (kv[0] not in preferred, preferred.index(kv[0]) if kv[0] in preferred else 0)
    )


def call_chain(calls: Sequence[Call], index: int) -> list[int]:
    """Indices of the calls that lead from the seed to call ``index`` (its data-flow ancestry), in order."""
    chain = []
    while index >= 0:
        chain.append(index)
        index = calls[index].input_from
    return chain[::-1]


def format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _step_text(calls: Sequence[Call], i: int, step_of: Mapping[int, int], seed: Seed) -> str:
    call = calls[i]
    source = call.input_from
    given = (
        f"the {seed.kind.replace('_', ' ')} '{seed.name}'"
        if source < 0
        else (f"the {call.input_key.replace('_', ' ')} found in step {step_of[source]}")
    )
    name = call.tool.split(".")[-1].replace("_", " ")
    return f"step {step_of[i]}: {name} for {given}"


def derive(
    seed: Seed, calls: Sequence[Call], shot_structures: Sequence[Sequence[str]], round_: int
) -> Derivation | None:
    """Policy: the (question, answer) the evidence so far entails, or None if it entails nothing usable.

    The answer call is the successful call with the longest chain back to the seed (the hardest
    question the evidence supports); a comparison is asked instead when the exemplars call for one and
    two numeric facts from different calls are at hand.
    """
    good = [i for i, c in enumerate(calls) if c.ok and _answer_fields(c)]
    if not good:
        return None
    answer_call = max(good, key=lambda i: (len(call_chain(calls, i)), i))
    chain = call_chain(calls, answer_call)
    step_of = {c: n + 1 for n, c in enumerate(chain)}
    key, value = _answer_fields(calls[answer_call])[0]
    steps = "; ".join(_step_text(calls, i, step_of, seed) for i in chain)
    wanted = {tag for tags in shot_structures for tag in tags}
    structure = ["multi-hop" if len(chain) > 1 else "lookup"]
    if calls[answer_call].type == "P":
        structure.append("computation")
    question = (
        f"Starting from the {seed.kind.replace('_', ' ')} '{seed.name}', work through these steps with the "
        f"tools: {steps}. What is the {key.replace('_', ' ')} obtained in step {step_of[answer_call]}?"
    )
    answer = format_value(value)
    comparison = _comparison(calls, answer_call) if "comparison" in wanted else None
    if comparison is not None:
        other, other_key, other_value = comparison
        question += (
            f" Also find the {other_key.replace('_', ' ')} of '{_subject(calls, other, seed)}' with "
            f"{calls[other].tool.split('.')[-1].replace('_', ' ')}, and answer with the larger of the two "
            "numbers."
        )
        answer = format_value(max(float(value), float(other_value)))
        structure.append("comparison")
    return Derivation(round_, question, answer, structure, answer_call, key)


def _comparison(calls: Sequence[Call], answer_call: int) -> tuple[int, str, Any] | None:
    value = _answer_fields(calls[answer_call])[0][1]
    if not isinstance(value, int | float):
        return None
    for i, call in enumerate(calls):
        if i == answer_call or not call.ok:
            continue
        for key, other in _answer_fields(call):
            if isinstance(other, int | float) and other != value:
                return i, key, other
    return None


def _subject(calls: Sequence[Call], i: int, seed: Seed) -> str:
    """The entity a call was made about (what a question names when it refers to that call)."""
    value = calls[i].input_value
    return format_value(seed.name if value is None else value)
