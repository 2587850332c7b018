"""Corporate finance and fixed income formulas: CAPM, WACC, DCF, Gordon, bonds, rates, ratios, break-even."""

from __future__ import annotations

import math

from dive.tools.base import ToolError, tool
from dive.tools.finance._common import need, numbers, rnd

PKG = "dive"  # the project's own implementations of textbook formulas


@tool(
    "finance.corporate.capm",
    "P",
    params={
        "risk_free_rate": "Risk-free rate as decimal, e.g. 0.04.",
        "beta": "Equity beta, e.g. 1.2.",
        "market_return": "Expected market return as decimal, e.g. 0.09.",
    },
    examples=[{"risk_free_rate": 0.04, "beta": 1.2, "market_return": 0.09}],
    bad_examples=[{"risk_free_rate": 4.0, "beta": 1.2, "market_return": 0.09}],
    package=PKG,
    requires=[],
    accepts={"beta": "number", "risk_free_rate": "number"},
    produces={"expected_return": "number"},
)
def capm(risk_free_rate: float, beta: float, market_return: float) -> dict:
    """CAPM expected (required) return on equity and the market risk premium used."""
    need(-0.5 < risk_free_rate < 1 and -0.5 < market_return < 2, "rates are decimals (0.04 = 4%)")
    need(-5 <= beta <= 10, "beta must be in [-5, 10]")
    mrp = market_return - risk_free_rate
    return {"expected_return": rnd(risk_free_rate + beta * mrp, 8), "market_risk_premium": rnd(mrp, 8)}


@tool(
    "finance.corporate.wacc",
    "P",
    params={
        "equity_value": "Market value of equity, e.g. 600.0.",
        "debt_value": "Market value of debt, e.g. 400.0.",
        "cost_of_equity": "Required return on equity as decimal, e.g. 0.10.",
        "cost_of_debt": "Pre-tax cost of debt as decimal, e.g. 0.05.",
        "tax_rate": "Corporate tax rate, e.g. 0.25.",
    },
    examples=[
        {
            "equity_value": 600.0,
            "debt_value": 400.0,
            "cost_of_equity": 0.10,
            "cost_of_debt": 0.05,
            "tax_rate": 0.25,
        }
    ],
    bad_examples=[
        {"equity_value": 0.0, "debt_value": 0.0, "cost_of_equity": 0.1, "cost_of_debt": 0.05, "tax_rate": 0.2}
    ],
    package=PKG,
    requires=[],
    accepts={"cost_of_equity": "number"},
    produces={"wacc": "number"},
)
def wacc(
    equity_value: float, debt_value: float, cost_of_equity: float, cost_of_debt: float, tax_rate: float
) -> dict:
    """Weighted average cost of capital with the debt tax shield, and the equity/debt weights."""
    need(
        equity_value >= 0 and debt_value >= 0 and equity_value + debt_value > 0,
        "values must be >= 0, not both 0",
    )
    need(0 <= tax_rate < 1, "tax_rate must be in [0, 1)")
    v = equity_value + debt_value
    we, wd = equity_value / v, debt_value / v
    return {
        "wacc": rnd(we * cost_of_equity + wd * cost_of_debt * (1 - tax_rate), 8),
        "equity_weight": rnd(we),
        "debt_weight": rnd(wd),
        "after_tax_cost_of_debt": rnd(cost_of_debt * (1 - tax_rate), 8),
    }


@tool(
    "finance.corporate.dcf_valuation",
    "P",
    params={
        "cash_flows": "Forecast free cash flows for years 1..N, e.g. [100, 110, 120, 130, 140].",
        "discount_rate": "Discount rate (WACC) as decimal, e.g. 0.09.",
        "terminal_growth": "Perpetual growth after year N as decimal (< discount_rate), e.g. 0.02.",
        "net_debt": "Net debt to subtract for equity value, e.g. 300.0 (0 for enterprise value only).",
        "shares_outstanding": "Share count for a per-share value (0 to skip), e.g. 50.0.",
    },
    examples=[
        {
            "cash_flows": [100.0, 110.0, 120.0, 130.0, 140.0],
            "discount_rate": 0.09,
            "terminal_growth": 0.02,
            "net_debt": 300.0,
            "shares_outstanding": 50.0,
        }
    ],
    bad_examples=[{"cash_flows": [100.0, 110.0], "discount_rate": 0.02, "terminal_growth": 0.03}],
    package=PKG,
    requires=["numpy"],
    accepts={"discount_rate": "number"},
    produces={"enterprise_value": "number", "equity_value": "number", "value_per_share": "number"},
)
def dcf_valuation(
    cash_flows: list[float],
    discount_rate: float,
    terminal_growth: float = 0.02,
    net_debt: float = 0.0,
    shares_outstanding: float = 0.0,
) -> dict:
    """Discounted-cash-flow valuation with a Gordon terminal value: enterprise value, PV of the forecast and
    of the terminal value, equity value and value per share."""
    cf = numbers(cash_flows, "cash_flows", 1)
    need(0 < discount_rate < 1, "discount_rate must be in (0, 1)")
    need(terminal_growth < discount_rate, "terminal_growth must be below discount_rate")
    disc = (1 + discount_rate) ** -numbers(list(range(1, len(cf) + 1)), "t", 1)
    pv_cf = float((cf * disc).sum())
    tv = float(cf[-1] * (1 + terminal_growth) / (discount_rate - terminal_growth))
    pv_tv = tv * float(disc[-1])
    ev = pv_cf + pv_tv
    eq = ev - net_debt
    return {
        "enterprise_value": rnd(ev, 4),
        "pv_forecast": rnd(pv_cf, 4),
        "terminal_value": rnd(tv, 4),
        "pv_terminal_value": rnd(pv_tv, 4),
        "equity_value": rnd(eq, 4),
        "value_per_share": rnd(eq / shares_outstanding, 4) if shares_outstanding > 0 else None,
    }


@tool(
    "finance.corporate.gordon_growth",
    "P",
    params={
        "next_dividend": "Dividend expected next year (D1), e.g. 2.5.",
        "required_return": "Required return on equity as decimal, e.g. 0.08.",
        "growth_rate": "Perpetual dividend growth as decimal (< required_return), e.g. 0.03.",
    },
    examples=[{"next_dividend": 2.5, "required_return": 0.08, "growth_rate": 0.03}],
    bad_examples=[{"next_dividend": 2.5, "required_return": 0.03, "growth_rate": 0.05}],
    package=PKG,
    requires=[],
    accepts={"next_dividend": "number"},
    produces={"price": "number"},
)
def gordon_growth(next_dividend: float, required_return: float, growth_rate: float) -> dict:
    """Gordon dividend-discount value of a share (D1 / (r - g)) and its implied dividend yield."""
    need(next_dividend > 0, "next_dividend must be positive")
    need(required_return > growth_rate, "required_return must exceed growth_rate")
    price = next_dividend / (required_return - growth_rate)
    return {"price": rnd(price, 6), "dividend_yield": rnd(next_dividend / price, 8)}


def _bond_flows(face: float, coupon_rate: float, years: float, freq: int) -> tuple[list[float], list[float]]:
    need(face > 0 and 0 <= coupon_rate < 1, "face must be positive and coupon_rate a decimal in [0, 1)")
    need(freq in (1, 2, 4, 12), "frequency must be 1, 2, 4 or 12 coupons a year")
    n = round(years * freq)
    need(1 <= n <= 1200, "years * frequency must give 1..1200 coupon periods")
    times = [(i + 1) / freq for i in range(n)]
    flows = [face * coupon_rate / freq] * n
    flows[-1] += face
    return times, flows


def _price(times: list[float], flows: list[float], ytm: float, freq: int) -> float:
    return sum(f / (1 + ytm / freq) ** (t * freq) for t, f in zip(times, flows, strict=True))


_BOND = {
    "face": "Face (par) value, e.g. 1000.0.",
    "coupon_rate": "Annual coupon rate as decimal, e.g. 0.05.",
    "years": "Years to maturity (whole coupon periods), e.g. 10.",
    "frequency": "Coupons a year: 1, 2, 4 or 12.",
}


@tool(
    "finance.corporate.bond_price",
    "P",
    params={
        **_BOND,
        "ytm": "Annual yield to maturity as decimal (compounded at the coupon frequency), e.g. 0.06.",
    },
    examples=[{"face": 1000.0, "coupon_rate": 0.05, "years": 10, "frequency": 2, "ytm": 0.06}],
    bad_examples=[{"face": 1000.0, "coupon_rate": 0.05, "years": 10, "frequency": 3, "ytm": 0.06}],
    package=PKG,
    requires=[],
    accepts={"ytm": "number", "coupon_rate": "number"},
    produces={"price": "number", "modified_duration": "number"},
)
def bond_price(face: float, coupon_rate: float, years: float, ytm: float, frequency: int = 2) -> dict:
    """Price of a plain fixed-coupon bond from its yield, with Macaulay and modified duration and
    convexity."""
    times, flows = _bond_flows(face, coupon_rate, years, frequency)
    need(-0.5 < ytm < 2, "ytm is a decimal, e.g. 0.06")
    price = _price(times, flows, ytm, frequency)
    df = [f / (1 + ytm / frequency) ** (t * frequency) for t, f in zip(times, flows, strict=True)]
    mac = sum(t * d for t, d in zip(times, df, strict=True)) / price
    conv = sum(d * t * (t + 1 / frequency) for t, d in zip(times, df, strict=True)) / (
        price * (1 + ytm / frequency) ** 2
    )
    return {
        "price": rnd(price, 6),
        "price_pct_of_par": rnd(100 * price / face, 6),
        "macaulay_duration": rnd(mac),
        "modified_duration": rnd(mac / (1 + ytm / frequency)),
        "convexity": rnd(conv),
    }


@tool(
    "finance.corporate.bond_yield",
    "P",
    params={**_BOND, "price": "Market (dirty = clean at a coupon date) price, e.g. 926.4."},
    examples=[{"face": 1000.0, "coupon_rate": 0.05, "years": 10, "frequency": 2, "price": 925.61}],
    bad_examples=[{"face": 1000.0, "coupon_rate": 0.05, "years": 10, "frequency": 2, "price": -5.0}],
    package=PKG,
    requires=[],
    accepts={"price": "number"},
    produces={"ytm": "number", "current_yield": "number"},
)
def bond_yield(face: float, coupon_rate: float, years: float, price: float, frequency: int = 2) -> dict:
    """Yield to maturity of a fixed-coupon bond from its price (bisection), and its current yield."""
    times, flows = _bond_flows(face, coupon_rate, years, frequency)
    need(price > 0, "price must be positive")
    lo, hi = -0.49, 2.0
    if not _price(times, flows, hi, frequency) <= price <= _price(times, flows, lo, frequency):
        raise ToolError("no yield in (-49%, 200%) matches this price")
    for _ in range(200):
        mid = (lo + hi) / 2
        if _price(times, flows, mid, frequency) > price:
            lo = mid
        else:
            hi = mid
    return {"ytm": rnd((lo + hi) / 2, 8), "current_yield": rnd(face * coupon_rate / price, 8)}


@tool(
    "finance.corporate.effective_annual_rate",
    "P",
    params={
        "nominal_rate": "Nominal annual rate (APR) as decimal, e.g. 0.12.",
        "periods_per_year": "Compounding periods a year (0 = continuous), e.g. 12.",
    },
    examples=[{"nominal_rate": 0.12, "periods_per_year": 12}, {"nominal_rate": 0.05, "periods_per_year": 0}],
    bad_examples=[{"nominal_rate": 0.12, "periods_per_year": -4}],
    package=PKG,
    requires=[],
    accepts={"nominal_rate": "number"},
    produces={"effective_rate": "number"},
)
def effective_annual_rate(nominal_rate: float, periods_per_year: int) -> dict:
    """Effective annual rate (APY) of a nominal rate compounded m times a year, or continuously (m = 0)."""
    need(-1 < nominal_rate < 10, "nominal_rate is a decimal, e.g. 0.12")
    need(0 <= periods_per_year <= 100000, "periods_per_year must be 0 (continuous) or a positive count")
    ear = (
        math.expm1(nominal_rate)
        if periods_per_year == 0
        else (1 + nominal_rate / periods_per_year) ** periods_per_year - 1
    )
    return {
        "effective_rate": rnd(ear, 10),
        "compounding": "continuous" if periods_per_year == 0 else periods_per_year,
    }


@tool(
    "finance.corporate.real_interest_rate",
    "P",
    params={
        "nominal_rate": "Nominal rate as decimal, e.g. 0.07.",
        "inflation_rate": "Inflation as decimal, e.g. 0.03.",
    },
    examples=[
        {"nominal_rate": 0.07, "inflation_rate": 0.03},
        {"nominal_rate": 0.05, "inflation_rate": 0.077},
    ],
    bad_examples=[{"nominal_rate": 0.07, "inflation_rate": -1.5}],
    package=PKG,
    requires=[],
    accepts={"inflation_rate": "number", "nominal_rate": "number"},
    produces={"real_rate": "number"},
)
def real_interest_rate(nominal_rate: float, inflation_rate: float) -> dict:
    """Real interest rate by the exact Fisher equation ((1+i)/(1+pi) - 1) and the linear approximation."""
    need(nominal_rate > -1 and inflation_rate > -1, "rates are decimals above -1")
    return {
        "real_rate": rnd((1 + nominal_rate) / (1 + inflation_rate) - 1, 10),
        "approximation": rnd(nominal_rate - inflation_rate, 10),
    }


@tool(
    "finance.corporate.inflation_adjust",
    "P",
    params={
        "amount": "Money amount in the base year, e.g. 1000.0.",
        "annual_inflation": "Average annual inflation as decimal, e.g. 0.045.",
        "years": "Number of years between the two dates, e.g. 10.",
    },
    examples=[{"amount": 1000.0, "annual_inflation": 0.045, "years": 10}],
    bad_examples=[{"amount": 1000.0, "annual_inflation": 0.045, "years": -200}],
    package=PKG,
    requires=[],
    accepts={"amount": "number", "annual_inflation": "number"},
    produces={"nominal_equivalent": "number", "real_value": "number"},
)
def inflation_adjust(amount: float, annual_inflation: float, years: float) -> dict:
    """What an amount becomes after years of constant inflation: the nominal amount with the same purchasing
    power, and the real value of the same nominal amount, plus the cumulative inflation."""
    need(-0.5 < annual_inflation < 5, "annual_inflation is a decimal, e.g. 0.045")
    need(0 <= years <= 200, "years must be in 0..200")
    factor = (1 + annual_inflation) ** years
    return {
        "nominal_equivalent": rnd(amount * factor, 4),
        "real_value": rnd(amount / factor, 4),
        "cumulative_inflation": rnd(factor - 1, 8),
    }


@tool(
    "finance.corporate.payback_period",
    "P",
    params={
        "cash_flows": "Cash flows from t=0 (negative investment first), e.g. [-1000, 300, 400, 500, 200].",
        "discount_rate": "Rate for the discounted payback as decimal (0 for simple payback), e.g. 0.08.",
    },
    examples=[
        {"cash_flows": [-1000.0, 300.0, 400.0, 500.0, 200.0], "discount_rate": 0.0},
        {"cash_flows": [-1000.0, 300.0, 400.0, 500.0, 200.0], "discount_rate": 0.08},
    ],
    bad_examples=[{"cash_flows": [-1000.0, 100.0, 100.0], "discount_rate": 0.0}],
    package=PKG,
    requires=["numpy"],
    produces={"payback_years": "number"},
)
def payback_period(cash_flows: list[float], discount_rate: float = 0.0) -> dict:
    """Years until cumulative (optionally discounted) cash flows turn non-negative, interpolated
    within the year."""
    cf = numbers(cash_flows, "cash_flows")
    need(cf[0] < 0, "the first cash flow must be the (negative) investment")
    need(-1 < discount_rate < 1, "discount_rate must be in (-1, 1)")
    cum = 0.0
    for t, c in enumerate(cf):
        pv = float(c) / (1 + discount_rate) ** t
        if cum < 0 <= cum + pv and t > 0:
            return {"payback_years": rnd(t - 1 + (-cum) / pv, 6), "discounted": discount_rate != 0}
        cum += pv
    raise ToolError("the investment is never paid back within these cash flows")


@tool(
    "finance.corporate.dupont_analysis",
    "P",
    params={
        "net_income": "Net income, e.g. 112.0.",
        "revenue": "Revenue (sales), e.g. 416.0.",
        "total_assets": "Total assets, e.g. 359.0.",
        "shareholder_equity": "Shareholders' equity, e.g. 74.0.",
    },
    examples=[{"net_income": 112.0, "revenue": 416.0, "total_assets": 359.0, "shareholder_equity": 74.0}],
    bad_examples=[{"net_income": 112.0, "revenue": 0.0, "total_assets": 359.0, "shareholder_equity": 74.0}],
    package=PKG,
    requires=[],
    accepts={"net_income": "number", "revenue": "number"},
    produces={"roe": "number", "roa": "number", "net_margin": "number"},
)
def dupont_analysis(
    net_income: float, revenue: float, total_assets: float, shareholder_equity: float
) -> dict:
    """Three-step DuPont decomposition: net margin x asset turnover x equity multiplier = ROE, and ROA."""
    need(
        revenue > 0 and total_assets > 0 and shareholder_equity != 0,
        "revenue and total_assets must be > 0, shareholder_equity non-zero",
    )
    margin, turnover, mult = net_income / revenue, revenue / total_assets, total_assets / shareholder_equity
    return {
        "net_margin": rnd(margin),
        "asset_turnover": rnd(turnover),
        "equity_multiplier": rnd(mult),
        "roe": rnd(margin * turnover * mult),
        "roa": rnd(net_income / total_assets),
    }


@tool(
    "finance.corporate.break_even",
    "P",
    params={
        "fixed_costs": "Fixed costs per period, e.g. 50000.0.",
        "price": "Selling price per unit, e.g. 25.0.",
        "variable_cost": "Variable cost per unit, e.g. 15.0.",
    },
    examples=[{"fixed_costs": 50000.0, "price": 25.0, "variable_cost": 15.0}],
    bad_examples=[{"fixed_costs": 50000.0, "price": 10.0, "variable_cost": 15.0}],
    package=PKG,
    requires=[],
    produces={"break_even_units": "number", "break_even_revenue": "number"},
)
def break_even(fixed_costs: float, price: float, variable_cost: float) -> dict:
    """Break-even volume and revenue, unit contribution margin and contribution-margin ratio."""
    need(fixed_costs >= 0 and price > 0 and variable_cost >= 0, "costs must be >= 0 and price > 0")
    cm = price - variable_cost
    need(cm > 0, "price must exceed the variable cost per unit, or the business never breaks even")
    units = fixed_costs / cm
    return {
        "break_even_units": rnd(units, 4),
        "break_even_revenue": rnd(units * price, 4),
        "contribution_margin": rnd(cm, 6),
        "contribution_margin_ratio": rnd(cm / price),
    }
