"""Statistical tests and distributions with scipy.stats (and statsmodels for power analysis)."""

from __future__ import annotations

import math
from typing import Any, Literal

from dive.tools.base import ToolError, tool
from dive.tools.science._common import need_numbers, sig

_PKG = "scipy"
_SAMPLE = "List of numeric observations, e.g. "
_DISTS = Literal["norm", "t", "chi2", "f", "binom", "poisson", "expon", "uniform", "gamma", "beta", "lognorm"]
_DIST_PARAMS = (
    'Distribution shape parameters as a dict, e.g. {"df": 10} for t/chi2, {"dfn": 3, "dfd": 20} '
    'for f, {"n": 20, "p": 0.3} for binom, {"mu": 4} for poisson, {"a": 2} for gamma, '
    '{"a": 2, "b": 5} for beta, {"s": 0.5} for lognorm; {} for norm/expon/uniform.'
)


def _p(p: float) -> float:
    return float(f"{float(p):.6g}")


def _dist(name: str, shape: dict[str, Any], loc: float, scale: float) -> Any:
    from scipy import stats

    if scale <= 0:
        raise ToolError("scale must be > 0")
    try:
        return getattr(stats, name)(
            **shape, loc=loc, **({} if name in ("binom", "poisson") else {"scale": scale})
        )
    except TypeError as exc:
        raise ToolError(f"bad parameters for {name}: {exc}; {_DIST_PARAMS}") from exc


@tool(
    "science.stats.describe",
    "P",
    params={"data": _SAMPLE + "[2.1, 3.4, 1.9, 5.6, 4.2]."},
    examples=[{"data": [2.1, 3.4, 1.9, 5.6, 4.2, 3.3]}],
    bad_examples=[{"data": [1.0]}],
    package=_PKG,
    produces={"mean": "number", "std": "number", "median": "number"},
)
def describe(data: list[float]) -> dict[str, Any]:
    """Descriptive statistics: n, mean, median, sample standard deviation, variance, min, max,
    quartiles, IQR, skewness, excess kurtosis and standard error of the mean."""
    import numpy as np
    from scipy import stats

    x = np.array(need_numbers(data, "data"))
    q1, med, q3 = np.percentile(x, [25, 50, 75])
    return {
        "n": len(x),
        "mean": sig(x.mean()),
        "median": sig(med),
        "std": sig(x.std(ddof=1)),
        "variance": sig(x.var(ddof=1)),
        "min": float(x.min()),
        "max": float(x.max()),
        "q1": sig(q1),
        "q3": sig(q3),
        "iqr": sig(q3 - q1),
        "skewness": sig(stats.skew(x)),
        "kurtosis": sig(stats.kurtosis(x)),
        "sem": sig(stats.sem(x)),
    }


@tool(
    "science.stats.t_test",
    "P",
    params={
        "sample_a": _SAMPLE + "[5.1, 4.9, 5.6, 5.8].",
        "sample_b": "Second sample for a two-sample or paired test; omit for a one-sample test.",
        "mu": "Hypothesised mean for the one-sample test, e.g. 5.0.",
        "kind": "'welch' (unequal variances), 'student' (pooled) or 'paired'; ignored for one sample.",
    },
    examples=[
        {"sample_a": [5.1, 4.9, 5.6, 5.8, 6.0, 5.5], "sample_b": [4.2, 4.8, 4.5, 5.0, 4.4, 4.6]},
        {"sample_a": [5.1, 4.9, 5.6, 5.8, 6.0, 5.5], "mu": 5.0},
    ],
    bad_examples=[{"sample_a": [1.0, 2.0, 3.0], "sample_b": [1.0, 2.0], "kind": "paired"}],
    package=_PKG,
    produces={"p_value": "number", "t_statistic": "number"},
)
def t_test(
    sample_a: list[float],
    sample_b: list[float] | None = None,
    mu: float = 0.0,
    kind: Literal["welch", "student", "paired"] = "welch",
) -> dict[str, Any]:
    """t-test: one-sample (vs mu), two-sample (Welch or Student) or paired; t statistic, degrees of
    freedom, two-sided p-value and Cohen's d."""
    import numpy as np
    from scipy import stats

    a = np.array(need_numbers(sample_a, "sample_a"))
    if sample_b is None:
        r = stats.ttest_1samp(a, mu)
        d = (a.mean() - mu) / a.std(ddof=1)
        test = "one-sample"
    else:
        b = np.array(need_numbers(sample_b, "sample_b"))
        if kind == "paired":
            if len(a) != len(b):
                raise ToolError("a paired t-test needs samples of equal length")
            r = stats.ttest_rel(a, b)
            d = (a - b).mean() / (a - b).std(ddof=1)
        else:
            r = stats.ttest_ind(a, b, equal_var=kind == "student")
            pooled = math.sqrt(
                ((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2)
            )
            d = (a.mean() - b.mean()) / pooled
        test = kind
    return {
        "test": test,
        "t_statistic": sig(r.statistic),
        "df": sig(r.df, 6),
        "p_value": _p(r.pvalue),
        "cohens_d": sig(d, 6),
    }


@tool(
    "science.stats.chi2_contingency",
    "P",
    params={"table": "Contingency table of observed counts as rows, e.g. [[20, 15], [30, 35]]."},
    examples=[{"table": [[20, 15], [30, 35]]}, {"table": [[10, 20, 30], [6, 9, 17]]}],
    bad_examples=[{"table": [[5]]}],
    package=_PKG,
    produces={"p_value": "number", "chi2": "number"},
)
def chi2_contingency(table: list[list[float]]) -> dict[str, Any]:
    """Chi-square test of independence on a contingency table: statistic, dof, p-value, expected
    counts and Cramér's V."""
    import numpy as np
    from scipy import stats

    t = np.array(table, dtype=float)
    if t.ndim != 2 or min(t.shape) < 2 or (t < 0).any():
        raise ToolError("table must be at least 2x2 with non-negative counts")
    r = stats.chi2_contingency(t)
    v = math.sqrt(r.statistic / (t.sum() * (min(t.shape) - 1)))
    return {
        "chi2": sig(r.statistic),
        "dof": int(r.dof),
        "p_value": _p(r.pvalue),
        "expected": np.round(r.expected_freq, 4).tolist(),
        "cramers_v": sig(v, 6),
    }


@tool(
    "science.stats.chi2_goodness_of_fit",
    "P",
    params={
        "observed": "Observed counts per category, e.g. [18, 22, 20, 40].",
        "expected": "Expected counts or proportions per category; omit for a uniform expectation.",
    },
    examples=[{"observed": [18, 22, 20, 40]}, {"observed": [90, 60, 50], "expected": [0.5, 0.3, 0.2]}],
    bad_examples=[{"observed": [10, 20], "expected": [0.2, 0.3, 0.5]}],
    package=_PKG,
    produces={"p_value": "number"},
)
def chi2_goodness_of_fit(observed: list[float], expected: list[float] | None = None) -> dict[str, Any]:
    """Chi-square goodness-of-fit test of observed counts against expected counts or proportions."""
    import numpy as np
    from scipy import stats

    obs = np.array(need_numbers(observed, "observed"))
    if expected is None:
        exp = np.full(len(obs), obs.sum() / len(obs))
    else:
        exp = np.array(need_numbers(expected, "expected"))
        if len(exp) != len(obs):
            raise ToolError("observed and expected must have the same length")
        exp = exp / exp.sum() * obs.sum()
    r = stats.chisquare(obs, exp)
    return {
        "chi2": sig(r.statistic),
        "dof": len(obs) - 1,
        "p_value": _p(r.pvalue),
        "expected": np.round(exp, 4).tolist(),
    }


@tool(
    "science.stats.anova",
    "P",
    params={"groups": "Two or more groups of observations, e.g. [[4.1, 5.2, 4.8], [6.3, 5.9, 6.8]]."},
    examples=[{"groups": [[4.1, 5.2, 4.8, 5.0], [6.3, 5.9, 6.8, 6.1], [5.0, 5.5, 4.9, 5.3]]}],
    bad_examples=[{"groups": [[1.0, 2.0, 3.0]]}],
    package=_PKG,
    produces={"p_value": "number", "f_statistic": "number"},
)
def anova(groups: list[list[float]]) -> dict[str, Any]:
    """One-way ANOVA across groups (F, p-value, eta squared) with the Kruskal-Wallis H test as a
    non-parametric check."""
    import numpy as np
    from scipy import stats

    if len(groups) < 2:
        raise ToolError("ANOVA needs at least two groups")
    gs = [np.array(need_numbers(g, "each group")) for g in groups]
    f = stats.f_oneway(*gs)
    kw = stats.kruskal(*gs)
    allx = np.concatenate(gs)
    ss_between = sum(len(g) * (g.mean() - allx.mean()) ** 2 for g in gs)
    eta = ss_between / ((allx - allx.mean()) ** 2).sum()
    return {
        "f_statistic": sig(f.statistic),
        "p_value": _p(f.pvalue),
        "df_between": len(gs) - 1,
        "df_within": len(allx) - len(gs),
        "eta_squared": sig(eta, 6),
        "kruskal_h": sig(kw.statistic),
        "kruskal_p_value": _p(kw.pvalue),
        "group_means": [sig(g.mean()) for g in gs],
    }


@tool(
    "science.stats.correlation",
    "P",
    params={
        "x": _SAMPLE + "[1, 2, 3, 4, 5].",
        "y": "Paired observations, same length, e.g. [2.1, 3.9, 6.2, 8.1, 9.8].",
    },
    examples=[{"x": [1, 2, 3, 4, 5, 6], "y": [2.1, 3.9, 6.2, 8.1, 9.8, 12.2]}],
    bad_examples=[{"x": [1, 2, 3], "y": [1, 2]}],
    package=_PKG,
    produces={"pearson_r": "number", "spearman_rho": "number"},
)
def correlation(x: list[float], y: list[float]) -> dict[str, Any]:
    """Pearson r, Spearman rho and Kendall tau between two paired samples, each with its p-value."""
    from scipy import stats

    a, b = need_numbers(x, "x", 3), need_numbers(y, "y", 3)
    if len(a) != len(b):
        raise ToolError("x and y must have the same length")
    p, s, k = stats.pearsonr(a, b), stats.spearmanr(a, b), stats.kendalltau(a, b)
    return {
        "n": len(a),
        "pearson_r": sig(p.statistic, 8),
        "pearson_p": _p(p.pvalue),
        "spearman_rho": sig(s.statistic, 8),
        "spearman_p": _p(s.pvalue),
        "kendall_tau": sig(k.statistic, 8),
        "kendall_p": _p(k.pvalue),
    }


@tool(
    "science.stats.linear_regression",
    "P",
    params={
        "x": "Predictor values, e.g. [1, 2, 3, 4, 5].",
        "y": "Response values, same length, e.g. [2, 4.1, 5.9, 8.2, 9.9].",
    },
    examples=[{"x": [1, 2, 3, 4, 5], "y": [2.0, 4.1, 5.9, 8.2, 9.9]}],
    bad_examples=[{"x": [1, 1, 1], "y": [1, 2, 3]}],
    package=_PKG,
    produces={"slope": "number", "intercept": "number", "r_squared": "number"},
)
def linear_regression(x: list[float], y: list[float]) -> dict[str, Any]:
    """Least-squares line y = slope*x + intercept with standard errors, R^2 and the slope's p-value."""
    from scipy import stats

    a, b = need_numbers(x, "x", 3), need_numbers(y, "y", 3)
    if len(a) != len(b):
        raise ToolError("x and y must have the same length")
    if len(set(a)) == 1:
        raise ToolError("x must vary: all x values are equal")
    r = stats.linregress(a, b)
    return {
        "slope": sig(r.slope),
        "intercept": sig(r.intercept),
        "r_squared": sig(r.rvalue**2),
        "p_value": _p(r.pvalue),
        "slope_stderr": sig(r.stderr),
        "intercept_stderr": sig(r.intercept_stderr),
    }


@tool(
    "science.stats.mann_whitney",
    "P",
    params={"sample_a": _SAMPLE + "[3, 5, 4, 6, 7].", "sample_b": "Second sample, e.g. [8, 9, 7, 10, 12]."},
    examples=[{"sample_a": [3, 5, 4, 6, 7], "sample_b": [8, 9, 7, 10, 12]}],
    bad_examples=[{"sample_a": [3], "sample_b": [8, 9]}],
    package=_PKG,
    produces={"p_value": "number"},
)
def mann_whitney(sample_a: list[float], sample_b: list[float]) -> dict[str, Any]:
    """Mann-Whitney U test (two-sided) comparing two independent samples without assuming normality,
    with the common-language effect size."""
    from scipy import stats

    a, b = need_numbers(sample_a, "sample_a"), need_numbers(sample_b, "sample_b")
    r = stats.mannwhitneyu(a, b, alternative="two-sided")
    return {
        "u_statistic": sig(r.statistic),
        "p_value": _p(r.pvalue),
        "effect_size": sig(r.statistic / (len(a) * len(b)), 6),
    }


@tool(
    "science.stats.normality_test",
    "P",
    params={"data": _SAMPLE + "at least 3 values, e.g. [2.3, 2.9, 3.1, 2.7, 3.4, 2.8]."},
    examples=[{"data": [2.3, 2.9, 3.1, 2.7, 3.4, 2.8, 3.0, 2.6]}],
    bad_examples=[{"data": [1.0, 2.0]}],
    package=_PKG,
    produces={"p_value": "number"},
)
def normality_test(data: list[float]) -> dict[str, Any]:
    """Shapiro-Wilk test of normality: W statistic, p-value and whether normality is rejected at 5%."""
    from scipy import stats

    r = stats.shapiro(need_numbers(data, "data", 3))
    return {
        "w_statistic": sig(r.statistic),
        "p_value": _p(r.pvalue),
        "normal_at_5pct": bool(r.pvalue >= 0.05),
    }
