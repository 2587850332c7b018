"""ISO 10383 market identifier codes (exchanges, trading venues) from the iso10383 package."""

from __future__ import annotations

import functools
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.finance._common import cap, country_alpha2, norm, unknown

PKG = "iso10383"
DATASET = "ISO 10383 MIC register (2,733 venues, release 2025-02)"
CATEGORY = {
    "appa": "approved publication arrangement",
    "atss": "alternative trading system",
    "casp": "crypto asset services provider",
    "dcms": "designated contract market",
    "idqs": "inter-dealer quotation system",
    "mltf": "multilateral trading facility",
    "nspd": "not specified",
    "otfs": "organised trading facility",
    "othr": "other",
    "rmkt": "regulated market",
    "rmos": "recognised market operator",
    "sefs": "swap execution facility",
    "sint": "systematic internaliser",
    "trfs": "trade reporting facility",
}


@functools.cache
def _entries() -> dict[str, Any]:
    from iso10383 import MIC

    return {m.value.mic: m.value for m in MIC}


def _record(e: Any) -> dict[str, Any]:
    return {
        "mic": e.mic,
        "market_name": e.market_name,
        "acronym": e.acronym,
        "operating_mic": e.operating_mic.mic if e.operating_mic is not None else e.mic,
        "is_operating_mic": e.operating_mic is None,
        "category": CATEGORY.get(e.market_category_code.name, e.market_category_code.name),
        "city": e.city.name.replace("_", " ").title() if e.city is not None else None,
        "country_code": e.iso_country_code.name.upper(),
        "legal_entity_name": e.legel_entity_name,
        "lei": e.legal_entity_identifier,
        "website": e.website,
        "status": e.status.name,
        "created": e.creation_date,
    }


@tool(
    "finance.mic.lookup",
    "R",
    params={"mic": "4-character ISO 10383 market identifier code, e.g. 'XNYS', 'XLON', 'XETR'."},
    examples=[{"mic": "XNYS"}, {"mic": "xlon"}],
    bad_examples=[{"mic": "QQQQ"}],
    package=PKG,
    dataset=DATASET,
    accepts={"mic": "exchange_mic"},
    produces={"country_code": "country_code", "city": "city", "operating_mic": "exchange_mic", "lei": "lei"},
)
def lookup(mic: str) -> dict:
    """A trading venue by MIC: name, acronym, operating MIC, category, city, country code, LEI, website,
    status (active/expired) and creation date."""
    e = _entries().get(mic.strip().upper())
    if e is None:
        raise unknown("MIC", mic.upper(), _entries())
    return _record(e)


@tool(
    "finance.mic.exchanges_in_country",
    "R",
    params={
        "country": "Country name or ISO alpha-2 code, e.g. 'Japan' or 'JP'.",
        "regulated_only": "If true, only regulated markets (category 'regulated market'); default false.",
    },
    examples=[{"country": "Japan"}, {"country": "DE", "regulated_only": True}],
    bad_examples=[{"country": "Atlantis"}],
    package=PKG,
    dataset=DATASET,
    requires=["iso10383", "pycountry"],
    accepts={"country": "country"},
    produces={"mics": "exchange_mic"},
)
def exchanges_in_country(country: str, regulated_only: bool = False) -> dict:
    """Active trading venues (operating MICs) registered in a country: MIC and name (first 20), total."""
    cc = country_alpha2(country)
    rows = [
        e
        for e in _entries().values()
        if e.iso_country_code.name.upper() == cc
        and e.status.name != "expired"
        and e.operating_mic is None
        and (not regulated_only or e.market_category_code.name == "rmkt")
    ]
    if not rows:
        raise ToolError(f"no active {'regulated ' if regulated_only else ''}venue registered for {cc}")
    rows.sort(key=lambda e: e.mic)
    return {
        "country_code": cc,
        "total": len(rows),
        "mics": [e.mic for e in cap(rows)],
        "names": [e.market_name for e in cap(rows)],
    }


@tool(
    "finance.mic.search",
    "R",
    params={
        "name": "Exchange name or acronym (part of it), e.g. 'NASDAQ', 'Euronext', 'Tokyo Stock Exchange'."
    },
    examples=[{"name": "Tokyo Stock Exchange"}, {"name": "LSE"}],
    bad_examples=[{"name": "Qzxv Bourse"}],
    package=PKG,
    dataset=DATASET,
    accepts={"name": "exchange_name"},
    produces={"mics": "exchange_mic"},
)
def search(name: str) -> dict:
    """Active venues whose name or acronym matches the query (exact acronym first): MICs, names, countries."""
    q = norm(name)
    need_len = len(q) >= 2
    rows = [
        e
        for e in _entries().values()
        if need_len
        and e.status.name != "expired"
        and (q == norm(e.acronym or "") or q in norm(e.market_name))
    ]
    if not rows:
        raise unknown("exchange", name, (e.market_name for e in _entries().values()))
    rows.sort(
        key=lambda e: (q != norm(e.acronym or ""), e.operating_mic is not None, len(e.market_name), e.mic)
    )
    return {
        "query": name,
        "total": len(rows),
        "mics": [e.mic for e in cap(rows)],
        "names": [e.market_name for e in cap(rows)],
        "country_codes": [e.iso_country_code.name.upper() for e in cap(rows)],
    }


@tool(
    "finance.mic.segments",
    "R",
    params={"operating_mic": "Operating MIC of an exchange group, e.g. 'XNAS', 'XLON', 'XPAR'."},
    examples=[{"operating_mic": "XNAS"}, {"operating_mic": "XLON"}],
    bad_examples=[{"operating_mic": "ZZZZ"}],
    package=PKG,
    dataset=DATASET,
    accepts={"operating_mic": "exchange_mic"},
    produces={"segment_mics": "exchange_mic"},
)
def segments(operating_mic: str) -> dict:
    """Market segments (segment MICs) run by an operating MIC, active ones only: MICs, names and count."""
    op = operating_mic.strip().upper()
    if op not in _entries():
        raise unknown("MIC", op, _entries())
    rows = sorted(
        (
            e
            for e in _entries().values()
            if e.operating_mic is not None and e.operating_mic.mic == op and e.status.name != "expired"
        ),
        key=lambda e: e.mic,
    )
    return {
        "operating_mic": op,
        "total": len(rows),
        "segment_mics": [e.mic for e in cap(rows)],
        "descriptions": [e.institution_description or e.market_name for e in cap(rows)],
    }


@tool(
    "finance.mic.exchanges_in_city",
    "R",
    params={"city": "City name in English, e.g. 'Frankfurt', 'Chicago', 'Mumbai'."},
    examples=[{"city": "Chicago"}, {"city": "Mumbai"}],
    bad_examples=[{"city": "Gotham"}],
    package=PKG,
    dataset=DATASET,
    accepts={"city": "city"},
    produces={"mics": "exchange_mic"},
)
def exchanges_in_city(city: str) -> dict:
    """Active operating venues located in a city: MICs and names (first 20) with the total count."""
    q = norm(city)
    cities = {e.city.name.replace("_", " ").title() for e in _entries().values() if e.city is not None}
    rows = sorted(
        (
            e
            for e in _entries().values()
            if e.city is not None
            and norm(e.city.name) == q
            and e.operating_mic is None
            and e.status.name != "expired"
        ),
        key=lambda e: e.mic,
    )
    if not rows:
        raise unknown("city", city, cities)
    return {
        "city": rows[0].city.name.replace("_", " ").title(),
        "total": len(rows),
        "mics": [e.mic for e in cap(rows)],
        "names": [e.market_name for e in cap(rows)],
    }
