"""DIVE-Eval: held-out tasks attempted with their own toolsets and real tools, scored by the answer judge.

The tasks come from the ``eval_tasks`` artifact: the same synthesizer as the training data, but seeds
of the eval split and a fresh toolset per task from the whole pool. :func:`check_held_out` proves, for
the training set a checkpoint was trained on, that no eval task shares a seed entity or a toolset with
it; every trained checkpoint's evaluation runs it, so the eval tasks are checked against every training
set a sweep produces. The paper's protocol: 800 tasks, temperature 1, top-p 1, accuracy averaged over
k samples per task; ``temperature: 0`` is greedy with one sample.
"""

from __future__ import annotations

import dataclasses
import logging
import statistics
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from dive.chat import final_answer, parse_tool_calls
from dive.episodes import task_prompt
from dive.eval.chat_model import ChatModel, Decoding, assistant_turn
from dive.records import Task
from dive.rewards import answers_match
from dive.rollout import Episode, run_calls
from dive.tools.base import Tool

log = logging.getLogger(__name__)


class LeakError(RuntimeError):
    """An eval task shares a seed or a toolset with the training data: its score would not be held out."""


@dataclasses.dataclass(frozen=True)
class HeldOut:
    tasks: int
    training_tasks: int
    shared_seeds: int
    shared_toolsets: int

    def metrics(self, prefix: str) -> dict[str, float]:
        return {
            f"{prefix}/training_tasks_checked": float(self.training_tasks),
            f"{prefix}/shared_seeds": float(self.shared_seeds),
            f"{prefix}/shared_toolsets": float(self.shared_toolsets),
        }


def check_held_out(eval_tasks: Sequence[Task], training: Sequence[Task], where: str) -> HeldOut:
    """Raise LeakError if an eval task's seed or toolset occurs in ``training``; else log and return the
    counts. Toolsets compare as sets of tool ids; seeds by (kind, name), and must be of the eval split."""
    train_seeds = {(t.seed.kind, t.seed.name) for t in training if t.seed is not None}
    train_toolsets = {frozenset(t.toolset) for t in training}
    seeds = [t.id for t in eval_tasks if t.seed and (t.seed.kind, t.seed.name) in train_seeds]
    seeds += [t.id for t in eval_tasks if t.seed and t.seed.split != "eval"]
    toolsets = [t.id for t in eval_tasks if frozenset(t.toolset) in train_toolsets]
    if seeds or toolsets:
        raise LeakError(
            f"DIVE-Eval is not held out from the training set {where}: tasks {sorted(set(seeds))} share a "
            f"seed entity (or use a train-split seed), tasks {toolsets} share a toolset. Change synth.seed "
            "or evaluate.dive_eval_tasks and rerun."
        )
    result = HeldOut(len(eval_tasks), len(training), 0, 0)
    log.info(
        "DIVE-Eval held out: %d eval tasks share no seed, none of %d toolsets of %d training tasks (%s)",
        result.tasks,
        len(train_toolsets),
        result.training_tasks,
        where,
    )
    return result


def attempt(
    chat: ChatModel,
    tasks: Sequence[Task],
    tools: dict[str, Tool],
    samples: int,
    max_turns: int,
    decoding: Decoding,
    max_output_chars: int,
) -> list[Episode]:
    """``samples`` episodes per task, advanced in lock-step: one ``chat.reply`` call per turn for every
    unfinished episode (a server sees them concurrently, an in-process model in batches)."""
    episodes = [_episode(task, tools) for task in tasks for _ in range(samples)]
    for turn in range(max_turns):
        active = [e for e in episodes if not e.done]
        if not active:
            break
        replies = chat.reply([(e.messages, e.tools) for e in active], decoding)
        for episode, reply in zip(active, replies, strict=True):
            calls = reply.tool_calls if reply.tool_calls is not None else parse_tool_calls(reply.text)
            episode.turn_texts.append(reply.text)
            episode.messages.append(assistant_turn(reply))
            if reply.overflow or not calls or turn == max_turns - 1:
                episode.final = final_answer(reply.text)
                episode.done = True
                continue
            episode.messages += run_calls(episode, calls, max_output_chars)
    return episodes


def _episode(task: Task, tools: dict[str, Tool]) -> Episode:
    messages, schemas = task_prompt(task, tools)
    lookup = {tools[t].name: tools[t] for t in task.toolset if t in tools}
    return Episode(task.id, messages, schemas, lookup, [], [])


def score(tasks: Sequence[Task], episodes: Sequence[Episode], prefix: str) -> dict[str, float]:
    """Accuracy over all episodes (k samples per task averaged) and per domain, with call-format rates."""
    by_id = {t.id: t for t in tasks}
    correct = [answers_match(e.final, by_id[e.key].answer) for e in episodes]
    by_domain: dict[str, list[bool]] = defaultdict(list)
    for episode, ok in zip(episodes, correct, strict=True):
        by_domain[by_id[episode.key].domain or "unknown"].append(ok)
    metrics = {
        f"{prefix}/all/accuracy": statistics.fmean(correct) if correct else 0.0,
        f"{prefix}/all/tasks": float(len(tasks)),
        f"{prefix}/all/samples": float(len(episodes) // max(1, len(tasks))),
        **call_format_metrics(episodes, f"{prefix}/all"),
    }
    for domain, oks in sorted(by_domain.items()):
        metrics[f"{prefix}/{domain}/accuracy"] = statistics.fmean(oks)
    return metrics


def call_format_metrics(episodes: Sequence[Any], prefix: str) -> dict[str, float]:
    """How often a policy calls tools in the right format: tasks with at least one well-formed call (it
    parsed, named a tool of the task's toolset, and its arguments fit the schema), and the share of all
    calls that were well-formed (nan when no call was made)."""
    if not episodes:
        return {f"{prefix}/tool_calls_per_task": 0.0, f"{prefix}/tool_call_rate": 0.0}
    calls = [c for ep in episodes for c in ep.calls]
    return {
        f"{prefix}/tool_calls_per_task": statistics.fmean(len(ep.calls) for ep in episodes),
        f"{prefix}/tool_call_rate": statistics.fmean(any(c.valid for c in ep.calls) for ep in episodes),
        f"{prefix}/valid_call_share": statistics.fmean(c.valid for c in calls) if calls else float("nan"),
    }


def records(tasks: Sequence[Task], episodes: Sequence[Episode]) -> list[dict[str, Any]]:
    """One JSON line per episode for ``dive_eval.jsonl``."""
    by_id = {t.id: t for t in tasks}
    return [
        {
            "task_id": e.key,
            "domain": by_id[e.key].domain,
            "final": e.final,
            "reference": by_id[e.key].answer,
            "correct": answers_match(e.final, by_id[e.key].answer),
            "calls": [c.to_json() for c in e.calls],
            "turns": e.turn_texts,
        }
        for e in episodes
    ]
