"""Helpers shared by the science tools: fuzzy lookup errors, list capping, date parsing."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from dive.tools.base import ToolError

T = TypeVar("T")
LIST_CAP = 20  # keep tool messages small enough for a small model's context


def unknown(kind: str, name: str, choices: Iterable[str], hint: str = "") -> ToolError:
    """A ToolError naming the closest valid choices, so a model can retry with a real name."""
    pool = list(choices)
    close = difflib.get_close_matches(name, pool, n=5, cutoff=0.5)
    if not close:
        low = name.lower()
        close = [c for c in pool if low and low in c.lower()][:5]
    tail = f"; close matches: {close}" if close else (f"; e.g. {pool[:5]}" if pool else "")
    return ToolError(f"unknown {kind} {name!r}{tail}{hint}")


def resolve(mapping: Mapping[str, Any], name: str, kind: str) -> str:
    """The key of ``mapping`` matching ``name`` exactly or case-insensitively; else a ToolError."""
    if name in mapping:
        return name
    lowered = {k.lower(): k for k in mapping}
    key = lowered.get(name.strip().lower())
    if key is not None:
        return key
    raise unknown(kind, name, mapping)


def lookup(mapping: Mapping[str, T], name: str, kind: str) -> T:
    """Exact, then case-insensitive lookup in ``mapping``; raise with close matches otherwise."""
    return mapping[resolve(mapping, name, kind)]


def capped(items: list[Any], key: str = "items", limit: int = LIST_CAP) -> dict[str, Any]:
    """First ``limit`` items plus the total count."""
    return {key: items[:limit], "total": len(items), "truncated": len(items) > limit}


def parse_date(value: str, name: str = "date") -> dt.date:
    """An ISO date ('YYYY-MM-DD'), or a ToolError that says the expected format."""
    try:
        return dt.date.fromisoformat(value.strip())
    except (ValueError, AttributeError) as exc:
        raise ToolError(f"{name} must be an ISO date 'YYYY-MM-DD', got {value!r}") from exc


def parse_datetime(value: str, name: str = "time") -> dt.datetime:
    """An ISO date or date-time in UTC ('2024-04-08' or '2024-04-08T18:00:00')."""
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except (ValueError, AttributeError) as exc:
        raise ToolError(
            f"{name} must be ISO 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:MM:SS' (UTC), got {value!r}"
        ) from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


def need_numbers(values: list[float], name: str, minimum: int = 2) -> list[float]:
    """Reject lists too short for the statistic, with a message saying how many are needed."""
    if len(values) < minimum:
        raise ToolError(f"{name} needs at least {minimum} numbers, got {len(values)}")
    return [float(v) for v in values]


def sig(x: float, digits: int = 10) -> float:
    """Round to significant digits so float noise does not leak into outputs."""
    if x == 0 or x != x:
        return x
    return float(f"{x:.{digits}g}")


def package_dir(module: str) -> Path:
    """Directory of an installed package, found without importing it (several data packages have
    heavy or broken import-time dependencies; only their bundled files are read)."""
    import importlib.util

    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ToolError(f"package {module!r} is not installed")
    return Path(list(spec.submodule_search_locations)[0])
