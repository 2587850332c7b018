"""Sun and Moon with ``astral``: sunrise/sunset and twilight, solar position, golden hour, moon phase,
moonrise/moonset, and astral's built-in city location database."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.general._util import check_latlon, norm, parse_date, parse_datetime, unknown

PACKAGE = "astral"
REQ = ["astral", "tzdata"]
_LAT = "Latitude in decimal degrees, -90..90, e.g. -1.29."
_LON = "Longitude in decimal degrees, -180..180, e.g. 36.82."
_TZ = "IANA time zone for the output times, e.g. 'Africa/Nairobi' (default 'UTC')."


def _observer(latitude: float, longitude: float) -> Any:
    from astral import Observer

    check_latlon(latitude, longitude)
    return Observer(latitude=latitude, longitude=longitude)


def _tz(name: str) -> Any:
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ToolError(f"unknown time zone {name!r}; use an IANA name such as 'Europe/Paris'") from exc


def _hm(value: dt.datetime) -> str:
    return value.strftime("%H:%M:%S")


@tool(
    "general.astral.sun_times",
    "P",
    params={"latitude": _LAT, "longitude": _LON, "date": "ISO date, e.g. '2026-06-21'.", "timezone": _TZ},
    examples=[
        {"latitude": -1.29, "longitude": 36.82, "date": "2026-03-01", "timezone": "Africa/Nairobi"},
        {"latitude": 51.5, "longitude": -0.12, "date": "2026-06-21", "timezone": "Europe/London"},
    ],
    bad_examples=[
        {"latitude": 78.2, "longitude": 15.6, "date": "2026-06-21"},
        {"latitude": 100.0, "longitude": 0.0, "date": "2026-06-21"},
    ],
    package=PACKAGE,
    requires=REQ,
    accepts={"date": "date", "timezone": "timezone"},
    produces={"day_length_hours": "number"},
)
def sun_times(latitude: float, longitude: float, date: str, timezone: str = "UTC") -> dict:
    """Civil dawn, sunrise, solar noon, sunset and civil dusk at a place on a date (local times in the
    given zone), and day length in hours. Fails in polar day/night."""
    from astral.sun import sun

    obs, tz = _observer(latitude, longitude), _tz(timezone)
    try:
        s = sun(obs, parse_date(date), tzinfo=tz)
    except ValueError as exc:
        raise ToolError(f"the sun does not rise or set normally there on that date ({exc})") from exc
    length = (s["sunset"] - s["sunrise"]).total_seconds() / 3600
    return {
        "date": date,
        "timezone": timezone,
        **{k: _hm(v) for k, v in s.items()},
        "day_length_hours": round(length, 3),
    }


@tool(
    "general.astral.solar_position",
    "P",
    params={"latitude": _LAT, "longitude": _LON, "datetime": "UTC date-time, ISO, e.g. '2026-06-21T12:00'."},
    examples=[{"latitude": 51.5, "longitude": -0.12, "datetime": "2026-06-21T12:00"}],
    bad_examples=[{"latitude": 51.5, "longitude": 200.0, "datetime": "2026-06-21T12:00"}],
    package=PACKAGE,
    requires=REQ,
)
def solar_position(latitude: float, longitude: float, datetime: str) -> dict:
    """Sun's elevation above the horizon and azimuth (degrees clockwise from north) at a place and UTC
    time; negative elevation means the sun is below the horizon."""
    from astral.sun import azimuth, elevation

    obs = _observer(latitude, longitude)
    when = parse_datetime(datetime).replace(tzinfo=dt.UTC)
    el = elevation(obs, when)
    return {
        "datetime_utc": when.isoformat(),
        "elevation_deg": round(el, 3),
        "azimuth_deg": round(azimuth(obs, when), 3),
        "zenith_deg": round(90 - el, 3),
        "sun_up": el > -0.833,
    }


@tool(
    "general.astral.golden_hour",
    "P",
    params={"latitude": _LAT, "longitude": _LON, "date": "ISO date, e.g. '2026-06-21'.", "timezone": _TZ},
    examples=[{"latitude": 48.86, "longitude": 2.35, "date": "2026-06-21", "timezone": "Europe/Paris"}],
    bad_examples=[{"latitude": 89.9, "longitude": 0.0, "date": "2026-06-21"}],
    package=PACKAGE,
    requires=REQ,
    accepts={"date": "date", "timezone": "timezone"},
)
def golden_hour(latitude: float, longitude: float, date: str, timezone: str = "UTC") -> dict:
    """Photographers' golden hour and blue hour windows (morning and evening) at a place on a date, as
    local start/end times."""
    from astral import SunDirection
    from astral.sun import blue_hour
    from astral.sun import golden_hour as gh

    obs, tz, day = _observer(latitude, longitude), _tz(timezone), parse_date(date)
    out: dict[str, Any] = {"date": date, "timezone": timezone}
    try:
        for label, direction in (("morning", SunDirection.RISING), ("evening", SunDirection.SETTING)):
            g = gh(obs, day, direction, tzinfo=tz)
            b = blue_hour(obs, day, direction, tzinfo=tz)
            out[f"{label}_golden_hour"] = [_hm(g[0]), _hm(g[1])]
            out[f"{label}_blue_hour"] = [_hm(b[0]), _hm(b[1])]
    except ValueError as exc:
        raise ToolError(f"no golden/blue hour there on that date ({exc})") from exc
    return out


_PHASES = [
    (0, "new moon"),
    (1, "waxing crescent"),
    (6.38, "first quarter"),
    (8.38, "waxing gibbous"),
    (13.0, "full moon"),
    (15.8, "waning gibbous"),
    (20.1, "last quarter"),
    (22.1, "waning crescent"),
    (27.0, "new moon"),
]


@tool(
    "general.astral.moon_phase",
    "P",
    params={"date": "ISO date, e.g. '2026-03-03'."},
    examples=[{"date": "2026-03-03"}],
    bad_examples=[{"date": "2026-03-32"}],
    package=PACKAGE,
    requires=REQ,
    accepts={"date": "date"},
)
def moon_phase(date: str) -> dict:
    """Moon phase on a date: astral's phase number (0 = new, ~7 = first quarter, ~14 = full, ~21 = last
    quarter, up to 27.99), its name and the approximate illuminated fraction."""
    import math

    from astral import moon

    p = moon.phase(parse_date(date))
    name = [n for start, n in _PHASES if p >= start][-1]
    illum = (1 - math.cos(2 * math.pi * p / 29.53)) / 2
    return {"date": date, "phase": round(p, 3), "phase_name": name, "illuminated_fraction": round(illum, 3)}


@tool(
    "general.astral.moon_rise_set",
    "P",
    params={"latitude": _LAT, "longitude": _LON, "date": "ISO date, e.g. '2026-03-01'.", "timezone": _TZ},
    examples=[{"latitude": -1.29, "longitude": 36.82, "date": "2026-03-01", "timezone": "Africa/Nairobi"}],
    bad_examples=[{"latitude": -1.29, "longitude": 36.82, "date": "2026-03-01", "timezone": "Mars/Base"}],
    package=PACKAGE,
    requires=REQ,
    accepts={"date": "date", "timezone": "timezone"},
)
def moon_rise_set(latitude: float, longitude: float, date: str, timezone: str = "UTC") -> dict:
    """Moonrise and moonset times at a place on a local date (null when the moon does not rise or set
    that day)."""
    from astral import moon

    obs, tz, day = _observer(latitude, longitude), _tz(timezone), parse_date(date)
    out: dict[str, Any] = {"date": date, "timezone": timezone}
    for key, fn in (("moonrise", moon.moonrise), ("moonset", moon.moonset)):
        try:
            value = fn(obs, day, tzinfo=tz)
            out[key] = value.isoformat(timespec="minutes") if value else None
        except ValueError:
            out[key] = None
    return out


@functools.cache
def _locations() -> dict[str, Any]:
    from astral.geocoder import all_locations, database

    locs: dict[str, Any] = {}
    for loc in all_locations(database()):
        locs.setdefault(norm(loc.name), loc)
    return locs


def astral_city_names() -> list[str]:
    return sorted(loc.name for loc in _locations().values())


@tool(
    "general.astral.city_location",
    "R",
    params={"city": "City or capital name from astral's database, e.g. 'London' or 'Nairobi'."},
    examples=[{"city": "London"}, {"city": "Nairobi"}],
    bad_examples=[{"city": "Minas Tirith"}],
    package=PACKAGE,
    dataset="astral geocoder database (~380 world cities)",
    requires=REQ,
    accepts={"city": "city"},
    produces={"timezone": "timezone", "latitude": "number", "longitude": "number"},
)
def city_location(city: str) -> dict:
    """Coordinates, region/country and IANA time zone of a city from astral's built-in location database
    (capitals and major cities), ready for the sun and moon tools."""
    loc = _locations().get(norm(city))
    if loc is None:
        raise unknown(
            "city",
            city,
            [loc.name for loc in _locations().values()],
            "astral knows about 380 capitals and major cities",
        )
    return {
        "city": loc.name,
        "region": loc.region,
        "timezone": loc.timezone,
        "latitude": round(loc.latitude, 5),
        "longitude": round(loc.longitude, 5),
    }
