"""The scripted evidence-first synthesizer: offline, deterministic, real tools.

Per task (paper §2): sample a toolset (one of V pre-sampled ones, or a fresh one), a seed entity whose
kind some tool of the toolset accepts, and 3-5 query-only exemplars. Then for K rounds:

* evidence collection (dive/synth/collect.py): call real tools of the toolset, each fed an entity found
  so far (the seed, or an entity a previous call returned: a capital city, a gene's chromosome), so
  calls chain. Chains follow entity kinds only: a bare ``number`` never feeds another tool. Inputs no
  chain feeds are stated in the question as given values;
* task derivation: a (Q, A) the recorded outputs entail. The question names the goal as a nested noun
  phrase over the chain (dive/synth/phrasing.py), never a tool or a step; the answer is recomputed
  from the outputs by the derivation's operation (dive/synth/verify.py). The exemplars' structures
  pick the operation: one more hop each round, and in the last round a comparison, aggregation or
  ranking over sibling seeds of the same kind, or a computation by a processing tool.

An LLM synthesizer (dive/synth/llm.py) replaces these choices with model calls; the trace format and the
task record stay the same.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from dive.pools.seeds import Seed
from dive.records import Call, Derivation, Task
from dive.synth.collect import Collector, answer_fields
from dive.synth.phrasing import Ask, Hop, question
from dive.synth.sampling import SynthSettings, draws, sample_seed, seeds_by_kind
from dive.synth.verify import (
    GENERIC_KINDS,
    call_chain,
    format_value,
    is_number,
    output_value,
    recompute_answer,
)
from dive.tools.base import Tool

__all__ = ["call_chain", "format_value", "synthesize"]

SEED_ATTEMPTS = 3  # seeds tried per task before it is rejected for lack of evidence
SIBLING_ATTEMPTS = 6  # sibling seeds tried for a comparison, aggregation or ranking
MULTI = ("comparison", "aggregation", "ranking")  # structures over several subjects
REALISED = (*MULTI, "computation")
IDENTIFIER_KEY = re.compile(r"(?:^|_)(?:id|cik|code|number|year|zip|phone|rank|chapter|position)s?(?:$|_)")
OPERATIONS = {
    "comparison": ("argmax", "argmin", "max", "min"),
    "aggregation": ("sum", "difference"),
    "ranking": ("argmax", "argmin", "max", "min"),
}


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


def target_structure(exemplars: Sequence[Mapping[str, Any]], rng: random.Random) -> str:
    """Policy: the structure to realise beyond lookup / multi-hop, drawn among the exemplars' tags
    ("" when they ask for none of comparison, aggregation, ranking or computation)."""
    tags = sorted({tag for e in exemplars for tag in e.get("structure", [])} & set(REALISED))
    return rng.choice(["", *tags]) if tags else ""


def _one_task(
    index: int,
    toolset: list[Tool],
    seeds: Mapping[str, Sequence[Seed]],
    exemplars: Sequence[Mapping[str, Any]],
    s: SynthSettings,
    rng: random.Random,
) -> Task:
    ids = [t.id for t in toolset]
    target = target_structure(exemplars, rng)
    accepted = {kind for t in toolset for kind in t.accepts.values()} - GENERIC_KINDS
    for _ in range(SEED_ATTEMPTS):  # a seed the entry tool does not know (a city missing from its table)
        seed = sample_seed(seeds, accepted, rng)
        if seed is None:
            return Task(index, ids, rejected="no_entry_tool")
        collector = Collector(toolset, seed, rng, prefer_processing=target == "computation")
        collector.collect(1, s.calls_per_round)
        if any(c.ok for c in collector.calls):
            break
    history: list[Derivation] = []
    for round_ in range(1, s.rounds + 1):
        if round_ > 1:
            collector.collect(round_, s.calls_per_round)
        final = round_ == s.rounds
        derived = derive(collector, seeds, target if final else "", round_, rng)
        if derived is not None:
            history.append(derived)
    calls = collector.calls
    if not any(c.ok for c in calls):
        return Task(index, ids, calls=calls, rejected="no_evidence")
    if not history:
        return Task(index, ids, calls=calls, rejected="no_answer")
    last = history[-1]
    task_id = hashlib.sha256(f"{s.split}|{s.seed}|{index}|{seed.name}".encode()).hexdigest()[:12]
    return Task(
        index,
        ids,
        id=f"{s.split}-{task_id}",
        question=last.question,
        answer=last.answer,
        answer_call=last.answer_call,
        structure=last.structure,
        domain=seed.domain,
        seed=seed,
        exemplars=[e["question"] for e in exemplars],
        calls=calls,
        evidence=[_evidence_line(c) for c in calls if c.ok],
        derivation=history,
    )


def _evidence_line(call: Call) -> str:
    result = json.dumps(call.output, ensure_ascii=False, sort_keys=True)[:2000]
    return f"INFO: Used {call.tool} with {json.dumps(call.arguments, default=str)} -> {result}"


# ---------------------------------------------------------------------------------------------
# task derivation


def derive(
    collector: Collector,
    seeds: Mapping[str, Sequence[Seed]],
    target: str,
    round_: int,
    rng: random.Random,
) -> Derivation | None:
    """Policy: the (question, answer) the evidence so far entails, or None if it entails nothing usable.

    The answer call ends the longest recorded chain (a processing call first when a computation is
    wanted); for a comparison, aggregation or ranking the same chain is followed from sibling seeds.
    """
    calls = collector.calls
    ends = [i for i, c in enumerate(calls) if c.ok and answer_fields(c, collector.tools[c.tool])]
    if not ends:
        return None
    processing = target == "computation"
    ends.sort(key=lambda i: (processing and calls[i].type == "P", len(call_chain(calls, i)), i), reverse=True)
    if target in MULTI:
        for end in ends[:3]:
            derived = _multi(collector, seeds, end, target, round_, rng)
            if derived is not None:
                return derived
    end = ends[0]
    fields = answer_fields(calls[end], collector.tools[calls[end].tool])
    key = fields[rng.randrange(min(2, len(fields)))][0]
    return _derivation(collector, [end], key, "value", round_, rng)


def _multi(
    collector: Collector,
    seeds: Mapping[str, Sequence[Seed]],
    end: int,
    target: str,
    round_: int,
    rng: random.Random,
) -> Derivation | None:
    """The chain ending at ``end`` followed from 1 (comparison, aggregation) or 2 (ranking) sibling
    seeds of the same kind, compared, summed or ranked by a numeric output key."""
    calls = collector.calls
    tool = collector.tools[calls[end].tool]
    numeric = [k for k, v in answer_fields(calls[end], tool) if is_number(v) and is_quantity(tool, k)]
    root = calls[call_chain(calls, end)[0]]
    if not numeric or root.input_from >= 0 or root.input_value is None:
        return None
    key = numeric[0]
    need = 2 if target == "ranking" else 1
    pool = [s for s in seeds.get(collector.seed.kind, []) if s.name != collector.seed.name]
    found: list[int] = []
    values = {output_value(calls[end].output, key)}
    for sibling in rng.sample(pool, min(len(pool), SIBLING_ATTEMPTS)):
        other = collector.follow(call_chain(calls, end), sibling.name, round_)
        value = output_value(calls[other].output, key) if other is not None else None
        if other is not None and is_number(value) and value not in values:  # a tie answers nothing
            found.append(other)
            values.add(value)
        if len(found) == need:
            operation = rng.choice(OPERATIONS[target])
            ends = [end, *found]
            if operation == "difference":  # larger minus smaller, so the question reads "exceed by"
                ends.sort(key=lambda i: output_value(calls[i].output, key), reverse=True)
            return _derivation(collector, ends, key, operation, round_, rng, target)
    return None


def is_quantity(tool: Tool, key: str) -> bool:
    """A number worth comparing or adding: not an identifier or a year (a CIK, a code, a date part)."""
    return tool.produces.get(key, "number") in GENERIC_KINDS and not IDENTIFIER_KEY.search(key)


def _derivation(
    collector: Collector,
    ends: list[int],
    key: str,
    operation: str,
    round_: int,
    rng: random.Random,
    structure: str = "",
) -> Derivation | None:
    """The derivation of ``operation`` over output ``key`` of the chains ending at ``ends``: its answer
    recomputed from the outputs (None on a tie), its question phrased from the first chain."""
    calls = collector.calls
    chain = call_chain(calls, ends[0])
    roots = [calls[call_chain(calls, i)[0]].input_value for i in ends]
    subjects = [format_value(r) for r in roots if r is not None]
    operands = [(i, key) for i in ends]
    draft = Derivation(round_, "", "", [], ends[0], key, operation, operands)
    answer = recompute_answer(draft, [c.output for c in calls], subjects)
    if answer is None:
        return None
    hops = [_hop(collector, chain, n, key) for n in range(len(chain))]
    ask = Ask(hops, collector.seed.kind if subjects else "", subjects, operation)
    tags = ["multi-hop" if len(chain) > 1 else "lookup"]
    tags += ["computation"] if any(calls[i].type == "P" for i in chain) else []
    tags += [structure] if structure else []
    tags += ["temporal"] if collector.temporal(chain) else []
    return dataclasses.replace(draft, question=question(ask, rng), answer=answer, structure=tags)


def _hop(collector: Collector, chain: Sequence[int], n: int, answer_key: str) -> Hop:
    """The n-th call of a chain as a question names it: the output key read from it (what the next
    call took, or the answer), whether that was a list's first item, and what the call was fed."""
    calls, index = collector.calls, chain[n]
    tool = collector.tools[calls[index].tool]
    given = tuple(collector.given_of[index].items())
    if n + 1 == len(chain):
        return Hop(tool, answer_key, False, collector.param_of[index], given)
    key = calls[chain[n + 1]].input_key
    output = calls[index].output
    first = isinstance(output, dict) and isinstance(output.get(key), list)
    return Hop(tool, key, first, collector.param_of[index], given)
