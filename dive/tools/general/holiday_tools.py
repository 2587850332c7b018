"""Public holidays from the ``holidays`` package (rules for ~250 countries and their subdivisions),
and business-day arithmetic that skips weekends and those holidays."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.general._util import country_alpha2, country_name, norm, parse_date, unknown

PACKAGE = "holidays"
DATASET = "holidays rule set (vacanza/holidays, MIT)"
REQUIRES = ["holidays", "pycountry"]
_COUNTRY = "Country name or ISO code, e.g. 'Kenya' or 'US'."
_SUBDIV = "Optional subdivision code for regional holidays, e.g. 'CA' for California; omit for national."


def _calendar(country: str, years: Any, subdivision: str | None = None) -> Any:
    import holidays

    cc = country_alpha2(country)
    supported = holidays.list_supported_countries()
    if cc not in supported:
        raise unknown("country with holiday rules", country, [country_name(c) for c in supported])
    if subdivision and subdivision.upper() not in supported[cc]:
        raise ToolError(f"unknown subdivision {subdivision!r} for {cc}; valid: {supported[cc][:60]}")
    return holidays.country_holidays(cc, subdiv=subdivision.upper() if subdivision else None, years=years)


def _check_year(year: int) -> int:
    if not 1950 <= year <= 2100:
        raise ToolError(f"year must be between 1950 and 2100, got {year}")
    return year


@tool(
    "general.holidays.public_holidays",
    "R",
    params={"country": _COUNTRY, "year": "Calendar year 1950-2100, e.g. 2026.", "subdivision": _SUBDIV},
    examples=[{"country": "Kenya", "year": 2026}, {"country": "US", "year": 2025, "subdivision": "CA"}],
    bad_examples=[{"country": "Atlantis", "year": 2026}, {"country": "Kenya", "year": 1200}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"country": "country", "year": "year"},
    produces={"dates": "date", "names": "holiday"},
)
def public_holidays(country: str, year: int, subdivision: str | None = None) -> dict:
    """Official public holidays of a country (optionally a subdivision) in one year: date, weekday and
    name of each, and the count."""
    cal = _calendar(country, _check_year(year), subdivision)
    rows = [{"date": d.isoformat(), "weekday": d.strftime("%A"), "name": n} for d, n in sorted(cal.items())]
    return {
        "country_code": cal.country,
        "year": year,
        "subdivision": subdivision,
        "holidays": rows,
        "dates": [r["date"] for r in rows],
        "names": [r["name"] for r in rows],
        "count": len(rows),
    }


@tool(
    "general.holidays.is_holiday",
    "R",
    params={"date": "ISO date, e.g. '2026-12-25'.", "country": _COUNTRY, "subdivision": _SUBDIV},
    examples=[{"date": "2026-12-12", "country": "Kenya"}, {"date": "2026-07-04", "country": "US"}],
    bad_examples=[{"date": "2026-13-01", "country": "Kenya"}, {"date": "2026-01-01", "country": "Atlantis"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"date": "date", "country": "country"},
)
def is_holiday(date: str, country: str, subdivision: str | None = None) -> dict:
    """Whether a date is a public holiday in a country (and its name), and whether it is a weekend day."""
    day = parse_date(date)
    cal = _calendar(country, day.year, subdivision)
    name = cal.get(day)
    return {
        "date": day.isoformat(),
        "country_code": cal.country,
        "is_holiday": name is not None,
        "holiday": name,
        "weekday": day.strftime("%A"),
        "is_weekend": day.weekday() >= 5,
    }


@tool(
    "general.holidays.next_holiday",
    "R",
    params={
        "date": "ISO start date (inclusive), e.g. '2026-05-01'.",
        "country": _COUNTRY,
        "subdivision": _SUBDIV,
    },
    examples=[{"date": "2026-05-02", "country": "Kenya"}],
    bad_examples=[{"date": "not-a-date", "country": "Kenya"}, {"date": "2026-05-02", "country": "Atlantis"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"date": "date", "country": "country"},
    produces={"next_date": "date"},
)
def next_holiday(date: str, country: str, subdivision: str | None = None) -> dict:
    """The first public holiday on or after a date in a country: its date, name and days to wait."""
    day = parse_date(date)
    cal = _calendar(country, [day.year, day.year + 1], subdivision)
    upcoming = sorted(d for d in cal if d >= day)
    if not upcoming:
        raise ToolError(f"no holiday found after {day} for {cal.country}")
    nxt = upcoming[0]
    return {
        "from": day.isoformat(),
        "country_code": cal.country,
        "next_date": nxt.isoformat(),
        "name": cal.get(nxt),
        "days_until": (nxt - day).days,
        "weekday": nxt.strftime("%A"),
    }


@tool(
    "general.holidays.find_holiday",
    "R",
    params={
        "name": "Words in the holiday's name, e.g. 'Christmas' or 'Independence'.",
        "country": _COUNTRY,
        "year": "Calendar year 1950-2100, e.g. 2026.",
    },
    examples=[
        {"name": "Easter", "country": "Germany", "year": 2026},
        {"name": "Thanksgiving", "country": "US", "year": 2025},
    ],
    bad_examples=[{"name": "Hobbit Day", "country": "US", "year": 2026}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"country": "country", "year": "year"},
    produces={"dates": "date"},
)
def find_holiday(name: str, country: str, year: int) -> dict:
    """Date(s) of a named public holiday in a country and year (name matched case-insensitively)."""
    cal = _calendar(country, _check_year(year))
    hits = [(d, n) for d, n in sorted(cal.items()) if norm(name) in norm(n)]
    if not hits:
        raise unknown(
            "holiday",
            name,
            sorted(set(cal.values())),
            f"{cal.country} {year} has {sorted(set(cal.values()))}",
        )
    return {
        "country_code": cal.country,
        "year": year,
        "matches": [{"date": d.isoformat(), "name": n} for d, n in hits],
        "dates": [d.isoformat() for d, _ in hits],
    }


@tool(
    "general.holidays.supported_subdivisions",
    "R",
    params={"country": _COUNTRY},
    examples=[{"country": "Germany"}, {"country": "US"}],
    bad_examples=[{"country": "Atlantis"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"country": "country"},
)
def supported_subdivisions(country: str) -> dict:
    """Subdivision codes with their own holiday rules for a country, plus the holiday categories
    (public, bank, optional...) and languages available for holiday names."""
    cal = _calendar(country, 2026)
    return {
        "country_code": cal.country,
        "subdivisions": list(cal.subdivisions),
        "categories": sorted(cal.supported_categories),
        "languages": sorted(cal.supported_languages or []),
    }


def _is_business(day: dt.date, cal: Any) -> bool:
    return day.weekday() < 5 and day not in cal


@tool(
    "general.holidays.business_days_between",
    "P",
    params={
        "start": "ISO start date (inclusive), e.g. '2026-12-01'.",
        "end": "ISO end date (inclusive), e.g. '2026-12-31'.",
        "country": _COUNTRY,
    },
    examples=[{"start": "2026-12-01", "end": "2026-12-31", "country": "Kenya"}],
    bad_examples=[
        {"start": "2026-12-31", "end": "2026-12-01", "country": "Kenya"},
        {"start": "2000-01-01", "end": "2030-01-01", "country": "US"},
    ],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"start": "date", "end": "date", "country": "country"},
    produces={"business_days": "number"},
)
def business_days_between(start: str, end: str, country: str) -> dict:
    """Working days (Mon-Fri, excluding public holidays of the country) between two dates inclusive, with
    the holidays that fell on weekdays in the range."""
    a, b = parse_date(start, "start"), parse_date(end, "end")
    if b < a or (b - a).days > 3660:
        raise ToolError("end must be on or after start and at most 10 years later")
    cal = _calendar(country, list(range(a.year, b.year + 1)))
    days = [a + dt.timedelta(i) for i in range((b - a).days + 1)]
    skipped = [{"date": d.isoformat(), "name": cal.get(d)} for d in days if d.weekday() < 5 and d in cal]
    return {
        "start": a.isoformat(),
        "end": b.isoformat(),
        "country_code": cal.country,
        "calendar_days": len(days),
        "business_days": sum(_is_business(d, cal) for d in days),
        "weekday_holidays": skipped[:30],
    }


@tool(
    "general.holidays.add_business_days",
    "P",
    params={
        "date": "ISO start date, e.g. '2026-12-20'.",
        "days": "Business days to add (negative to go back), -1000..1000, e.g. 10.",
        "country": _COUNTRY,
    },
    examples=[
        {"date": "2026-12-20", "days": 10, "country": "Kenya"},
        {"date": "2026-01-10", "days": -5, "country": "US"},
    ],
    bad_examples=[{"date": "2026-12-20", "days": 5000, "country": "Kenya"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"date": "date", "country": "country"},
    produces={"result_date": "date"},
)
def add_business_days(date: str, days: int, country: str) -> dict:
    """The date that is N working days after (or before) a date, skipping weekends and the country's public
    holidays, e.g. for payment or delivery deadlines."""
    if not -1000 <= days <= 1000:
        raise ToolError(f"days must be between -1000 and 1000, got {days}")
    day = parse_date(date)
    cal = _calendar(country, list(range(day.year - 5, day.year + 6)))
    step, left, skipped = (1 if days >= 0 else -1), abs(days), 0
    while left:
        day += dt.timedelta(step)
        if _is_business(day, cal):
            left -= 1
        else:
            skipped += 1
    return {
        "start": date,
        "business_days": days,
        "country_code": cal.country,
        "result_date": day.isoformat(),
        "weekday": day.strftime("%A"),
        "non_business_days_skipped": skipped,
    }
