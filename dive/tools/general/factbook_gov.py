"""Factbook Government and Introduction lookups, plus capital (with parsed coordinates)."""

from __future__ import annotations

import re
from typing import Any

from dive.tools.general.factbook_data import as_list, field_tool, number

GOV = "Government"


def _dms(text: str) -> float | None:
    """'1 17 S' -> -1.2833 (Factbook degrees minutes hemisphere)."""
    m = re.match(r"\s*(\d+)\s+(\d+)\s*([NSEW])", text or "")
    if not m:
        return None
    value = int(m.group(1)) + int(m.group(2)) / 60
    return round(-value if m.group(3) in "SW" else value, 4)


def _capital(out: dict[str, Any]) -> dict[str, Any]:
    cap = out.pop("cap")
    if not isinstance(cap, dict):
        out["capital"] = cap
        return out
    name = cap.get("name", "")
    out["capital"] = re.split(r";|\s\(", name)[0].strip()
    out["capital_full"] = name
    coords = cap.get("geographic coordinates", "")
    parts = coords.split(",")
    out["latitude"] = _dms(parts[0]) if parts else None
    out["longitude"] = _dms(parts[1]) if len(parts) > 1 else None
    out["time_difference"] = cap.get("time difference")
    out["etymology"] = cap.get("etymology")
    return out


def _divisions(out: dict[str, Any]) -> dict[str, Any]:
    text = out["administrative_divisions"] or ""
    head, _, rest = text.partition(";")
    out["summary"] = head.strip()
    out["count"] = number(head)
    names = [n.split("*")[0].strip() for n in as_list(rest) if n and ":" not in n]
    out["divisions"] = names[:40]
    out["total_listed"] = len(names)
    del out["administrative_divisions"]
    return out


def _listed(key: str, sep: str = ",") -> Any:
    def post(out: dict[str, Any]) -> dict[str, Any]:
        items = as_list(out[key], sep)
        out[key] = items[:40]
        out["total"] = len(items)
        return out

    return post


def _independence(out: dict[str, Any]) -> dict[str, Any]:
    m = re.search(r"\b(1\d{3}|20\d{2})\b", out["independence"] or "")
    out["year"] = int(m.group(1)) if m else None
    return out


def _background(out: dict[str, Any]) -> dict[str, Any]:
    text = out["background"] or ""
    out["background"] = text[:2000] + ("..." if len(text) > 2000 else "")
    return out


field_tool(
    "capital",
    {"cap": (GOV, "Capital")},
    "Capital city of a country with its latitude/longitude (decimal degrees), UTC time difference and the "
    "etymology of its name.",
    post=_capital,
    produces={"capital": "city", "latitude": "number", "longitude": "number"},
)
field_tool(
    "country_names",
    {"names": (GOV, "Country name")},
    "Official names of a country: conventional long and short forms, local forms, former names, abbreviation "
    "and the etymology of the name.",
)
field_tool(
    "government_type",
    {"government_type": (GOV, "Government type")},
    "Form of government of a country (e.g. 'presidential republic', 'constitutional monarchy').",
)
field_tool(
    "administrative_divisions",
    {"administrative_divisions": (GOV, "Administrative divisions")},
    "First-level administrative divisions of a country: their kind and count, and the division names "
    "(first 40).",
    post=_divisions,
    produces={"count": "number"},
)
field_tool(
    "independence",
    {"independence": (GOV, "Independence")},
    "Date of independence (and from whom) of a country, with the year as a number.",
    post=_independence,
    produces={"year": "year"},
)
field_tool(
    "national_holiday",
    {"national_holiday": (GOV, "National holiday")},
    "National holiday of a country: its name and date (and the year it commemorates).",
)
field_tool(
    "constitution",
    {"constitution": (GOV, "Constitution")},
    "History of a country's constitution(s) and how it is amended.",
)
field_tool(
    "legal_system",
    {
        "legal_system": (GOV, "Legal system"),
        "suffrage": (GOV, "Suffrage"),
        "international_law": (GOV, "International law organization participation"),
    },
    "Legal system (common/civil/religious law...), voting age and suffrage rules, and acceptance of ICJ/ICCt "
    "jurisdiction.",
)
field_tool(
    "citizenship",
    {"citizenship": (GOV, "Citizenship")},
    "Citizenship rules: by birth, by descent, dual citizenship, residency requirement for naturalisation.",
)
field_tool(
    "executive_branch",
    {"executive_branch": (GOV, "Executive branch")},
    "Executive branch of a country: chief of state, head of government (names and since when), cabinet, "
    "how leaders are elected and the most recent election results.",
)
field_tool(
    "legislative_branch",
    {
        "legislature": (GOV, "Legislative branch"),
        "lower_chamber": (GOV, "Legislative branch - lower chamber"),
        "upper_chamber": (GOV, "Legislative branch - upper chamber"),
    },
    "National legislature: name, structure (unicameral/bicameral), and per chamber the name, number of "
    "seats, "
    "electoral system and term.",
)
field_tool(
    "judicial_branch",
    {"judicial_branch": (GOV, "Judicial branch")},
    "Highest court(s) of a country, how judges are selected and their terms, and subordinate courts.",
)
field_tool(
    "political_parties",
    {"political_parties": (GOV, "Political parties")},
    "Political parties of a country (first 40 names) and the total number listed.",
    post=_listed("political_parties", ";"),
)
field_tool(
    "international_organizations",
    {"organizations": (GOV, "International organization participation")},
    "International organisations a country participates in (abbreviations such as UN, AU, NATO, WTO).",
    post=_listed("organizations"),
)
field_tool(
    "flag",
    {"flag": (GOV, "Flag")},
    "Description of a country's flag (colours, layout, symbols and meaning).",
)
field_tool(
    "national_symbols",
    {
        "symbols": (GOV, "National symbol(s)"),
        "colors": (GOV, "National color(s)"),
        "anthem": (GOV, "National anthem(s)"),
        "coat_of_arms": (GOV, "National coat of arms"),
    },
    "National symbols, colours, coat of arms and national anthem (title, lyricist/composer, adoption) of "
    "a country.",
)
field_tool(
    "world_heritage",
    {"national_heritage": (GOV, "National heritage")},
    "UNESCO World Heritage Sites of a country: total (cultural/natural split) and selected sites.",
    example="Italy",
)
field_tool(
    "diplomatic_representation",
    {
        "in_us": (GOV, "Diplomatic representation in the US"),
        "from_us": (GOV, "Diplomatic representation from the US"),
    },
    "Diplomatic relations with the US: the country's ambassador and chancery in Washington, and the US "
    "ambassador and embassy in the country.",
)
field_tool(
    "background",
    {"background": ("Introduction", "Background")},
    "Background overview of a country's history and current situation (Factbook introduction, at most "
    "2,000 characters).",
    post=_background,
)
