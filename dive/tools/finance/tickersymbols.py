"""Index constituents and company facts (Wikipedia infobox data) shipped in pytickersymbols."""

from __future__ import annotations

import functools
import re
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.finance._common import cap, norm, unknown

PKG = "pytickersymbols"
DATASET = "pytickersymbols stock index data (20 indices, 1,837 stocks, Wikipedia infobox metadata)"


@functools.cache
def _data() -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    from pytickersymbols import PyTickerSymbols

    pts = PyTickerSymbols()
    stocks = list(pts.get_all_stocks())
    member: dict[str, list[str]] = {}
    for index in pts.get_all_indices():
        for s in pts.get_stocks_by_index(index):
            member.setdefault(s["name"], []).append(index)
    return stocks, member


@functools.cache
def _by_name() -> dict[str, dict[str, Any]]:
    return {norm(s["name"]): s for s in _data()[0]}


def _stock(company: str) -> dict[str, Any]:
    """Resolve a company by exact name, then by ticker/ISIN, then by unique prefix."""
    key = norm(company)
    table = _by_name()
    if key in table:
        return table[key]
    for s in _data()[0]:
        syms = {s.get("symbol") or ""} | {x.get("yahoo") or "" for x in s.get("symbols", [])}
        if company.strip().upper() in {x.upper() for x in syms if x} | set(s.get("isins", [])):
            return s
    starts = [s for k, s in table.items() if key and k.startswith(key)]
    if len(starts) == 1:
        return starts[0]
    raise unknown(
        "company",
        company,
        (s["name"] for s in _data()[0]),
        "Use the full name as listed in the index data, e.g. 'Apple Inc.'",
    )


def _meta(s: dict[str, Any], *keys: str) -> dict[str, Any]:
    md = s.get("metadata") or {}
    return {k: md.get(k) for k in keys}


_MONEY = re.compile(
    r"(?P<cur>[A-Z€£¥$]{0,4})\s*\$?\s*(?P<num>[\d.,]+)\s*(?P<unit>trillion|billion|million)?", re.I
)
_SCALE = {"trillion": 1e12, "billion": 1e9, "million": 1e6}


def _money(text: str | None) -> dict[str, Any] | None:
    """Parse an infobox amount like 'US$416 billion (2025)' into value, currency hint and year."""
    if not text:
        return None
    m = _MONEY.search(text)
    year = re.search(r"\((\d{4})\)", text)
    value = None
    if m and m.group("num").replace(",", "").replace(".", "").isdigit():
        try:
            value = float(m.group("num").replace(",", "")) * _SCALE.get((m.group("unit") or "").lower(), 1)
        except ValueError:
            value = None
    return {
        "text": text,
        "value": value,
        "currency": (m.group("cur") if m else "") or None,
        "year": int(year.group(1)) if year else None,
    }


_COMPANY = {
    "company": "Company name as in index data, e.g. 'Apple Inc.', 'SAP', 'Nestlé SA', or a ticker 'AAPL'."
}


@tool(
    "finance.tickersymbols.index_constituents",
    "R",
    params={"index": "Stock index name, e.g. 'DAX', 'FTSE 100', 'S&P 500', 'NIKKEI 225', 'CAC_40'."},
    examples=[{"index": "DAX"}, {"index": "DOW JONES"}],
    bad_examples=[{"index": "MOON 30"}],
    package=PKG,
    dataset=DATASET,
    accepts={"index": "stock_index"},
    produces={"companies": "company", "tickers": "ticker"},
)
def index_constituents(index: str) -> dict:
    """Member companies of a stock index: names and primary tickers (first 20, sorted) and total count."""
    from pytickersymbols import PyTickerSymbols

    names = PyTickerSymbols().get_all_indices()
    match = {norm(n): n for n in names}.get(norm(index))
    if match is None:
        raise unknown("index", index, names)
    members = sorted(PyTickerSymbols().get_stocks_by_index(match), key=lambda s: s["name"])
    return {
        "index": match,
        "total": len(members),
        "companies": [s["name"] for s in cap(members)],
        "tickers": [s.get("symbol") for s in cap(members)],
    }


@tool(
    "finance.tickersymbols.company_profile",
    "R",
    params=_COMPANY,
    examples=[{"company": "Apple Inc."}, {"company": "SAP"}],
    bad_examples=[{"company": "Zzyzx Imaginary Widgets"}],
    package=PKG,
    dataset=DATASET,
    accepts={"company": "company"},
    produces={
        "symbol": "ticker",
        "isins": "isin",
        "country": "country",
        "industries": "industry",
        "headquarters": "city",
    },
)
def company_profile(company: str) -> dict:
    """Company profile: ticker, country, industries, ISINs, headquarters, website, company type."""
    s = _stock(company)
    return {
        "company": s["name"],
        "symbol": s.get("symbol"),
        "country": s.get("country"),
        "industries": s.get("industries", []),
        "isins": s.get("isins", []),
        **_meta(s, "headquarters", "website", "company_type", "wikipedia_url"),
    }


@tool(
    "finance.tickersymbols.company_key_people",
    "R",
    params=_COMPANY,
    examples=[{"company": "Apple Inc."}, {"company": "Siemens"}],
    bad_examples=[{"company": "Nonexistent Corp XYZ"}],
    package=PKG,
    dataset=DATASET,
    accepts={"company": "company"},
    produces={"founder": "person"},
)
def company_key_people(company: str) -> dict:
    """Key people (chair, CEO...) and founders of a company, as written in its Wikipedia infobox."""
    s = _stock(company)
    md = _meta(s, "key_people", "founder")
    if not any(md.values()):
        raise ToolError(f"no key-people data for {s['name']}")
    return {"company": s["name"], **md}


@tool(
    "finance.tickersymbols.company_financials",
    "R",
    params=_COMPANY,
    examples=[{"company": "Apple Inc."}, {"company": "Microsoft"}],
    bad_examples=[{"company": "Imaginary Holdings PLC"}],
    package=PKG,
    dataset=DATASET,
    accepts={"company": "company"},
    produces={"revenue_value": "number", "net_income_value": "number", "employees_count": "number"},
)
def company_financials(company: str) -> dict:
    """Headline financials from the infobox: revenue, operating/net income, total assets and equity (text
    plus parsed value in currency units and fiscal year), and employee count."""
    s = _stock(company)
    md = s.get("metadata") or {}
    keys = ("revenue", "operating_income", "net_income", "total_assets", "total_equity")
    out: dict[str, Any] = {"company": s["name"]}
    for k in keys:
        parsed = _money(md.get(k))
        out[k] = parsed
        out[f"{k}_value"] = parsed["value"] if parsed else None
    emp = re.search(r"[\d,]+", md.get("employees") or "")
    out["employees"] = md.get("employees")
    out["employees_count"] = int(emp.group().replace(",", "")) if emp and emp.group().strip(",") else None
    if all(out[k] is None for k in keys) and out["employees"] is None:
        raise ToolError(f"no financial data in the infobox of {s['name']}")
    return out


@tool(
    "finance.tickersymbols.company_indices",
    "R",
    params=_COMPANY,
    examples=[{"company": "Apple Inc."}, {"company": "Allianz"}],
    bad_examples=[{"company": "Fictional Motors"}],
    package=PKG,
    dataset=DATASET,
    accepts={"company": "company"},
    produces={"indices": "stock_index"},
)
def company_indices(company: str) -> dict:
    """Stock indices (among the 20 covered) that include this company."""
    s = _stock(company)
    return {"company": s["name"], "indices": sorted(_data()[1].get(s["name"], []))}


@tool(
    "finance.tickersymbols.company_listings",
    "R",
    params=_COMPANY,
    examples=[{"company": "Apple Inc."}, {"company": "Nestlé SA"}],
    bad_examples=[{"company": "Unknown Mining Co 123"}],
    package=PKG,
    dataset=DATASET,
    accepts={"company": "company"},
    produces={"yahoo_symbols": "ticker", "currencies": "currency_code"},
)
def company_listings(company: str) -> dict:
    """Where a company's shares trade: Yahoo and Google symbols with the trading currency of each listing."""
    s = _stock(company)
    syms = s.get("symbols", [])
    if not syms:
        raise ToolError(f"no listing symbols recorded for {s['name']}")
    return {
        "company": s["name"],
        "listings": syms,
        "yahoo_symbols": [x.get("yahoo") for x in syms],
        "currencies": sorted({x.get("currency") for x in syms if x.get("currency")}),
    }


@tool(
    "finance.tickersymbols.company_founding",
    "R",
    params=_COMPANY,
    examples=[{"company": "Apple Inc."}, {"company": "BASF"}],
    bad_examples=[{"company": "Never Founded Ltd"}],
    package=PKG,
    dataset=DATASET,
    accepts={"company": "company"},
    produces={"founded_year": "year"},
)
def company_founding(company: str) -> dict:
    """When and where a company was founded (infobox text), the founding year as an integer, founders."""
    s = _stock(company)
    md = _meta(s, "founded", "founder")
    if not md["founded"]:
        raise ToolError(f"no founding data for {s['name']}")
    year = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", md["founded"])
    return {
        "company": s["name"],
        "founded": md["founded"],
        "founded_year": int(year.group()) if year else None,
        "founder": md["founder"],
    }


@tool(
    "finance.tickersymbols.company_products",
    "R",
    params=_COMPANY,
    examples=[{"company": "Apple Inc."}, {"company": "Volkswagen Group"}],
    bad_examples=[{"company": "Ghost Products Inc"}],
    package=PKG,
    dataset=DATASET,
    accepts={"company": "company"},
)
def company_products(company: str) -> dict:
    """Main products or brands of a company (infobox text) and its listed trading lines ('traded_as')."""
    s = _stock(company)
    md = _meta(s, "products", "traded_as")
    if not md["products"]:
        raise ToolError(f"no products listed for {s['name']}")
    return {"company": s["name"], **md}


@tool(
    "finance.tickersymbols.stocks_by_industry",
    "R",
    params={"industry": "Industry label as used in the data, e.g. 'Semiconductors' or 'Banks'."},
    examples=[{"industry": "Semiconductors"}, {"industry": "Banks"}],
    bad_examples=[{"industry": "Dragon Taming"}],
    package=PKG,
    dataset=DATASET,
    accepts={"industry": "industry"},
    produces={"companies": "company"},
)
def stocks_by_industry(industry: str) -> dict:
    """Index-member companies tagged with an industry: names (first 20, sorted) and total count."""
    stocks = _data()[0]
    labels = {i for s in stocks for i in s.get("industries", [])}
    match = {norm(x): x for x in labels}.get(norm(industry))
    if match is None:
        raise unknown("industry", industry, labels)
    names = sorted({s["name"] for s in stocks if match in s.get("industries", [])})
    return {"industry": match, "total": len(names), "companies": cap(names)}


@tool(
    "finance.tickersymbols.stocks_by_country",
    "R",
    params={"country": "Country of the company as in the data, e.g. 'Germany', 'Japan', 'United States'."},
    examples=[{"country": "Germany"}, {"country": "Switzerland"}],
    bad_examples=[{"country": "Atlantis"}],
    package=PKG,
    dataset=DATASET,
    accepts={"country": "country"},
    produces={"companies": "company"},
)
def stocks_by_country(country: str) -> dict:
    """Index-member companies headquartered in a country: names (first 20, sorted) and total count."""
    stocks = _data()[0]
    labels = {s["country"] for s in stocks if s.get("country")}
    match = {norm(x): x for x in labels}.get(norm(country))
    if match is None:
        raise unknown("country", country, labels)
    names = sorted({s["name"] for s in stocks if s.get("country") == match})
    return {"country": match, "total": len(names), "companies": cap(names)}


@tool(
    "finance.tickersymbols.stock_by_symbol",
    "R",
    params={"symbol": "Yahoo Finance symbol, e.g. 'SAP.DE', 'AAPL', '7203.T', 'NESN.SW'."},
    examples=[{"symbol": "SAP.DE"}, {"symbol": "AAPL"}],
    bad_examples=[{"symbol": "NOPE.XX"}],
    package=PKG,
    dataset=DATASET,
    accepts={"symbol": "ticker"},
    produces={"company": "company", "currency": "currency_code", "country": "country"},
)
def stock_by_symbol(symbol: str) -> dict:
    """Company behind a Yahoo Finance symbol (international listings), its country and listing currency."""
    sym = symbol.strip().upper()
    for s in _data()[0]:
        primary = {"yahoo": s.get("symbol"), "currency": None, "google": None}
        for x in [*s.get("symbols", []), primary]:
            if (x.get("yahoo") or "").upper() == sym:
                return {
                    "symbol": x["yahoo"],
                    "company": s["name"],
                    "country": s.get("country"),
                    "currency": x.get("currency"),
                    "google_symbol": x.get("google"),
                }
    raise unknown(
        "Yahoo symbol", sym, (x.get("yahoo") or "" for s in _data()[0] for x in s.get("symbols", []))
    )
