"""ISO 4217 currencies (iso4217 package) and ECB historical exchange rates (currencyconverter)."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.finance._common import cap, country_alpha2, norm, parse_date, rnd, unknown

ISO = "iso4217"
ISO_DATA = "ISO 4217 currency table (SIX, 2026-01 edition)"
FX = "currencyconverter"
FX_DATA = "ECB euro foreign exchange reference rates 1999-01-04..2026-10-30 (bundled eurofxref-hist.zip)"


@functools.cache
def _currencies() -> dict[str, Any]:
    from iso4217 import Currency

    return {c.code: c for c in Currency}


def _currency(code: str) -> Any:
    c = _currencies().get(code.strip().upper())
    if c is None:
        raise unknown("ISO 4217 currency code", code.upper(), _currencies())
    return c


@tool(
    "finance.currency.info",
    "R",
    params={"code": "ISO 4217 alphabetic currency code, e.g. 'KES', 'JPY', 'CHF'."},
    examples=[{"code": "KES"}, {"code": "jpy"}],
    bad_examples=[{"code": "XYZQ"}],
    package=ISO,
    dataset=ISO_DATA,
    accepts={"code": "currency_code"},
    produces={"name": "currency_name", "numeric_code": "number", "minor_units": "number"},
)
def info(code: str) -> dict:
    """A currency's ISO 4217 record: name, numeric code, minor units (decimals) and the countries using it."""
    c = _currency(code)
    return {
        "code": c.code,
        "name": c.currency_name,
        "numeric_code": c.number,
        "minor_units": c.exponent,
        "countries": sorted(n.title() for n in c.country_names),
    }


@tool(
    "finance.currency.of_country",
    "R",
    params={"country": "Country name or ISO alpha-2 code, e.g. 'Kenya', 'Switzerland', 'PA'."},
    examples=[{"country": "Kenya"}, {"country": "Panama"}],
    bad_examples=[{"country": "Narnia"}],
    package=ISO,
    dataset=ISO_DATA,
    requires=["iso4217", "pycountry"],
    accepts={"country": "country"},
    produces={"currency_codes": "currency_code"},
)
def of_country(country: str) -> dict:
    """Currencies legal in a country per ISO 4217 (codes and names; funds codes included)."""
    import pycountry

    rec = pycountry.countries.get(alpha_2=country_alpha2(country))
    keys = {
        norm(rec.name),
        norm(getattr(rec, "official_name", "") or ""),
        norm(getattr(rec, "common_name", "") or ""),
    }
    keys.discard("")
    hits = sorted(
        (
            c
            for c in _currencies().values()
            if any(norm(n) in keys or any(k and norm(n).startswith(k) for k in keys) for n in c.country_names)
        ),
        key=lambda c: c.code,
    )
    if not hits:
        raise ToolError(f"no ISO 4217 currency lists {rec.name} among its users")
    return {
        "country": rec.name,
        "country_code": rec.alpha_2,
        "currency_codes": [c.code for c in hits],
        "names": [c.currency_name for c in hits],
    }


@tool(
    "finance.currency.search",
    "R",
    params={"name": "Currency name or part of it, e.g. 'shilling', 'Swiss Franc', 'dinar'."},
    examples=[{"name": "shilling"}, {"name": "Swiss Franc"}],
    bad_examples=[{"name": "Galleon"}],
    package=ISO,
    dataset=ISO_DATA,
    accepts={"name": "currency_name"},
    produces={"codes": "currency_code"},
)
def search(name: str) -> dict:
    """ISO 4217 currencies whose name contains the query: codes, names and numeric codes."""
    q = norm(name)
    hits = sorted(
        (c for c in _currencies().values() if q and q in norm(c.currency_name)), key=lambda c: c.code
    )
    if not hits:
        raise unknown("currency name", name, (c.currency_name for c in _currencies().values()))
    return {
        "query": name,
        "total": len(hits),
        "codes": [c.code for c in cap(hits)],
        "names": [c.currency_name for c in cap(hits)],
        "numeric_codes": [c.number for c in cap(hits)],
    }


# ----------------------------------------------------------------------------------------------- ECB rates


@functools.cache
def _converter() -> Any:
    from currency_converter import CurrencyConverter

    # no silent fallback: a missing rate must be an error, not a quietly interpolated number
    return CurrencyConverter(fallback_on_missing_rate=False, fallback_on_wrong_date=False)


def _ecb(code: str) -> str:
    c = code.strip().upper()
    if c not in _converter().currencies:
        raise unknown("ECB currency", c, _converter().currencies, "The ECB file covers 42 currencies.")
    return c


def _rate_on(base: str, quote: str, day: dt.date) -> float | None:
    """EUR-cross rate quote-per-base on a day, None when the ECB published none (weekend, holiday)."""
    rates = _converter()._rates  # the converter's parsed table: {currency: {date: EUR->ccy rate}}

    def eur(c: str) -> float | None:
        return 1.0 if c == "EUR" else rates[c].get(day)

    a, b = eur(base), eur(quote)
    return None if a is None or b is None else b / a


def _bounds(code: str) -> tuple[dt.date, dt.date]:
    if code == "EUR":
        return dt.date(1999, 1, 4), _converter().bounds["USD"].last_date
    bd = _converter().bounds[code]
    return bd.first_date, bd.last_date


_FX_PARAMS = {
    "amount": "Amount of money in the source currency, e.g. 100.0.",
    "from_currency": "ISO code of the source currency (one of the 42 ECB currencies), e.g. 'USD'.",
    "to_currency": "ISO code of the target currency, e.g. 'EUR'.",
    "date": "ISO date 'YYYY-MM-DD' of the ECB reference rate, 1999-01-04..2026-10-30, e.g. '2008-09-15'.",
}


@tool(
    "finance.currency.convert",
    "R",
    params=_FX_PARAMS,
    examples=[
        {"amount": 100.0, "from_currency": "USD", "to_currency": "EUR", "date": "2008-09-15"},
        {"amount": 2500, "from_currency": "GBP", "to_currency": "JPY", "date": "2016-06-24"},
    ],
    bad_examples=[
        {"amount": 1.0, "from_currency": "USD", "to_currency": "XAU", "date": "2020-01-02"},
        {"amount": 1.0, "from_currency": "USD", "to_currency": "EUR", "date": "1990-01-01"},
    ],
    package=FX,
    dataset=FX_DATA,
    requires=["currency_converter"],
    accepts={
        "from_currency": "currency_code",
        "to_currency": "currency_code",
        "date": "date",
        "amount": "number",
    },
    produces={"converted": "number", "rate": "number"},
)
def convert(amount: float, from_currency: str, to_currency: str, date: str) -> dict:
    """Convert an amount at the ECB reference rate of a given day: converted amount and the rate used
    (target units per source unit). Weekends and TARGET holidays have no rate and give an error."""
    f, t, day = _ecb(from_currency), _ecb(to_currency), parse_date(date)
    lo = max(_bounds(f)[0], _bounds(t)[0])
    hi = min(_bounds(f)[1], _bounds(t)[1])
    if not lo <= day <= hi:
        raise ToolError(f"{f}/{t} rates exist from {lo} to {hi}; {day} is outside")
    rate = _rate_on(f, t, day)
    if rate is None:
        raise ToolError(f"no ECB fixing on {day} (weekend or TARGET holiday); try an adjacent business day")
    return {
        "amount": amount,
        "from": f,
        "to": t,
        "date": day,
        "rate": rnd(rate, 8),
        "converted": rnd(amount * rate, 4),
    }


@tool(
    "finance.currency.rate_stats",
    "R",
    params={
        "base": "ISO code of the base currency (ECB set), e.g. 'EUR'.",
        "quote": "ISO code of the quote currency, e.g. 'USD'.",
        "start": "First date 'YYYY-MM-DD', e.g. '2022-01-01'.",
        "end": "Last date 'YYYY-MM-DD' (inclusive, after start), e.g. '2022-12-31'.",
    },
    examples=[
        {"base": "EUR", "quote": "USD", "start": "2022-01-01", "end": "2022-12-31"},
        {"base": "USD", "quote": "JPY", "start": "2024-01-01", "end": "2024-06-30"},
    ],
    bad_examples=[
        {"base": "EUR", "quote": "USD", "start": "2022-12-31", "end": "2022-01-01"},
        {"base": "EUR", "quote": "BTC", "start": "2022-01-01", "end": "2022-02-01"},
    ],
    package=FX,
    dataset=FX_DATA,
    requires=["currency_converter"],
    accepts={"base": "currency_code", "quote": "currency_code", "start": "date", "end": "date"},
    produces={"mean": "number", "min": "number", "max": "number", "change_pct": "number"},
)
def rate_stats(base: str, quote: str, start: str, end: str) -> dict:
    """Statistics of the daily ECB rate (quote per base) over a date range: first/last, mean, min and max
    with their dates, percent change and number of fixings."""
    b, q, d0, d1 = _ecb(base), _ecb(quote), parse_date(start, "start"), parse_date(end, "end")
    if d1 <= d0:
        raise ToolError("end must be after start")
    series = []
    day = d0
    while day <= d1:
        r = _rate_on(b, q, day)
        if r is not None:
            series.append((day, r))
        day += dt.timedelta(days=1)
    if not series:
        raise ToolError(f"no {b}/{q} fixing between {d0} and {d1}; data covers {_bounds(b)} and {_bounds(q)}")
    vals = [r for _, r in series]
    lo = min(series, key=lambda x: x[1])
    hi = max(series, key=lambda x: x[1])
    return {
        "pair": f"{b}/{q}",
        "n_fixings": len(series),
        "first": rnd(vals[0]),
        "last": rnd(vals[-1]),
        "first_date": series[0][0],
        "last_date": series[-1][0],
        "mean": rnd(sum(vals) / len(vals)),
        "min": rnd(lo[1]),
        "min_date": lo[0],
        "max": rnd(hi[1]),
        "max_date": hi[0],
        "change_pct": rnd(100 * (vals[-1] / vals[0] - 1), 4),
    }


@tool(
    "finance.currency.ecb_rates_on_date",
    "R",
    params={"date": "ISO date 'YYYY-MM-DD' of an ECB business day, e.g. '2020-03-16'."},
    examples=[{"date": "2020-03-16"}, {"date": "2001-09-11"}],
    bad_examples=[{"date": "2020-03-15"}, {"date": "not-a-date"}],
    package=FX,
    dataset=FX_DATA,
    requires=["currency_converter"],
    accepts={"date": "date"},
    produces={"currencies": "currency_code"},
)
def ecb_rates_on_date(date: str) -> dict:
    """All euro reference rates the ECB fixed on one day: units of each currency per 1 EUR."""
    day = parse_date(date)
    rates = {
        c: r
        for c in sorted(_converter().currencies)
        if c != "EUR"
        if (r := _converter()._rates[c].get(day)) is not None
    }
    if not rates:
        raise ToolError(f"no ECB fixing on {day} (weekend, TARGET holiday or outside 1999-01-04..2026-10-30)")
    return {"date": day, "base": "EUR", "rates": rates, "currencies": sorted(rates)}


@tool(
    "finance.currency.ecb_coverage",
    "R",
    params={"code": "ISO currency code from the ECB set, e.g. 'TRL', 'USD', 'CYP'."},
    examples=[{"code": "CYP"}, {"code": "USD"}],
    bad_examples=[{"code": "NGN"}],
    package=FX,
    dataset=FX_DATA,
    requires=["currency_converter"],
    accepts={"code": "currency_code"},
    produces={"first_date": "date", "last_date": "date"},
)
def ecb_coverage(code: str) -> dict:
    """First and last date with an ECB euro reference rate for a currency (legacy currencies stop early),
    the number of fixings and the first and last rate per EUR."""
    c = _ecb(code)
    if c == "EUR":
        raise ToolError("EUR is the ECB base currency; ask for another code")
    series = _converter()._rates[c]
    days = sorted(series)
    return {
        "code": c,
        "first_date": days[0],
        "last_date": days[-1],
        "n_fixings": len(days),
        "first_rate_per_eur": series[days[0]],
        "last_rate_per_eur": series[days[-1]],
    }
