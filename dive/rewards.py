"""Answer checking and the GRPO reward R = alpha * R_format + R_correct.

The judge is rule-based (deterministic, offline): answers match after normalisation, or numerically
within a relative tolerance. The paper used an LLM judge; an LLM backend can replace :func:`answers_match`
without touching the callers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from dive.records import Call

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


def format_reward(turn_texts: Sequence[str], calls: Sequence[Call], final: str | None) -> float:
    """R_format in [0, 1]: half for stating a final answer in the required form, half for call hygiene.

    Call hygiene is the share of the episode's tool calls that parsed and named a tool of the task's
    toolset with valid arguments (an episode with no calls gets it only if every turn was well-formed).
    """
    answered = 0.5 if final is not None else 0.0
    if calls:
        valid = sum(1 for c in calls if c.valid) / len(calls)
    else:
        valid = 1.0 if all("<tool_call>" not in t for t in turn_texts) else 0.0
    return answered + 0.5 * valid


def reward(
    alpha: float,
    turn_texts: Sequence[str],
    calls: Sequence[Call],
    final: str | None,
    reference: str,
) -> tuple[float, float, float]:
    """(R, R_format, R_correct) for one episode."""
    r_format = format_reward(turn_texts, calls, final)
    r_correct = 1.0 if answers_match(final, reference) else 0.0
    return alpha * r_format + r_correct, r_format, r_correct
