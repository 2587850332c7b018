"""Date arithmetic with stdlib ``datetime``/``calendar`` and ``python-dateutil`` (relativedelta,
rrule, easter, the fuzzy parser). All pure computation on the inputs."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Literal

from dive.tools.base import ToolError, tool
from dive.tools.general._util import parse_date

DU = "python-dateutil"
REQ = ["dateutil"]
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@tool(
    "general.dates.days_between",
    "P",
    params={"start": "ISO start date, e.g. '2026-01-01'.", "end": "ISO end date, e.g. '2026-12-25'."},
    examples=[{"start": "2026-01-01", "end": "2026-12-25"}],
    bad_examples=[{"start": "2026-02-30", "end": "2026-03-01"}],
    package="python",
    requires=[],
    accepts={"start": "date", "end": "date"},
    produces={"days": "number"},
)
def days_between(start: str, end: str) -> dict:
    """Number of days from one date to another (negative if end is earlier), also in weeks, and the
    count of weekdays (Mon-Fri) in between, end exclusive."""
    a, b = parse_date(start, "start"), parse_date(end, "end")
    days = (b - a).days
    lo, hi = min(a, b), max(a, b)
    full, rest = divmod((hi - lo).days, 7)
    weekdays = full * 5 + sum((lo + dt.timedelta(i)).weekday() < 5 for i in range(rest))
    return {
        "start": a.isoformat(),
        "end": b.isoformat(),
        "days": days,
        "weeks": round(days / 7, 4),
        "weekdays": weekdays if days >= 0 else -weekdays,
    }


@tool(
    "general.dates.add_duration",
    "P",
    params={
        "date": "ISO start date, e.g. '2026-01-31'.",
        "years": "Years to add (may be negative), e.g. 1.",
        "months": "Months to add, e.g. 1.",
        "weeks": "Weeks to add, e.g. 0.",
        "days": "Days to add, e.g. 10.",
    },
    examples=[{"date": "2026-01-31", "months": 1}, {"date": "2024-02-29", "years": 1, "days": 10}],
    bad_examples=[{"date": "2026-01-31", "years": 20000}],
    package=DU,
    requires=REQ,
    accepts={"date": "date"},
    produces={"result": "date"},
)
def add_duration(date: str, years: int = 0, months: int = 0, weeks: int = 0, days: int = 0) -> dict:
    """Calendar-aware date arithmetic (dateutil relativedelta): adding 1 month to Jan 31 gives Feb 28/29.
    Returns the resulting date and its weekday."""
    from dateutil.relativedelta import relativedelta

    try:
        out = parse_date(date) + relativedelta(years=years, months=months, weeks=weeks, days=days)
    except (OverflowError, ValueError) as exc:
        raise ToolError(f"result is outside the supported range (years 1-9999): {exc}") from exc
    return {"start": date, "result": out.isoformat(), "weekday": out.strftime("%A")}


@tool(
    "general.dates.date_info",
    "P",
    params={"date": "ISO date, e.g. '2026-07-04'."},
    examples=[{"date": "2026-07-04"}],
    bad_examples=[{"date": "04/07/2026"}],
    package="python",
    requires=[],
    accepts={"date": "date"},
    produces={"weekday": "weekday"},
)
def date_info(date: str) -> dict:
    """Calendar facts about a date: weekday, ISO year/week/weekday, day of year, quarter, whether the year
    is a leap year, days in that month and days left in the year."""
    d = parse_date(date)
    iso = d.isocalendar()
    year_len = 366 if calendar.isleap(d.year) else 365
    return {
        "date": d.isoformat(),
        "weekday": d.strftime("%A"),
        "iso_year": iso.year,
        "iso_week": iso.week,
        "iso_weekday": iso.weekday,
        "day_of_year": d.timetuple().tm_yday,
        "quarter": (d.month - 1) // 3 + 1,
        "is_leap_year": calendar.isleap(d.year),
        "days_in_month": calendar.monthrange(d.year, d.month)[1],
        "days_left_in_year": year_len - d.timetuple().tm_yday,
    }


@tool(
    "general.dates.difference",
    "P",
    params={
        "start": "ISO earlier date, e.g. a birth date '1990-05-17'.",
        "end": "ISO later date, e.g. '2026-03-01'.",
    },
    examples=[{"start": "1990-05-17", "end": "2026-03-01"}],
    bad_examples=[{"start": "2026-03-01", "end": "1990-05-17"}],
    package=DU,
    requires=REQ,
    accepts={"start": "date", "end": "date"},
    produces={"years": "number"},
)
def difference(start: str, end: str) -> dict:
    """Elapsed time between two dates in whole years, months and days (e.g. an age), plus total months
    and total days."""
    from dateutil.relativedelta import relativedelta

    a, b = parse_date(start, "start"), parse_date(end, "end")
    if b < a:
        raise ToolError("end must not be before start")
    r = relativedelta(b, a)
    return {
        "start": a.isoformat(),
        "end": b.isoformat(),
        "years": r.years,
        "months": r.months,
        "days": r.days,
        "total_months": r.years * 12 + r.months,
        "total_days": (b - a).days,
    }


@tool(
    "general.dates.nth_weekday",
    "P",
    params={
        "year": "Year, e.g. 2026.",
        "month": "Month 1-12, e.g. 11.",
        "weekday": "Day of week, e.g. 'thursday'.",
        "n": "Occurrence: 1-5 for first..fifth, -1 for last, e.g. 4.",
    },
    examples=[
        {"year": 2026, "month": 11, "weekday": "thursday", "n": 4},
        {"year": 2026, "month": 5, "weekday": "monday", "n": -1},
    ],
    bad_examples=[
        {"year": 2026, "month": 2, "weekday": "monday", "n": 5},
        {"year": 2026, "month": 13, "weekday": "monday", "n": 1},
    ],
    package=DU,
    requires=REQ,
    accepts={"year": "year"},
    produces={"date": "date"},
)
def nth_weekday(year: int, month: int, weekday: Weekday, n: int) -> dict:
    """Date of the n-th (or last) given weekday of a month, e.g. the 4th Thursday of November 2026."""
    from dateutil.relativedelta import relativedelta, weekdays

    if not 1 <= month <= 12 or not 1 <= year <= 9999:
        raise ToolError("month must be 1-12 and year 1-9999")
    if n == 0 or not -5 <= n <= 5:
        raise ToolError("n must be 1..5 or -1..-5")
    wd = weekdays[_WEEKDAYS.index(weekday)]
    start = dt.date(year, month, 1) if n > 0 else dt.date(year, month, calendar.monthrange(year, month)[1])
    out = start + relativedelta(weekday=wd(n))
    if out.month != month:
        raise ToolError(f"{year}-{month:02d} has no occurrence {n} of {weekday}")
    return {"year": year, "month": month, "weekday": weekday, "n": n, "date": out.isoformat()}


@tool(
    "general.dates.parse_text",
    "P",
    params={
        "text": "Date/time written in free form, e.g. 'March 5th, 2026 3pm' or '05/03/2026'.",
        "dayfirst": "Read ambiguous 'xx/yy' as day/month (European) instead of month/day.",
    },
    examples=[{"text": "March 5th, 2026 3pm"}, {"text": "05/03/2026", "dayfirst": True}],
    bad_examples=[{"text": "the day after never"}],
    package=DU,
    requires=REQ,
    produces={"date": "date"},
)
def parse_text(text: str, dayfirst: bool = False) -> dict:
    """Parse a human-written date/time into ISO form (dateutil parser, fuzzy; missing parts default to
    2000-01-01 00:00)."""
    from dateutil import parser

    try:
        value = parser.parse(text, dayfirst=dayfirst, fuzzy=True, default=dt.datetime(2000, 1, 1))
    except (ValueError, OverflowError) as exc:
        raise ToolError(f"could not read a date in {text!r}") from exc
    return {
        "text": text,
        "datetime": value.isoformat(),
        "date": value.date().isoformat(),
        "time": value.strftime("%H:%M:%S"),
        "weekday": value.strftime("%A"),
    }


@tool(
    "general.dates.easter",
    "P",
    params={
        "year": "Year 1583-4099, e.g. 2026.",
        "method": "'western' (Gregorian, default), 'orthodox' (Julian computus, Gregorian date) or 'julian'.",
    },
    examples=[{"year": 2026}, {"year": 2026, "method": "orthodox"}],
    bad_examples=[{"year": 1000}],
    package=DU,
    requires=REQ,
    accepts={"year": "year"},
    produces={"date": "date"},
)
def easter(year: int, method: Literal["western", "orthodox", "julian"] = "western") -> dict:
    """Date of Easter Sunday in a year by the Western or Orthodox computus, with related movable feasts
    (Ash Wednesday, Good Friday, Ascension, Pentecost)."""
    from dateutil import easter as du_easter

    if not 1583 <= year <= 4099:
        raise ToolError(f"year must be between 1583 and 4099, got {year}")
    code = {
        "julian": du_easter.EASTER_JULIAN,
        "orthodox": du_easter.EASTER_ORTHODOX,
        "western": du_easter.EASTER_WESTERN,
    }[method]
    e = du_easter.easter(year, code)
    offsets = {"ash_wednesday": -46, "good_friday": -2, "ascension": 39, "pentecost": 49}
    related = {k: (e + dt.timedelta(v)).isoformat() for k, v in offsets.items()} if method != "julian" else {}
    return {"year": year, "method": method, "date": e.isoformat(), **related}


@tool(
    "general.dates.recurrence",
    "P",
    params={
        "start": "ISO first date, e.g. '2026-01-15'.",
        "frequency": "'daily', 'weekly', 'monthly' or 'yearly'.",
        "count": "Number of dates, 1-50, e.g. 6.",
        "interval": "Step between occurrences in frequency units, e.g. 2 for every other.",
        "weekday": "Optional weekday the dates must fall on, e.g. 'friday'.",
    },
    examples=[
        {"start": "2026-01-15", "frequency": "monthly", "count": 6},
        {"start": "2026-01-01", "frequency": "monthly", "count": 4, "weekday": "friday"},
    ],
    bad_examples=[{"start": "2026-01-15", "frequency": "monthly", "count": 500}],
    package=DU,
    requires=REQ,
    accepts={"start": "date"},
    produces={"dates": "date"},
)
def recurrence(
    start: str,
    frequency: Literal["daily", "weekly", "monthly", "yearly"],
    count: int,
    interval: int = 1,
    weekday: Weekday | None = None,
) -> dict:
    """Dates of a recurring schedule (iCalendar RRULE via dateutil.rrule): e.g. every 2 weeks, or the
    first Friday of each month when a weekday is given with monthly frequency."""
    from dateutil import rrule

    if not 1 <= count <= 50 or not 1 <= interval <= 1000:
        raise ToolError("count must be 1-50 and interval 1-1000")
    freq = {"daily": rrule.DAILY, "weekly": rrule.WEEKLY, "monthly": rrule.MONTHLY, "yearly": rrule.YEARLY}[
        frequency
    ]
    kwargs = {}
    if weekday:
        wd = rrule.weekdays[_WEEKDAYS.index(weekday)]
        kwargs["byweekday"] = wd(1) if frequency in ("monthly", "yearly") else wd
    first = dt.datetime.combine(parse_date(start, "start"), dt.time())
    dates = [
        d.date().isoformat()
        for d in rrule.rrule(freq, dtstart=first, count=count, interval=interval, **kwargs)
    ]
    return {"start": start, "frequency": frequency, "interval": interval, "dates": dates}


@tool(
    "general.dates.unix_time",
    "P",
    params={
        "value": "Either a Unix timestamp in seconds ('1767225600') or an ISO UTC date-time "
        "('2026-01-01T00:00:00')."
    },
    examples=[{"value": "1767225600"}, {"value": "2026-01-01T00:00:00"}],
    bad_examples=[{"value": "tomorrow at noon"}],
    package="python",
    requires=[],
)
def unix_time(value: str) -> dict:
    """Convert between Unix epoch seconds and an ISO UTC date-time (direction detected from the input)."""
    text = value.strip()
    try:
        if text.lstrip("-").replace(".", "", 1).isdigit():
            moment = dt.datetime.fromtimestamp(float(text), tz=dt.UTC)
        else:
            moment = dt.datetime.fromisoformat(text)
            moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
    except (ValueError, OverflowError, OSError) as exc:
        raise ToolError(f"give epoch seconds or an ISO date-time, got {value!r}") from exc
    return {
        "unix_seconds": moment.timestamp(),
        "utc": moment.astimezone(dt.UTC).isoformat(),
        "weekday": moment.strftime("%A"),
    }
