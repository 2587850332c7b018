"""The LLM teacher and judge (the release's solver and verifier).

The teacher gets the task's question and only its toolset, and may take ``max_rounds`` tool rounds
(the release: 30) before it must answer; every call runs the real tool. The judge is one call at the
judge role's temperature (0) that sees the question, the reference answer and the teacher's stated
answer, and replies ``JUDGEMENT: correct | partial | incorrect``. Rejection sampling: up to
``attempts`` tries per task, the first the judge calls correct is kept with the teacher's own messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dive.chat import final_answer
from dive.episodes import task_prompt
from dive.llm.client import LLMClient
from dive.llm.tool_runner import ToolRunner
from dive.records import Call, Task, Trajectory, Verdict
from dive.synth.llm import Tally
from dive.tools.base import Tool

JUDGE_SYSTEM = (
    "You grade answers against a ground truth. Reply with one line: JUDGEMENT: correct | partial | incorrect"
)
JUDGEMENTS = ("correct", "partial", "incorrect")


async def solve_task(
    task: Task,
    tools: Mapping[str, Tool],
    teacher: LLMClient,
    judge: LLMClient,
    attempts: int,
    max_rounds: int,
    max_chars: int,
    runner: ToolRunner,
    tally: Tally,
) -> Trajectory:
    """The first attempt the judge calls correct, or the last attempt with the judge's verdict."""
    last: Trajectory | None = None
    for _ in range(attempts):
        messages, schemas, stated = await _attempt(task, tools, teacher, max_rounds, max_chars, runner, tally)
        judgement = (
            "no_answer" if not stated else await grade(judge, task.question, task.answer, stated, tally)
        )
        tally.add(f"judgement/{judgement}")
        last = Trajectory(task.id, messages, schemas, Verdict(judgement == "correct", judgement))
        if judgement == "correct":
            break
    assert last is not None
    return last


async def _attempt(
    task: Task,
    tools: Mapping[str, Tool],
    teacher: LLMClient,
    max_rounds: int,
    max_chars: int,
    runner: ToolRunner,
    tally: Tally,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    messages, schemas = task_prompt(task, dict(tools))
    lookup = {tools[t].name: tools[t] for t in task.toolset if t in tools}
    for _ in range(max_rounds):
        completion = await teacher.chat(messages, schemas)
        messages.append(completion.message())
        if not completion.tool_calls:
            text = completion.content
            return messages, schemas, (final_answer(text) or text).strip()
        for request in completion.tool_calls:
            call = await _call(lookup, request.name, request.arguments, runner, tally)
            messages.append({"role": "tool", "tool_call_id": request.id, "content": call.shown(max_chars)})
    tally.add("teacher/rounds_exhausted")
    return messages, schemas, ""


async def _call(
    lookup: Mapping[str, Tool], name: str, arguments: dict[str, Any], runner: ToolRunner, tally: Tally
) -> Call:
    tool = lookup.get(name)
    if tool is None:
        tally.add("teacher/unknown_tool")
        return Call(name, arguments, ok=False, error=f"unknown tool {name!r}; available: {sorted(lookup)}")
    result = await runner(tool, arguments)
    if not result.ok:
        tally.add("teacher/tool_error")
    return Call.from_result(tool.id, arguments, result, type=tool.type)


async def grade(judge: LLMClient, question: str, reference: str, stated: str, tally: Tally) -> str:
    """The judge's label for ``stated`` (the teacher's answer, as written) against ``reference``."""
    prompt = (
        f"Question: {question}\nGround truth answer: {reference}\nModel answer: {stated}\n\n"
        "Is the model answer correct?"
    )
    messages = [{"role": "system", "content": JUDGE_SYSTEM}, {"role": "user", "content": prompt}]
    completion = await judge.chat(messages)
    label = parse_judgement(completion.content)
    if label is None:
        tally.add("judge/unparsed")
        return "judge_unparsed"
    return label


def parse_judgement(text: str) -> str | None:
    match = re.search(r"JUDGE?MENT\s*:\s*\**\s*(correct|partial|incorrect)", text, re.IGNORECASE)
    if match:
        return match.group(1).lower()
    words = re.findall(r"\b(correct|partial|incorrect)\b", text.lower())
    return words[0] if len(set(words)) == 1 else None
