"""Factbook People and Society lookups."""

from __future__ import annotations

import re
from typing import Any

from dive.tools.general.factbook_data import field_tool, number

P = "People and Society"


def _population(out: dict[str, Any]) -> dict[str, Any]:
    pop = out.pop("population")
    if isinstance(pop, dict):
        out["population"] = number(pop.get("total"))
        out["male"] = number(pop.get("male"))
        out["female"] = number(pop.get("female"))
        out["population_text"] = pop.get("total")
    else:
        out["population"], out["population_text"] = number(pop), pop
    out["growth_rate_pct"] = number(out.pop("growth"))
    return out


def _shares(key: str) -> Any:
    """Split 'Kikuyu 17.1%, Luhya 14.3%, ...' into [{name, percent}] (percent None when absent)."""

    def post(out: dict[str, Any]) -> dict[str, Any]:
        text = out[key]
        if isinstance(text, dict):  # languages come as {"Languages": ..., "major-language sample(s)": ...}
            text = next(iter(text.values()), "")
        text = re.sub(r"\(\d{4}(?:-\d{2,4})? est\.\)|\(\d{4}\)", "", text or "")
        items = []
        for part in re.split(r",\s*(?![^()]*\))", text):
            m = re.match(r"(.+?)\s+(<?\d+(?:\.\d+)?)%", part.strip())
            name = (m.group(1) if m else part).strip(" ;")
            # 'German (or Swiss German) (official)' -> name 'German', official True: chainable names
            plain = re.sub(r"\s*\([^)]*\)", "", name).strip(" ;")
            if plain:
                items.append(
                    {
                        "name": plain,
                        "label": name,
                        "official": "official" in name,
                        "percent": float(m.group(2).lstrip("<")) if m else None,
                    }
                )
        out[key] = text.strip()
        out["groups"] = items[:25]
        # names for chaining: proper nouns only ('other', 'none' and note fragments are lower-case)
        out["names"] = [i["name"] for i in items[:25] if i["name"][:1].isupper() and i["name"] != "Other"]
        return out

    return post


def _life(out: dict[str, Any]) -> dict[str, Any]:
    le = out.pop("life") or {}
    if isinstance(le, dict):
        out["total_years"] = number(le.get("total population"))
        out["male_years"] = number(le.get("male"))
        out["female_years"] = number(le.get("female"))
    return out


def _median(out: dict[str, Any]) -> dict[str, Any]:
    med = out.get("median_age")
    out["median_age_years"] = number(med.get("total")) if isinstance(med, dict) else number(med)
    return out


def _rates(out: dict[str, Any]) -> dict[str, Any]:
    for key in list(out):
        if key != "country":
            out[f"{key}_value"] = number(out[key])
    return out


field_tool(
    "population",
    {"population": (P, "Population"), "growth": (P, "Population growth rate")},
    "Population of a country or territory (2025 estimate: total, male, female) and annual growth rate (%).",
    produces={"population": "number"},
    post=_population,
)
field_tool(
    "nationality",
    {"nationality": (P, "Nationality")},
    "What a country's people are called: the nationality noun (e.g. 'Kenyan(s)') and adjective.",
)
field_tool(
    "ethnic_groups",
    {"ethnic_groups": (P, "Ethnic groups")},
    "Ethnic groups of a country with their population shares in percent where the Factbook gives them.",
    post=_shares("ethnic_groups"),
)
field_tool(
    "languages",
    {"languages": (P, "Languages")},
    "Languages spoken in a country (official status and speaker shares in percent when known).",
    example="Switzerland",
    post=_shares("languages"),
    produces={"names": "language"},
)
field_tool(
    "religions",
    {"religions": (P, "Religions")},
    "Religions of a country with their population shares in percent.",
    post=_shares("religions"),
)
field_tool(
    "age_structure",
    {
        "age_structure": (P, "Age structure"),
        "median_age": (P, "Median age"),
        "dependency_ratios": (P, "Dependency ratios"),
    },
    "Age structure (% aged 0-14, 15-64, 65+), median age in years (total/male/female) and dependency ratios.",
    post=_median,
    produces={"median_age_years": "number"},
)
field_tool(
    "vital_rates",
    {
        "birth_rate": (P, "Birth rate"),
        "death_rate": (P, "Death rate"),
        "net_migration_rate": (P, "Net migration rate"),
        "fertility_rate": (P, "Total fertility rate"),
    },
    "Birth and death rates (per 1,000 people), net migration rate (per 1,000) and total fertility rate "
    "(children per woman), as text and numbers.",
    post=_rates,
    produces={"birth_rate_value": "number"},
)
field_tool(
    "life_expectancy",
    {"life": (P, "Life expectancy at birth")},
    "Life expectancy at birth in years: total population, male and female.",
    post=_life,
    produces={"total_years": "number"},
)
field_tool(
    "urbanization",
    {"urbanization": (P, "Urbanization"), "major_urban_areas": (P, "Major urban areas - population")},
    "Urban population share (%), urbanisation rate, and the largest urban areas with their populations.",
)
field_tool(
    "health",
    {
        "infant_mortality": (P, "Infant mortality rate"),
        "maternal_mortality": (P, "Maternal mortality ratio"),
        "physician_density": (P, "Physician density"),
        "hospital_bed_density": (P, "Hospital bed density"),
        "health_expenditure": (P, "Health expenditure"),
        "obesity": (P, "Obesity - adult prevalence rate"),
    },
    "Health indicators: infant mortality (per 1,000 live births), maternal mortality (per 100,000), "
    "physicians and hospital beds per 1,000 people, health spending and adult obesity (%).",
)
field_tool(
    "education",
    {
        "literacy": (P, "Literacy"),
        "school_life_expectancy": (P, "School life expectancy (primary to tertiary education)"),
        "education_expenditure": (P, "Education expenditure"),
    },
    "Literacy rate (% of people 15+ who can read and write), school life expectancy in years and education "
    "spending (% of GDP).",
    example="India",
)
field_tool(
    "sex_ratio",
    {"sex_ratio": (P, "Sex ratio")},
    "Sex ratio (males per female) at birth, by age group and for the total population.",
)
field_tool(
    "water_sanitation",
    {"drinking_water": (P, "Drinking water source"), "sanitation": (P, "Sanitation facility access")},
    "Share of urban, rural and total population with improved drinking water and sanitation (%).",
)
field_tool(
    "substance_use",
    {"alcohol": (P, "Alcohol consumption per capita"), "tobacco": (P, "Tobacco use")},
    "Alcohol consumption per capita (litres of pure alcohol, by beverage) and tobacco use prevalence (%).",
)
