"""The LLM synthesizer: the paper's loop, with a model making every choice and real tools answering.

Per task (paper §2, and the structure of the DIVE release): the shared sampler draws a toolset, 3-5
query-only exemplars and a seed entity the toolset can take. Then for K rounds:

* **evidence collection**: the model gets the toolset as OpenAI tools, the seed and the findings so
  far, and calls tools within a step budget (``synth.calls_per_round``); every call runs the real tool
  and is recorded whole. Later rounds ask it to go broader or deeper without repeating a call;
* **task derivation**: the model sees the exemplars, the seed (round 1) or the current question (later
  rounds) and the evidence, and writes ``QUERY / ANSWER / REASONING`` (later ``EVOLVED_QUERY /
  EVOLVED_ANSWER``): a question the evidence entails, each round harder than the last.

What the model gets wrong is counted by reason, never raised: unknown tools, malformed tool calls, tool
errors and timeouts, derivations that do not parse. An endpoint that stays down raises
:class:`dive.llm.client.EndpointError`, so a run never ends with a silently empty dataset. Whether the
question is entailed by the evidence is decided afterwards, for both backends, by dive/synth/verify.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import re
from collections import Counter
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from dive.llm.client import Completion, LLMClient
from dive.llm.tool_runner import ToolRunner
from dive.pools.seeds import Seed
from dive.records import Call, Derivation, Task
from dive.synth.sampling import Draw, SynthSettings, draws, sample_seed, seeds_by_kind
from dive.tools.base import Tool, check_arguments

COLLECT_SYSTEM = (
    "You are a research agent collecting evidence with tools. Call the tools to find concrete, checkable "
    "facts about the given entity and about the entities those facts lead to. Call tools only; do not "
    "answer questions."
)
DERIVE_SYSTEM = (
    "You write one question a person would ask, whose answer is strictly entailed by the evidence. The "
    "question states its goal and every input needed to answer it (names, dates, amounts), and never "
    "names a tool or a sequence of steps. The answer is concise and comes from the tool results only."
)
TAGS = {1: ("QUERY", "ANSWER"), 2: ("EVOLVED_QUERY", "EVOLVED_ANSWER")}


@dataclasses.dataclass(frozen=True)
class LLMSettings:
    """Beyond SynthSettings: how much of a tool result the model sees, and how long a tool may run."""

    max_output_chars: int
    tool_timeout_s: float


@dataclasses.dataclass
class Tally:
    """What went wrong, by reason, over a run (logged as synth/llm/<reason>)."""

    counts: Counter[str] = dataclasses.field(default_factory=Counter)

    def add(self, reason: str, n: int = 1) -> None:
        self.counts[reason] += n

    def metrics(self, prefix: str = "synth/llm") -> dict[str, float]:
        return {f"{prefix}/{reason}": float(n) for reason, n in sorted(self.counts.items())}


async def synthesize_llm(
    tools: Mapping[str, Tool],
    seeds: Sequence[Seed],
    exemplars: Sequence[Mapping[str, Any]],
    s: SynthSettings,
    llm: LLMSettings,
    client: LLMClient,
    indices: Sequence[int],
    tally: Tally,
) -> AsyncIterator[Task]:
    """Yield one record per index, in completion order (the caller sorts), ``concurrency`` tasks at once."""
    by_kind = seeds_by_kind(seeds)
    runner = ToolRunner(llm.tool_timeout_s, workers=max(4, 2 * client.endpoint.concurrency))
    pending = list(draws(tools, by_kind, exemplars, s, indices))
    limit = asyncio.Semaphore(max(1, client.endpoint.concurrency))

    async def one(draw: Draw) -> Task:
        async with limit:
            return await _one_task(draw, by_kind, s, llm, client, runner, tally)

    try:
        for next_done in asyncio.as_completed([asyncio.ensure_future(one(d)) for d in pending]):
            yield await next_done
    finally:
        runner.close()


async def _one_task(
    draw: Draw,
    by_kind: Mapping[str, Sequence[Seed]],
    s: SynthSettings,
    llm: LLMSettings,
    client: LLMClient,
    runner: ToolRunner,
    tally: Tally,
) -> Task:
    ids = [t.id for t in draw.toolset]
    seed = sample_seed(by_kind, {k for t in draw.toolset for k in t.accepts.values()}, draw.rng)
    if seed is None:
        return Task(draw.index, ids, rejected="no_entry_tool")
    calls: list[Call] = []
    history: list[Derivation] = []
    for round_ in range(1, s.rounds + 1):
        await _collect(
            draw.toolset, seed, calls, history, round_, s.calls_per_round, llm, client, runner, tally
        )
        derived = await _derive(draw.exemplars, seed, calls, history, round_, llm, client, tally)
        if derived is not None:
            history.append(derived)
    if not any(c.ok for c in calls):
        return Task(draw.index, ids, calls=calls, rejected="no_evidence")
    if not history:
        return Task(draw.index, ids, calls=calls, rejected="no_derivation")
    final = history[-1]
    digest = hashlib.sha256(f"{s.split}|{s.seed}|{draw.index}|{seed.name}|llm".encode()).hexdigest()[:12]
    return Task(
        draw.index,
        ids,
        id=f"{s.split}-{digest}",
        question=final.question,
        answer=final.answer,
        structure=final.structure,
        domain=seed.domain,
        seed=seed,
        exemplars=[e["question"] for e in draw.exemplars],
        calls=calls,
        evidence=[_evidence_line(c, llm.max_output_chars) for c in calls if c.ok],
        derivation=history,
    )


# ---------------------------------------------------------------------------------------------
# evidence collection


def _collect_prompt(
    seed: Seed, calls: Sequence[Call], history: Sequence[Derivation], budget: int, chars: int
) -> str:
    text = f"Entity: {seed.name} (a {seed.kind.replace('_', ' ')}).\nYou may make up to {budget} tool calls."
    found = [_evidence_line(c, chars) for c in calls if c.ok]
    if found:
        text += (
            "\n\nFindings so far:\n"
            + "\n".join(found)
            + "\n\nGo broader or deeper: call tools on entities these findings mention, or on other aspects "
            "of the entity. Do not repeat a call already made."
        )
    if history:
        text += (
            f"\n\nThe current question is: {history[-1].question}\nFind evidence that would make it harder."
        )
    return text


async def _collect(
    toolset: Sequence[Tool],
    seed: Seed,
    calls: list[Call],
    history: Sequence[Derivation],
    round_: int,
    budget: int,
    llm: LLMSettings,
    client: LLMClient,
    runner: ToolRunner,
    tally: Tally,
) -> None:
    """One collection round: up to ``budget`` tool calls, the model seeing each result before the next."""
    by_name = {t.name: t for t in toolset}
    schemas = [t.openai_schema() for t in toolset]
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": COLLECT_SYSTEM},
        {"role": "user", "content": _collect_prompt(seed, calls, history, budget, llm.max_output_chars)},
    ]
    made = 0
    while made < budget:
        completion = await client.chat(messages, schemas)
        requests = completion.tool_calls[: budget - made]
        if not requests:
            tally.add("collection_stopped_early" if made else "collection_without_calls")
            return
        messages.append(_assistant(completion, requests))
        for request in requests:
            call = await _run_call(
                by_name, request.name, request.arguments, round_, len(calls), runner, tally
            )
            calls.append(call)
            messages.append(
                {"role": "tool", "tool_call_id": request.id, "content": call.shown(llm.max_output_chars)}
            )
        made += len(requests)


def _assistant(completion: Completion, requests: Sequence[Any]) -> dict[str, Any]:
    message = completion.message()
    if requests:
        kept = {r.id for r in requests}
        message["tool_calls"] = [c for c in message.get("tool_calls", []) if c["id"] in kept]
    return message


async def _run_call(
    by_name: Mapping[str, Tool],
    name: str,
    arguments: dict[str, Any],
    round_: int,
    index: int,
    runner: ToolRunner,
    tally: Tally,
) -> Call:
    tool = by_name.get(name)
    if tool is None:
        tally.add("unknown_tool")
        error = f"unknown tool {name!r}; available: {sorted(by_name)}"
        return Call(name, arguments, ok=False, error=error, turn=index, valid=False, round=round_)
    invalid = check_arguments(tool.parameters, arguments)
    result = await runner(tool, arguments)
    if not result.ok:
        tally.add("tool_timeout" if "timed out" in str(result.error) else "tool_error")
    return Call.from_result(
        tool.id,
        arguments,
        result,
        turn=index,
        valid=invalid is None,
        type=tool.type,
        round=round_,
        produces=list(tool.produces),
    )


def _evidence_line(call: Call, chars: int) -> str:
    arguments = json.dumps(call.arguments, ensure_ascii=False, default=str)
    return f"INFO: {call.tool} {arguments} -> {call.shown(chars)}"


# ---------------------------------------------------------------------------------------------
# task derivation


def _derive_prompt(
    exemplars: Sequence[Mapping[str, Any]],
    seed: Seed,
    calls: Sequence[Call],
    history: Sequence[Derivation],
    chars: int,
) -> str:
    query, answer = TAGS[1 if not history else 2]
    shots = "\n".join(f"- {e['question']}" for e in exemplars)
    evidence = "\n".join(_evidence_line(c, chars) for c in calls if c.ok) or "(none)"
    if history:
        start = f"Current question: {history[-1].question}\nCurrent answer: {history[-1].answer}\n" + (
            "Rewrite it into a harder question (more hops, a comparison or an aggregation) that the evidence "
            "still entails."
        )
    else:
        start = f"Seed entity: {seed.name} (a {seed.kind.replace('_', ' ')})."
    return (
        f"Example questions (style only; do not copy them):\n{shots}\n\n{start}\n\nEvidence:\n{evidence}\n\n"
        f"Reply in exactly this format:\n{query}: <the question>\n{answer}: <the answer, concise, from the "
        "tool results only>\nREASONING: <which results entail it>"
    )


def parse_derivation(text: str, round_: int) -> tuple[str, str] | None:
    """(question, answer) from a line-tagged reply; EVOLVED_ tags are accepted in any round."""
    fields: dict[str, str] = {}
    for tag in ("EVOLVED_QUERY", "EVOLVED_ANSWER", "QUERY", "ANSWER", "REASONING"):
        match = re.search(rf"(?:^|\n)\W*{tag}\W*:[\s*_]*(.+?)(?=\n\W*[A-Z_]+\W*:|\Z)", text, re.DOTALL)
        if match and tag not in fields:
            fields[tag] = match.group(1).strip()
    question = fields.get("EVOLVED_QUERY") or fields.get("QUERY")
    answer = fields.get("EVOLVED_ANSWER") or fields.get("ANSWER")
    if not question or not answer:
        return None
    return " ".join(question.split()), " ".join(answer.split()).rstrip(".")


async def _derive(
    exemplars: Sequence[Mapping[str, Any]],
    seed: Seed,
    calls: Sequence[Call],
    history: Sequence[Derivation],
    round_: int,
    llm: LLMSettings,
    client: LLMClient,
    tally: Tally,
) -> Derivation | None:
    if not any(c.ok for c in calls):
        tally.add("derivation_without_evidence")
        return None
    messages = [
        {"role": "system", "content": DERIVE_SYSTEM},
        {"role": "user", "content": _derive_prompt(exemplars, seed, calls, history, llm.max_output_chars)},
    ]
    completion = await client.chat(messages)
    parsed = parse_derivation(completion.content, round_)
    if parsed is None:
        tally.add("derivation_unparsed")
        return None
    question, answer = parsed
    # the model's structure is unknown; the verifier finds the calls that support the answer
    return Derivation(round_, question, answer, [], answer_call=-1, answer_key="")
