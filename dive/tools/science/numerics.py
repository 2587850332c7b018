"""Numerical analysis (scipy.optimize / scipy.integrate), error propagation (uncertainties) and
graph analysis of edge lists (networkx)."""

from __future__ import annotations

import math
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.science._common import sig
from dive.tools.science.sympy_calculus import _parse, _symbol

_EDGES = "Edges as [source, target] or [source, target, weight], e.g. [['A','B',1], ['B','C',2]]."


def _lambdify(expression: str, variable: str) -> Any:
    import sympy

    expr, x = _parse(expression), _symbol(variable)
    extra = expr.free_symbols - {x}
    if extra:
        raise ToolError(f"expression has unknowns other than {variable}: {sorted(map(str, extra))}")
    return sympy.lambdify(x, expr, "math")


@tool(
    "science.scipy.find_root",
    "P",
    params={
        "expression": "Function f(x) whose zero is wanted, e.g. 'cos(x) - x'.",
        "variable": "Variable, e.g. 'x'.",
        "lower": "Left end of a bracket where f changes sign, e.g. 0.",
        "upper": "Right end of the bracket, e.g. 1.",
    },
    examples=[{"expression": "cos(x) - x", "variable": "x", "lower": 0.0, "upper": 1.0}],
    bad_examples=[{"expression": "x**2 + 1", "variable": "x", "lower": -1.0, "upper": 1.0}],
    package="scipy",
    requires=["scipy", "sympy"],
    produces={"root": "number"},
)
def find_root(expression: str, variable: str, lower: float, upper: float) -> dict[str, Any]:
    """A root of f(x) = 0 inside a sign-changing bracket, by Brent's method, with iteration count."""
    from scipy.optimize import brentq

    f = _lambdify(expression, variable)
    fa, fb = f(lower), f(upper)
    if fa * fb > 0:
        raise ToolError(
            f"f({lower}) = {fa:.4g} and f({upper}) = {fb:.4g} have the same sign; pick a bracket "
            "where the function changes sign"
        )
    root, info = brentq(f, lower, upper, full_output=True, xtol=1e-14)
    return {"root": sig(root, 14), "iterations": info.iterations, "converged": bool(info.converged)}


@tool(
    "science.scipy.minimize_scalar",
    "P",
    params={
        "expression": "Function to minimise, e.g. '(x - 2)**2 + 1'.",
        "variable": "Variable, e.g. 'x'.",
        "lower": "Lower bound of the search interval, e.g. -10.",
        "upper": "Upper bound, e.g. 10.",
    },
    examples=[
        {"expression": "(x - 2)**2 + 1", "variable": "x", "lower": -10.0, "upper": 10.0},
        {"expression": "x**4 - 3*x**3 + 2", "variable": "x", "lower": 0.0, "upper": 5.0},
    ],
    bad_examples=[{"expression": "x**2", "variable": "x", "lower": 5.0, "upper": -5.0}],
    package="scipy",
    requires=["scipy", "sympy"],
    produces={"x_min": "number", "f_min": "number"},
)
def minimize_scalar(expression: str, variable: str, lower: float, upper: float) -> dict[str, Any]:
    """Minimum of a one-variable function on a bounded interval: location and value."""
    from scipy.optimize import minimize_scalar as ms

    if not lower < upper:
        raise ToolError("lower must be < upper")
    r = ms(_lambdify(expression, variable), bounds=(lower, upper), method="bounded", options={"xatol": 1e-10})
    return {"x_min": sig(r.x, 10), "f_min": sig(r.fun, 10), "converged": bool(r.success)}


@tool(
    "science.scipy.quad",
    "P",
    params={
        "expression": "Integrand f(x), e.g. 'exp(-x**2)'.",
        "variable": "Variable, e.g. 'x'.",
        "lower": "Lower limit (use -1e308 for -infinity), e.g. 0.",
        "upper": "Upper limit (1e308 for +infinity), e.g. 1.",
    },
    examples=[
        {"expression": "exp(-x**2)", "variable": "x", "lower": -1e308, "upper": 1e308},
        {"expression": "sin(x)/x", "variable": "x", "lower": 1.0, "upper": 10.0},
    ],
    bad_examples=[{"expression": "exp(-x**2) + y", "variable": "x", "lower": 0.0, "upper": 1.0}],
    package="scipy",
    requires=["scipy", "sympy"],
    produces={"value": "number"},
)
def quad(expression: str, variable: str, lower: float, upper: float) -> dict[str, Any]:
    """Numerical definite integral by adaptive quadrature (QUADPACK), with its error estimate."""
    from scipy.integrate import quad as q

    lo = -math.inf if lower <= -1e300 else lower
    hi = math.inf if upper >= 1e300 else upper
    val, err = q(_lambdify(expression, variable), lo, hi, limit=200)
    return {"value": sig(val, 12), "abs_error": float(f"{err:.3g}")}


@tool(
    "science.scipy.solve_ivp",
    "P",
    params={
        "derivative": "Right-hand side dy/dt as an expression in t and y, e.g. '-0.5*y'.",
        "y0": "Initial value y(t0), e.g. 10.",
        "t0": "Start time, e.g. 0.",
        "t1": "End time, e.g. 5.",
    },
    examples=[
        {"derivative": "-0.5*y", "y0": 10.0, "t0": 0.0, "t1": 5.0},
        {"derivative": "y*(1 - y/100)", "y0": 5.0, "t0": 0.0, "t1": 10.0},
    ],
    bad_examples=[{"derivative": "-0.5*y", "y0": 10.0, "t0": 5.0, "t1": 5.0}],
    package="scipy",
    requires=["scipy", "sympy"],
    produces={"y_end": "number"},
)
def solve_ivp(derivative: str, y0: float, t0: float, t1: float) -> dict[str, Any]:
    """Numerical solution of a scalar first-order ODE dy/dt = f(t, y) from t0 to t1 (RK45): final
    value and 11 evenly spaced samples."""
    import numpy as np
    import sympy
    from scipy.integrate import solve_ivp as ivp

    if t1 == t0 or abs(t1 - t0) > 1e6:
        raise ToolError("t1 must differ from t0 (and span at most 1e6)")
    expr, t, y = _parse(derivative), sympy.Symbol("t"), sympy.Symbol("y")
    if expr.free_symbols - {t, y}:
        raise ToolError("the derivative may only use t and y")
    f = sympy.lambdify((t, y), expr, "math")
    ts = np.linspace(t0, t1, 11)
    r = ivp(lambda tt, yy: [f(tt, yy[0])], (t0, t1), [y0], t_eval=ts, rtol=1e-9, atol=1e-12)
    if not r.success:
        raise ToolError(f"integration failed: {r.message}")
    return {
        "y_end": sig(r.y[0][-1], 10),
        "t": [sig(v, 8) for v in ts.tolist()],
        "y": [sig(v, 8) for v in r.y[0].tolist()],
    }


@tool(
    "science.uncertainties.propagate",
    "P",
    params={
        "expression": "Formula using the variable names, e.g. 'm * g * h' or 'sqrt(x**2 + y**2)'.",
        "values": 'Nominal value and standard uncertainty per variable, e.g. {"m": [2.0, 0.05]}.',
    },
    examples=[{"expression": "m * g * h", "values": {"m": [2.0, 0.05], "g": [9.81, 0.01], "h": [10.0, 0.1]}}],
    bad_examples=[{"expression": "m * g * h", "values": {"m": [2.0, 0.05]}}],
    package="uncertainties",
    requires=["uncertainties", "sympy"],
    produces={"value": "number", "uncertainty": "number"},
)
def propagate(expression: str, values: dict[str, Any]) -> dict[str, Any]:
    """Linear (first-order) propagation of independent uncertainties through a formula: value,
    standard uncertainty, relative uncertainty and each input's contribution."""
    import sympy
    from uncertainties import ufloat, umath

    expr = _parse(expression)
    names = {str(s) for s in expr.free_symbols}
    if names - set(values):
        raise ToolError(
            f"give a [value, uncertainty] pair for every variable; missing {sorted(names - set(values))}"
        )
    try:
        uf = {k: ufloat(float(v[0]), float(v[1]), tag=k) for k, v in values.items() if k in names}
    except (TypeError, ValueError, IndexError) as exc:
        raise ToolError("each value must be [nominal, standard_uncertainty] with uncertainty >= 0") from exc
    syms = sorted(expr.free_symbols, key=str)
    fn = sympy.lambdify(
        syms, expr, modules=[{n: getattr(umath, n) for n in ("sqrt", "sin", "cos", "tan", "exp", "log")}]
    )
    res = fn(*[uf[str(s)] for s in syms])
    contrib = {
        k: sig(abs(d), 6) for k, d in ((v.tag, res.derivatives.get(v, 0) * v.std_dev) for v in uf.values())
    }
    return {
        "value": sig(res.nominal_value, 10),
        "uncertainty": sig(res.std_dev, 6),
        "relative_uncertainty": sig(res.std_dev / abs(res.nominal_value), 6) if res.nominal_value else None,
        "contributions": contrib,
    }


@tool(
    "science.uncertainties.weighted_mean",
    "P",
    params={
        "measurements": "Independent measurements of one quantity as [value, uncertainty] pairs, "
        "e.g. [[6.674, 0.001], [6.6743, 0.0003]]."
    },
    examples=[{"measurements": [[6.674, 0.001], [6.6743, 0.0003], [6.6729, 0.0005]]}],
    bad_examples=[{"measurements": [[1.0, 0.0], [2.0, 0.1]]}],
    package="numpy",
    produces={"mean": "number", "uncertainty": "number"},
)
def weighted_mean(measurements: list[list[float]]) -> dict[str, Any]:
    """Inverse-variance weighted mean of measurements, its uncertainty, chi-square and Birge ratio
    (consistency check: >> 1 means the values disagree more than their errors allow)."""
    import numpy as np

    if len(measurements) < 2 or any(len(m) != 2 or m[1] <= 0 for m in measurements):
        raise ToolError("give at least two [value, uncertainty] pairs with uncertainty > 0")
    x, s = np.array([m[0] for m in measurements], float), np.array([m[1] for m in measurements], float)
    w = 1 / s**2
    mean = float((w * x).sum() / w.sum())
    chi2 = float((w * (x - mean) ** 2).sum())
    return {
        "mean": sig(mean, 10),
        "uncertainty": sig(1 / math.sqrt(w.sum()), 6),
        "chi2": sig(chi2, 6),
        "birge_ratio": sig(math.sqrt(chi2 / (len(x) - 1)), 6),
    }


def _graph(edges: list[list], directed: bool = False) -> Any:
    import networkx as nx

    if not edges or len(edges) > 5000:
        raise ToolError("give 1..5000 edges")
    g = nx.DiGraph() if directed else nx.Graph()
    for e in edges:
        if len(e) not in (2, 3):
            raise ToolError(f"each edge must be [source, target] or [source, target, weight], got {e}")
        w = float(e[2]) if len(e) == 3 else 1.0
        if w < 0:
            raise ToolError("edge weights must be >= 0")
        g.add_edge(str(e[0]), str(e[1]), weight=w)
    return g


@tool(
    "science.networkx.shortest_path",
    "P",
    params={
        "edges": _EDGES,
        "source": "Start node, e.g. 'A'.",
        "target": "End node, e.g. 'C'.",
        "directed": "Treat edges as directed (default false).",
    },
    examples=[{"edges": [["A", "B", 1], ["B", "C", 2], ["A", "C", 5]], "source": "A", "target": "C"}],
    bad_examples=[{"edges": [["A", "B", 1]], "source": "A", "target": "Z"}],
    package="networkx",
    produces={"length": "number"},
)
def shortest_path(edges: list[list], source: str, target: str, directed: bool = False) -> dict[str, Any]:
    """Weighted shortest path (Dijkstra) between two nodes: the node sequence, total weight and hop count."""
    import networkx as nx

    g = _graph(edges, directed)
    for n in (source, target):
        if n not in g:
            raise ToolError(f"node {n!r} is not in the graph; nodes: {sorted(g)[:20]}")
    try:
        path = nx.dijkstra_path(g, source, target)
    except nx.NetworkXNoPath as exc:
        raise ToolError(f"no path from {source} to {target}") from exc
    return {"path": path, "length": sig(nx.path_weight(g, path, "weight")), "hops": len(path) - 1}


@tool(
    "science.networkx.centrality",
    "P",
    params={"edges": _EDGES, "measure": "'degree', 'betweenness', 'closeness', 'eigenvector' or 'pagerank'."},
    examples=[
        {"edges": [["A", "B"], ["A", "C"], ["A", "D"], ["B", "C"], ["D", "E"]], "measure": "betweenness"}
    ],
    bad_examples=[{"edges": [], "measure": "degree"}],
    package="networkx",
    produces={"top_node": "str"},
)
def centrality(edges: list[list], measure: str = "degree") -> dict[str, Any]:
    """Node centrality scores of an undirected graph (top 20, highest first) and the most central node."""
    import networkx as nx

    fns = {
        "degree": nx.degree_centrality,
        "betweenness": nx.betweenness_centrality,
        "closeness": nx.closeness_centrality,
        "pagerank": nx.pagerank,
        "eigenvector": lambda g: nx.eigenvector_centrality_numpy(g),
    }
    if measure not in fns:
        raise ToolError(f"measure must be one of {sorted(fns)}")
    scores = fns[measure](_graph(edges))
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "measure": measure,
        "scores": {k: round(float(v), 6) for k, v in ranked[:20]},
        "top_node": ranked[0][0],
    }


@tool(
    "science.networkx.graph_summary",
    "P",
    params={"edges": _EDGES},
    examples=[{"edges": [["A", "B"], ["B", "C"], ["C", "A"], ["D", "E"]]}],
    bad_examples=[{"edges": [["A"]]}],
    package="networkx",
    produces={"components": "number", "density": "number"},
)
def graph_summary(edges: list[list]) -> dict[str, Any]:
    """Structure of an undirected graph: node and edge counts, density, connected components
    (sizes), average clustering, and diameter of the largest component."""
    import networkx as nx

    g = _graph(edges)
    comps = sorted((len(c) for c in nx.connected_components(g)), reverse=True)
    big = g.subgraph(max(nx.connected_components(g), key=len))
    return {
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "density": round(nx.density(g), 6),
        "components": len(comps),
        "component_sizes": comps[:20],
        "average_clustering": round(nx.average_clustering(g), 6),
        "largest_component_diameter": nx.diameter(big) if len(big) <= 2000 else None,
    }


@tool(
    "science.networkx.minimum_spanning_tree",
    "P",
    params={"edges": _EDGES},
    examples=[{"edges": [["A", "B", 4], ["A", "C", 1], ["B", "C", 2], ["C", "D", 7], ["B", "D", 3]]}],
    bad_examples=[{"edges": [["A", "B", -4]]}],
    package="networkx",
    produces={"total_weight": "number"},
)
def minimum_spanning_tree(edges: list[list]) -> dict[str, Any]:
    """Minimum spanning tree (Kruskal) of a weighted undirected graph: its edges and total weight."""
    import networkx as nx

    t = nx.minimum_spanning_tree(_graph(edges))
    tree = sorted(
        [sorted([u, v]) + [d["weight"]] for u, v, d in t.edges(data=True)], key=lambda e: (e[2], e[0])
    )
    return {"edges": tree[:200], "total_weight": sig(sum(e[2] for e in tree)), "edge_count": len(tree)}
