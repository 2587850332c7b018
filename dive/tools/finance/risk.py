"""Return and risk statistics of price or return series (numpy; normal quantiles from the stdlib)."""

from __future__ import annotations

import math
import statistics
from typing import Literal

from dive.tools.base import tool
from dive.tools.finance._common import need, numbers, rnd

PKG = "numpy"
REQ = ["numpy"]
_PRICES = "Price series, oldest first, all positive, e.g. [100, 102, 101, 105, 107, 104, 108]."
_RETS = "Periodic simple returns as decimals, oldest first, e.g. [0.01, -0.02, 0.015, 0.03, -0.005]."
_PPY = "Periods per year for annualising: 252 (daily), 52 (weekly), 12 (monthly), e.g. 252."
_RF = "Risk-free rate per year as a decimal, e.g. 0.02."


def _ppy(periods_per_year: int) -> int:
    need(1 <= periods_per_year <= 366, "periods_per_year must be in 1..366")
    return periods_per_year


def _prices(prices: list[float]):
    arr = numbers(prices, "prices", 2)
    need(bool((arr > 0).all()), "prices must all be positive")
    return arr


@tool(
    "finance.risk.returns",
    "P",
    params={"prices": _PRICES, "kind": "'simple' (p1/p0 - 1) or 'log' (ln p1/p0)."},
    examples=[
        {"prices": [100.0, 102.0, 101.0, 105.0, 107.0], "kind": "simple"},
        {"prices": [50.0, 55.0, 52.0], "kind": "log"},
    ],
    bad_examples=[{"prices": [100.0, -5.0, 3.0]}, {"prices": [100.0]}],
    package=PKG,
    requires=REQ,
    produces={"total_return": "number"},
)
def returns(prices: list[float], kind: Literal["simple", "log"] = "simple") -> dict:
    """Period-by-period returns of a price series (simple or log) and the total return over the series."""
    import numpy as np

    p = _prices(prices)
    r = p[1:] / p[:-1] - 1 if kind == "simple" else np.diff(np.log(p))
    return {
        "kind": kind,
        "returns": [rnd(x, 8) for x in r[:200]],
        "n": len(r),
        "total_return": rnd(p[-1] / p[0] - 1, 8),
    }


@tool(
    "finance.risk.volatility",
    "P",
    params={"returns": _RETS, "periods_per_year": _PPY},
    examples=[{"returns": [0.01, -0.02, 0.015, 0.03, -0.005], "periods_per_year": 252}],
    bad_examples=[
        {"returns": [0.01], "periods_per_year": 252},
        {"returns": [0.01, 0.02], "periods_per_year": 0},
    ],
    package=PKG,
    requires=REQ,
    produces={"annualized_volatility": "number"},
)
def volatility(returns: list[float], periods_per_year: int = 252) -> dict:
    """Sample standard deviation of returns per period and annualised (x sqrt(periods per year))."""
    r = numbers(returns, "returns")
    sd = float(r.std(ddof=1))
    return {
        "period_volatility": rnd(sd, 8),
        "annualized_volatility": rnd(sd * math.sqrt(_ppy(periods_per_year)), 8),
    }


@tool(
    "finance.risk.sharpe_ratio",
    "P",
    params={"returns": _RETS, "risk_free_rate": _RF, "periods_per_year": _PPY},
    examples=[
        {"returns": [0.01, -0.02, 0.015, 0.03, -0.005, 0.012], "risk_free_rate": 0.02, "periods_per_year": 12}
    ],
    bad_examples=[{"returns": [0.01, 0.01, 0.01], "risk_free_rate": 0.0, "periods_per_year": 12}],
    package=PKG,
    requires=REQ,
    accepts={"risk_free_rate": "number"},
    produces={"sharpe_ratio": "number"},
)
def sharpe_ratio(returns: list[float], risk_free_rate: float = 0.0, periods_per_year: int = 252) -> dict:
    """Annualised Sharpe ratio: mean excess return over its standard deviation, times sqrt(periods)."""
    r = numbers(returns, "returns")
    n = _ppy(periods_per_year)
    ex = r - risk_free_rate / n
    sd = float(ex.std(ddof=1))
    need(sd > 0, "returns have zero variance; Sharpe ratio undefined")
    return {"sharpe_ratio": rnd(ex.mean() / sd * math.sqrt(n)), "mean_excess_per_period": rnd(ex.mean(), 8)}


@tool(
    "finance.risk.sortino_ratio",
    "P",
    params={
        "returns": _RETS,
        "target_return": "Minimum acceptable return per year as decimal, e.g. 0.0.",
        "periods_per_year": _PPY,
    },
    examples=[
        {"returns": [0.01, -0.02, 0.015, 0.03, -0.005, 0.012], "target_return": 0.0, "periods_per_year": 12}
    ],
    bad_examples=[{"returns": [0.01, 0.02, 0.03], "target_return": 0.0, "periods_per_year": 12}],
    package=PKG,
    requires=REQ,
    produces={"sortino_ratio": "number"},
)
def sortino_ratio(returns: list[float], target_return: float = 0.0, periods_per_year: int = 252) -> dict:
    """Annualised Sortino ratio: mean return above target divided by downside deviation."""
    import numpy as np

    r = numbers(returns, "returns")
    n = _ppy(periods_per_year)
    ex = r - target_return / n
    dd = float(np.sqrt(np.mean(np.minimum(ex, 0.0) ** 2)))
    need(dd > 0, "no return below the target; downside deviation is zero so Sortino is undefined")
    return {"sortino_ratio": rnd(ex.mean() / dd * math.sqrt(n)), "downside_deviation": rnd(dd, 8)}


@tool(
    "finance.risk.max_drawdown",
    "P",
    params={"prices": _PRICES},
    examples=[{"prices": [100.0, 120.0, 90.0, 95.0, 130.0, 80.0, 100.0]}],
    bad_examples=[{"prices": [0.0, 1.0]}],
    package=PKG,
    requires=REQ,
    produces={"max_drawdown": "number"},
)
def max_drawdown(prices: list[float]) -> dict:
    """Largest peak-to-trough fall of a price series (as a negative decimal) with peak and trough positions
    (0-based) and whether the peak was recovered."""
    import numpy as np

    p = _prices(prices)
    peak = np.maximum.accumulate(p)
    dd = p / peak - 1
    trough = int(dd.argmin())
    top = int(p[: trough + 1].argmax())
    recovered = bool((p[trough:] >= p[top]).any())
    return {
        "max_drawdown": rnd(dd[trough], 8),
        "peak_index": top,
        "trough_index": trough,
        "peak_price": float(p[top]),
        "trough_price": float(p[trough]),
        "recovered": recovered,
    }


@tool(
    "finance.risk.value_at_risk",
    "P",
    params={
        "returns": _RETS,
        "confidence": "Confidence level, e.g. 0.95 or 0.99.",
        "method": "'historical' (empirical quantile) or 'parametric' (normal distribution).",
    },
    examples=[
        {
            "returns": [0.01, -0.02, 0.015, 0.03, -0.005, 0.012, -0.04, 0.008, -0.011, 0.021],
            "confidence": 0.95,
            "method": "historical",
        },
        {"returns": [0.01, -0.02, 0.015, 0.03, -0.005], "confidence": 0.99, "method": "parametric"},
    ],
    bad_examples=[{"returns": [0.01, -0.02, 0.015], "confidence": 1.5}],
    package=PKG,
    requires=REQ,
    produces={"var": "number", "cvar": "number"},
)
def value_at_risk(
    returns: list[float], confidence: float = 0.95, method: Literal["historical", "parametric"] = "historical"
) -> dict:
    """One-period Value at Risk and Conditional VaR (expected shortfall) as positive loss fractions."""
    import numpy as np

    r = numbers(returns, "returns")
    need(0.5 < confidence < 1, "confidence must be in (0.5, 1)")
    if method == "historical":
        q = float(np.quantile(r, 1 - confidence))
        tail = r[r <= q]
        cvar = -float(tail.mean())
    else:
        mu, sd = float(r.mean()), float(r.std(ddof=1))
        z = statistics.NormalDist().inv_cdf(1 - confidence)
        q = mu + z * sd
        cvar = -(mu - sd * statistics.NormalDist().pdf(z) / (1 - confidence))
    return {"method": method, "confidence": confidence, "var": rnd(-q, 8), "cvar": rnd(cvar, 8)}


@tool(
    "finance.risk.beta_alpha",
    "P",
    params={
        "asset_returns": "Asset periodic returns as decimals, e.g. [0.02, -0.01, 0.03, 0.01].",
        "market_returns": "Market returns for the same periods, e.g. [0.015, -0.005, 0.02, 0.012].",
        "periods_per_year": _PPY,
    },
    examples=[
        {
            "asset_returns": [0.02, -0.01, 0.03, 0.01, -0.02, 0.025],
            "market_returns": [0.015, -0.005, 0.02, 0.012, -0.01, 0.018],
            "periods_per_year": 12,
        }
    ],
    bad_examples=[{"asset_returns": [0.02, -0.01], "market_returns": [0.01, 0.01, 0.02]}],
    package=PKG,
    requires=REQ,
    produces={"beta": "number", "alpha_annualized": "number"},
)
def beta_alpha(asset_returns: list[float], market_returns: list[float], periods_per_year: int = 252) -> dict:
    """CAPM regression of asset on market returns: beta, alpha (per period and annualised), correlation and
    R-squared."""
    import numpy as np

    a, m = numbers(asset_returns, "asset_returns", 3), numbers(market_returns, "market_returns", 3)
    need(len(a) == len(m), "asset_returns and market_returns need the same length")
    var = float(m.var(ddof=1))
    need(var > 0, "market returns have zero variance")
    beta = float(np.cov(a, m, ddof=1)[0, 1] / var)
    alpha = float(a.mean() - beta * m.mean())
    corr = float(np.corrcoef(a, m)[0, 1])
    return {
        "beta": rnd(beta),
        "alpha_per_period": rnd(alpha, 8),
        "alpha_annualized": rnd(alpha * _ppy(periods_per_year), 8),
        "correlation": rnd(corr),
        "r_squared": rnd(corr**2),
    }


@tool(
    "finance.risk.cagr",
    "P",
    params={
        "start_value": "Value at the start, e.g. 10000.0.",
        "end_value": "Value at the end, e.g. 19500.0.",
        "years": "Length of the period in years, e.g. 7.5.",
    },
    examples=[{"start_value": 10000.0, "end_value": 19500.0, "years": 7.5}],
    bad_examples=[{"start_value": 0.0, "end_value": 19500.0, "years": 7.5}],
    package="dive",
    requires=[],
    accepts={"start_value": "number", "end_value": "number"},
    produces={"cagr": "number"},
)
def cagr(start_value: float, end_value: float, years: float) -> dict:
    """Compound annual growth rate between two values over a number of years, and the total growth."""
    need(start_value > 0 and end_value > 0 and years > 0, "start_value, end_value and years must be positive")
    return {
        "cagr": rnd((end_value / start_value) ** (1 / years) - 1, 8),
        "total_growth": rnd(end_value / start_value - 1, 8),
    }


@tool(
    "finance.risk.information_ratio",
    "P",
    params={
        "returns": _RETS,
        "benchmark_returns": "Benchmark returns for the same periods, e.g. [0.008, -0.01, "
        "0.012, 0.02, -0.004].",
        "periods_per_year": _PPY,
    },
    examples=[
        {
            "returns": [0.01, -0.02, 0.015, 0.03, -0.005],
            "benchmark_returns": [0.008, -0.01, 0.012, 0.02, -0.004],
            "periods_per_year": 12,
        }
    ],
    bad_examples=[{"returns": [0.01, 0.02], "benchmark_returns": [0.01, 0.02], "periods_per_year": 12}],
    package=PKG,
    requires=REQ,
    produces={"information_ratio": "number", "tracking_error": "number"},
)
def information_ratio(
    returns: list[float], benchmark_returns: list[float], periods_per_year: int = 252
) -> dict:
    """Active return over a benchmark, annualised tracking error, and the information ratio."""
    r, b = numbers(returns, "returns"), numbers(benchmark_returns, "benchmark_returns")
    need(len(r) == len(b), "returns and benchmark_returns need the same length")
    n = _ppy(periods_per_year)
    act = r - b
    te = float(act.std(ddof=1))
    need(te > 0, "tracking error is zero; information ratio undefined")
    return {
        "active_return_annualized": rnd(act.mean() * n, 8),
        "tracking_error": rnd(te * math.sqrt(n), 8),
        "information_ratio": rnd(act.mean() / te * math.sqrt(n)),
    }


@tool(
    "finance.risk.correlation_matrix",
    "P",
    params={
        "series": "Two or more return series of equal length (list of lists), e.g. [[0.01,0.02,-0.01],"
        "[0.015,0.01,-0.02]]."
    },
    examples=[{"series": [[0.01, 0.02, -0.01, 0.03], [0.015, 0.01, -0.02, 0.02], [-0.01, 0.0, 0.01, -0.02]]}],
    bad_examples=[{"series": [[0.01, 0.02, 0.03]]}],
    package=PKG,
    requires=REQ,
)
def correlation_matrix(series: list[list[float]]) -> dict:
    """Pearson correlation matrix and sample covariance matrix of several return series (max 20)."""
    import numpy as np

    need(2 <= len(series) <= 20, "give 2..20 series")
    arrs = [numbers(s, f"series[{i}]", 3) for i, s in enumerate(series)]
    need(len({len(a) for a in arrs}) == 1, "all series need the same length")
    m = np.vstack(arrs)
    need(bool((m.std(axis=1) > 0).all()), "a series with zero variance has no correlation")
    return {
        "correlation": np.round(np.corrcoef(m), 6).tolist(),
        "covariance": np.round(np.cov(m), 10).tolist(),
    }


@tool(
    "finance.risk.portfolio_stats",
    "P",
    params={
        "weights": "Portfolio weights summing to 1, e.g. [0.6, 0.4].",
        "expected_returns": "Expected annual return per asset, e.g. [0.08, 0.04].",
        "volatilities": "Annual volatility per asset, e.g. [0.18, 0.06].",
        "correlation": "Correlation matrix as list of lists, e.g. [[1, 0.2], [0.2, 1]].",
    },
    examples=[
        {
            "weights": [0.6, 0.4],
            "expected_returns": [0.08, 0.04],
            "volatilities": [0.18, 0.06],
            "correlation": [[1.0, 0.2], [0.2, 1.0]],
        }
    ],
    bad_examples=[
        {
            "weights": [0.6, 0.6],
            "expected_returns": [0.08, 0.04],
            "volatilities": [0.18, 0.06],
            "correlation": [[1.0, 0.2], [0.2, 1.0]],
        }
    ],
    package=PKG,
    requires=REQ,
    produces={"expected_return": "number", "volatility": "number"},
)
def portfolio_stats(
    weights: list[float],
    expected_returns: list[float],
    volatilities: list[float],
    correlation: list[list[float]],
) -> dict:
    """Expected return and volatility of a portfolio from weights, asset returns, volatilities and
    correlations
    (Markowitz), plus the diversification ratio."""
    import numpy as np

    w = numbers(weights, "weights", 1)
    mu, sd = numbers(expected_returns, "expected_returns", 1), numbers(volatilities, "volatilities", 1)
    c = np.asarray(correlation, dtype=float)
    k = len(w)
    need(
        len(mu) == k and len(sd) == k and c.shape == (k, k),
        "all inputs must describe the same number of assets",
    )
    need(abs(w.sum() - 1) < 1e-6, f"weights must sum to 1 (got {w.sum():.6f})")
    need(
        bool(np.allclose(c, c.T)) and bool(np.allclose(np.diag(c), 1)),
        "correlation must be symmetric with unit diagonal",
    )
    cov = np.outer(sd, sd) * c
    vol = float(np.sqrt(w @ cov @ w))
    return {
        "expected_return": rnd(float(w @ mu), 8),
        "volatility": rnd(vol, 8),
        "diversification_ratio": rnd(float(w @ sd) / vol if vol else None),
    }
