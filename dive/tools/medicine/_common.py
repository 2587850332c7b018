"""Shared helpers of the medicine tools: list capping, close-match hints and unit checks."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from dive.tools.base import ToolError

LIST_CAP = 20  # a tool message lists at most this many items, plus a total count
# @tool(..., **PLAIN_PYTHON) for calculators written here, with no package or data set behind them
PLAIN_PYTHON: dict[str, Any] = {"package": "dive", "dataset": "", "requires": []}


def capped(items: Sequence[Any], cap: int = LIST_CAP) -> list[Any]:
    """The first ``cap`` items of a list (outputs must stay small for a small model's context)."""
    return list(items[:cap])


def close(word: str, choices: Iterable[str], n: int = 5) -> list[str]:
    """Up to ``n`` close matches of ``word`` among ``choices`` (case-insensitive), for error hints."""
    lowered = {c.lower(): c for c in choices}
    return [lowered[m] for m in difflib.get_close_matches(word.lower(), list(lowered), n=n, cutoff=0.6)]


def unknown(kind: str, value: str, choices: Iterable[str]) -> ToolError:
    """A ToolError for an unknown entity, naming close matches when there are any."""
    hints = close(value, choices)
    tail = f"; close matches: {hints}" if hints else ""
    return ToolError(f"unknown {kind} {value!r}{tail}")


def in_range(name: str, value: float, low: float, high: float, unit: str = "") -> float:
    """``value`` when low <= value <= high, else a ToolError naming the valid range."""
    if not low <= value <= high:
        raise ToolError(f"{name} must be between {low} and {high} {unit}".rstrip() + f", got {value}")
    return value
