"""Technical-analysis indicators on price series (numpy implementations of the textbook definitions)."""

from __future__ import annotations

from typing import Any

from dive.tools.base import tool
from dive.tools.finance._common import need, numbers, rnd

PKG = "numpy"
REQ = ["numpy"]
_CLOSE = "Closing prices, oldest first, e.g. [44.3, 44.1, 44.2, 43.6, 44.3, 44.8, 45.1, 45.4, 45.8, 46.1]."
_SAMPLE = [
    44.34,
    44.09,
    44.15,
    43.61,
    44.33,
    44.83,
    45.10,
    45.42,
    45.84,
    46.08,
    45.89,
    46.03,
    45.61,
    46.28,
    46.28,
    46.00,
    46.03,
    46.41,
    46.22,
    45.64,
    46.21,
    46.25,
    45.71,
    46.45,
    45.78,
    45.35,
    44.03,
    44.18,
    44.22,
    44.57,
    43.42,
    42.66,
    43.13,
]
_HIGH = [p + 0.5 for p in _SAMPLE]
_LOW = [p - 0.6 for p in _SAMPLE]
_VOL = [1000.0 + 37 * i % 400 for i in range(len(_SAMPLE))]


def _tail(values: Any, n: int = 20) -> list[float | None]:
    """Last n values of an indicator series (the recent ones a question asks about)."""
    return [rnd(v, 6) for v in list(values)[-n:]]


def _window(window: int, n: int) -> None:
    need(2 <= window <= 500, "window must be between 2 and 500")
    need(n >= window, f"need at least {window} prices for this window, got {n}")


def _ema(x: Any, span: int) -> Any:
    import numpy as np

    alpha = 2 / (span + 1)
    out = np.empty_like(x)
    out[0] = x[0]
    for i in range(1, len(x)):
        out[i] = alpha * x[i] + (1 - alpha) * out[i - 1]
    return out


@tool(
    "finance.indicators.sma",
    "P",
    params={"prices": _CLOSE, "window": "Number of periods averaged, e.g. 10."},
    examples=[{"prices": _SAMPLE, "window": 10}],
    bad_examples=[{"prices": [1.0, 2.0, 3.0], "window": 10}],
    package=PKG,
    requires=REQ,
    produces={"latest": "number"},
)
def sma(prices: list[float], window: int) -> dict:
    """Simple moving average: the latest value and the last 20 values of the series."""
    import numpy as np

    p = numbers(prices, "prices")
    _window(window, len(p))
    s = np.convolve(p, np.ones(window) / window, mode="valid")
    return {"window": window, "latest": rnd(s[-1], 6), "values": _tail(s), "n_values": len(s)}


@tool(
    "finance.indicators.ema",
    "P",
    params={"prices": _CLOSE, "span": "EMA span N (smoothing 2/(N+1)), e.g. 12."},
    examples=[{"prices": _SAMPLE, "span": 12}],
    bad_examples=[{"prices": [1.0, 2.0], "span": 1}],
    package=PKG,
    requires=REQ,
    produces={"latest": "number"},
)
def ema(prices: list[float], span: int) -> dict:
    """Exponential moving average (seeded with the first price): latest value and last 20 values."""
    p = numbers(prices, "prices")
    _window(span, len(p))
    e = _ema(p, span)
    return {"span": span, "latest": rnd(e[-1], 6), "values": _tail(e)}


@tool(
    "finance.indicators.rsi",
    "P",
    params={"prices": _CLOSE, "window": "Look-back period, e.g. 14."},
    examples=[{"prices": _SAMPLE, "window": 14}],
    bad_examples=[{"prices": [1.0, 2.0, 3.0], "window": 14}],
    package=PKG,
    requires=REQ,
    produces={"latest": "number"},
)
def rsi(prices: list[float], window: int = 14) -> dict:
    """Wilder's Relative Strength Index (0-100): latest value, signal (overbought > 70, oversold < 30) and
    the last 20 values."""
    import numpy as np

    p = numbers(prices, "prices")
    _window(window + 1, len(p))
    d = np.diff(p)
    gain, loss = np.maximum(d, 0), np.maximum(-d, 0)
    ag, al = gain[:window].mean(), loss[:window].mean()
    out = []
    for i in range(window, len(d) + 1):
        if i > window:
            ag = (ag * (window - 1) + gain[i - 1]) / window
            al = (al * (window - 1) + loss[i - 1]) / window
        out.append(100.0 if al == 0 else 100 - 100 / (1 + ag / al))
    last = out[-1]
    signal = "overbought" if last > 70 else "oversold" if last < 30 else "neutral"
    return {"window": window, "latest": rnd(last, 4), "signal": signal, "values": _tail(out)}


@tool(
    "finance.indicators.macd",
    "P",
    params={
        "prices": _CLOSE,
        "fast": "Fast EMA span, e.g. 12.",
        "slow": "Slow EMA span, e.g. 26.",
        "signal": "Signal-line EMA span, e.g. 9.",
    },
    examples=[{"prices": _SAMPLE, "fast": 12, "slow": 26, "signal": 9}],
    bad_examples=[{"prices": _SAMPLE, "fast": 26, "slow": 12, "signal": 9}],
    package=PKG,
    requires=REQ,
    produces={"macd": "number", "signal_line": "number", "histogram": "number"},
)
def macd(prices: list[float], fast: int = 12, slow: int = 26, signal: int = 9) -> dict:
    """MACD line (fast EMA - slow EMA), signal line and histogram at the latest price, and the trend cue."""
    p = numbers(prices, "prices")
    need(2 <= fast < slow, "fast must be smaller than slow (and >= 2)")
    _window(slow, len(p))
    line = _ema(p, fast) - _ema(p, slow)
    sig = _ema(line, signal)
    hist = line - sig
    return {
        "macd": rnd(line[-1]),
        "signal_line": rnd(sig[-1]),
        "histogram": rnd(hist[-1]),
        "cue": "bullish" if hist[-1] > 0 else "bearish",
        "histogram_values": _tail(hist),
    }


@tool(
    "finance.indicators.bollinger_bands",
    "P",
    params={
        "prices": _CLOSE,
        "window": "Moving-average window, e.g. 20.",
        "num_std": "Band width in standard deviations, e.g. 2.0.",
    },
    examples=[{"prices": _SAMPLE, "window": 20, "num_std": 2.0}],
    bad_examples=[{"prices": _SAMPLE, "window": 20, "num_std": -1.0}],
    package=PKG,
    requires=REQ,
    produces={"upper": "number", "lower": "number", "middle": "number"},
)
def bollinger_bands(prices: list[float], window: int = 20, num_std: float = 2.0) -> dict:
    """Bollinger bands at the latest price: middle (SMA), upper and lower band, bandwidth and %B."""
    p = numbers(prices, "prices")
    _window(window, len(p))
    need(0 < num_std <= 10, "num_std must be in (0, 10]")
    w = p[-window:]
    mid, sd = float(w.mean()), float(w.std(ddof=0))
    up, lo = mid + num_std * sd, mid - num_std * sd
    return {
        "middle": rnd(mid),
        "upper": rnd(up),
        "lower": rnd(lo),
        "bandwidth": rnd((up - lo) / mid),
        "percent_b": rnd((p[-1] - lo) / (up - lo)) if up > lo else None,
    }


def _hlc(high: list[float], low: list[float], close: list[float]) -> tuple[Any, Any, Any]:
    h, lo, c = numbers(high, "high"), numbers(low, "low"), numbers(close, "close")
    need(len(h) == len(lo) == len(c), "high, low and close need the same length")
    need(bool((h >= lo).all()), "every high must be >= the low of the same period")
    return h, lo, c


_HLC = {
    "high": "Period highs, oldest first, e.g. [45.1, 44.9, ...].",
    "low": "Period lows, e.g. [43.9, 43.5, ...].",
    "close": "Period closes, e.g. [44.3, 44.1, ...].",
}


@tool(
    "finance.indicators.atr",
    "P",
    params={**_HLC, "window": "Wilder smoothing period, e.g. 14."},
    examples=[{"high": _HIGH, "low": _LOW, "close": _SAMPLE, "window": 14}],
    bad_examples=[{"high": [1.0, 2.0], "low": [3.0, 4.0], "close": [2.0, 3.0], "window": 2}],
    package=PKG,
    requires=REQ,
    produces={"latest": "number"},
)
def atr(high: list[float], low: list[float], close: list[float], window: int = 14) -> dict:
    """Average True Range (Wilder): latest value and last 20 values, a volatility measure in price units."""
    import numpy as np

    h, lo, c = _hlc(high, low, close)
    _window(window + 1, len(c))
    tr = np.maximum(h[1:] - lo[1:], np.maximum(abs(h[1:] - c[:-1]), abs(lo[1:] - c[:-1])))
    out = [tr[:window].mean()]
    for x in tr[window:]:
        out.append((out[-1] * (window - 1) + x) / window)
    return {"window": window, "latest": rnd(out[-1]), "values": _tail(out)}


@tool(
    "finance.indicators.stochastic",
    "P",
    params={**_HLC, "k_window": "Look-back for %K, e.g. 14.", "d_window": "SMA window for %D, e.g. 3."},
    examples=[{"high": _HIGH, "low": _LOW, "close": _SAMPLE, "k_window": 14, "d_window": 3}],
    bad_examples=[{"high": _HIGH, "low": _LOW, "close": _SAMPLE[:5], "k_window": 14, "d_window": 3}],
    package=PKG,
    requires=REQ,
    produces={"percent_k": "number", "percent_d": "number"},
)
def stochastic(
    high: list[float], low: list[float], close: list[float], k_window: int = 14, d_window: int = 3
) -> dict:
    """Stochastic oscillator: latest %K (close within the k-period range, 0-100) and %D (its SMA)."""
    h, lo, c = _hlc(high, low, close)
    _window(k_window + d_window - 1, len(c))
    k = []
    for i in range(k_window - 1, len(c)):
        hh, ll = h[i - k_window + 1 : i + 1].max(), lo[i - k_window + 1 : i + 1].min()
        k.append(50.0 if hh == ll else 100 * (c[i] - ll) / (hh - ll))
    d = sum(k[-d_window:]) / d_window
    return {
        "percent_k": rnd(k[-1], 4),
        "percent_d": rnd(d, 4),
        "zone": "overbought" if k[-1] > 80 else "oversold" if k[-1] < 20 else "neutral",
    }


@tool(
    "finance.indicators.obv",
    "P",
    params={
        "close": "Closing prices, oldest first, e.g. [10, 10.5, 10.2].",
        "volume": "Traded volume for the same periods, e.g. [1000, 1500, 1200].",
    },
    examples=[{"close": _SAMPLE, "volume": _VOL}],
    bad_examples=[{"close": [1.0, 2.0, 3.0], "volume": [1.0, 2.0]}],
    package=PKG,
    requires=REQ,
    produces={"latest": "number"},
)
def obv(close: list[float], volume: list[float]) -> dict:
    """On-balance volume: cumulative volume signed by the direction of each close; latest and last 20."""
    import numpy as np

    c, v = numbers(close, "close"), numbers(volume, "volume")
    need(len(c) == len(v), "close and volume need the same length")
    need(bool((v >= 0).all()), "volume must be non-negative")
    out = np.concatenate([[0.0], np.cumsum(np.sign(np.diff(c)) * v[1:])])
    return {"latest": rnd(out[-1], 2), "values": _tail(out)}
