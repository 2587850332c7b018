"""Exchange trading calendars (exchange-calendars) and financial-market holidays (holidays.financial)."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.finance._common import parse_date, unknown

PKG = "exchange-calendars"
DATASET = "exchange-calendars 4.13 rules for 71 exchanges (sessions 20 years back to one year ahead)"
REQ = ["exchange_calendars"]
_MIC = {"mic": "ISO MIC of an exchange with a calendar, e.g. 'XNYS', 'XLON', 'XTKS', 'XHKG'."}


@functools.cache
def _names() -> tuple[str, ...]:
    import exchange_calendars as xc

    return tuple(n for n in xc.get_calendar_names(include_aliases=False) if n.startswith("X") or len(n) == 4)


@functools.cache
def _cal(mic: str) -> Any:
    import exchange_calendars as xc

    code = mic.strip().upper()
    if code not in _names():
        raise unknown("exchange calendar", code, _names())
    return xc.get_calendar(code)


def _cal_for_year(mic: str, year: int) -> Any:
    """The exchange's calendar, checking that it covers ``year``."""
    cal = _cal(mic)
    if not cal.first_session.year <= year <= cal.last_session.year:
        raise ToolError(f"year must be in {cal.first_session.year}..{cal.last_session.year} for {cal.name}")
    return cal


def _day(cal: Any, date: str, name: str = "date") -> Any:
    import pandas as pd

    day = parse_date(date, name)
    first, last = cal.first_session.date(), cal.last_session.date()
    if not first <= day <= last:
        raise ToolError(f"{name} {day} is outside the {cal.name} calendar range {first}..{last}")
    return pd.Timestamp(day)


def _holidays(cal: Any, year: int) -> list[tuple[dt.date, str]]:
    """Weekday non-sessions of a year, named from the calendar's holiday rules where it can."""
    import pandas as pd

    start, end = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    named: dict[dt.date, str] = {}
    if cal.regular_holidays is not None:
        for ts, name in cal.regular_holidays.holidays(start, end, return_name=True).items():
            named[ts.date()] = str(name)
    sessions = {
        s.date() for s in cal.sessions_in_range(max(start, cal.first_session), min(end, cal.last_session))
    }
    out = []
    for day in pd.bdate_range(max(start, cal.first_session), min(end, cal.last_session)):
        d = day.date()
        if d not in sessions and cal.weekmask[d.weekday()] == "1":
            out.append((d, named.get(d, "holiday (ad hoc or unnamed)")))
    return out


@tool(
    "finance.calendars.is_trading_day",
    "R",
    params={**_MIC, "date": "ISO date 'YYYY-MM-DD', e.g. '2024-07-04'."},
    examples=[{"mic": "XNYS", "date": "2024-07-04"}, {"mic": "XLON", "date": "2024-07-04"}],
    bad_examples=[{"mic": "XXXX", "date": "2024-07-04"}, {"mic": "XNYS", "date": "1900-01-02"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"mic": "exchange_mic", "date": "date"},
    produces={"next_session": "date", "previous_session": "date"},
)
def is_trading_day(mic: str, date: str) -> dict:
    """Whether an exchange holds a trading session on a date, plus the previous and next session dates."""
    cal = _cal(mic)
    ts = _day(cal, date)
    is_s = bool(cal.is_session(ts))
    nxt = cal.date_to_session(ts, direction="next") if not is_s else cal.next_session(ts)
    prv = cal.date_to_session(ts, direction="previous") if not is_s else cal.previous_session(ts)
    return {
        "mic": cal.name,
        "date": ts.date(),
        "is_trading_day": is_s,
        "weekday": ts.day_name(),
        "next_session": nxt.date(),
        "previous_session": prv.date(),
    }


@tool(
    "finance.calendars.sessions_between",
    "R",
    params={
        **_MIC,
        "start": "First date 'YYYY-MM-DD', e.g. '2024-01-01'.",
        "end": "Last date 'YYYY-MM-DD' (inclusive), e.g. '2024-12-31'.",
    },
    examples=[
        {"mic": "XNYS", "start": "2024-01-01", "end": "2024-12-31"},
        {"mic": "XSHG", "start": "2024-01-01", "end": "2024-12-31"},
    ],
    bad_examples=[{"mic": "XNYS", "start": "2024-12-31", "end": "2024-01-01"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"mic": "exchange_mic", "start": "date", "end": "date"},
    produces={"n_sessions": "number"},
)
def sessions_between(mic: str, start: str, end: str) -> dict:
    """Number of trading sessions of an exchange between two dates (inclusive), with first and last."""
    cal = _cal(mic)
    a, b = _day(cal, start, "start"), _day(cal, end, "end")
    if b < a:
        raise ToolError("end must not be before start")
    s = cal.sessions_in_range(a, b)
    return {
        "mic": cal.name,
        "start": a.date(),
        "end": b.date(),
        "n_sessions": len(s),
        "first_session": s[0].date() if len(s) else None,
        "last_session": s[-1].date() if len(s) else None,
    }


@tool(
    "finance.calendars.add_sessions",
    "R",
    params={
        **_MIC,
        "date": "Start date 'YYYY-MM-DD', e.g. '2024-12-20'.",
        "n": "Number of trading sessions to move (negative moves back), -500..500, e.g. 5.",
    },
    examples=[{"mic": "XNYS", "date": "2024-12-20", "n": 5}, {"mic": "XTKS", "date": "2024-05-01", "n": -3}],
    bad_examples=[{"mic": "XNYS", "date": "2024-12-20", "n": 100000}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"mic": "exchange_mic", "date": "date", "n": "number"},
    produces={"result_session": "date"},
)
def add_sessions(mic: str, date: str, n: int) -> dict:
    """The session n trading days after (or before) a date on an exchange, e.g. a T+2 settlement date."""
    if not -500 <= n <= 500:
        raise ToolError("n must be between -500 and 500")
    cal = _cal(mic)
    ts = _day(cal, date)
    base = cal.date_to_session(ts, direction="previous" if n > 0 else "next")
    try:
        out = cal.session_offset(base, n)
    except Exception as exc:
        raise ToolError(f"result falls outside the calendar range: {exc}") from None
    return {"mic": cal.name, "date": ts.date(), "n": n, "result_session": out.date()}


@tool(
    "finance.calendars.market_hours",
    "R",
    params={**_MIC, "date": "A trading day 'YYYY-MM-DD', e.g. '2024-11-29'."},
    examples=[{"mic": "XNYS", "date": "2024-11-29"}, {"mic": "XHKG", "date": "2024-03-01"}],
    bad_examples=[{"mic": "XNYS", "date": "2024-12-25"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"mic": "exchange_mic", "date": "date"},
)
def market_hours(mic: str, date: str) -> dict:
    """Open and close time of one session in UTC and local time, with the lunch break if any (hours)."""
    cal = _cal(mic)
    ts = _day(cal, date)
    if not cal.is_session(ts):
        nxt = cal.date_to_session(ts, direction="next").date()
        raise ToolError(f"{ts.date()} is not a {cal.name} session; next session is {nxt}")
    o, c = cal.session_open(ts), cal.session_close(ts)
    tz = str(cal.tz)
    out = {
        "mic": cal.name,
        "date": ts.date(),
        "timezone": tz,
        "open_utc": o.isoformat(),
        "close_utc": c.isoformat(),
        "open_local": o.tz_convert(tz).strftime("%H:%M"),
        "close_local": c.tz_convert(tz).strftime("%H:%M"),
        "is_early_close": ts in cal.early_closes,
        "hours": round((c - o).total_seconds() / 3600, 3),
    }
    if cal.session_has_break(ts):
        bs, be = cal.session_break_start(ts), cal.session_break_end(ts)
        out["break_local"] = f"{bs.tz_convert(tz):%H:%M}-{be.tz_convert(tz):%H:%M}"
        out["hours"] = round(out["hours"] - (be - bs).total_seconds() / 3600, 3)
    return out


@tool(
    "finance.calendars.holidays",
    "R",
    params={**_MIC, "year": "Calendar year, within about 20 years back to next year, e.g. 2024."},
    examples=[{"mic": "XNYS", "year": 2024}, {"mic": "XTKS", "year": 2025}],
    bad_examples=[{"mic": "XNYS", "year": 1850}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"mic": "exchange_mic", "year": "year"},
    produces={"dates": "date"},
)
def holidays(mic: str, year: int) -> dict:
    """Weekday market closures of an exchange in a year: dates, holiday names where known, count."""
    cal = _cal_for_year(mic, year)
    hol = _holidays(cal, year)
    return {
        "mic": cal.name,
        "year": year,
        "total": len(hol),
        "dates": [d for d, _ in hol][:40],
        "names": [n for _, n in hol][:40],
    }


@tool(
    "finance.calendars.early_closes",
    "R",
    params={**_MIC, "year": "Calendar year, e.g. 2024."},
    examples=[{"mic": "XNYS", "year": 2024}, {"mic": "XLON", "year": 2023}],
    bad_examples=[{"mic": "XNYS", "year": 1700}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"mic": "exchange_mic", "year": "year"},
    produces={"dates": "date"},
)
def early_closes(mic: str, year: int) -> dict:
    """Sessions of a year on which an exchange closes early, with the local closing time of each."""
    cal = _cal_for_year(mic, year)
    days = [d for d in cal.early_closes if d.year == year]
    tz = str(cal.tz)
    return {
        "mic": cal.name,
        "year": year,
        "total": len(days),
        "dates": [d.date() for d in days],
        "close_local": [cal.session_close(d).tz_convert(tz).strftime("%H:%M") for d in days],
    }


@tool(
    "finance.calendars.calendar_info",
    "R",
    params=_MIC,
    examples=[{"mic": "XNYS"}, {"mic": "XHKG"}],
    bad_examples=[{"mic": "ABCD"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"mic": "exchange_mic"},
    produces={"timezone": "timezone"},
)
def calendar_info(mic: str) -> dict:
    """An exchange's regular schedule: time zone, regular open/close (local), lunch break, trading
    weekdays, and the date range the calendar covers."""
    cal = _cal(mic)
    days = [
        n
        for n, flag in zip(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], cal.weekmask, strict=True)
        if flag == "1"
    ]

    def last(times: Any) -> str | None:
        return times[-1][1].strftime("%H:%M") if times else None

    return {
        "mic": cal.name,
        "timezone": str(cal.tz),
        "open_local": last(cal.open_times),
        "close_local": last(cal.close_times),
        "break_start_local": last(cal.break_start_times),
        "break_end_local": last(cal.break_end_times),
        "trading_weekdays": days,
        "first_session": cal.first_session.date(),
        "last_session": cal.last_session.date(),
    }


# --------------------------------------------------------------------- holidays.financial (other markets)


@tool(
    "finance.calendars.financial_holidays",
    "R",
    params={
        "market": "Market code from the holidays package, e.g. 'NYSE', 'ECB' (TARGET2), 'FED', 'XSHE', "
        "'IFEU', 'NSE'.",
        "year": "Year 1990..2035, e.g. 2025.",
    },
    examples=[{"market": "ECB", "year": 2025}, {"market": "FED", "year": 2024}],
    bad_examples=[{"market": "MOON", "year": 2025}, {"market": "NYSE", "year": 1700}],
    package="holidays",
    dataset="holidays 0.109 financial calendars (33 markets incl. ECB TARGET2, Federal Reserve)",
    accepts={"year": "year"},
    produces={"dates": "date"},
)
def financial_holidays(market: str, year: int) -> dict:
    """Holidays of a financial market or payment system (incl. ECB TARGET2 and the US Federal Reserve,
    which have no exchange calendar) in a year: dates and names."""
    import holidays as hol

    codes = hol.list_supported_financial()
    code = market.strip().upper()
    if code not in codes:
        raise unknown("financial market code", code, codes)
    if not 1990 <= year <= 2035:
        raise ToolError("year must be in 1990..2035")
    days = sorted(hol.financial_holidays(code, years=year).items())
    return {
        "market": code,
        "year": year,
        "total": len(days),
        "dates": [d for d, _ in days],
        "names": [n for _, n in days],
    }
