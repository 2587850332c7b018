"""CODATA 2022 fundamental physical constants, as shipped in scipy.constants."""

from __future__ import annotations

import functools
import math
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.science._common import capped, resolve, sig, unknown

_PKG = "scipy"
_DATA = "CODATA 2022 recommended values (scipy.constants.physical_constants)"


@functools.cache
def _constants() -> dict[str, tuple[float, str, float]]:
    from scipy.constants import physical_constants

    return dict(physical_constants)


def _record(name: str) -> dict[str, Any]:
    key = resolve(_constants(), name, "CODATA constant")
    value, unit, unc = _constants()[key]
    return {
        "constant": key,
        "value": value,
        "unit": unit or "dimensionless",
        "uncertainty": unc,
        "relative_uncertainty": sig(unc / abs(value), 4) if value else None,
        "exact": unc == 0.0,
    }


@tool(
    "science.codata.constant",
    "R",
    params={
        "name": "Full CODATA constant name, e.g. 'Newtonian constant of gravitation' or 'electron mass'."
    },
    examples=[{"name": "Newtonian constant of gravitation"}, {"name": "electron mass"}],
    bad_examples=[{"name": "flux capacitor constant"}],
    package=_PKG,
    dataset=_DATA,
    accepts={"name": "constant"},
    produces={"value": "number", "constant": "constant"},
)
def constant(name: str) -> dict[str, Any]:
    """CODATA 2022 value of a physical constant: value, SI unit, standard uncertainty,
    relative uncertainty and whether the value is exact by definition."""
    return _record(name)


@tool(
    "science.codata.search",
    "R",
    params={"query": "Words that must all occur in the constant's name, e.g. 'proton mass' or 'Bohr'."},
    examples=[{"query": "proton mass"}, {"query": "Bohr"}],
    bad_examples=[{"query": "zzzqqq"}],
    package=_PKG,
    dataset=_DATA,
    produces={"matches": "constant"},
)
def search(query: str) -> dict[str, Any]:
    """CODATA constant names containing every word of the query (first 20, sorted), with the total."""
    words = query.lower().split()
    if not words:
        raise ToolError("query must contain at least one word, e.g. 'electron'")
    hits = sorted(k for k in _constants() if all(w in k.lower() for w in words))
    if not hits:
        raise ToolError(f"no CODATA constant name contains all of {words}; try one word such as 'electron'")
    return {"query": query, **capped(hits, "matches")}


@tool(
    "science.codata.constants_with_unit",
    "R",
    params={"unit": "Unit string exactly as CODATA writes it, e.g. 'kg', 'J T^-1', 'MeV' or '' for none."},
    examples=[{"unit": "MeV"}, {"unit": "J T^-1"}],
    bad_examples=[{"unit": "furlong"}],
    package=_PKG,
    dataset=_DATA,
    produces={"constants": "constant"},
)
def constants_with_unit(unit: str) -> dict[str, Any]:
    """CODATA constants whose unit is the given unit string (first 20 names with values), and the total."""
    table = _constants()
    units = sorted({u for _, u, _ in table.values()})
    if unit not in units:
        raise unknown("CODATA unit", unit, units)
    hits = sorted(k for k, (_, u, _) in table.items() if u == unit)
    out = capped(hits, "constants")
    out["values"] = {k: table[k][0] for k in out["constants"]}
    return {"unit": unit, **out}


@tool(
    "science.codata.constant_in_unit",
    "P",
    params={
        "name": "Full CODATA constant name, e.g. 'speed of light in vacuum'.",
        "to_unit": "Target unit with the same dimension, in astropy syntax, e.g. 'km / h' or 'eV'.",
    },
    examples=[
        {"name": "speed of light in vacuum", "to_unit": "km / h"},
        {"name": "electron mass", "to_unit": "MeV"},
    ],
    bad_examples=[{"name": "electron mass", "to_unit": "metre"}, {"name": "not a constant", "to_unit": "kg"}],
    package=_PKG,
    dataset=_DATA,
    accepts={"name": "constant"},
    produces={"value": "number"},
    requires=["scipy", "astropy"],
)
def constant_in_unit(name: str, to_unit: str) -> dict[str, Any]:
    """A CODATA constant converted to another unit (mass-energy equivalence allowed): value and
    uncertainty in the new unit."""
    import astropy.units as u

    rec = _record(name)
    src = u.Unit(rec["unit"].replace("^", "") if rec["unit"] != "dimensionless" else "")
    try:
        target = u.Unit(to_unit)
        factor = (1.0 * src).to(target, equivalencies=u.mass_energy() + u.spectral()).value
    except (ValueError, u.UnitsError) as exc:
        raise ToolError(f"cannot express {rec['unit']} in {to_unit!r}: {exc}") from exc
    return {
        "constant": rec["constant"],
        "value": sig(rec["value"] * factor, 12),
        "unit": to_unit,
        "uncertainty": sig(rec["uncertainty"] * factor, 6),
    }


@tool(
    "science.codata.constant_ratio",
    "P",
    params={
        "numerator": "CODATA constant name on top, e.g. 'proton mass'.",
        "denominator": "CODATA constant name below, with the same unit, e.g. 'electron mass'.",
    },
    examples=[{"numerator": "proton mass", "denominator": "electron mass"}],
    bad_examples=[{"numerator": "proton mass", "denominator": "speed of light in vacuum"}],
    package=_PKG,
    dataset=_DATA,
    accepts={"numerator": "constant", "denominator": "constant"},
    produces={"ratio": "number"},
)
def constant_ratio(numerator: str, denominator: str) -> dict[str, Any]:
    """Ratio of two CODATA constants with the same unit, with its relative uncertainty
    (uncorrelated propagation)."""
    a, b = _record(numerator), _record(denominator)
    if a["unit"] != b["unit"]:
        raise ToolError(f"units differ ({a['unit']!r} vs {b['unit']!r}); pick constants with the same unit")
    ratio = a["value"] / b["value"]
    rel = math.hypot(a["relative_uncertainty"] or 0.0, b["relative_uncertainty"] or 0.0)
    return {
        "numerator": a["constant"],
        "denominator": b["constant"],
        "ratio": sig(ratio, 12),
        "relative_uncertainty": sig(rel, 4),
    }
