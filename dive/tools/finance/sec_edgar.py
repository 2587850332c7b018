"""SEC EDGAR reference data shipped inside edgartools (read as files; `edgar` itself is never imported)."""

from __future__ import annotations

import csv
import functools
import json
import os
from typing import Any, Literal

from dive.tools.base import ToolError, tool
from dive.tools.finance._common import cap, norm, package_dir, unknown

PKG = "edgartools"
DATASET = "SEC EDGAR reference data (company_tickers, CUSIP map, forms) shipped in edgartools"
REQ = ["edgar", "pyarrow"]


def _path(name: str) -> str:
    return os.path.join(package_dir("edgar"), "reference", "data", name)


@functools.cache
def _companies() -> list[dict[str, str]]:
    import pyarrow.parquet as pq

    return pq.read_table(_path("company_tickers.parquet")).to_pylist()


@functools.cache
def _by_ticker() -> dict[str, dict[str, str]]:
    return {r["ticker"].upper(): r for r in _companies()}


@functools.cache
def _by_cik() -> dict[int, list[dict[str, str]]]:
    out: dict[int, list[dict[str, str]]] = {}
    for r in _companies():
        out.setdefault(int(r["cik"]), []).append(r)
    return out


@functools.cache
def _cusips() -> tuple[dict[str, str], dict[str, list[str]]]:
    import pyarrow.parquet as pq

    rows = pq.read_table(_path("ct.pq")).to_pylist()
    fwd = {r["Cusip"].upper(): r["Ticker"] for r in rows}
    back: dict[str, list[str]] = {}
    for r in rows:
        back.setdefault(r["Ticker"].upper(), []).append(r["Cusip"])
    return fwd, back


@functools.cache
def _csv(name: str) -> list[dict[str, str]]:
    with open(_path(name), encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _company_record(cik: int) -> dict[str, Any]:
    rows = _by_cik()[cik]
    return {
        "company": rows[0]["name"],
        "cik": cik,
        "cik_padded": f"{cik:010d}",
        "tickers": [r["ticker"] for r in rows],
        "exchange": rows[0]["exchange"],
    }


@tool(
    "finance.sec_edgar.company_by_ticker",
    "R",
    params={"ticker": "US stock ticker symbol as registered with the SEC, e.g. 'AAPL' or 'BRK-B'."},
    examples=[{"ticker": "AAPL"}, {"ticker": "brk-b"}],
    bad_examples=[{"ticker": "ZZZZZQ"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"ticker": "ticker"},
    produces={"company": "company", "cik": "cik", "exchange": "exchange_name", "tickers": "ticker"},
)
def company_by_ticker(ticker: str) -> dict:
    """SEC registrant behind a ticker: company name, CIK (int and 10-digit), exchange, all its tickers."""
    row = _by_ticker().get(ticker.strip().upper())
    if row is None:
        raise unknown("ticker", ticker.upper(), _by_ticker())
    return {"ticker": row["ticker"], **_company_record(int(row["cik"]))}


@tool(
    "finance.sec_edgar.company_search",
    "R",
    params={"name": "Company name or part of it, case-insensitive, e.g. 'Microsoft' or 'Alphabet Inc.'."},
    examples=[{"name": "Microsoft"}, {"name": "Alphabet Inc."}],
    bad_examples=[{"name": "Qwzxv Holdings Unlimited"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"name": "company"},
    produces={"matches": "company", "best_cik": "cik", "best_tickers": "ticker"},
)
def company_search(name: str) -> dict:
    """SEC registrants whose name contains the query: name, CIK, tickers (exact matches first, max 20)."""
    q = norm(name)
    if not q:
        raise ToolError("name must contain letters or digits")
    hits = [c for c, rows in _by_cik().items() if q in norm(rows[0]["name"])]
    hits.sort(key=lambda c: (norm(_by_cik()[c][0]["name"]) != q, len(_by_cik()[c][0]["name"]), c))
    if not hits:
        raise unknown("company name", name, (r[0]["name"] for r in _by_cik().values()))
    recs = [_company_record(c) for c in hits]
    return {
        "query": name,
        "total": len(recs),
        "matches": [r["company"] for r in cap(recs)],
        "results": cap(recs),
        "best_cik": recs[0]["cik"],
        "best_tickers": recs[0]["tickers"],
    }


@tool(
    "finance.sec_edgar.company_by_cik",
    "R",
    params={"cik": "SEC Central Index Key as an integer, e.g. 320193 (Apple)."},
    examples=[{"cik": 320193}, {"cik": 1067983}],
    bad_examples=[{"cik": 999999999}, {"cik": -5}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"cik": "cik"},
    produces={"company": "company", "tickers": "ticker", "exchange": "exchange_name"},
)
def company_by_cik(cik: int) -> dict:
    """SEC registrant with this CIK: company name, padded CIK, tickers and listing exchange."""
    if cik not in _by_cik():
        raise ToolError(f"no SEC registrant with CIK {cik} in the ticker file; try company_search by name")
    return _company_record(cik)


@tool(
    "finance.sec_edgar.exchange_tickers",
    "R",
    params={
        "exchange": "US venue as named by the SEC: 'Nasdaq', 'NYSE', 'OTC' or 'CBOE'.",
        "starts_with": "Only tickers beginning with these letters, e.g. 'AA' ('' for all).",
    },
    examples=[{"exchange": "NYSE", "starts_with": "IB"}, {"exchange": "CBOE"}],
    bad_examples=[{"exchange": "NYSE", "starts_with": "1234567"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    produces={"tickers": "ticker"},
)
def exchange_tickers(exchange: Literal["Nasdaq", "NYSE", "OTC", "CBOE"], starts_with: str = "") -> dict:
    """Tickers the SEC lists on one US exchange (optionally by prefix): count and first 20, sorted."""
    prefix = starts_with.strip().upper()
    rows = sorted(
        (r for r in _companies() if r["exchange"] == exchange and r["ticker"].upper().startswith(prefix)),
        key=lambda r: r["ticker"],
    )
    if not rows:
        raise ToolError(f"no {exchange} ticker starts with {prefix!r}")
    return {
        "exchange": exchange,
        "starts_with": prefix,
        "total": len(rows),
        "tickers": [r["ticker"] for r in cap(rows)],
        "companies": [r["name"] for r in cap(rows)],
    }


@tool(
    "finance.sec_edgar.cusip_to_ticker",
    "R",
    params={"cusip": "9-character CUSIP of a US security, e.g. '037833100' (Apple common stock)."},
    examples=[{"cusip": "037833100"}, {"cusip": "594918104"}],
    bad_examples=[{"cusip": "ZZZZZZZZZ"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"cusip": "cusip"},
    produces={"ticker": "ticker", "company": "company"},
)
def cusip_to_ticker(cusip: str) -> dict:
    """Ticker mapped to a CUSIP in the SEC 13F-derived table, plus the registrant name when known."""
    fwd, _ = _cusips()
    ticker = fwd.get(cusip.strip().upper())
    if ticker is None:
        raise ToolError(f"CUSIP {cusip!r} is not in the 68,830-row CUSIP->ticker table (9 characters)")
    row = _by_ticker().get(ticker.upper())
    return {"cusip": cusip.upper(), "ticker": ticker, "company": row["name"] if row else None}


@tool(
    "finance.sec_edgar.ticker_cusips",
    "R",
    params={"ticker": "US ticker symbol, e.g. 'MSFT'."},
    examples=[{"ticker": "MSFT"}, {"ticker": "AAPL"}],
    bad_examples=[{"ticker": "QQQQQZ"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"ticker": "ticker"},
    produces={"cusips": "cusip"},
)
def ticker_cusips(ticker: str) -> dict:
    """All CUSIPs mapped to a ticker in the SEC CUSIP table (old and new issues), with a count."""
    _, back = _cusips()
    found = back.get(ticker.strip().upper())
    if not found:
        raise unknown("ticker (no CUSIP on file)", ticker.upper(), back)
    return {"ticker": ticker.upper(), "total": len(found), "cusips": cap(sorted(found))}


@tool(
    "finance.sec_edgar.form_description",
    "R",
    params={"form": "SEC filing form type, e.g. '10-K', '8-K', 'S-1', '13F-HR'."},
    examples=[{"form": "10-K"}, {"form": "13F-HR"}],
    bad_examples=[{"form": "99-ZZ"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"form": "sec_form"},
)
def form_description(form: str) -> dict:
    """What an SEC form type is for: its official short description."""
    table = {r["Form"].upper(): r for r in _csv("secforms.csv")}
    row = table.get(form.strip().upper())
    if row is None:
        raise unknown("SEC form", form, (r["Form"] for r in table.values()))
    return {"form": row["Form"], "description": row["Description"]}


@tool(
    "finance.sec_edgar.exhibit_description",
    "R",
    params={"exhibit": "Exhibit number from Item 601 of Regulation S-K, e.g. '21' or '10'."},
    examples=[{"exhibit": "21"}, {"exhibit": "3"}],
    bad_examples=[{"exhibit": "999"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
)
def exhibit_description(exhibit: str) -> dict:
    """Meaning of an SEC filing exhibit number: description and the form types that use it."""
    rows = {r["Exhibit No."].strip(): r for r in _csv("exhibits.csv")}
    row = rows.get(exhibit.strip())
    if row is None:
        raise unknown("exhibit number", exhibit, rows)
    return {
        "exhibit": exhibit.strip(),
        "description": row["Description"],
        "form_types": row["Form Types Involved"],
    }


@tool(
    "finance.sec_edgar.place_code",
    "R",
    params={
        "code": "EDGAR state/country code used for business addresses and incorporation, e.g. 'CA' or 'X0'."
    },
    examples=[{"code": "DE"}, {"code": "X0"}],
    bad_examples=[{"code": "Q?"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    produces={"iso_country_code": "country_code"},
)
def place_code(code: str) -> dict:
    """Place behind an EDGAR location code: name, type (US state, Canadian province, country), ISO code."""
    rows = {r["Code"].upper(): r for r in _csv("place_codes.csv")}
    row = rows.get(code.strip().upper())
    if row is None:
        raise unknown("EDGAR place code", code.upper(), rows)
    return {
        "code": row["Code"],
        "place": row["Place"].title(),
        "type": row["Type"],
        "iso_country_code": row["ISO"],
    }


@functools.cache
def _managers() -> dict[str, Any]:
    with open(_path("portfolio_managers.json"), encoding="utf-8") as fh:
        return json.load(fh)["managers"]


@tool(
    "finance.sec_edgar.portfolio_managers",
    "R",
    params={"institution": "13F filing institution name, e.g. 'Berkshire Hathaway' or 'BlackRock'."},
    examples=[{"institution": "Berkshire Hathaway"}, {"institution": "Vanguard"}],
    bad_examples=[{"institution": "Atlantis Capital"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"institution": "company"},
    produces={"managers": "person", "cik": "cik"},
)
def portfolio_managers(institution: str) -> dict:
    """Key portfolio managers of a large 13F institution: names, titles, status, AUM (USD billions), CIK."""
    q = norm(institution)
    for key, rec in _managers().items():
        pats = [norm(p) for p in rec.get("match_patterns", [])] + [norm(rec["company_name"]), norm(key)]
        if any(q == p or (len(q) >= 4 and q in p) for p in pats):
            return {
                "institution": rec["company_name"],
                "cik": rec.get("cik"),
                "aum_billions_usd": rec.get("aum_billions"),
                "managers": [m["name"] for m in rec["managers"]],
                "details": [
                    {k: m.get(k) for k in ("name", "title", "status", "start_date")} for m in rec["managers"]
                ],
            }
    raise unknown("institution", institution, (r["company_name"] for r in _managers().values()))
