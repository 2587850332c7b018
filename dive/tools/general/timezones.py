"""Time zones: IANA zone at a coordinate (``timezonefinder`` polygons) and tz-database lookups and
conversions with stdlib ``zoneinfo`` (backed by the ``tzdata`` package)."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.general._util import capped, check_latlon, norm, parse_datetime, unknown

TZDATA = "IANA time zone database (tzdata)"


@functools.cache
def _finder() -> Any:
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


@functools.cache
def _zones() -> tuple[str, ...]:
    import zoneinfo

    return tuple(sorted(zoneinfo.available_timezones()))


def _zone(name: str) -> Any:
    import zoneinfo

    key = name.strip()
    by_norm = {norm(z): z for z in _zones()}
    key = key if key in _zones() else by_norm.get(norm(key), key)
    try:
        return zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise unknown("time zone", name, _zones(), "use an IANA name such as 'Europe/Paris'") from exc


def _offset_h(delta: dt.timedelta | None) -> float:
    return round((delta or dt.timedelta()).total_seconds() / 3600, 2)


@tool(
    "general.tz.timezone_at",
    "R",
    params={
        "latitude": "Latitude in decimal degrees, e.g. -1.29.",
        "longitude": "Longitude in decimal degrees, e.g. 36.82.",
    },
    examples=[{"latitude": -1.29, "longitude": 36.82}, {"latitude": 40.71, "longitude": -74.0}],
    bad_examples=[{"latitude": 120.0, "longitude": 0.0}],
    package="timezonefinder",
    dataset="timezone-boundary-builder polygons (timezonefinder-data)",
    requires=["timezonefinder"],
    produces={"timezone": "timezone"},
)
def timezone_at(latitude: float, longitude: float) -> dict:
    """IANA time zone name in force at a coordinate (land polygons; 'Etc/GMT±N' at sea)."""
    check_latlon(latitude, longitude)
    zone = _finder().timezone_at(lng=longitude, lat=latitude)
    if zone is None:
        raise ToolError(f"no time zone found at ({latitude}, {longitude})")
    return {"latitude": latitude, "longitude": longitude, "timezone": zone}


@tool(
    "general.tz.zone_info",
    "R",
    params={
        "timezone": "IANA time zone, e.g. 'Europe/London'.",
        "at": "Local date-time to evaluate, ISO 'YYYY-MM-DDTHH:MM', e.g. '2026-07-01T12:00'.",
    },
    examples=[
        {"timezone": "Europe/London", "at": "2026-07-01T12:00"},
        {"timezone": "Australia/Sydney", "at": "2026-01-15T09:00"},
    ],
    bad_examples=[{"timezone": "Mars/Olympus_Mons", "at": "2026-07-01T12:00"}],
    package="tzdata",
    dataset=TZDATA,
    requires=["zoneinfo", "tzdata"],
    accepts={"timezone": "timezone"},
    produces={"utc_offset_hours": "number"},
)
def zone_info(timezone: str, at: str) -> dict:
    """UTC offset (hours), daylight-saving status and abbreviation (e.g. 'BST') of a time zone at a given
    local date-time, plus its standard offset."""
    zone = _zone(timezone)
    local = parse_datetime(at, "at").replace(tzinfo=zone)
    jan, jul = dt.datetime(local.year, 1, 15, tzinfo=zone), dt.datetime(local.year, 7, 15, tzinfo=zone)
    standard = min(_offset_h(jan.utcoffset()), _offset_h(jul.utcoffset()))
    return {
        "timezone": zone.key,
        "local_time": local.isoformat(),
        "utc_offset_hours": _offset_h(local.utcoffset()),
        "abbreviation": local.tzname(),
        "is_dst": bool(local.dst()),
        "standard_offset_hours": standard,
        "observes_dst": jan.utcoffset() != jul.utcoffset(),
    }


@tool(
    "general.tz.dst_transitions",
    "R",
    params={"timezone": "IANA time zone, e.g. 'America/New_York'.", "year": "Year 1970-2037, e.g. 2026."},
    examples=[{"timezone": "America/New_York", "year": 2026}, {"timezone": "Europe/Berlin", "year": 2025}],
    bad_examples=[
        {"timezone": "Atlantis/Capital", "year": 2026},
        {"timezone": "Europe/Berlin", "year": 1800},
    ],
    package="tzdata",
    dataset=TZDATA,
    requires=["zoneinfo", "tzdata"],
    accepts={"timezone": "timezone", "year": "year"},
)
def dst_transitions(timezone: str, year: int) -> dict:
    """Clock changes of a time zone in a year (to the hour): the local date-time of each change and the
    offsets before/after. Empty when the zone has no daylight saving that year."""
    if not 1970 <= year <= 2037:
        raise ToolError(f"year must be between 1970 and 2037, got {year}")
    zone = _zone(timezone)
    utc = dt.UTC
    t = dt.datetime(year, 1, 1, tzinfo=utc)
    changes = []
    prev = t.astimezone(zone).utcoffset()
    while t.year == year:
        nxt = t + dt.timedelta(hours=1)
        off = nxt.astimezone(zone).utcoffset()
        if off != prev:
            changes.append(
                {
                    "utc": nxt.isoformat(),
                    "local_after": nxt.astimezone(zone).isoformat(),
                    "offset_before_hours": _offset_h(prev),
                    "offset_after_hours": _offset_h(off),
                }
            )
            prev = off
        t = nxt
    return {"timezone": zone.key, "year": year, "transitions": changes, "observes_dst": bool(changes)}


@tool(
    "general.tz.convert",
    "P",
    params={
        "datetime": "Local date-time in the source zone, ISO 'YYYY-MM-DDTHH:MM', e.g. '2026-03-10T09:30'.",
        "from_timezone": "IANA zone of the given time, e.g. 'America/New_York' (or 'UTC').",
        "to_timezone": "IANA zone to convert to, e.g. 'Asia/Tokyo'.",
    },
    examples=[
        {"datetime": "2026-03-10T09:30", "from_timezone": "America/New_York", "to_timezone": "Asia/Tokyo"}
    ],
    bad_examples=[
        {"datetime": "2026-03-10T09:30", "from_timezone": "UTC", "to_timezone": "Moon/Base"},
        {"datetime": "yesterday", "from_timezone": "UTC", "to_timezone": "UTC"},
    ],
    package="tzdata",
    dataset=TZDATA,
    requires=["zoneinfo", "tzdata"],
    accepts={"from_timezone": "timezone", "to_timezone": "timezone"},
)
def convert(datetime: str, from_timezone: str, to_timezone: str) -> dict:
    """Convert a wall-clock time from one time zone to another (DST-aware): the converted local time,
    both UTC offsets, the UTC instant and the difference in hours."""
    src, dst = _zone(from_timezone), _zone(to_timezone)
    local = parse_datetime(datetime).replace(tzinfo=src)
    out = local.astimezone(dst)
    return {
        "from": local.isoformat(),
        "to": out.isoformat(),
        "utc": local.astimezone(dt.UTC).isoformat(),
        "to_date": out.date().isoformat(),
        "to_time": out.strftime("%H:%M"),
        "difference_hours": _offset_h(out.utcoffset() - local.utcoffset()),
    }


@tool(
    "general.tz.search_zones",
    "R",
    params={"query": "Part of a zone name: a city, region or area, e.g. 'Argentina' or 'Kolkata'."},
    examples=[{"query": "Argentina"}, {"query": "Kolkata"}],
    bad_examples=[{"query": "Gotham"}],
    package="tzdata",
    dataset=TZDATA,
    requires=["zoneinfo", "tzdata"],
    produces={"timezones": "timezone"},
)
def search_zones(query: str) -> dict:
    """IANA time zone names containing a text (case-insensitive, '_' treated as space), first 20 and count."""
    key = norm(query)
    hits = [z for z in _zones() if key and key in norm(z.replace("/", " "))]
    if not hits:
        raise unknown("time zone", query, _zones())
    page = capped(hits)
    return {"query": query, "timezones": page["items"], "total": page["total"]}
