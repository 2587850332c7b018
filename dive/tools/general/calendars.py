"""Calendar conversions with ``convertdate`` (Hebrew, Islamic, Persian, Julian, Coptic, Indian civil,
Baha'i, French Republican, Maya, Julian Day) and ``korean-lunar-calendar`` (Korean/Chinese lunisolar)."""

from __future__ import annotations

import calendar as cal
import datetime as dt
import importlib
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.general._util import parse_date

PACKAGE = "convertdate"
REQ = ["convertdate"]


def _module(name: str) -> Any:
    return importlib.import_module(f"convertdate.{name}")


def _month_name(mod: Any, month: int) -> str | None:
    months = getattr(mod, "MONTHS", None) or getattr(mod, "ENGLISH_MONTHS", None)
    if mod.__name__.endswith(".julian"):  # the Julian calendar keeps the Roman month names
        months = list(cal.month_name)[1:]
    if months and 1 <= month <= len(months):
        return months[month - 1]
    return None


def _to_calendar(calendar: str, label: str, example: str, note: str) -> None:
    """Register ``general.calendar.to_<calendar>`` (Gregorian date -> that calendar)."""

    def fn(date: str) -> dict:
        d = parse_date(date)
        mod = _module(calendar)
        y, m, day = mod.from_gregorian(d.year, d.month, d.day)[:3]
        return {
            "gregorian": d.isoformat(),
            "calendar": calendar,
            "year": y,
            "month": m,
            "day": day,
            "month_name": _month_name(mod, m),
            "formatted": f"{day} {_month_name(mod, m) or m} {y}",
        }

    fn.__name__ = f"to_{calendar}"
    tool(
        f"general.calendar.to_{calendar}",
        "P",
        params={"date": f"Gregorian ISO date, e.g. '{example}'."},
        examples=[{"date": example}],
        bad_examples=[{"date": "2026-02-30"}],
        package=PACKAGE,
        requires=REQ,
        accepts={"date": "date"},
        produces={"year": "number"},
        description=f"Convert a Gregorian date to the {label}: year, month number, month name and day. "
        f"{note}",
    )(fn)


_to_calendar("hebrew", "Hebrew (Jewish) calendar", "2026-09-12", "Months are numbered from Nisan = 1.")
_to_calendar(
    "islamic",
    "Islamic (Hijri) calendar, arithmetic tabular version",
    "2026-03-20",
    "May differ by a day from sighting-based dates.",
)
_to_calendar("persian", "Persian (Solar Hijri / Jalali) calendar", "2026-03-21", "Year starts at Nowruz.")
_to_calendar("julian", "Julian (Old Style) calendar", "2026-01-07", "Used by several Orthodox churches.")
_to_calendar("coptic", "Coptic (Alexandrian) calendar", "2026-09-11", "Year starts on Nayrouz.")
_to_calendar("indian_civil", "Indian national (Saka) civil calendar", "2026-03-22", "Year is the Saka era.")
_to_calendar("bahai", "Baha'i (Badi') calendar", "2026-03-21", "Year counts from 1844 (B.E.).")
_to_calendar("french_republican", "French Republican calendar", "1794-07-27", "Year I began 22 Sep 1792.")


def _from_calendar(calendar: str, label: str, example: dict[str, int], max_month: int) -> None:
    """Register ``general.calendar.from_<calendar>`` (that calendar -> Gregorian date)."""

    def fn(year: int, month: int, day: int) -> dict:
        mod = _module(calendar)
        if not 1 <= month <= max_month or not 1 <= day <= 31 or not 1 <= year <= 9999:
            raise ToolError(f"invalid {label} date: month must be 1-{max_month}, day 1-31, year 1-9999")
        try:
            if day > mod.month_length(year, month):
                raise ToolError(f"{label} month {month} of {year} has {mod.month_length(year, month)} days")
            g = mod.to_gregorian(year, month, day)
        except (ValueError, IndexError) as exc:
            raise ToolError(f"invalid {label} date: {exc}") from exc
        out = dt.date(*g)
        return {
            "calendar": calendar,
            "year": year,
            "month": month,
            "day": day,
            "month_name": _month_name(mod, month),
            "gregorian": out.isoformat(),
            "weekday": out.strftime("%A"),
        }

    fn.__name__ = f"from_{calendar}"
    tool(
        f"general.calendar.from_{calendar}",
        "P",
        params={
            "year": f"{label} year, e.g. {example['year']}.",
            "month": f"Month number 1-{max_month}, e.g. {example['month']}.",
            "day": f"Day of month, e.g. {example['day']}.",
        },
        examples=[example],
        bad_examples=[{**example, "month": max_month + 1}],
        package=PACKAGE,
        requires=REQ,
        produces={"gregorian": "date"},
        description=f"Convert a {label} date to the Gregorian calendar: ISO date and weekday.",
    )(fn)


_from_calendar("hebrew", "Hebrew", {"year": 5787, "month": 7, "day": 1}, 13)
_from_calendar("islamic", "Islamic (Hijri)", {"year": 1447, "month": 9, "day": 1}, 12)
_from_calendar("persian", "Persian (Solar Hijri)", {"year": 1405, "month": 1, "day": 1}, 12)


@tool(
    "general.calendar.julian_day",
    "P",
    params={"date": "Gregorian ISO date, e.g. '2026-03-01'."},
    examples=[{"date": "2026-03-01"}],
    bad_examples=[{"date": "March 1"}],
    package=PACKAGE,
    requires=REQ,
    accepts={"date": "date"},
    produces={"julian_day": "number"},
)
def julian_day(date: str) -> dict:
    """Astronomical Julian Day number at 00:00 UT of a date, the Modified Julian Date, and the weekday."""
    d = parse_date(date)
    jd = _module("julianday").from_gregorian(d.year, d.month, d.day)
    return {
        "date": d.isoformat(),
        "julian_day": jd,
        "modified_julian_date": jd - 2400000.5,
        "weekday": d.strftime("%A"),
    }


@tool(
    "general.calendar.to_mayan",
    "P",
    params={"date": "Gregorian ISO date, e.g. '2012-12-21'."},
    examples=[{"date": "2012-12-21"}],
    bad_examples=[{"date": "2012-13-21"}],
    package=PACKAGE,
    requires=REQ,
    accepts={"date": "date"},
)
def to_mayan(date: str) -> dict:
    """Maya calendar for a Gregorian date: Long Count (baktun.katun.tun.uinal.kin), Haab' and Tzolk'in."""
    d = parse_date(date)
    mayan, jdmod = _module("mayan"), _module("julianday")
    lc = mayan.from_gregorian(d.year, d.month, d.day)
    jd = jdmod.from_gregorian(d.year, d.month, d.day)
    haab, tzolkin = mayan.to_haab(jd), mayan.to_tzolkin(jd)
    return {
        "date": d.isoformat(),
        "long_count": ".".join(str(x) for x in lc),
        "haab": f"{haab[0]} {haab[1]}",
        "tzolkin": f"{tzolkin[0]} {tzolkin[1]}",
    }


@tool(
    "general.calendar.to_korean_lunar",
    "P",
    params={"date": "Gregorian ISO date 1000-02-13..2050-12-31, e.g. '2026-02-17'."},
    examples=[{"date": "2026-02-17"}],
    bad_examples=[{"date": "2090-01-01"}],
    package="korean-lunar-calendar",
    requires=["korean_lunar_calendar"],
    accepts={"date": "date"},
)
def to_korean_lunar(date: str) -> dict:
    """Korean (and, nearly always, Chinese) lunisolar date for a Gregorian date: lunar year/month/day,
    whether it is an intercalary month, and the sexagenary (gapja) year/month/day names."""
    from korean_lunar_calendar import KoreanLunarCalendar

    d = parse_date(date)
    cal = KoreanLunarCalendar()
    if not cal.setSolarDate(d.year, d.month, d.day):
        raise ToolError("date must be between 1000-02-13 and 2050-12-31")
    return {
        "gregorian": d.isoformat(),
        "lunar_date": cal.LunarIsoFormat(),
        "lunar_year": cal.lunarYear,
        "lunar_month": cal.lunarMonth,
        "lunar_day": cal.lunarDay,
        "intercalary_month": cal.isIntercalation,
        "sexagenary_chinese": cal.getChineseGapJaString(),
        "sexagenary_korean": cal.getGapJaString(),
    }


_RELIGIOUS = (
    "rosh_hashanah",
    "yom_kippur",
    "sukkot",
    "hanukkah",
    "purim",
    "passover",
    "shavuot",
    "ramadan",
    "eid_alfitr",
    "eid_aladha",
    "ashura",
)


@tool(
    "general.calendar.religious_holidays",
    "P",
    params={"year": "Gregorian year 1900-2100, e.g. 2026."},
    examples=[{"year": 2026}],
    bad_examples=[{"year": 1500}],
    package=PACKAGE,
    requires=REQ,
    accepts={"year": "year"},
)
def religious_holidays(year: int) -> dict:
    """Gregorian dates of major Jewish holidays (Rosh Hashanah, Yom Kippur, Sukkot, Hanukkah, Purim,
    Passover, Shavuot) and Islamic ones (start of Ramadan, Eid al-Fitr, Eid al-Adha, Ashura) in a year,
    by arithmetic calendars (Islamic dates can differ by a day from local sighting)."""
    if not 1900 <= year <= 2100:
        raise ToolError(f"year must be between 1900 and 2100, got {year}")
    hol = _module("holidays")
    out: dict[str, Any] = {"year": year}
    for name in _RELIGIOUS:
        y, m, d = getattr(hol, name)(year)[:3]
        out[name] = dt.date(y, m, d).isoformat()
    return out
