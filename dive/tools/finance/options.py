"""Option pricing: Black-Scholes(-Merton), Black-76, greeks and implied volatility (vollib), CRR binomial."""

from __future__ import annotations

import math
from typing import Literal

from dive.tools.base import ToolError, tool
from dive.tools.finance._common import need, rnd

PKG = "vollib"
Flag = Literal["call", "put"]
_P = {
    "flag": "'call' or 'put'.",
    "spot": "Underlying price, e.g. 100.0.",
    "strike": "Strike price, e.g. 105.0.",
    "years": "Time to expiry in years, e.g. 0.5 for six months.",
    "rate": "Continuously compounded risk-free rate as decimal, e.g. 0.05.",
    "volatility": "Annualised volatility as decimal, e.g. 0.2 for 20%.",
    "dividend_yield": "Continuous dividend yield as decimal, e.g. 0.02 (0 for none).",
}
_ACC = {k: "number" for k in ("spot", "strike", "years", "rate", "volatility")}


def _check(spot: float, strike: float, years: float, volatility: float | None = None) -> None:
    need(spot > 0 and strike > 0, "spot and strike must be positive")
    need(0 < years <= 50, "years must be in (0, 50]")
    if volatility is not None:
        need(0 < volatility <= 5, "volatility must be in (0, 5] (decimal, 0.2 = 20%)")


@tool(
    "finance.options.black_scholes_price",
    "P",
    params={k: _P[k] for k in ("flag", "spot", "strike", "years", "rate", "volatility", "dividend_yield")},
    examples=[
        {"flag": "call", "spot": 100.0, "strike": 100.0, "years": 0.5, "rate": 0.05, "volatility": 0.2},
        {
            "flag": "put",
            "spot": 50.0,
            "strike": 55.0,
            "years": 1.0,
            "rate": 0.03,
            "volatility": 0.35,
            "dividend_yield": 0.02,
        },
    ],
    bad_examples=[
        {"flag": "call", "spot": -1.0, "strike": 100.0, "years": 0.5, "rate": 0.05, "volatility": 0.2}
    ],
    package=PKG,
    requires=["vollib"],
    accepts=_ACC,
    produces={"price": "number"},
)
def black_scholes_price(
    flag: Flag,
    spot: float,
    strike: float,
    years: float,
    rate: float,
    volatility: float,
    dividend_yield: float = 0.0,
) -> dict:
    """European option price under Black-Scholes-Merton (continuous dividend yield), with intrinsic and
    time value."""
    from vollib.black_scholes_merton import black_scholes_merton

    _check(spot, strike, years, volatility)
    f = flag[0]
    price = black_scholes_merton(f, spot, strike, years, rate, volatility, dividend_yield)
    intrinsic = max(spot - strike, 0.0) if f == "c" else max(strike - spot, 0.0)
    return {
        "price": rnd(price, 6),
        "intrinsic_value": rnd(intrinsic, 6),
        "time_value": rnd(price - intrinsic, 6),
    }


@tool(
    "finance.options.black76_price",
    "P",
    params={
        "flag": _P["flag"],
        "forward": "Futures/forward price, e.g. 20.0.",
        "strike": _P["strike"],
        "years": _P["years"],
        "rate": _P["rate"],
        "volatility": _P["volatility"],
    },
    examples=[
        {"flag": "call", "forward": 20.0, "strike": 20.0, "years": 0.25, "rate": 0.09, "volatility": 0.25}
    ],
    bad_examples=[
        {"flag": "put", "forward": 20.0, "strike": 20.0, "years": -1.0, "rate": 0.09, "volatility": 0.25}
    ],
    package=PKG,
    requires=["vollib"],
    accepts={"forward": "number", "strike": "number"},
    produces={"price": "number"},
)
def black76_price(
    flag: Flag, forward: float, strike: float, years: float, rate: float, volatility: float
) -> dict:
    """Price of a European option on a futures or forward contract under the Black-76 model."""
    from vollib.black import black

    _check(forward, strike, years, volatility)
    return {"price": rnd(black(flag[0], forward, strike, years, rate, volatility), 6)}


@tool(
    "finance.options.greeks",
    "P",
    params={k: _P[k] for k in ("flag", "spot", "strike", "years", "rate", "volatility", "dividend_yield")},
    examples=[
        {"flag": "call", "spot": 100.0, "strike": 100.0, "years": 0.5, "rate": 0.05, "volatility": 0.2}
    ],
    bad_examples=[
        {"flag": "call", "spot": 100.0, "strike": 100.0, "years": 0.5, "rate": 0.05, "volatility": 9.0}
    ],
    package=PKG,
    requires=["vollib"],
    accepts=_ACC,
    produces={"delta": "number", "gamma": "number", "vega": "number"},
)
def greeks(
    flag: Flag,
    spot: float,
    strike: float,
    years: float,
    rate: float,
    volatility: float,
    dividend_yield: float = 0.0,
) -> dict:
    """Analytical Black-Scholes-Merton greeks: delta, gamma, theta (per calendar day), vega and rho (per 1
    percentage point)."""
    from vollib.black_scholes_merton.greeks import analytical as g

    _check(spot, strike, years, volatility)
    args = (flag[0], spot, strike, years, rate, volatility, dividend_yield)
    return {
        "delta": rnd(g.delta(*args)),
        "gamma": rnd(g.gamma(*args)),
        "theta_per_day": rnd(g.theta(*args)),
        "vega_per_pct": rnd(g.vega(*args)),
        "rho_per_pct": rnd(g.rho(*args)),
    }


@tool(
    "finance.options.implied_volatility",
    "P",
    params={
        "price": "Observed option premium, e.g. 6.89.",
        **{k: _P[k] for k in ("flag", "spot", "strike", "years", "rate", "dividend_yield")},
    },
    examples=[{"price": 6.8887, "flag": "call", "spot": 100.0, "strike": 100.0, "years": 0.5, "rate": 0.05}],
    bad_examples=[
        {"price": 500.0, "flag": "call", "spot": 100.0, "strike": 100.0, "years": 0.5, "rate": 0.05}
    ],
    package=PKG,
    requires=["vollib"],
    accepts={"price": "number", "spot": "number", "strike": "number"},
    produces={"implied_volatility": "number"},
)
def implied_volatility(
    price: float,
    flag: Flag,
    spot: float,
    strike: float,
    years: float,
    rate: float,
    dividend_yield: float = 0.0,
) -> dict:
    """Volatility that makes the Black-Scholes-Merton price equal an observed premium (Jaeckel's method)."""
    from vollib.black_scholes_merton.implied_volatility import implied_volatility as iv

    _check(spot, strike, years)
    need(price > 0, "price must be positive")
    try:
        vol = iv(price, spot, strike, years, rate, dividend_yield, flag[0])
    except Exception as exc:
        raise ToolError(
            f"no implied volatility for this premium (outside no-arbitrage bounds): {exc}"
        ) from None
    if not math.isfinite(vol) or vol <= 0:
        raise ToolError("no implied volatility for this premium (outside no-arbitrage bounds)")
    return {"implied_volatility": rnd(vol, 8)}


@tool(
    "finance.options.binomial_price",
    "P",
    params={
        **{k: _P[k] for k in ("flag", "spot", "strike", "years", "rate", "volatility", "dividend_yield")},
        "american": "True for early exercise (American), false for European.",
        "steps": "Number of tree steps, 10..2000, e.g. 500.",
    },
    examples=[
        {
            "flag": "put",
            "spot": 100.0,
            "strike": 110.0,
            "years": 1.0,
            "rate": 0.05,
            "volatility": 0.3,
            "american": True,
            "steps": 500,
        }
    ],
    bad_examples=[
        {
            "flag": "put",
            "spot": 100.0,
            "strike": 110.0,
            "years": 1.0,
            "rate": 0.05,
            "volatility": 0.3,
            "steps": 5,
        }
    ],
    package="numpy",
    requires=["numpy"],
    accepts=_ACC,
    produces={"price": "number"},
)
def binomial_price(
    flag: Flag,
    spot: float,
    strike: float,
    years: float,
    rate: float,
    volatility: float,
    dividend_yield: float = 0.0,
    american: bool = True,
    steps: int = 500,
) -> dict:
    """Option price on a Cox-Ross-Rubinstein binomial tree, American or European, plus the early-exercise
    premium over the European value."""
    import numpy as np

    _check(spot, strike, years, volatility)
    need(10 <= steps <= 2000, "steps must be between 10 and 2000")
    dt = years / steps
    u = math.exp(volatility * math.sqrt(dt))
    d = 1 / u
    p = (math.exp((rate - dividend_yield) * dt) - d) / (u - d)
    need(0 < p < 1, "parameters give a non-arbitrage-free tree; use more steps or a lower rate")
    disc = math.exp(-rate * dt)
    sign = 1.0 if flag == "call" else -1.0
    prices = spot * u ** np.arange(steps, -1, -1) * d ** np.arange(0, steps + 1)
    euro = amer = np.maximum(sign * (prices - strike), 0.0)
    for i in range(steps, 0, -1):
        prices = prices[:i] / u
        euro = disc * (p * euro[:i] + (1 - p) * euro[1 : i + 1])
        cont = disc * (p * amer[:i] + (1 - p) * amer[1 : i + 1])
        amer = np.maximum(cont, sign * (prices - strike)) if american else cont
    return {
        "price": rnd(amer[0], 6),
        "european_price": rnd(euro[0], 6),
        "early_exercise_premium": rnd(amer[0] - euro[0], 6),
        "steps": steps,
    }
