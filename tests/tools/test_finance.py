"""Finance domain: known facts from the shipped data, seed coverage and usability, exemplar file."""

from __future__ import annotations

import pytest

from dive.tools.registry import load_tools
from tests.tools import pool_checks

TOOLS = load_tools(["finance"])


def out(tool_id: str, **args: object) -> dict:
    return pool_checks.run_ok(TOOLS, tool_id, args)


# ------------------------------------------------------------------------------------ retrieval facts


def test_sec_company_by_ticker() -> None:
    o = out("finance.sec_edgar.company_by_ticker", ticker="MSFT")
    assert o["cik"] == 789019 and o["exchange"] == "Nasdaq"


def test_sec_company_by_cik() -> None:
    assert set(out("finance.sec_edgar.company_by_cik", cik=1067983)["tickers"]) == {"BRK-A", "BRK-B"}


def test_sec_cusip_to_ticker() -> None:
    assert out("finance.sec_edgar.cusip_to_ticker", cusip="037833100")["ticker"] == "AAPL"


def test_sec_form_and_place() -> None:
    assert (
        out("finance.sec_edgar.form_description", form="10-K")["description"]
        == "Annual report for public companies"
    )
    assert out("finance.sec_edgar.place_code", code="X0")["iso_country_code"] == "GB"


def test_sec_portfolio_managers() -> None:
    assert (
        "Warren Buffett"
        in out("finance.sec_edgar.portfolio_managers", institution="Berkshire Hathaway")["managers"]
    )


def test_tickersymbols_profile_and_indices() -> None:
    assert out("finance.tickersymbols.company_profile", company="Apple Inc.")["isins"] == ["US0378331005"]
    assert "DOW JONES" in out("finance.tickersymbols.company_indices", company="Apple Inc.")["indices"]
    assert out("finance.tickersymbols.stock_by_symbol", symbol="7203.T")["company"] == "Toyota"


def test_tickersymbols_index_constituents() -> None:
    o = out("finance.tickersymbols.index_constituents", index="DAX")
    assert "Adidas" in o["companies"] and o["total"] >= 30


def test_mic_lookup() -> None:
    o = out("finance.mic.lookup", mic="XLON")
    assert o["city"] == "London" and o["country_code"] == "GB" and o["acronym"] == "LSE"


def test_mic_search() -> None:
    assert out("finance.mic.search", name="LSE")["mics"][0] == "XLON"


def test_currency_info_and_country() -> None:
    o = out("finance.currency.info", code="JPY")
    assert (o["numeric_code"], o["minor_units"]) == (392, 0)
    assert out("finance.currency.of_country", country="Panama")["currency_codes"] == ["PAB", "USD"]


def test_currency_convert_ecb() -> None:
    o = out(
        "finance.currency.convert", amount=100.0, from_currency="EUR", to_currency="USD", date="2010-05-06"
    )
    assert o["rate"] == pytest.approx(1.2727)


def test_currency_coverage_legacy() -> None:
    assert out("finance.currency.ecb_coverage", code="TRL")["last_date"] == "2004-12-31"


def test_calendar_sessions_and_holidays() -> None:
    assert (
        out("finance.calendars.sessions_between", mic="XNYS", start="2024-01-01", end="2024-12-31")[
            "n_sessions"
        ]
        == 252
    )
    o = out("finance.calendars.is_trading_day", mic="XNYS", date="2024-12-25")
    assert o["is_trading_day"] is False and o["next_session"] == "2024-12-26"
    assert out("finance.calendars.early_closes", mic="XNYS", year=2024)["dates"] == [
        "2024-07-03",
        "2024-11-29",
        "2024-12-24",
    ]


def test_calendar_info_tokyo_lunch_break() -> None:
    o = out("finance.calendars.calendar_info", mic="XTKS")
    assert o["timezone"] == "Asia/Tokyo" and o["break_start_local"] == "11:30"


def test_financial_holidays_ecb() -> None:
    assert out("finance.calendars.financial_holidays", market="ECB", year=2025)["total"] == 6


def test_banking_iban_and_bank() -> None:
    o = out("finance.banking.iban_parse", iban="DE89 3704 0044 0532 0130 00")
    assert o["bank_name"] == "Commerzbank" and o["bic"] == "COBADEFFXXX"
    assert (
        out("finance.banking.bank_by_code", country_code="DE", bank_code="10070000")["bic"] == "DEUTDEBBXXX"
    )
    assert out("finance.banking.iban_spec", country_code="DE")["iban_length"] == 22


def test_industry_codes() -> None:
    assert out("finance.industry.gics_lookup", code="45103010")["name"] == "Application Software"
    assert out("finance.industry.naics_lookup", code="522110")["title"] == "Commercial Banking"
    assert out("finance.industry.nace_lookup", code="62.10")["label"] == "Computer programming activities"


def test_identifiers() -> None:
    assert out("finance.identifiers.cusip_validate", cusip="594918104")["isin"] == "US5949181045"
    assert out("finance.identifiers.isin_validate", isin="US0378331005")["national_id"] == "037833100"
    assert out("finance.identifiers.ein_info", ein="04-2103594")["irs_campus"] == "Brookhaven"


def test_factbook_economy() -> None:
    assert out("finance.factbook_economy.exchange_rate", country="Kenya")["currency_code"] == "KES"
    assert out("finance.factbook_economy.inflation", country="Kenya")["latest_value"] == 4.5
    assert out("finance.factbook_economy.exports", country="Kenya")["top_partner"] == "Uganda"
    assert out("finance.factbook_economy.rank", indicator="gdp_ppp", top_n=2)["countries"] == [
        "China",
        "United States",
    ]


# ----------------------------------------------------------------------------------- processing facts


def test_tvm() -> None:
    assert out("finance.tvm.payment", rate=0.05 / 12, nper=360, pv=300000.0)["payment"] == pytest.approx(
        -1610.46, abs=0.01
    )
    assert out("finance.tvm.irr", cashflows=[-100.0, 39.0, 59.0, 55.0, 20.0])["irr"] == pytest.approx(
        0.28095, abs=1e-5
    )


def test_options() -> None:
    args = {"flag": "call", "spot": 100.0, "strike": 100.0, "years": 0.5, "rate": 0.05, "volatility": 0.2}
    assert out("finance.options.black_scholes_price", **args)["price"] == pytest.approx(6.8887, abs=1e-4)
    iv = out(
        "finance.options.implied_volatility",
        price=6.888729,
        flag="call",
        spot=100.0,
        strike=100.0,
        years=0.5,
        rate=0.05,
    )
    assert iv["implied_volatility"] == pytest.approx(0.2, abs=1e-5)


def test_corporate() -> None:
    assert (
        out("finance.corporate.gordon_growth", next_dividend=2.0, required_return=0.1, growth_rate=0.05)[
            "price"
        ]
        == 40
    )
    assert out(
        "finance.corporate.wacc",
        equity_value=600.0,
        debt_value=400.0,
        cost_of_equity=0.1,
        cost_of_debt=0.05,
        tax_rate=0.25,
    )["wacc"] == pytest.approx(0.075)
    assert out("finance.corporate.bond_price", face=1000.0, coupon_rate=0.05, years=10, ytm=0.05)[
        "price"
    ] == (pytest.approx(1000.0))


def test_risk_and_indicators() -> None:
    assert out("finance.risk.max_drawdown", prices=[100.0, 120.0, 90.0, 95.0, 130.0, 80.0, 100.0])[
        "max_drawdown"
    ] == pytest.approx(-50 / 130, abs=1e-6)
    assert out("finance.indicators.sma", prices=[1.0, 2.0, 3.0, 4.0], window=2)["latest"] == 3.5


# ------------------------------------------------------------------------------------------- seeds


@pytest.fixture(scope="module")
def seeds_by_kind() -> dict[str, list[str]]:
    return pool_checks.seeds_by_kind("finance")


def test_seed_count(seeds_by_kind: dict[str, list[str]]) -> None:
    pool_checks.check_seed_count(seeds_by_kind, 5000)


def test_every_seed_kind_has_two_accepting_tools(seeds_by_kind: dict[str, list[str]]) -> None:
    pool_checks.check_seed_kinds_accepted(TOOLS, seeds_by_kind, 2)


def test_seeds_are_usable(seeds_by_kind: dict[str, list[str]]) -> None:
    for kind, names in sorted(seeds_by_kind.items()):
        pool_checks.check_seeds_usable(kind, names, pool_checks.accepting(TOOLS, kind))


# ---------------------------------------------------------------------------------------- exemplars


def test_exemplar_file() -> None:
    pool_checks.check_exemplars("finance", min_rows=65, min_tag_uses=2)
