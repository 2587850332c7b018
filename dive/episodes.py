"""Episodes on tasks: the prompt a task opens with, and attempts by a policy with the task's real tools.

Shared by solve (the prompt), select (pass rates), grpo (rollout groups) and evaluate (DIVE-Eval), so
that none of those stages imports another.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from dive.chat import SYSTEM_PROMPT
from dive.records import Task
from dive.rewards import answers_match
from dive.rollout import Episode, rollout, start
from dive.tools.base import Tool
from dive.tools.registry import load_tools


@dataclasses.dataclass(frozen=True)
class Sampling:
    """How a policy attempts a task: the calling stage's own settings (select, grpo or evaluate)."""

    max_turns: int
    max_new_tokens: int
    temperature: float
    max_output_chars: int  # tool results are cut to this many characters inside the conversation

    @classmethod
    def of(cls, config: dict[str, Any]) -> Sampling:
        return cls(**{f.name: config[f.name] for f in dataclasses.fields(cls)})


def task_prompt(task: Task, tools: dict[str, Tool]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(messages, tool schemas) that open an episode on ``task``: the question and the task's toolset."""
    schemas = [tools[t].openai_schema() for t in task.toolset if t in tools]
    messages = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": task.question}]
    return messages, schemas


def episodes_for(task: Task, tools: dict[str, Tool], tokenizer: Any, n: int) -> list[Episode]:
    messages, schemas = task_prompt(task, tools)
    lookup = {tools[t].name: tools[t] for t in task.toolset if t in tools}
    return [start(task.id, messages, schemas, lookup, tokenizer) for _ in range(n)]


def attempt_tasks(
    model: Any,
    tokenizer: Any,
    tasks: list[Task],
    samples: int,
    domains: list[str],
    sampling: Sampling,
) -> tuple[list[Episode], list[bool]]:
    """``samples`` episodes per task with its own toolset (real tool calls), and whether each was right."""
    tools = load_tools(tuple(domains))
    episodes = [e for task in tasks for e in episodes_for(task, tools, tokenizer, samples)]
    rollout(
        model,
        tokenizer,
        episodes,
        sampling.max_turns,
        sampling.max_new_tokens,
        sampling.temperature,
        sampling.max_output_chars,
    )
    answers = {t.id: t.answer for t in tasks}
    return episodes, [answers_match(e.final, answers[e.key]) for e in episodes]
