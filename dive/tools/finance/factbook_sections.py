"""Factbook Economy section, detailed tools: trade, budget, exchange rate, labour, inequality, structure."""

from __future__ import annotations

import re

from dive.tools.base import ToolError, tool
from dive.tools.finance.factbook_economy import (
    _COUNTRY,
    DATASET,
    PKG,
    REQ,
    _economy,
    _latest,
    _num,
    _partners,
    _parts,
    _series,
    _year,
)


@tool(
    "finance.factbook_economy.gdp_composition",
    "R",
    params=_COUNTRY,
    examples=[{"country": "Kenya"}, {"country": "France"}],
    bad_examples=[{"country": "Mordor"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"country": "country"},
)
def gdp_composition(country: str) -> dict:
    """GDP shares (%) by sector of origin (agriculture, industry, services) and by end use (household and
    government consumption, investment, exports, imports)."""
    name, eco = _economy(country)
    sector, use = (
        _parts(eco, "GDP - composition, by sector of origin"),
        _parts(eco, "GDP - composition, by end use"),
    )
    if not sector and not use:
        raise ToolError(f"no GDP composition for {name}")
    return {"country": name, "by_sector_pct": sector, "by_end_use_pct": use}


def _trade(country: str, flow: str) -> dict:
    name, eco = _economy(country)
    obs = _series(eco.get(flow))
    partners = (eco.get(f"{flow} - partners") or {}).get("text", "")
    goods = (eco.get(f"{flow} - commodities") or {}).get("text", "")
    if not obs and not partners:
        raise ToolError(f"no {flow.lower()} data for {name}")
    plist = _partners(partners)
    return {
        "country": name,
        "flow": flow.lower(),
        "value_usd": obs[0]["value"] if obs else None,
        "year": obs[0]["year"] if obs else None,
        "history": obs,
        "partners": [p["country"] for p in plist],
        "partner_shares": plist,
        "top_partner": plist[0]["country"] if plist else None,
        "commodities": [c.strip() for c in re.sub(r"\(\d{4}\)", "", goods).split(",") if c.strip()],
    }


@tool(
    "finance.factbook_economy.exports",
    "R",
    params=_COUNTRY,
    examples=[{"country": "Kenya"}, {"country": "Chile"}],
    bad_examples=[{"country": "Atlantis"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"country": "country"},
    produces={"value_usd": "number", "top_partner": "country", "partners": "country"},
)
def exports(country: str) -> dict:
    """A country's exports of goods and services (current USD, by year), top-5 partner countries with %
    shares,
    and top export commodities."""
    return _trade(country, "Exports")


@tool(
    "finance.factbook_economy.imports",
    "R",
    params=_COUNTRY,
    examples=[{"country": "Kenya"}, {"country": "Japan"}],
    bad_examples=[{"country": "Atlantis"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"country": "country"},
    produces={"value_usd": "number", "top_partner": "country", "partners": "country"},
)
def imports(country: str) -> dict:
    """A country's imports of goods and services (current USD, by year), top-5 partner countries with %
    shares,
    and top import commodities."""
    return _trade(country, "Imports")


@tool(
    "finance.factbook_economy.budget",
    "R",
    params=_COUNTRY,
    examples=[{"country": "Kenya"}, {"country": "Brazil"}],
    bad_examples=[{"country": "Wakanda"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"country": "country"},
    produces={"revenues_usd": "number", "expenditures_usd": "number", "balance_usd": "number"},
)
def budget(country: str) -> dict:
    """Central-government budget: revenues and expenditures (USD), the balance, and taxes as % of GDP."""
    name, eco = _economy(country)
    b = eco.get("Budget") or {}
    rev = _num(b["revenues"]["text"]) if "revenues" in b else None
    exp = _num(b["expenditures"]["text"]) if "expenditures" in b else None
    if rev is None and exp is None:
        raise ToolError(f"no budget figures for {name}")
    taxes = (eco.get("Taxes and other revenues") or {}).get("text")
    return {
        "country": name,
        "revenues_usd": rev,
        "expenditures_usd": exp,
        "balance_usd": rev - exp if rev is not None and exp is not None else None,
        "year": _year(b.get("revenues", b.get("expenditures", {})).get("text", "")),
        "taxes_pct_gdp": _num(taxes) if taxes else None,
    }


@tool(
    "finance.factbook_economy.exchange_rate",
    "R",
    params=_COUNTRY,
    examples=[{"country": "Kenya"}, {"country": "India"}],
    bad_examples=[{"country": "Atlantis"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"country": "country"},
    produces={"latest_value": "number", "currency_code": "currency_code"},
)
def exchange_rate(country: str) -> dict:
    """Annual average exchange rate of a country's currency per US dollar (latest and up to 4 earlier
    years), with the currency's name and ISO code as given by the Factbook."""
    name, eco = _economy(country)
    field = dict(eco.get("Exchange rates") or {})
    cur = (field.pop("Currency", None) or {}).get("text", "")
    obs = _series(field)
    if not obs:
        raise ToolError(f"no exchange-rate series for {name}")
    code = re.search(r"\(([A-Z]{3})\)", cur)
    return {
        "country": name,
        "currency": re.sub(r"\s*-\s*$", "", cur),
        "currency_code": code.group(1) if code else None,
        **_latest(obs),
    }


@tool(
    "finance.factbook_economy.labor_market",
    "R",
    params=_COUNTRY,
    examples=[{"country": "Kenya"}, {"country": "Spain"}],
    bad_examples=[{"country": "Narnia"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"country": "country"},
    produces={"labor_force": "number"},
)
def labor_market(country: str) -> dict:
    """Labour force (persons), youth unemployment (% of ages 15-24, total/male/female) and the share of the
    population below the national poverty line (%)."""
    name, eco = _economy(country)
    lf = (eco.get("Labor force") or {}).get("text")
    pov = (eco.get("Population below poverty line") or {}).get("text")
    youth = _parts(eco, "Youth unemployment rate (ages 15-24)")
    if not lf and not youth:
        raise ToolError(f"no labour-market data for {name}")
    return {
        "country": name,
        "labor_force": _num(lf) if lf else None,
        "labor_force_year": _year(lf or ""),
        "youth_unemployment_pct": youth,
        "poverty_pct": _num(pov) if pov else None,
    }


@tool(
    "finance.factbook_economy.inequality",
    "R",
    params=_COUNTRY,
    examples=[{"country": "Kenya"}, {"country": "Brazil"}],
    bad_examples=[{"country": "Oz"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"country": "country"},
    produces={"gini": "number"},
)
def inequality(country: str) -> dict:
    """Income inequality: Gini index (0-100) with year, and income shares (%) of the lowest and
    highest 10%."""
    name, eco = _economy(country)
    gini = _series(eco.get("Gini Index coefficient - distribution of family income"))
    shares = _parts(eco, "Household income or consumption by percentage share")
    if not gini and not shares:
        raise ToolError(f"no inequality data for {name}")
    return {
        "country": name,
        "gini": gini[0]["value"] if gini else None,
        "gini_year": gini[0]["year"] if gini else None,
        "income_share_pct": shares,
    }


@tool(
    "finance.factbook_economy.structure",
    "R",
    params=_COUNTRY,
    examples=[{"country": "Kenya"}, {"country": "Norway"}],
    bad_examples=[{"country": "Atlantis"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"country": "country"},
)
def structure(country: str) -> dict:
    """What an economy produces: main industries, top agricultural products, industrial production growth
    (%) and the Factbook's one-line economic overview."""
    name, eco = _economy(country)

    def text(key: str) -> str | None:
        return (eco.get(key) or {}).get("text")

    ind = text("Industrial production growth rate")
    return {
        "country": name,
        "overview": text("Economic overview"),
        "industries": [x.strip() for x in (text("Industries") or "").split(",") if x.strip()],
        "agricultural_products": text("Agricultural products"),
        "industrial_production_growth_pct": _num(ind) if ind else None,
    }
