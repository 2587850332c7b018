"""Helpers shared by the finance tools: error messages with close matches, dates, list caps."""

from __future__ import annotations

import datetime as dt
import difflib
import importlib.util
import os
import re
from collections.abc import Iterable, Sequence
from typing import Any

from dive.tools.base import ToolError

LIST_CAP = 20  # the first items of a long list, plus a total count, keep outputs under the gate's cap


def norm(text: str) -> str:
    """Lower-case alphanumeric form used as a lookup key (punctuation and spacing vary in the data)."""
    return re.sub(r"[^a-z0-9]+", " ", str(text).lower()).strip()


def unknown(kind: str, value: Any, choices: Iterable[str], hint: str = "") -> ToolError:
    """A ToolError naming the bad value and the closest valid ones, so a model can retry."""
    pool = sorted({str(c) for c in choices})
    close = difflib.get_close_matches(str(value), pool, n=5, cutoff=0.5)
    if not close:
        close = [c for c in pool if norm(str(value))[:3] and norm(str(value))[:3] in norm(c)][:5]
    msg = f"unknown {kind} {value!r}"
    if close:
        msg += f"; close matches: {close}"
    elif len(pool) <= 40:
        msg += f"; valid: {pool}"
    return ToolError(msg + (f". {hint}" if hint else ""))


def parse_date(value: str, name: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ToolError(f"{name} must be an ISO date 'YYYY-MM-DD', got {value!r}") from None


def cap(items: Sequence[Any], n: int = LIST_CAP) -> list[Any]:
    return list(items[:n])


def need(cond: bool, message: str) -> None:
    if not cond:
        raise ToolError(message)


def numbers(values: Sequence[float], name: str, min_len: int = 2) -> Any:
    """A float numpy array from a list argument, checked for length and finiteness."""
    import numpy as np

    arr = np.asarray(values, dtype=float)
    need(arr.ndim == 1 and len(arr) >= min_len, f"{name} needs at least {min_len} numbers, got {len(arr)}")
    need(bool(np.all(np.isfinite(arr))), f"{name} must contain only finite numbers")
    return arr


def package_dir(module: str) -> str:
    """Directory of an installed package found without importing it (edgartools' import is heavy)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ToolError(f"package {module!r} is not installed")
    return os.fspath(list(spec.submodule_search_locations)[0])


def rnd(x: float | None, digits: int = 6) -> float | None:
    return None if x is None else round(float(x), digits)


def country_alpha2(country: str) -> str:
    """ISO 3166 alpha-2 code for a country name or code ('Kenya', 'KE', 'KEN'), via pycountry."""
    import pycountry

    text = country.strip()
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        pass
    try:
        hits = pycountry.countries.search_fuzzy(text)
    except LookupError:
        hits = []
    if hits and norm(text):
        names = [getattr(hits[0], k, "") or "" for k in ("name", "common_name", "official_name")]
        if any(norm(text) in norm(n) for n in names):
            return hits[0].alpha_2
    raise unknown("country", country, (c.name for c in pycountry.countries))


def country_name(alpha2: str) -> str | None:
    import pycountry

    rec = pycountry.countries.get(alpha_2=alpha2.upper())
    return getattr(rec, "common_name", None) or (rec.name if rec else None)
