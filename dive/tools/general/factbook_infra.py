"""Factbook Energy, Communications, Transportation, Military, Space and Transnational lookups,
plus a ranking tool over numeric Factbook fields."""

from __future__ import annotations

import functools
from typing import Any, Literal

from dive.tools.base import ToolError, tool
from dive.tools.general.factbook_data import (
    DATASET,
    PACKAGE,
    REQUIRES,
    _catalogue,
    field,
    field_tool,
    number,
    resolve,
)

EN, CO, TR, MI = "Energy", "Communications", "Transportation", "Military and Security"


def _airports(out: dict[str, Any]) -> dict[str, Any]:
    out["airports_count"] = number(out["airports"])
    return out


field_tool(
    "electricity",
    {
        "access": (EN, "Electricity access"),
        "electricity": (EN, "Electricity"),
        "generation_sources": (EN, "Electricity generation sources"),
    },
    "Electricity access (% of population), installed capacity (kW), consumption/exports/imports (kWh) and "
    "generation mix by source (% of capacity).",
)
field_tool(
    "fossil_fuels",
    {
        "petroleum": (EN, "Petroleum"),
        "natural_gas": (EN, "Natural gas"),
        "coal": (EN, "Coal"),
        "energy_per_capita": (EN, "Energy consumption per capita"),
    },
    "Petroleum (bbl/day), natural gas (cubic metres) and coal (metric tons) production, consumption and "
    "trade, "
    "plus energy use per capita (Btu/person).",
    example="Norway",
)
field_tool(
    "telecommunications",
    {
        "fixed_lines": (CO, "Telephones - fixed lines"),
        "mobile": (CO, "Telephones - mobile cellular"),
        "internet_users": (CO, "Internet users"),
        "broadband": (CO, "Broadband - fixed subscriptions"),
        "internet_country_code": (CO, "Internet country code"),
    },
    "Telephone (fixed and mobile) subscriptions, internet users (% of population), fixed broadband "
    "subscriptions and the internet country code (TLD).",
)
field_tool(
    "broadcast_media",
    {"broadcast_media": (CO, "Broadcast media")},
    "Broadcast media landscape of a country (TV/radio ownership, state vs private).",
)
field_tool(
    "transportation",
    {
        "airports": (TR, "Airports"),
        "heliports": (TR, "Heliports"),
        "railways": (TR, "Railways"),
        "ports": (TR, "Ports"),
        "merchant_marine": (TR, "Merchant marine"),
        "aircraft_prefix": (TR, "Civil aircraft registration country code prefix"),
    },
    "Transport infrastructure: number of airports and heliports, railway length by gauge (km), ports, "
    "merchant marine fleet and the civil aircraft registration prefix.",
    post=_airports,
    produces={"airports_count": "number"},
)
field_tool(
    "military",
    {
        "forces": (MI, "Military and security forces"),
        "expenditures": (MI, "Military expenditures"),
        "personnel": (MI, "Military and security service personnel strengths"),
        "service_age": (MI, "Military service age and obligation"),
        "deployments": (MI, "Military deployments"),
    },
    "Military and security forces, military spending (% of GDP by year), personnel strength, service "
    "age/obligation and foreign deployments.",
)
field_tool(
    "space_program",
    {
        "agencies": ("Space", "Space agency/agencies"),
        "launch_sites": ("Space", "Space launch site(s)"),
        "overview": ("Space", "Space program overview"),
        "milestones": ("Space", "Key space-program milestones"),
    },
    "Space agency, launch sites, programme overview and key milestones of a country (about 70 countries).",
    example="India",
)
field_tool(
    "refugees",
    {"refugees": ("Transnational Issues", "Refugees and internally displaced persons")},
    "Refugees hosted (by country of origin), internally displaced persons and stateless persons in a "
    "country.",
)
field_tool(
    "terrorist_groups",
    {"groups": ("Terrorism", "Terrorist group(s)")},
    "Terrorist groups the Factbook lists as active in a country.",
)

# Numeric fields that can be ranked: name -> (section, field, sub-field or None, unit)
_RANKABLE: dict[str, tuple[str, str, str | None, str]] = {
    "population": ("People and Society", "Population", "total", "people"),
    "area": ("Geography", "Area", "total", "sq km"),
    "coastline": ("Geography", "Coastline", None, "km"),
    "median_age": ("People and Society", "Median age", "total", "years"),
    "life_expectancy": ("People and Society", "Life expectancy at birth", "total population", "years"),
    "birth_rate": ("People and Society", "Birth rate", None, "births/1,000 population"),
    "death_rate": ("People and Society", "Death rate", None, "deaths/1,000 population"),
    "fertility_rate": ("People and Society", "Total fertility rate", None, "children born/woman"),
    "population_growth": ("People and Society", "Population growth rate", None, "%"),
    "infant_mortality": ("People and Society", "Infant mortality rate", "total", "deaths/1,000 live births"),
    "airports": ("Transportation", "Airports", None, "airports"),
    "internet_users_pct": ("Communications", "Internet users", "percent of population", "% of population"),
}
Rankable = Literal[
    "population",
    "area",
    "coastline",
    "median_age",
    "life_expectancy",
    "birth_rate",
    "death_rate",
    "fertility_rate",
    "population_growth",
    "infant_mortality",
    "airports",
    "internet_users_pct",
]


def _value(code: str, spec: tuple[str, str, str | None, str]) -> float | None:
    section, name, sub, _ = spec
    node = field(code, section, name)
    if isinstance(node, dict):
        node = node.get(sub) if sub else None
    return number(node)


@functools.cache
def _table(indicator: str) -> list[tuple[str, float]]:
    names = _catalogue()[0]
    rows = [(names[c], _value(c, _RANKABLE[indicator])) for c in names]
    return sorted(((n, v) for n, v in rows if v is not None), key=lambda r: (-r[1], r[0]))


@tool(
    "general.factbook.rank_countries",
    "R",
    params={
        "indicator": "Numeric Factbook indicator to rank by, e.g. 'population' or 'life_expectancy'.",
        "order": "'desc' for largest first (default) or 'asc' for smallest first.",
        "limit": "How many countries to return, 1-50, e.g. 10.",
    },
    examples=[{"indicator": "population", "limit": 5}, {"indicator": "life_expectancy", "order": "asc"}],
    bad_examples=[{"indicator": "area", "limit": 0}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    produces={"countries": "country"},
)
def rank_countries(indicator: Rankable, order: Literal["desc", "asc"] = "desc", limit: int = 10) -> dict:
    """Countries and territories ranked by a numeric Factbook indicator (population, area, life
    expectancy...),
    with each value, its unit and the country's rank among all with data."""
    if not 1 <= limit <= 50:
        raise ToolError(f"limit must be between 1 and 50, got {limit}")
    rows = _table(indicator)
    if order == "asc":
        rows = rows[::-1]
    top = [{"rank": i + 1, "country": n, "value": v} for i, (n, v) in enumerate(rows[:limit])]
    return {
        "indicator": indicator,
        "unit": _RANKABLE[indicator][3],
        "order": order,
        "ranking": top,
        "countries": [r["country"] for r in top],
        "countries_with_data": len(rows),
    }


@tool(
    "general.factbook.country_rank",
    "R",
    params={
        "country": "Country name or ISO code, e.g. 'Kenya'.",
        "indicator": "Numeric Factbook indicator, e.g. 'population' or 'area'.",
    },
    examples=[{"country": "Kenya", "indicator": "population"}],
    bad_examples=[{"country": "Atlantis", "indicator": "area"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"country": "country"},
    produces={"rank": "number", "value": "number"},
)
def country_rank(country: str, indicator: Rankable) -> dict:
    """Where one country stands on a numeric Factbook indicator: its value, unit, rank (1 = largest)
    and the number of countries ranked, with its neighbours just above and below."""
    _, name = resolve(country)
    rows = _table(indicator)
    for i, (n, v) in enumerate(rows):
        if n == name:
            near = [
                {"rank": j + 1, "country": rows[j][0], "value": rows[j][1]}
                for j in range(max(0, i - 2), min(len(rows), i + 3))
            ]
            return {
                "country": name,
                "indicator": indicator,
                "value": v,
                "unit": _RANKABLE[indicator][3],
                "rank": i + 1,
                "countries_ranked": len(rows),
                "neighbours": near,
            }
    raise ToolError(f"the Factbook has no {indicator} value for {name}")
