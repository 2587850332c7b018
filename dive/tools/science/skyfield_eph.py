"""Solar-system ephemeris look-ups from JPL DE421 (1900-2050), shipped by skyfield-data."""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.science._common import parse_date, parse_datetime, resolve

_PKG = "skyfield"
_DATA = "JPL DE421 ephemeris (skyfield-data)"
_REQ = ["skyfield", "skyfield_data"]
_BODIES = {
    "sun": "sun",
    "moon": "moon",
    "mercury": "mercury",
    "venus": "venus",
    "earth": "earth",
    "mars": "mars",
    "jupiter": "jupiter barycenter",
    "saturn": "saturn barycenter",
    "uranus": "uranus barycenter",
    "neptune": "neptune barycenter",
    "pluto": "pluto barycenter",
}
_PLANETS = ["mercury", "venus", "mars", "jupiter", "saturn", "uranus", "neptune", "pluto"]
_MIN, _MAX = dt.date(1900, 1, 2), dt.date(2049, 12, 30)
_LAT = "Observer latitude in degrees, north positive (-90..90), e.g. 51.48."
_LON = "Observer longitude in degrees, east positive (-180..180), e.g. -0.0015."


@functools.cache
def _load() -> tuple[Any, Any]:
    from skyfield.api import Loader
    from skyfield_data import get_skyfield_data_path

    with warnings.catch_warnings():  # skyfield-data warns that its IERS table aged; DE421 is unaffected
        warnings.simplefilter("ignore")
        loader = Loader(get_skyfield_data_path(), expire=False, verbose=False)
        return loader("de421.bsp"), loader.timescale(builtin=True)


@functools.cache
def _constellations() -> tuple[Any, dict[str, str]]:
    from skyfield.api import load_constellation_map, load_constellation_names

    return load_constellation_map(), dict(load_constellation_names())


def _body(name: str, allowed: list[str] | None = None) -> tuple[str, Any]:
    pool = {k: v for k, v in _BODIES.items() if allowed is None or k in allowed}
    key = resolve(pool, name.strip().lower(), "solar-system body")
    return key, _load()[0][pool[key]]


def _time(value: str) -> Any:
    when = parse_datetime(value)
    if not (_MIN <= when.date() <= _MAX):
        raise ToolError(f"time {value!r} is outside the DE421 range {_MIN}..{_MAX}")
    return _load()[1].from_datetime(when)


def _day(value: str) -> tuple[Any, Any]:
    day = parse_date(value)
    if not (_MIN <= day <= _MAX):
        raise ToolError(f"date {value!r} is outside the DE421 range {_MIN}..{_MAX}")
    ts = _load()[1]
    return ts.utc(day.year, day.month, day.day), ts.utc(day.year, day.month, day.day + 1)


def _year_range(year: int) -> tuple[Any, Any]:
    if not (1901 <= year <= 2049):
        raise ToolError(f"year must be within 1901..2049 (DE421 coverage), got {year}")
    ts = _load()[1]
    return ts.utc(year, 1, 1), ts.utc(year + 1, 1, 1)


def _observer(latitude: float, longitude: float) -> Any:
    from skyfield.api import wgs84

    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ToolError("latitude must be in -90..90 and longitude in -180..180 degrees")
    return _load()[0]["earth"] + wgs84.latlon(latitude, longitude)


def _iso(t: Any) -> str:
    return t.utc_strftime("%Y-%m-%dT%H:%M:%SZ")


@tool(
    "science.skyfield.body_position",
    "R",
    params={
        "body": "Sun, Moon or planet name, e.g. 'Mars'.",
        "time": "UTC time, e.g. '2024-04-08T18:00:00'.",
    },
    examples=[{"body": "Mars", "time": "2024-04-08"}, {"body": "Moon", "time": "2024-04-08T18:00:00"}],
    bad_examples=[{"body": "Vulcan", "time": "2024-04-08"}, {"body": "Mars", "time": "2150-01-01"}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"body": "planet", "time": "date"},
    produces={"constellation": "constellation", "distance_au": "number", "ra_hours": "number"},
)
def body_position(body: str, time: str) -> dict[str, Any]:
    """Geocentric astrometric position of a solar-system body: RA (hours), Dec (degrees, ICRS/J2000),
    distance (AU and km), light time (minutes) and the constellation it lies in."""
    key, target = _body(body, [b for b in _BODIES if b != "earth"])
    t = _time(time)
    astrometric = _load()[0]["earth"].at(t).observe(target)
    ra, dec, dist = astrometric.radec()
    cmap, names = _constellations()
    abbr = cmap(astrometric)
    return {
        "body": key,
        "time": _iso(t),
        "ra_hours": round(ra.hours, 6),
        "dec_degrees": round(dec.degrees, 5),
        "distance_au": round(dist.au, 8),
        "distance_km": round(dist.km, 1),
        "light_time_minutes": round(dist.au * 8.316746397, 4),
        "constellation": names[str(abbr)],
    }


@tool(
    "science.skyfield.distance_between",
    "R",
    params={
        "body_a": "First body, e.g. 'Earth'.",
        "body_b": "Second body, e.g. 'Jupiter'.",
        "time": "UTC time, e.g. '2025-01-01'.",
    },
    examples=[
        {"body_a": "Earth", "body_b": "Jupiter", "time": "2025-01-01"},
        {"body_a": "Sun", "body_b": "Neptune", "time": "2000-01-01"},
    ],
    bad_examples=[{"body_a": "Earth", "body_b": "Nibiru", "time": "2025-01-01"}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"body_a": "planet", "body_b": "planet", "time": "date"},
    produces={"distance_au": "number", "distance_km": "number"},
)
def distance_between(body_a: str, body_b: str, time: str) -> dict[str, Any]:
    """Geometric (instantaneous) distance between two solar-system bodies: AU, km and one-way
    light travel time in seconds."""
    ka, a = _body(body_a)
    kb, b = _body(body_b)
    if ka == kb:
        raise ToolError("body_a and body_b must differ")
    t = _time(time)
    dist = (b.at(t) - a.at(t)).distance()
    return {
        "body_a": ka,
        "body_b": kb,
        "time": _iso(t),
        "distance_au": round(dist.au, 8),
        "distance_km": round(dist.km, 1),
        "light_time_seconds": round(dist.km / 299792.458, 3),
    }


@tool(
    "science.skyfield.altaz",
    "R",
    params={
        "body": "Sun, Moon or planet, e.g. 'Venus'.",
        "latitude": _LAT,
        "longitude": _LON,
        "time": "UTC time, e.g. '2024-06-21T20:00:00'.",
    },
    examples=[{"body": "Venus", "latitude": 51.48, "longitude": -0.0015, "time": "2024-06-21T20:00:00"}],
    bad_examples=[{"body": "Venus", "latitude": 123.0, "longitude": 0.0, "time": "2024-06-21"}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"body": "planet", "time": "date"},
    produces={"altitude_degrees": "number", "azimuth_degrees": "number"},
)
def altaz(body: str, latitude: float, longitude: float, time: str) -> dict[str, Any]:
    """Apparent altitude and azimuth (degrees, azimuth from north through east) of a body seen
    from a place on Earth, and whether it is above the horizon."""
    key, target = _body(body, [b for b in _BODIES if b != "earth"])
    t = _time(time)
    alt, az, dist = _observer(latitude, longitude).at(t).observe(target).apparent().altaz()
    return {
        "body": key,
        "time": _iso(t),
        "altitude_degrees": round(alt.degrees, 4),
        "azimuth_degrees": round(az.degrees, 4),
        "above_horizon": bool(alt.degrees > 0),
    }


@tool(
    "science.skyfield.rise_set",
    "R",
    params={
        "body": "Sun, Moon or planet, e.g. 'Sun'.",
        "latitude": _LAT,
        "longitude": _LON,
        "date": "UTC date, e.g. '2024-06-21'.",
    },
    examples=[
        {"body": "Sun", "latitude": 51.48, "longitude": -0.0015, "date": "2024-06-21"},
        {"body": "Moon", "latitude": -33.87, "longitude": 151.21, "date": "2024-01-15"},
    ],
    bad_examples=[{"body": "Sun", "latitude": 51.48, "longitude": 0.0, "date": "1800-01-01"}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"body": "planet", "date": "date"},
    produces={"rise_utc": "date", "set_utc": "date"},
)
def rise_set(body: str, latitude: float, longitude: float, date: str) -> dict[str, Any]:
    """Rising and setting times (UTC) of a body at a place during one UTC day; null when it
    does not rise or set that day (circumpolar or below horizon)."""
    from skyfield import almanac
    from skyfield.api import wgs84

    key, target = _body(body, [b for b in _BODIES if b != "earth"])
    t0, t1 = _day(date)
    _observer(latitude, longitude)
    place = wgs84.latlon(latitude, longitude)
    eph = _load()[0]
    rises, _ = almanac.find_risings(eph["earth"] + place, target, t0, t1)
    sets, _ = almanac.find_settings(eph["earth"] + place, target, t0, t1)
    return {
        "body": key,
        "date": date,
        "rise_utc": _iso(rises[0]) if len(rises) else None,
        "set_utc": _iso(sets[0]) if len(sets) else None,
    }


@tool(
    "science.skyfield.moon_phase",
    "R",
    params={"time": "UTC time, e.g. '2024-04-08T18:00:00'."},
    examples=[{"time": "2024-04-08T18:00:00"}, {"time": "1969-07-20"}],
    bad_examples=[{"time": "not a date"}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"time": "date"},
    produces={"illuminated_fraction": "number", "phase_name": "moon_phase"},
)
def moon_phase(time: str) -> dict[str, Any]:
    """Moon phase at a time: phase angle (degrees of ecliptic elongation from the Sun, 0 = new,
    180 = full), illuminated fraction (0..1) and the phase name."""
    from skyfield import almanac

    eph = _load()[0]
    t = _time(time)
    angle = almanac.moon_phase(eph, t).degrees
    frac = almanac.fraction_illuminated(eph, "moon", t)
    names = [
        "new moon",
        "waxing crescent",
        "first quarter",
        "waxing gibbous",
        "full moon",
        "waning gibbous",
        "last quarter",
        "waning crescent",
    ]
    return {
        "time": _iso(t),
        "phase_angle_degrees": round(angle, 3),
        "illuminated_fraction": round(float(frac), 4),
        "phase_name": names[int(((angle + 22.5) % 360) // 45)],
    }


@tool(
    "science.skyfield.heliocentric_position",
    "R",
    params={"planet": "Planet name, e.g. 'Saturn' (or 'Earth').", "time": "UTC time, e.g. '2030-01-01'."},
    examples=[{"planet": "Saturn", "time": "2030-01-01"}, {"planet": "Earth", "time": "2024-01-03"}],
    bad_examples=[{"planet": "Sun", "time": "2030-01-01"}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"planet": "planet", "time": "date"},
    produces={"ecliptic_longitude_degrees": "number", "distance_au": "number"},
)
def heliocentric_position(planet: str, time: str) -> dict[str, Any]:
    """Heliocentric ecliptic coordinates of a planet (J2000 ecliptic longitude and latitude in
    degrees) and its distance from the Sun in AU."""
    from skyfield.framelib import ecliptic_J2000_frame

    key, target = _body(planet, _PLANETS + ["earth"])
    t = _time(time)
    lat, lon, dist = (target.at(t) - _load()[0]["sun"].at(t)).frame_latlon(ecliptic_J2000_frame)
    return {
        "planet": key,
        "time": _iso(t),
        "ecliptic_longitude_degrees": round(lon.degrees, 5),
        "ecliptic_latitude_degrees": round(lat.degrees, 5),
        "distance_au": round(dist.au, 8),
    }
