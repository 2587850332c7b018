"""Factbook Geography and Environment lookups (one tool per Factbook field group)."""

from __future__ import annotations

import re
from typing import Any

from dive.tools.general.factbook_data import as_list, field_tool, number

G, E = "Geography", "Environment"


def _area(out: dict[str, Any]) -> dict[str, Any]:
    area = out.pop("area") or {}
    out["total_sq_km"] = number(area.get("total") or area.get("total ")) if isinstance(area, dict) else None
    out["land_sq_km"] = number(area.get("land")) if isinstance(area, dict) else None
    out["water_sq_km"] = number(area.get("water")) if isinstance(area, dict) else None
    return out


def _borders(out: dict[str, Any]) -> dict[str, Any]:
    lb = out.pop("land_boundaries") or {}
    text = lb.get("border countries", "") if isinstance(lb, dict) else ""
    borders = []
    for part in re.split(r";\s*", re.sub(r"\(\d+\)", "", text)):
        m = re.match(r"(.+?)\s+([\d,.]+)\s*km", part.strip())
        if m:
            borders.append({"country": m.group(1).strip(), "length_km": number(m.group(2))})
    out["total_boundary_km"] = number(lb.get("total")) if isinstance(lb, dict) else number(lb)
    out["borders"] = borders
    out["border_countries"] = [b["country"] for b in borders]
    return out


def _coast(out: dict[str, Any]) -> dict[str, Any]:
    out["coastline_km"] = number(out["coastline"])
    return out


def _elevation(out: dict[str, Any]) -> dict[str, Any]:
    el = out.pop("elevation") or {}
    if isinstance(el, dict):
        for key, label in (
            ("highest point", "highest"),
            ("lowest point", "lowest"),
            ("mean elevation", "mean"),
        ):
            text = el.get(key) or ""
            m = re.match(r"(.*?)\s*(-?[\d,]+)\s*m\b", text)
            out[f"{label}_point" if label != "mean" else "mean_elevation_text"] = text
            if m:
                out[f"{label}_m"] = number(m.group(2))
                if label != "mean":
                    out[f"{label}_point"] = m.group(1).strip()
    return out


def _resources(out: dict[str, Any]) -> dict[str, Any]:
    out["resources"] = as_list(out.pop("natural_resources"))
    return out


field_tool(
    "location",
    {
        "location": (G, "Location"),
        "coordinates": (G, "Geographic coordinates"),
        "map_region": (G, "Map references"),
    },
    "Where a country lies: Factbook location description, geographic centre coordinates "
    "(degrees-minutes text) and map region.",
)
field_tool(
    "area",
    {"area": (G, "Area"), "comparative": (G, "Area - comparative")},
    "Total, land and water area of a country in square kilometres (numbers), with the Factbook's "
    "size comparison text.",
    post=_area,
    produces={"total_sq_km": "number"},
)
field_tool(
    "land_borders",
    {"land_boundaries": (G, "Land boundaries")},
    "Countries sharing a land border with a country, each with the border length in km, plus the total "
    "land boundary length (km).",
    example="Germany",
    post=_borders,
    produces={"border_countries": "country"},
)
field_tool(
    "coastline",
    {"coastline": (G, "Coastline"), "maritime_claims": (G, "Maritime claims")},
    "Coastline length in km (number and text) and maritime claims (territorial sea, EEZ, contiguous zone).",
    post=_coast,
    produces={"coastline_km": "number"},
)
field_tool(
    "climate",
    {"climate": (G, "Climate")},
    "Short description of a country's climate (Factbook text).",
)
field_tool(
    "terrain",
    {"terrain": (G, "Terrain"), "note": (G, "Geography - note")},
    "Description of a country's terrain and the Factbook's geography notes (notable features).",
)
field_tool(
    "elevation",
    {"elevation": (G, "Elevation")},
    "Highest point, lowest point (names and metres) and mean elevation of a country.",
    example="Nepal",
    post=_elevation,
    produces={"highest_m": "number"},
)
field_tool(
    "natural_resources",
    {"natural_resources": (G, "Natural resources")},
    "List of a country's natural resources (e.g. minerals, fuels, timber, hydropower).",
    post=_resources,
)
field_tool(
    "land_use",
    {"land_use": (G, "Land use"), "irrigated_land": (G, "Irrigated land")},
    "Land use shares (% agricultural, arable, permanent crops, pasture, forest, other) and irrigated land.",
)
field_tool(
    "natural_hazards",
    {"natural_hazards": (G, "Natural hazards")},
    "Natural hazards of a country (earthquakes, floods, cyclones, volcanism...), Factbook text.",
    example="Japan",
)
field_tool(
    "water_bodies",
    {
        "major_rivers": (G, "Major rivers (by length in km)"),
        "major_lakes": (G, "Major lakes (area sq km)"),
        "major_watersheds": (G, "Major watersheds (area sq km)"),
    },
    "Major rivers (length in km), major lakes (area in sq km) and major watersheds of a country.",
    example="Brazil",
)
field_tool(
    "population_distribution",
    {"population_distribution": (G, "Population distribution")},
    "Where a country's people live (density pattern description from the Factbook).",
)
field_tool(
    "environmental_issues",
    {"issues": (E, "Environmental issues"), "agreements": (E, "International environmental agreements")},
    "Current environmental issues of a country and the international environmental agreements it is party to "
    "or has signed but not ratified.",
)
field_tool(
    "emissions",
    {
        "carbon_dioxide": (E, "Carbon dioxide emissions"),
        "methane": (E, "Methane emissions"),
        "particulate_matter": (E, "Particulate matter emissions"),
    },
    "Air emissions of a country: CO2 (million metric tonnes, total and by fuel), methane (kt by sector) "
    "and particulate matter (micrograms per cubic metre).",
)
field_tool(
    "water_resources",
    {
        "renewable_water": (E, "Total renewable water resources"),
        "withdrawal": (E, "Total water withdrawal"),
        "waste": (E, "Waste and recycling"),
    },
    "Total renewable water resources, water withdrawal by use (cubic metres) and municipal waste and "
    "recycling figures for a country.",
)
