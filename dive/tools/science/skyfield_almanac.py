"""Almanac events (lunar phases, seasons, eclipses, oppositions, twilight, transits) from JPL DE421."""

from __future__ import annotations

from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.science.skyfield_eph import (
    _BODIES,
    _DATA,
    _LAT,
    _LON,
    _PKG,
    _PLANETS,
    _REQ,
    _body,
    _day,
    _iso,
    _load,
    _observer,
    _year_range,
)


@tool(
    "science.skyfield.lunar_phases",
    "R",
    params={"year": "Year, 1901..2049, e.g. 2024.", "month": "Month number 1..12, e.g. 4."},
    examples=[{"year": 2024, "month": 4}],
    bad_examples=[{"year": 2024, "month": 13}, {"year": 2200, "month": 1}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"year": "year"},
    produces={"full_moon": "date"},
)
def lunar_phases(year: int, month: int) -> dict[str, Any]:
    """Times (UTC) of new moon, first quarter, full moon and last quarter within one calendar month."""
    from skyfield import almanac

    if not 1 <= month <= 12:
        raise ToolError(f"month must be 1..12, got {month}")
    _year_range(year)
    eph, ts = _load()
    t0 = ts.utc(year, month, 1)
    t1 = ts.utc(year + (month == 12), month % 12 + 1, 1)
    times, phases = almanac.find_discrete(t0, t1, almanac.moon_phases(eph))
    events = [
        {"phase": almanac.MOON_PHASES[p].lower(), "time_utc": _iso(t)}
        for t, p in zip(times, phases, strict=True)
    ]
    full = next((e["time_utc"][:10] for e in events if e["phase"] == "full moon"), None)
    return {"year": year, "month": month, "events": events, "full_moon": full}


@tool(
    "science.skyfield.seasons",
    "R",
    params={"year": "Year, 1901..2049, e.g. 2025."},
    examples=[{"year": 2025}],
    bad_examples=[{"year": 1850}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"year": "year"},
    produces={"march_equinox": "date", "june_solstice": "date"},
)
def seasons(year: int) -> dict[str, Any]:
    """UTC times of the March equinox, June solstice, September equinox and December solstice of a year."""
    from skyfield import almanac

    t0, t1 = _year_range(year)
    times, events = almanac.find_discrete(t0, t1, almanac.seasons(_load()[0]))
    keys = ["march_equinox", "june_solstice", "september_equinox", "december_solstice"]
    return {"year": year, **{keys[e]: _iso(t) for t, e in zip(times, events, strict=True)}}


@tool(
    "science.skyfield.lunar_eclipses",
    "R",
    params={"year": "Year, 1901..2049, e.g. 2025."},
    examples=[{"year": 2025}],
    bad_examples=[{"year": 2077}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"year": "year"},
    produces={"dates": "date"},
)
def lunar_eclipses(year: int) -> dict[str, Any]:
    """Lunar eclipses in a year: time of greatest eclipse (UTC), type (penumbral, partial, total)
    and umbral magnitude."""
    from skyfield import eclipselib

    if not (1901 <= year <= 2049):
        raise ToolError(f"year must be within 1901..2049 (DE421 coverage), got {year}")
    t0, t1 = _year_range(year)
    times, kinds, details = eclipselib.lunar_eclipses(t0, t1, _load()[0])
    items = [
        {
            "time_utc": _iso(t),
            "type": eclipselib.LUNAR_ECLIPSES[k].lower(),
            "umbral_magnitude": round(float(m), 4),
        }
        for t, k, m in zip(times, kinds, details["umbral_magnitude"], strict=True)
    ]
    return {
        "year": year,
        "eclipses": items,
        "dates": [i["time_utc"][:10] for i in items],
        "count": len(items),
    }


@tool(
    "science.skyfield.oppositions_conjunctions",
    "R",
    params={"planet": "Planet other than Earth, e.g. 'Mars'.", "year": "Year, 1901..2049, e.g. 2025."},
    examples=[{"planet": "Mars", "year": 2025}, {"planet": "Jupiter", "year": 2024}],
    bad_examples=[{"planet": "Moon", "year": 2025}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"planet": "planet", "year": "year"},
    produces={"dates": "date"},
)
def oppositions_conjunctions(planet: str, year: int) -> dict[str, Any]:
    """Dates (UTC) when a planet is at opposition or conjunction with the Sun (ecliptic longitude)
    during a year."""
    from skyfield import almanac

    key, target = _body(planet, _PLANETS)
    t0, t1 = _year_range(year)
    times, kinds = almanac.find_discrete(t0, t1, almanac.oppositions_conjunctions(_load()[0], target))
    items = [
        {"time_utc": _iso(t), "event": "opposition" if k else "conjunction"}
        for t, k in zip(times, kinds, strict=True)
    ]
    return {"planet": key, "year": year, "events": items, "dates": [i["time_utc"][:10] for i in items]}


@tool(
    "science.skyfield.twilight",
    "R",
    params={"latitude": _LAT, "longitude": _LON, "date": "UTC date, e.g. '2024-12-21'."},
    examples=[{"latitude": 40.71, "longitude": -74.01, "date": "2024-12-21"}],
    bad_examples=[{"latitude": 40.71, "longitude": -200.0, "date": "2024-12-21"}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"date": "date"},
    produces={"sunrise_utc": "date"},
)
def twilight(latitude: float, longitude: float, date: str) -> dict[str, Any]:
    """Start times (UTC) of each twilight stage during one UTC day at a place: astronomical,
    nautical, civil twilight and day, with sunrise and sunset."""
    from skyfield import almanac
    from skyfield.api import wgs84

    _observer(latitude, longitude)
    t0, t1 = _day(date)
    fn = almanac.dark_twilight_day(_load()[0], wgs84.latlon(latitude, longitude))
    times, states = almanac.find_discrete(t0, t1, fn)
    names = ["night", "astronomical twilight", "nautical twilight", "civil twilight", "day"]
    events, prev = [], int(fn(t0))
    for t, s in zip(times, states, strict=True):
        events.append({"time_utc": _iso(t), "from": names[prev], "to": names[s]})
        prev = int(s)
    rise = next((e["time_utc"] for e in events if e["to"] == "day"), None)
    sset = next((e["time_utc"] for e in events if e["from"] == "day"), None)
    return {"date": date, "events": events, "sunrise_utc": rise, "sunset_utc": sset}


@tool(
    "science.skyfield.meridian_transit",
    "R",
    params={
        "body": "Sun, Moon or planet, e.g. 'Jupiter'.",
        "latitude": _LAT,
        "longitude": _LON,
        "date": "UTC date, e.g. '2024-12-07'.",
    },
    examples=[{"body": "Jupiter", "latitude": 48.85, "longitude": 2.35, "date": "2024-12-07"}],
    bad_examples=[{"body": "Ceres", "latitude": 48.85, "longitude": 2.35, "date": "2024-12-07"}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"body": "planet", "date": "date"},
    produces={"transit_utc": "date", "altitude_degrees": "number"},
)
def meridian_transit(body: str, latitude: float, longitude: float, date: str) -> dict[str, Any]:
    """Time (UTC) a body crosses the local meridian (culminates) on a UTC day, and its altitude then."""
    from skyfield import almanac

    key, target = _body(body, [b for b in _BODIES if b != "earth"])
    t0, t1 = _day(date)
    obs = _observer(latitude, longitude)
    times = almanac.find_transits(obs, target, t0, t1)
    if not len(times):
        return {"body": key, "date": date, "transit_utc": None, "altitude_degrees": None}
    alt = obs.at(times[0]).observe(target).apparent().altaz()[0].degrees
    return {"body": key, "date": date, "transit_utc": _iso(times[0]), "altitude_degrees": round(alt, 4)}
