"""Shared helpers for the general-domain tools: name matching, error messages, dates, list caps."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from dive.tools.base import ToolError

LIST_CAP = 20  # keep tool messages small: a list longer than this is cut, with a total count


def norm(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key, so 'Côte d'Ivoire' == 'cote divoire'."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9 ]+", " ", text.lower())
    text = " ".join(text.split())
    return text[4:] if text.startswith("the ") else text


def suggest(query: str, choices: Iterable[str], n: int = 5) -> list[str]:
    """Close matches for an error message (case-insensitive)."""
    choices = list(choices)
    by_norm: dict[str, str] = {}
    for c in choices:
        by_norm.setdefault(norm(c), c)
    key = norm(query)
    keys = list(by_norm)
    if len(keys) > 2000 and key:  # difflib is quadratic-ish: compare only names sharing the first letter
        keys = [k for k in keys if k[:1] == key[:1]][:4000]
    hits = difflib.get_close_matches(key, keys, n=n, cutoff=0.6)
    return [by_norm[h] for h in hits]


def unknown(what: str, query: object, choices: Iterable[str] | None = None, hint: str = "") -> ToolError:
    """A ToolError naming the bad value and, when possible, close valid alternatives."""
    message = f"unknown {what} {query!r}"
    close = suggest(str(query), choices) if choices is not None else []
    if close:
        message += f"; did you mean one of {close}?"
    if hint:
        message += f"; {hint}"
    return ToolError(message)


def lookup(index: Mapping[str, Any], query: str, what: str, display: Iterable[str] | None = None) -> Any:
    """Find ``query`` in an index keyed by :func:`norm`, or raise with suggestions."""
    hit = index.get(norm(query))
    if hit is None:
        raise unknown(what, query, display if display is not None else index.keys())
    return hit


def capped(items: list[Any], cap: int = LIST_CAP) -> dict[str, Any]:
    """{'items': first ``cap`` items, 'total': len} so a long list never swamps the context."""
    return {"items": items[:cap], "total": len(items), "truncated": len(items) > cap}


def parse_date(value: str, name: str = "date") -> dt.date:
    """ISO date 'YYYY-MM-DD' or a ToolError that says the expected format."""
    try:
        return dt.date.fromisoformat(value.strip())
    except (ValueError, AttributeError) as exc:
        raise ToolError(f"{name} must be an ISO date 'YYYY-MM-DD', got {value!r}") from exc


def parse_datetime(value: str, name: str = "datetime") -> dt.datetime:
    """ISO datetime 'YYYY-MM-DDTHH:MM[:SS]' (a bare date means midnight)."""
    try:
        return dt.datetime.fromisoformat(value.strip())
    except (ValueError, AttributeError) as exc:
        raise ToolError(f"{name} must be ISO 'YYYY-MM-DDTHH:MM:SS', got {value!r}") from exc


def check_range(value: float, low: float, high: float, name: str) -> float:
    if not low <= value <= high:
        raise ToolError(f"{name} must be between {low} and {high}, got {value}")
    return value


def check_latlon(lat: float, lon: float) -> None:
    check_range(lat, -90, 90, "latitude")
    check_range(lon, -180, 180, "longitude")


# Common English short names that ISO 3166 spells differently (pycountry misses or mis-guesses them).
_COUNTRY_ALIASES = {
    "russia": "RU",
    "burma": "MM",
    "myanmar": "MM",
    "turkey": "TR",
    "turkiye": "TR",
    "drc": "CD",
    "democratic republic of the congo": "CD",
    "congo kinshasa": "CD",
    "republic of the congo": "CG",
    "congo brazzaville": "CG",
    "congo": "CG",
    "kosovo": "XK",
    "gambia": "GM",
    "bahamas": "BS",
    "cote d ivoire": "CI",
    "ivory coast": "CI",
    "micronesia": "FM",
    "vatican city": "VA",
    "holy see vatican city": "VA",
    "holy see": "VA",
    "west bank": "PS",
    "gaza strip": "PS",
    "palestine": "PS",
    "macau": "MO",
    "macao": "MO",
    "cabo verde": "CV",
    "cape verde": "CV",
    "eswatini": "SZ",
    "swaziland": "SZ",
    "united states": "US",
    "usa": "US",
    "united kingdom": "GB",
    "uk": "GB",
    "britain": "GB",
    "great britain": "GB",
    "south korea": "KR",
    "north korea": "KP",
    "laos": "LA",
    "brunei": "BN",
    "east timor": "TL",
    "timor leste": "TL",
    "falkland islands": "FK",
    "falkland islands islas malvinas": "FK",
    "virgin islands": "VI",
    "british virgin islands": "VG",
    "saint martin": "MF",
    "sint maarten": "SX",
    "curacao": "CW",
    "saint barthelemy": "BL",
    "svalbard": "SJ",
    "jan mayen": "SJ",
    "dominican republic": "DO",
    "the dominican": "DO",
    "czech republic": "CZ",
    "north macedonia": "MK",
    "macedonia": "MK",
    "syria": "SY",
    "iran": "IR",
    "vietnam": "VN",
    "taiwan": "TW",
    "moldova": "MD",
    "tanzania": "TZ",
    "bolivia": "BO",
    "venezuela": "VE",
}


@functools.cache
def _pycountry() -> Any:
    import pycountry  # imported lazily: a missing package must not break `import dive.tools.general`

    return pycountry


def country_alpha2(country: str) -> str:
    """ISO 3166-1 alpha-2 code for a country name or code ('Kenya', 'KE', 'KEN', 'Burma')."""
    key = norm(country)
    if key in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[key]
    pc = _pycountry()
    try:
        return pc.countries.lookup(country.strip()).alpha_2
    except LookupError:
        pass
    for c in pc.countries:
        names = [c.name, getattr(c, "common_name", ""), getattr(c, "official_name", "")]
        if key in {norm(n) for n in names if n}:
            return c.alpha_2
    raise unknown(
        "country",
        country,
        [c.name for c in pc.countries] + list(_COUNTRY_ALIASES),
        "give an English country name or an ISO 3166-1 code such as 'Kenya' or 'KE'",
    )


def country_name(alpha2: str) -> str:
    """English short name for an ISO alpha-2 code (common name where ISO's is awkward)."""
    c = _pycountry().countries.get(alpha_2=alpha2.upper())
    if c is None:
        return alpha2.upper()
    return getattr(c, "common_name", None) or c.name
