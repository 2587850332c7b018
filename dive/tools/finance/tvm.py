"""Time value of money: numpy-financial (fv, pv, pmt, nper, rate, npv, irr, mirr, amortisation) and pyxirr."""

from __future__ import annotations

import math
from typing import Literal

from dive.tools.base import ToolError, tool
from dive.tools.finance._common import need, numbers, parse_date, rnd

NPF = "numpy-financial"
REQ = ["numpy_financial"]
When = Literal["end", "begin"]
_RATE = "Interest rate per period as a decimal, e.g. 0.05/12 = 0.0041667 for 5% a year paid monthly."
_NPER = "Number of periods, e.g. 360 for a 30-year monthly loan."
_PMT = "Payment per period (negative = money paid out), e.g. -100.0."
_PV = "Present value (negative = money paid out now), e.g. -1000.0."
_FV = "Future value wanted at the end, e.g. 0.0."
_WHEN = "When payments fall in each period: 'end' (ordinary annuity) or 'begin' (annuity due)."


def _check_rate(rate: float) -> None:
    need(-1 < rate < 10, "rate is per period as a decimal and must be in (-1, 10); e.g. 0.004167 for 5%/12")


def _check_nper(nper: float) -> None:
    need(0 < nper <= 10_000, "nper must be in (0, 10000]")


@tool(
    "finance.tvm.future_value",
    "P",
    params={"rate": _RATE, "nper": _NPER, "pmt": _PMT, "pv": _PV, "when": _WHEN},
    examples=[
        {"rate": 0.004166667, "nper": 120, "pmt": -100.0, "pv": -1000.0},
        {"rate": 0.07, "nper": 30, "pmt": 0.0, "pv": -10000.0},
    ],
    bad_examples=[{"rate": -2.0, "nper": 10, "pmt": -100.0, "pv": 0.0}],
    package=NPF,
    requires=REQ,
    accepts={"rate": "number", "nper": "number", "pmt": "number", "pv": "number"},
    produces={"future_value": "number"},
)
def future_value(rate: float, nper: float, pmt: float, pv: float, when: When = "end") -> dict:
    """Future value of an investment with a starting amount and level payments (numpy_financial.fv)."""
    import numpy_financial as npf

    _check_rate(rate)
    _check_nper(nper)
    return {"future_value": rnd(npf.fv(rate, nper, pmt, pv, when=when), 4)}


@tool(
    "finance.tvm.present_value",
    "P",
    params={"rate": _RATE, "nper": _NPER, "pmt": _PMT, "fv": _FV, "when": _WHEN},
    examples=[
        {"rate": 0.05, "nper": 10, "pmt": -1000.0, "fv": 0.0},
        {"rate": 0.03, "nper": 5, "pmt": 0.0, "fv": 10000.0},
    ],
    bad_examples=[{"rate": 0.05, "nper": -3, "pmt": -1000.0, "fv": 0.0}],
    package=NPF,
    requires=REQ,
    accepts={"rate": "number", "nper": "number", "pmt": "number", "fv": "number"},
    produces={"present_value": "number"},
)
def present_value(rate: float, nper: float, pmt: float, fv: float = 0.0, when: When = "end") -> dict:
    """Present value of a stream of level payments plus a final amount (numpy_financial.pv)."""
    import numpy_financial as npf

    _check_rate(rate)
    _check_nper(nper)
    return {"present_value": rnd(npf.pv(rate, nper, pmt, fv, when=when), 4)}


@tool(
    "finance.tvm.payment",
    "P",
    params={
        "rate": _RATE,
        "nper": _NPER,
        "pv": "Loan principal or present value, e.g. 300000.0.",
        "fv": _FV,
        "when": _WHEN,
    },
    examples=[{"rate": 0.004166667, "nper": 360, "pv": 300000.0}, {"rate": 0.01, "nper": 48, "pv": 25000.0}],
    bad_examples=[{"rate": 0.01, "nper": 0, "pv": 25000.0}],
    package=NPF,
    requires=REQ,
    accepts={"rate": "number", "nper": "number", "pv": "number"},
    produces={"payment": "number", "total_paid": "number"},
)
def payment(rate: float, nper: float, pv: float, fv: float = 0.0, when: When = "end") -> dict:
    """Level payment per period that repays a loan (numpy_financial.pmt; negative = paid out), with total
    paid and total interest."""
    import numpy_financial as npf

    _check_rate(rate)
    _check_nper(nper)
    p = float(npf.pmt(rate, nper, pv, fv, when=when))
    return {
        "payment": rnd(p, 4),
        "total_paid": rnd(-p * nper, 2),
        "total_interest": rnd(-p * nper - pv - fv, 2),
    }


@tool(
    "finance.tvm.number_of_periods",
    "P",
    params={"rate": _RATE, "pmt": _PMT, "pv": _PV, "fv": _FV, "when": _WHEN},
    examples=[
        {"rate": 0.01, "pmt": -500.0, "pv": 20000.0},
        {"rate": 0.005, "pmt": -200.0, "pv": 0.0, "fv": 50000.0},
    ],
    bad_examples=[{"rate": 0.01, "pmt": -1.0, "pv": 20000.0}],
    package=NPF,
    requires=REQ,
    accepts={"rate": "number", "pmt": "number", "pv": "number"},
    produces={"nper": "number"},
)
def number_of_periods(rate: float, pmt: float, pv: float, fv: float = 0.0, when: When = "end") -> dict:
    """Number of periods needed to pay off a loan or reach a savings goal (numpy_financial.nper)."""
    import numpy_financial as npf

    _check_rate(rate)
    n = float(npf.nper(rate, pmt, pv, fv, when=when))
    if not math.isfinite(n) or n <= 0:
        raise ToolError("the payment never reaches the target (payment too small for the interest)")
    return {"nper": rnd(n, 4), "whole_periods": math.ceil(n - 1e-9)}


@tool(
    "finance.tvm.interest_rate",
    "P",
    params={"nper": _NPER, "pmt": _PMT, "pv": _PV, "fv": _FV, "when": _WHEN},
    examples=[
        {"nper": 60, "pmt": -500.0, "pv": 25000.0},
        {"nper": 10, "pmt": 0.0, "pv": -1000.0, "fv": 2000.0},
    ],
    bad_examples=[{"nper": 10, "pmt": 0.0, "pv": 1000.0, "fv": 2000.0}],
    package=NPF,
    requires=REQ,
    accepts={"nper": "number", "pmt": "number", "pv": "number"},
    produces={"rate": "number"},
)
def interest_rate(nper: float, pmt: float, pv: float, fv: float = 0.0, when: When = "end") -> dict:
    """Interest rate per period implied by a loan or investment (numpy_financial.rate)."""
    import numpy_financial as npf

    _check_nper(nper)
    r = float(npf.rate(nper, pmt, pv, fv, when=when))
    if not math.isfinite(r):
        raise ToolError("no rate solves these cash flows (check the signs: money in and out must differ)")
    return {"rate": rnd(r, 8)}


_FLOWS = "Cash flows per period starting at t=0 (negative = outflow), e.g. [-100, 39, 59, 55, 20]."


@tool(
    "finance.tvm.npv",
    "P",
    params={"rate": "Discount rate per period as a decimal, e.g. 0.08.", "cashflows": _FLOWS},
    examples=[{"rate": 0.08, "cashflows": [-100.0, 39.0, 59.0, 55.0, 20.0]}],
    bad_examples=[{"rate": 0.08, "cashflows": [5.0]}],
    package=NPF,
    requires=REQ,
    accepts={"rate": "number"},
    produces={"npv": "number"},
)
def npv(rate: float, cashflows: list[float]) -> dict:
    """Net present value of periodic cash flows, the first at t=0 (numpy_financial.npv)."""
    import numpy_financial as npf

    _check_rate(rate)
    return {"npv": rnd(npf.npv(rate, numbers(cashflows, "cashflows")), 6)}


@tool(
    "finance.tvm.irr",
    "P",
    params={"cashflows": _FLOWS},
    examples=[{"cashflows": [-100.0, 39.0, 59.0, 55.0, 20.0]}],
    bad_examples=[{"cashflows": [100.0, 50.0, 20.0]}],
    package=NPF,
    requires=REQ,
    produces={"irr": "number"},
)
def irr(cashflows: list[float]) -> dict:
    """Internal rate of return per period of periodic cash flows (numpy_financial.irr)."""
    import numpy_financial as npf

    r = float(npf.irr(numbers(cashflows, "cashflows")))
    if not math.isfinite(r):
        raise ToolError("no IRR: cash flows need at least one sign change")
    return {"irr": rnd(r, 8)}


@tool(
    "finance.tvm.mirr",
    "P",
    params={
        "cashflows": _FLOWS,
        "finance_rate": "Rate paid on money borrowed, e.g. 0.10.",
        "reinvest_rate": "Rate earned on reinvested cash, e.g. 0.12.",
    },
    examples=[
        {
            "cashflows": [-120000.0, 39000.0, 30000.0, 21000.0, 37000.0, 46000.0],
            "finance_rate": 0.10,
            "reinvest_rate": 0.12,
        }
    ],
    bad_examples=[{"cashflows": [100.0, 200.0], "finance_rate": 0.1, "reinvest_rate": 0.1}],
    package=NPF,
    requires=REQ,
    produces={"mirr": "number"},
)
def mirr(cashflows: list[float], finance_rate: float, reinvest_rate: float) -> dict:
    """Modified internal rate of return with separate finance and reinvestment rates
    (numpy_financial.mirr)."""
    import numpy_financial as npf

    r = float(npf.mirr(numbers(cashflows, "cashflows"), finance_rate, reinvest_rate))
    if not math.isfinite(r):
        raise ToolError("MIRR needs both positive and negative cash flows")
    return {"mirr": rnd(r, 8)}


@tool(
    "finance.tvm.amortization_schedule",
    "P",
    params={
        "principal": "Loan amount, e.g. 200000.0.",
        "annual_rate": "Nominal annual rate as decimal, e.g. 0.06.",
        "years": "Term in years (1..50), e.g. 30.",
        "periods_per_year": "Payments per year, e.g. 12.",
    },
    examples=[
        {"principal": 200000.0, "annual_rate": 0.06, "years": 30, "periods_per_year": 12},
        {"principal": 10000.0, "annual_rate": 0.05, "years": 1},
    ],
    bad_examples=[
        {"principal": -5.0, "annual_rate": 0.06, "years": 30},
        {"principal": 1e5, "annual_rate": 0.06, "years": 99},
    ],
    package=NPF,
    requires=REQ,
    accepts={"principal": "number", "annual_rate": "number"},
    produces={"payment": "number", "total_interest": "number"},
)
def amortization_schedule(
    principal: float, annual_rate: float, years: int, periods_per_year: int = 12
) -> dict:
    """Loan amortisation: level payment, total interest, and interest/principal/balance per period (first 12
    periods and each year-end, via numpy_financial.ipmt/ppmt)."""
    import numpy as np
    import numpy_financial as npf

    need(principal > 0, "principal must be positive")
    need(0 <= annual_rate < 1, "annual_rate must be in [0, 1)")
    need(1 <= years <= 50 and 1 <= periods_per_year <= 365, "years must be 1..50 and periods_per_year 1..365")
    r, n = annual_rate / periods_per_year, years * periods_per_year
    per = np.arange(1, n + 1)
    pay = -float(npf.pmt(r, n, principal)) if r else principal / n
    interest = -np.asarray(npf.ipmt(r, per, n, principal)) if r else np.zeros(n)
    princ = pay - interest
    balance = principal - np.cumsum(princ)
    keep = sorted(set(range(min(12, n))) | set(range(periods_per_year - 1, n, periods_per_year)))
    rows = [
        {
            "period": int(i + 1),
            "interest": rnd(interest[i], 2),
            "principal": rnd(princ[i], 2),
            "balance": rnd(max(balance[i], 0.0), 2),
        }
        for i in keep[:62]
    ]
    return {
        "payment": rnd(pay, 2),
        "n_periods": n,
        "total_paid": rnd(pay * n, 2),
        "total_interest": rnd(pay * n - principal, 2),
        "schedule": rows,
    }


_XFLOWS = (
    "Cash flow amounts, same length as dates (negative = outflow), e.g. [-10000, 2750, 4250, 3250, 2750]."
)
_XDATES = (
    "ISO dates of the cash flows, e.g. ['2008-01-01','2008-03-01','2008-10-30','2009-02-15','2009-04-01']."
)


def _xpairs(dates: list[str], amounts: list[float]) -> tuple[list, list[float]]:
    need(len(dates) == len(amounts) and len(dates) >= 2, "dates and amounts need the same length (>= 2)")
    return [parse_date(d, "dates[]") for d in dates], [float(a) for a in amounts]


@tool(
    "finance.tvm.xirr",
    "P",
    params={"dates": _XDATES, "amounts": _XFLOWS},
    examples=[
        {
            "dates": ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"],
            "amounts": [-10000.0, 2750.0, 4250.0, 3250.0, 2750.0],
        }
    ],
    bad_examples=[
        {"dates": ["2020-01-01", "2021-01-01"], "amounts": [100.0, 200.0]},
        {"dates": ["2020-01-01"], "amounts": [100.0, 5.0]},
    ],
    package="pyxirr",
    requires=["pyxirr"],
    produces={"xirr": "number"},
)
def xirr(dates: list[str], amounts: list[float]) -> dict:
    """Annualised internal rate of return of cash flows on irregular dates (pyxirr.xirr, actual/365)."""
    import pyxirr

    d, a = _xpairs(dates, amounts)
    try:
        r = pyxirr.xirr(d, a)
    except pyxirr.InvalidPaymentsError as exc:
        raise ToolError(f"no XIRR: {exc}") from None
    if r is None:
        raise ToolError("XIRR did not converge for these cash flows")
    return {"xirr": rnd(r, 8)}


@tool(
    "finance.tvm.xnpv",
    "P",
    params={"rate": "Annual discount rate as a decimal, e.g. 0.09.", "dates": _XDATES, "amounts": _XFLOWS},
    examples=[
        {
            "rate": 0.09,
            "dates": ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"],
            "amounts": [-10000.0, 2750.0, 4250.0, 3250.0, 2750.0],
        }
    ],
    bad_examples=[{"rate": 0.09, "dates": ["2008-01-01", "bad"], "amounts": [-1.0, 2.0]}],
    package="pyxirr",
    requires=["pyxirr"],
    accepts={"rate": "number"},
    produces={"xnpv": "number"},
)
def xnpv(rate: float, dates: list[str], amounts: list[float]) -> dict:
    """Net present value of cash flows on irregular dates, discounted from the first date (pyxirr.xnpv)."""
    import pyxirr

    _check_rate(rate)
    d, a = _xpairs(dates, amounts)
    return {"xnpv": rnd(pyxirr.xnpv(rate, d, a), 6)}
