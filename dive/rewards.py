"""Answer checking and the GRPO reward R = alpha * R_format + R_correct.

The judge is rule-based (deterministic, offline): answers match after normalisation, or numerically
within a relative tolerance. The paper used an LLM judge; an LLM backend can replace :func:`answers_match`
without touching the callers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from dive.chat import parse_tool_calls
from dive.records import Call, Task

REL_TOL = 1e-3
_NUMBER = re.compile(r"^[-+]?\d[\d,]*(\.\d+)?([eE][-+]?\d+)?$")


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).lower().strip()
    text = re.sub(r"[\s\"'`*]+", " ", text).strip(" .;:")
    return text


def _number(text: str) -> float | None:
    cleaned = normalize(text).replace(" ", "").rstrip("%")
    if not _NUMBER.match(cleaned):
        return None
    try:
        return float(cleaned.replace(",", ""))
    except ValueError:
        return None


def answers_match(predicted: str | None, reference: str) -> bool:
    """True when the prediction states the reference (same text, or the same number within 0.1%)."""
    if predicted is None:
        return False
    a, b = _number(predicted), _number(reference)
    if a is not None and b is not None:
        return abs(a - b) <= REL_TOL * max(abs(b), 1e-12)
    return normalize(predicted) == normalize(reference)


def needs_tools(task: Task) -> bool:
    """Whether a task is only answerable with tool calls: its evidence (the synthesizer's solution path)
    has a successful call. Every synthesized task does, since its answer is read from a tool output."""
    return any(call.ok for call in task.calls)


def malformed_calls(turn_texts: Sequence[str]) -> int:
    """``<tool_call>`` blocks that parse to no call (bad JSON, no name): attempted, never executed."""
    blocks = [piece for text in turn_texts for piece in text.split("<tool_call>")[1:]]
    return sum(1 for block in blocks if not parse_tool_calls("<tool_call>" + block))


def format_reward(
    turn_texts: Sequence[str], calls: Sequence[Call], final: str | None, needs_tools: bool
) -> float:
    """R_format in [0, 1]: half for stating a final answer in the required form, half for call hygiene.

    Call hygiene is the share of attempted tool calls (executed ones plus malformed blocks) that parsed and
    named a tool of the task's toolset with valid arguments. An episode with no attempt gets it only on a
    task that ``needs_tools`` says can be answered without tools: skipping the tools is no hygiene.
    """
    answered = 0.5 if final is not None else 0.0
    attempts = len(calls) + malformed_calls(turn_texts)
    if not attempts:  # skipping the tools is hygiene only where the task can be done without them
        return answered + (0.0 if needs_tools else 0.5)
    valid = sum(1 for c in calls if c.valid) / attempts
    return answered + 0.5 * valid


def reward(
    alpha: float,
    turn_texts: Sequence[str],
    calls: Sequence[Call],
    final: str | None,
    task: Task,
) -> tuple[float, float, float]:
    """(R, R_format, R_correct) for one episode on ``task``."""
    r_format = format_reward(turn_texts, calls, final, needs_tools(task))
    r_correct = 1.0 if answers_match(final, task.answer) else 0.0
    return alpha * r_format + r_correct, r_format, r_correct
