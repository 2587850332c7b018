"""Airports from ``airportsdata`` (28k airports: ICAO, IATA, name, city, subdivision, country,
elevation, coordinates, time zone), with geodesic distances from ``geographiclib``."""

from __future__ import annotations

import functools
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.general._util import capped, check_latlon, country_alpha2, country_name, norm, unknown

PACKAGE = "airportsdata"
DATASET = "airportsdata (mborsetti/airportsdata, MIT)"
REQUIRES = ["airportsdata", "pycountry"]


@functools.cache
def _by(code_type: str) -> dict[str, dict[str, Any]]:
    import airportsdata

    return airportsdata.load(code_type)


@functools.cache
def _by_city() -> dict[str, list[dict[str, Any]]]:
    index: dict[str, list[dict[str, Any]]] = {}
    for a in _by("IATA").values():
        index.setdefault(norm(a["city"]), []).append(a)
    return index


def iata_codes() -> list[str]:
    return sorted(_by("IATA"))


def _row(a: dict[str, Any]) -> dict[str, Any]:
    return {
        "iata": a["iata"] or None,
        "icao": a["icao"] or None,
        "name": a["name"],
        "city": a["city"],
        "subdivision": a["subd"],
        "country_code": a["country"],
        "country": country_name(a["country"]),
        "elevation_ft": a["elevation"],
        "latitude": a["lat"],
        "longitude": a["lon"],
        "timezone": a["tz"],
    }


_PRODUCES = {
    "city": "city",
    "country": "country",
    "country_code": "country_code",
    "timezone": "timezone",
    "latitude": "number",
    "longitude": "number",
    "icao": "icao_code",
    "iata": "airport_code",
}


def _airport(code: str) -> dict[str, Any]:
    code = code.strip().upper()
    rec = _by("IATA").get(code) if len(code) == 3 else _by("ICAO").get(code)
    if rec is None:
        raise ToolError(
            f"unknown airport code {code!r}: give a 3-letter IATA code (e.g. 'NBO') or a "
            "4-letter ICAO code (e.g. 'HKJK')"
        )
    return rec


@tool(
    "general.airports.by_iata",
    "R",
    params={"iata": "3-letter IATA airport code, e.g. 'NBO' or 'LHR'."},
    examples=[{"iata": "NBO"}, {"iata": "lhr"}],
    bad_examples=[{"iata": "QQQ"}, {"iata": "NBOX"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"iata": "airport_code"},
    produces=_PRODUCES,
)
def by_iata(iata: str) -> dict:
    """Airport with a given IATA code: name, ICAO code, city, subdivision, country, elevation (feet),
    latitude/longitude and IANA time zone."""
    if len(iata.strip()) != 3:
        raise ToolError(f"an IATA code has 3 letters, got {iata!r}")
    return _row(_airport(iata))


@tool(
    "general.airports.by_icao",
    "R",
    params={"icao": "4-letter ICAO airport code, e.g. 'HKJK' or 'EGLL'."},
    examples=[{"icao": "HKJK"}, {"icao": "KJFK"}],
    bad_examples=[{"icao": "ZZZZ"}, {"icao": "NBO"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"icao": "icao_code"},
    produces=_PRODUCES,
)
def by_icao(icao: str) -> dict:
    """Airport with a given ICAO code (includes small airfields without IATA codes): name, IATA code,
    city, country, elevation (feet), coordinates and time zone."""
    if len(icao.strip()) != 4:
        raise ToolError(f"an ICAO code has 4 characters, got {icao!r}")
    return _row(_airport(icao))


@tool(
    "general.airports.in_city",
    "R",
    params={
        "city": "City served, e.g. 'London' or 'Nairobi'.",
        "country": "Optional country name or ISO code, e.g. 'GB'.",
    },
    examples=[{"city": "London", "country": "GB"}, {"city": "Nairobi"}],
    bad_examples=[{"city": "Minas Tirith"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"city": "city", "country": "country"},
    produces={"iata_codes": "airport_code"},
)
def in_city(city: str, country: str | None = None) -> dict:
    """Airports with an IATA code that list a given city, with names and codes (first 20) and count."""
    cc = country_alpha2(country) if country else None
    rows = [_row(a) for a in _by_city().get(norm(city), []) if cc is None or a["country"] == cc]
    if not rows:
        raise unknown("city with an IATA airport", city, {a["city"] for a in _by("IATA").values()})
    rows.sort(key=lambda r: r["iata"])
    page = capped([{k: r[k] for k in ("iata", "icao", "name", "country_code")} for r in rows])
    return {
        "city": city,
        "airports": page["items"],
        "iata_codes": [r["iata"] for r in page["items"]],
        "total": page["total"],
    }


@tool(
    "general.airports.in_country",
    "R",
    params={
        "country": "Country name or ISO code, e.g. 'Kenya' or 'KE'.",
        "subdivision": "Optional state/province name filter, e.g. 'California'.",
        "iata_only": "Count only airports that have an IATA code (default true).",
    },
    examples=[{"country": "Kenya"}, {"country": "US", "subdivision": "Hawaii"}],
    bad_examples=[{"country": "Atlantis"}, {"country": "US", "subdivision": "Narnia"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"country": "country"},
    produces={"iata_codes": "airport_code"},
)
def in_country(country: str, subdivision: str | None = None, iata_only: bool = True) -> dict:
    """Airports of a country (optionally one subdivision): total count, count by subdivision (top 10)
    and the first 20 airports alphabetically by IATA code."""
    cc = country_alpha2(country)
    pool = _by("IATA").values() if iata_only else _by("ICAO").values()
    rows = [a for a in pool if a["country"] == cc]
    if subdivision:
        rows = [a for a in rows if norm(a["subd"]) == norm(subdivision)]
    if not rows:
        raise unknown(
            "subdivision" if subdivision else "country with airports",
            subdivision or country,
            {a["subd"] for a in pool if a["country"] == cc} if subdivision else None,
        )
    by_subd: dict[str, int] = {}
    for a in rows:
        by_subd[a["subd"]] = by_subd.get(a["subd"], 0) + 1
    top = sorted(by_subd.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    rows.sort(key=lambda a: (a["iata"] or "~", a["icao"]))
    listed = [
        {"iata": a["iata"] or None, "icao": a["icao"] or None, "name": a["name"], "city": a["city"]}
        for a in rows[:20]
    ]
    return {
        "country_code": cc,
        "subdivision": subdivision,
        "total": len(rows),
        "by_subdivision": dict(top),
        "airports": listed,
        "iata_codes": [a["iata"] for a in listed if a["iata"]],
    }


def _geod() -> Any:
    from geographiclib.geodesic import Geodesic

    return Geodesic.WGS84


@tool(
    "general.airports.nearest",
    "R",
    params={
        "latitude": "Latitude in decimal degrees, e.g. -1.29.",
        "longitude": "Longitude in decimal degrees, e.g. 36.82.",
        "limit": "How many airports, 1-20, e.g. 5.",
    },
    examples=[{"latitude": -1.29, "longitude": 36.82, "limit": 3}],
    bad_examples=[{"latitude": 91.0, "longitude": 0.0}, {"latitude": 0.0, "longitude": 0.0, "limit": 50}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES + ["geographiclib"],
    produces={"iata_codes": "airport_code"},
)
def nearest(latitude: float, longitude: float, limit: int = 5) -> dict:
    """IATA-coded airports nearest to a point, with WGS84 geodesic distance in km."""
    check_latlon(latitude, longitude)
    if not 1 <= limit <= 20:
        raise ToolError(f"limit must be between 1 and 20, got {limit}")
    rough = sorted(
        _by("IATA").values(),
        key=lambda a: (a["lat"] - latitude) ** 2 + ((a["lon"] - longitude + 180) % 360 - 180) ** 2,
    )
    rows = []
    for a in rough[: limit * 5]:
        d = _geod().Inverse(latitude, longitude, a["lat"], a["lon"])["s12"] / 1000
        rows.append(
            {
                "iata": a["iata"],
                "name": a["name"],
                "city": a["city"],
                "country_code": a["country"],
                "distance_km": round(d, 2),
            }
        )
    rows.sort(key=lambda r: (r["distance_km"], r["iata"]))
    return {"airports": rows[:limit], "iata_codes": [r["iata"] for r in rows[:limit]]}


@tool(
    "general.airports.distance",
    "P",
    params={
        "origin": "IATA or ICAO code of the departure airport, e.g. 'NBO'.",
        "destination": "IATA or ICAO code of the arrival airport, e.g. 'LHR'.",
    },
    examples=[{"origin": "NBO", "destination": "LHR"}, {"origin": "KJFK", "destination": "EGLL"}],
    bad_examples=[{"origin": "QQQ", "destination": "LHR"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES + ["geographiclib"],
    accepts={"origin": "airport_code", "destination": "airport_code"},
    produces={"distance_km": "number"},
)
def distance(origin: str, destination: str) -> dict:
    """Great-circle (WGS84 geodesic) distance between two airports in km, statute miles and nautical
    miles, with the initial bearing and whether the trip crosses time zones."""
    a, b = _airport(origin), _airport(destination)
    g = _geod().Inverse(a["lat"], a["lon"], b["lat"], b["lon"])
    km = g["s12"] / 1000
    return {
        "origin": a["iata"] or a["icao"],
        "destination": b["iata"] or b["icao"],
        "distance_km": round(km, 2),
        "distance_mi": round(km / 1.609344, 2),
        "distance_nmi": round(km / 1.852, 2),
        "initial_bearing_deg": round(g["azi1"] % 360, 2),
        "origin_timezone": a["tz"],
        "destination_timezone": b["tz"],
    }
