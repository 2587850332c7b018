"""Symbolic algebra and calculus with sympy: solve, differentiate, integrate, limits, series, ODEs."""

from __future__ import annotations

import re
from typing import Any, Literal

from dive.tools.base import ToolError, tool

_PKG = "sympy"
_EXPR = "Expression in Python/sympy syntax using ** for powers, e.g. "
_SAFE = re.compile(r"^[\w\s+\-*/^().,=<>!'\[\]]*$")


def _parse(text: str, what: str = "expression", names: dict[str, Any] | None = None) -> Any:
    import sympy
    from sympy.parsing.sympy_parser import (
        convert_xor,
        implicit_multiplication_application,
        parse_expr,
        standard_transformations,
    )

    # parse_expr evaluates Python: refuse dunder access and anything beyond arithmetic characters.
    if not text.strip() or "__" in text or not _SAFE.match(text) or len(text) > 500:
        raise ToolError(f"{what} {text!r} is not a plain math expression like 'x**2 + 3*x - 4'")
    try:
        expr = parse_expr(
            text,
            transformations=standard_transformations + (implicit_multiplication_application, convert_xor),
            local_dict=names or {},
            evaluate=True,
        )
    except Exception as exc:
        raise ToolError(f"cannot parse {what} {text!r}: {type(exc).__name__}") from exc
    if not isinstance(expr, sympy.Basic | sympy.Eq):
        raise ToolError(f"{what} {text!r} did not parse to a math expression")
    return expr


def _equation(text: str, names: dict[str, Any] | None = None) -> Any:
    import sympy

    if "=" in text and "==" not in text:
        left, right = text.split("=", 1)
        return sympy.Eq(_parse(left, "left side", names), _parse(right, "right side", names))
    return _parse(text, "equation", names)


def _symbol(name: str) -> Any:
    import sympy

    if not re.fullmatch(r"[A-Za-z]\w{0,10}", name):
        raise ToolError(f"variable must be a plain name like 'x', got {name!r}")
    return sympy.Symbol(name)


def _out(expr: Any) -> dict[str, Any]:
    import sympy

    res: dict[str, Any] = {"result": str(expr), "latex": sympy.latex(expr)}
    if getattr(expr, "is_number", False):
        try:
            res["numeric"] = float(sympy.N(expr, 15))
        except TypeError:
            res["numeric"] = None
    return res


@tool(
    "science.sympy.solve",
    "P",
    params={
        "equation": "Equation with '=' (or an expression taken as = 0), e.g. 'x**2 - 5*x + 6 = 0'.",
        "variable": "Unknown to solve for, e.g. 'x'.",
    },
    examples=[
        {"equation": "x**2 - 5*x + 6 = 0", "variable": "x"},
        {"equation": "exp(2*t) = 10", "variable": "t"},
    ],
    bad_examples=[
        {"equation": "x**2 = ", "variable": "x"},
        {"equation": "__import__('os')", "variable": "x"},
    ],
    package=_PKG,
    produces={"solutions": "number"},
)
def solve(equation: str, variable: str) -> dict[str, Any]:
    """Exact solutions of an equation for one variable, as strings and (when real) numbers."""
    import sympy

    sols = sympy.solve(_equation(equation), _symbol(variable))
    numeric = []
    for s in sols:
        try:
            numeric.append(float(s) if s.is_real else str(sympy.N(s, 12)))
        except TypeError:
            numeric.append(None)
    return {
        "equation": equation,
        "variable": variable,
        "solutions_exact": [str(s) for s in sols][:20],
        "solutions": numeric[:20],
        "count": len(sols),
    }


@tool(
    "science.sympy.differentiate",
    "P",
    params={
        "expression": _EXPR + "'sin(x)*exp(x)'.",
        "variable": "Variable, e.g. 'x'.",
        "order": "Derivative order 1..10, e.g. 1.",
    },
    examples=[
        {"expression": "sin(x)*exp(x)", "variable": "x", "order": 1},
        {"expression": "x**5", "variable": "x", "order": 3},
    ],
    bad_examples=[{"expression": "x**2", "variable": "x", "order": 0}],
    package=_PKG,
    accepts={"expression": "expression"},
    produces={"result": "expression"},
)
def differentiate(expression: str, variable: str, order: int = 1) -> dict[str, Any]:
    """The n-th derivative of an expression with respect to a variable, simplified."""
    import sympy

    if not 1 <= order <= 10:
        raise ToolError("order must be in 1..10")
    return {
        "expression": expression,
        "order": order,
        **_out(sympy.simplify(sympy.diff(_parse(expression), _symbol(variable), order))),
    }


@tool(
    "science.sympy.integrate",
    "P",
    params={
        "expression": _EXPR + "'sin(x)**2'.",
        "variable": "Integration variable, e.g. 'x'.",
        "lower": "Lower limit for a definite integral (e.g. '0', '-oo'); omit for an antiderivative.",
        "upper": "Upper limit (e.g. 'pi', 'oo'); omit for an antiderivative.",
    },
    examples=[
        {"expression": "sin(x)**2", "variable": "x", "lower": "0", "upper": "pi"},
        {"expression": "x*exp(x)", "variable": "x"},
    ],
    bad_examples=[{"expression": "x**2", "variable": "x", "lower": "0"}],
    package=_PKG,
    accepts={"expression": "expression"},
    produces={"numeric": "number"},
)
def integrate(
    expression: str, variable: str, lower: str | None = None, upper: str | None = None
) -> dict[str, Any]:
    """Antiderivative, or definite integral between two limits (exact and numeric value)."""
    import sympy

    x = _symbol(variable)
    if (lower is None) != (upper is None):
        raise ToolError("give both lower and upper for a definite integral, or neither")
    f = _parse(expression)
    res = (
        sympy.integrate(f, (x, _parse(lower), _parse(upper))) if lower is not None else sympy.integrate(f, x)
    )
    return {"expression": expression, "definite": lower is not None, **_out(res)}


@tool(
    "science.sympy.limit",
    "P",
    params={
        "expression": _EXPR + "'sin(x)/x'.",
        "variable": "Variable, e.g. 'x'.",
        "point": "Point approached, e.g. '0' or 'oo'.",
        "direction": "'+', '-' or '+-' (two-sided).",
    },
    examples=[
        {"expression": "sin(x)/x", "variable": "x", "point": "0", "direction": "+-"},
        {"expression": "(1 + 1/n)**n", "variable": "n", "point": "oo", "direction": "-"},
    ],
    bad_examples=[{"expression": "1/x", "variable": "x", "point": "0", "direction": "+-"}],
    package=_PKG,
    accepts={"expression": "expression"},
    produces={"numeric": "number"},
)
def limit(
    expression: str, variable: str, point: str, direction: Literal["+", "-", "+-"] = "+-"
) -> dict[str, Any]:
    """Limit of an expression as a variable approaches a point (one- or two-sided)."""
    import sympy

    try:
        res = sympy.limit(_parse(expression), _symbol(variable), _parse(point, "point"), dir=direction)
    except ValueError as exc:
        raise ToolError(f"the limit does not exist: {exc}") from exc
    if res.has(sympy.zoo, sympy.nan) or isinstance(res, sympy.AccumBounds):
        raise ToolError(f"the limit does not exist (got {res}); try a one-sided direction '+' or '-'")
    return {"expression": expression, "point": point, "direction": direction, **_out(res)}


@tool(
    "science.sympy.series",
    "P",
    params={
        "expression": _EXPR + "'exp(x)'.",
        "variable": "Variable, e.g. 'x'.",
        "point": "Expansion point, e.g. '0'.",
        "order": "Number of terms/order 1..20, e.g. 6.",
    },
    examples=[
        {"expression": "exp(x)", "variable": "x", "point": "0", "order": 6},
        {"expression": "log(1+x)", "variable": "x", "point": "0", "order": 5},
    ],
    bad_examples=[{"expression": "exp(x)", "variable": "x", "point": "0", "order": 50}],
    package=_PKG,
    accepts={"expression": "expression"},
    produces={"polynomial": "expression"},
)
def series(expression: str, variable: str, point: str = "0", order: int = 6) -> dict[str, Any]:
    """Taylor/Laurent series of an expression about a point up to O(x^order)."""
    import sympy

    if not 1 <= order <= 20:
        raise ToolError("order must be in 1..20")
    res = sympy.series(_parse(expression), _symbol(variable), _parse(point, "point"), order)
    return {
        "expression": expression,
        "point": point,
        "order": order,
        "series": str(res),
        "polynomial": str(res.removeO()),
    }


@tool(
    "science.sympy.simplify",
    "P",
    params={"expression": _EXPR + "'sin(x)**2 + cos(x)**2'."},
    examples=[{"expression": "sin(x)**2 + cos(x)**2"}, {"expression": "(x**2 - 1)/(x - 1)"}],
    bad_examples=[{"expression": "x +* 2"}],
    package=_PKG,
    accepts={"expression": "expression"},
    produces={"result": "expression"},
)
def simplify(expression: str) -> dict[str, Any]:
    """Simplified form of an expression, plus its expanded form."""
    import sympy

    e = _parse(expression)
    return {"expression": expression, **_out(sympy.simplify(e)), "expanded": str(sympy.expand(e))}


@tool(
    "science.sympy.factor",
    "P",
    params={"expression": "Polynomial, e.g. 'x**3 - 6*x**2 + 11*x - 6'."},
    examples=[{"expression": "x**3 - 6*x**2 + 11*x - 6"}, {"expression": "x**4 - y**4"}],
    bad_examples=[{"expression": "x**"}],
    package=_PKG,
    accepts={"expression": "expression"},
    produces={"factored": "expression", "factors": "expression"},
)
def factor(expression: str) -> dict[str, Any]:
    """Polynomial factored over the rationals, with its degree and the factors listed."""
    import sympy

    e = _parse(expression)
    f = sympy.factor(e)
    factors = [str(b) if k == 1 else f"({b})**{k}" for b, k in sympy.factor_list(e)[1]]
    syms = sorted(e.free_symbols, key=str)
    return {
        "expression": expression,
        "factored": str(f),
        "factors": factors,
        "degree": int(sympy.degree(e, syms[0])) if len(syms) == 1 else None,
    }


@tool(
    "science.sympy.solve_ode",
    "P",
    params={
        "equation": "ODE in f(x), using f(x).diff(x) or Derivative; e.g. 'f(x).diff(x, 2) + f(x) = 0'.",
        "function": "Unknown function name, e.g. 'f'.",
        "variable": "Independent variable, e.g. 'x'.",
    },
    examples=[
        {"equation": "f(x).diff(x, 2) + f(x) = 0", "function": "f", "variable": "x"},
        {"equation": "f(x).diff(x) = 3*f(x)", "function": "f", "variable": "x"},
    ],
    bad_examples=[{"equation": "x + 1 = 0", "function": "f", "variable": "x"}],
    package=_PKG,
    produces={"solutions": "expression"},
)
def solve_ode(equation: str, function: str, variable: str) -> dict[str, Any]:
    """General solution of an ordinary differential equation (constants C1, C2, ...)."""
    import sympy

    f, x = sympy.Function(_symbol(function).name), _symbol(variable)
    eq = _equation(equation, {function: f, variable: x})
    if not eq.has(f(x)):
        raise ToolError(f"the equation does not involve {function}({variable})")
    sol = sympy.dsolve(eq, f(x))
    sols = sol if isinstance(sol, list) else [sol]
    return {
        "equation": equation,
        "solutions": [str(s) for s in sols],
        "latex": [sympy.latex(s) for s in sols],
    }


@tool(
    "science.sympy.linear_system",
    "P",
    params={
        "equations": "List of linear equations, e.g. ['2*x + y = 5', 'x - y = 1'].",
        "variables": "Unknowns, e.g. ['x', 'y'].",
    },
    examples=[{"equations": ["2*x + y = 5", "x - y = 1"], "variables": ["x", "y"]}],
    bad_examples=[{"equations": ["x + y = 1", "x + y = 2"], "variables": ["x", "y"]}],
    package=_PKG,
    produces={"values": "expression"},
)
def linear_system(equations: list[str], variables: list[str]) -> dict[str, Any]:
    """Solution of a system of linear equations (unique, parametric, or an error when inconsistent)."""
    import sympy

    if not equations or len(equations) > 20:
        raise ToolError("give 1..20 equations")
    syms = [_symbol(v) for v in variables]
    sols = sympy.linsolve([_equation(e) for e in equations], syms)
    if sols == sympy.EmptySet:
        raise ToolError("the system is inconsistent: it has no solution")
    sol = next(iter(sols))
    return {
        "solution": {v: str(s) for v, s in zip(variables, sol, strict=True)},
        "values": [str(s) for s in sol],
        "unique": all(not s.free_symbols for s in sol),
    }
