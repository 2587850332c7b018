"""Probability distributions, confidence intervals, proportion tests and power analysis."""

from __future__ import annotations

import math
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.science._common import need_numbers, sig
from dive.tools.science.stats_tests import _DIST_PARAMS, _DISTS, _PKG, _SAMPLE, _dist, _p


@tool(
    "science.stats.distribution",
    "P",
    params={
        "dist": "Distribution: norm, t, chi2, f, binom, poisson, expon, uniform, gamma, beta or lognorm.",
        "x": "Point at which to evaluate, e.g. 1.96.",
        "shape": _DIST_PARAMS,
        "loc": "Location (mean for norm), e.g. 0.",
        "scale": "Scale (sd for norm), e.g. 1.",
    },
    examples=[
        {"dist": "norm", "x": 1.96, "shape": {}},
        {"dist": "binom", "x": 5, "shape": {"n": 20, "p": 0.3}},
    ],
    bad_examples=[{"dist": "t", "x": 1.0, "shape": {"nu": 3}}],
    package=_PKG,
    accepts={"x": "number"},
    produces={"cdf": "number", "sf": "number"},
)
def distribution(
    dist: _DISTS, x: float, shape: dict[str, Any], loc: float = 0.0, scale: float = 1.0
) -> dict[str, Any]:
    """A probability distribution evaluated at x: pdf (or pmf), cdf, survival function (upper tail),
    plus the distribution's mean and variance."""
    d = _dist(dist, shape, loc, scale)
    discrete = dist in ("binom", "poisson")
    dens = d.pmf(x) if discrete else d.pdf(x)
    return {
        "dist": dist,
        "x": x,
        "pmf" if discrete else "pdf": _p(dens),
        "cdf": _p(d.cdf(x)),
        "sf": _p(d.sf(x)),
        "mean": _p(d.mean()),
        "variance": _p(d.var()),
    }


@tool(
    "science.stats.quantile",
    "P",
    params={
        "dist": "Distribution: norm, t, chi2, f, binom, poisson, expon, uniform, gamma, beta or lognorm.",
        "q": "Lower-tail probability in (0, 1), e.g. 0.975.",
        "shape": _DIST_PARAMS,
        "loc": "Location, e.g. 0.",
        "scale": "Scale, e.g. 1.",
    },
    examples=[{"dist": "norm", "q": 0.975, "shape": {}}, {"dist": "t", "q": 0.975, "shape": {"df": 10}}],
    bad_examples=[{"dist": "norm", "q": 1.5, "shape": {}}],
    package=_PKG,
    produces={"value": "number"},
)
def quantile(
    dist: _DISTS, q: float, shape: dict[str, Any], loc: float = 0.0, scale: float = 1.0
) -> dict[str, Any]:
    """Inverse cdf (percent point function): the value below which a fraction q of the distribution lies."""
    if not 0 < q < 1:
        raise ToolError("q must be strictly between 0 and 1")
    return {"dist": dist, "q": q, "value": _p(_dist(dist, shape, loc, scale).ppf(q))}


@tool(
    "science.stats.confidence_interval",
    "P",
    params={
        "data": _SAMPLE + "[9.8, 10.2, 10.0, 9.9, 10.3].",
        "confidence": "Confidence level in (0, 1), e.g. 0.95.",
    },
    examples=[{"data": [9.8, 10.2, 10.0, 9.9, 10.3, 10.1], "confidence": 0.95}],
    bad_examples=[{"data": [9.8, 10.2], "confidence": 1.2}],
    package=_PKG,
    produces={"lower": "number", "upper": "number"},
)
def confidence_interval(data: list[float], confidence: float = 0.95) -> dict[str, Any]:
    """t-based confidence interval for a population mean: mean, margin of error, lower and upper bound."""
    import numpy as np
    from scipy import stats

    if not 0 < confidence < 1:
        raise ToolError("confidence must be in (0, 1), e.g. 0.95")
    x = np.array(need_numbers(data, "data"))
    lo, hi = stats.t.interval(confidence, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    return {
        "mean": sig(x.mean()),
        "lower": sig(lo),
        "upper": sig(hi),
        "margin": sig((hi - lo) / 2),
        "confidence": confidence,
        "n": len(x),
    }


@tool(
    "science.stats.proportion_test",
    "P",
    params={
        "successes": "Number of successes, e.g. 62.",
        "trials": "Number of trials, e.g. 100.",
        "p0": "Hypothesised success probability, e.g. 0.5.",
    },
    examples=[{"successes": 62, "trials": 100, "p0": 0.5}],
    bad_examples=[{"successes": 120, "trials": 100, "p0": 0.5}],
    package=_PKG,
    produces={"p_value": "number"},
)
def proportion_test(successes: int, trials: int, p0: float = 0.5) -> dict[str, Any]:
    """Exact binomial test of an observed proportion against p0 (two-sided p-value) with the
    Wilson 95% confidence interval."""
    from scipy import stats

    if not (0 <= successes <= trials and trials >= 1 and 0 < p0 < 1):
        raise ToolError("need 0 <= successes <= trials, trials >= 1 and 0 < p0 < 1")
    r = stats.binomtest(successes, trials, p0)
    ci = r.proportion_ci(0.95, method="wilson")
    return {
        "proportion": sig(successes / trials),
        "p_value": _p(r.pvalue),
        "ci_low": sig(ci.low),
        "ci_high": sig(ci.high),
    }


@tool(
    "science.stats.sample_size",
    "P",
    params={
        "effect_size": "Standardised effect size (Cohen's d), e.g. 0.5.",
        "alpha": "Significance level, e.g. 0.05.",
        "power": "Desired power in (0, 1), e.g. 0.8.",
    },
    examples=[{"effect_size": 0.5, "alpha": 0.05, "power": 0.8}],
    bad_examples=[{"effect_size": 0.0, "alpha": 0.05, "power": 0.8}],
    package="statsmodels",
    produces={"n_per_group": "number"},
)
def sample_size(effect_size: float, alpha: float = 0.05, power: float = 0.8) -> dict[str, Any]:
    """Sample size per group for a two-sided two-sample t-test to reach a given power (statsmodels)."""
    from statsmodels.stats.power import TTestIndPower

    if effect_size <= 0 or not (0 < alpha < 1 and 0 < power < 1):
        raise ToolError("need effect_size > 0, 0 < alpha < 1 and 0 < power < 1")
    n = TTestIndPower().solve_power(effect_size=effect_size, alpha=alpha, power=power)
    return {"n_per_group_exact": sig(n, 6), "n_per_group": math.ceil(n), "total_n": 2 * math.ceil(n)}
