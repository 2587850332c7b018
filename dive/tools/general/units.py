"""Unit conversion and unit definitions with ``pint``."""

from __future__ import annotations

import functools
from typing import Any

from dive.tools.base import ToolError, tool


@functools.cache
def _ureg() -> Any:
    import pint

    return pint.UnitRegistry()


def _unit(name: str) -> Any:
    import pint

    try:
        return _ureg().Unit(name.strip())
    except (pint.errors.UndefinedUnitError, AttributeError, ValueError, TypeError) as exc:
        raise ToolError(
            f"unknown unit {name!r}; use pint names or symbols such as 'km', 'mile', "
            "'degF', 'kWh', 'mph', 'acre'"
        ) from exc


@tool(
    "general.units.convert",
    "P",
    params={
        "value": "Quantity to convert, e.g. 55.",
        "from_unit": "Unit of the value, e.g. 'mph' or 'degF'.",
        "to_unit": "Target unit of the same dimension, e.g. 'km/h' or 'degC'.",
    },
    examples=[
        {"value": 55, "from_unit": "mph", "to_unit": "m/s"},
        {"value": 98.6, "from_unit": "degF", "to_unit": "degC"},
    ],
    bad_examples=[
        {"value": 1, "from_unit": "kg", "to_unit": "meter"},
        {"value": 1, "from_unit": "blorps", "to_unit": "m"},
    ],
    package="pint",
    dataset="pint default unit definitions",
    requires=["pint"],
    accepts={"value": "number"},
    produces={"result": "number"},
)
def convert(value: float, from_unit: str, to_unit: str) -> dict:
    """Convert a quantity between units of the same dimension (length, mass, speed, temperature, energy,
    pressure, area, volume...), e.g. 55 mph -> 24.587 m/s."""
    import pint

    src, dst = _unit(from_unit), _unit(to_unit)
    try:
        out = _ureg().Quantity(value, src).to(dst)
    except pint.errors.DimensionalityError as exc:
        raise ToolError(
            f"cannot convert {src} ({src.dimensionality}) to {dst} ({dst.dimensionality})"
        ) from exc
    return {
        "value": value,
        "from_unit": str(src),
        "to_unit": str(dst),
        "result": float(f"{out.magnitude:.10g}"),
    }


@tool(
    "general.units.unit_info",
    "R",
    params={"unit": "Unit name or symbol, e.g. 'furlong', 'kWh' or 'knot'."},
    examples=[{"unit": "furlong"}, {"unit": "kWh"}],
    bad_examples=[{"unit": "blorp"}],
    package="pint",
    dataset="pint default unit definitions",
    requires=["pint"],
)
def unit_info(unit: str) -> dict:
    """Definition of a unit from pint's registry: canonical name, symbol, physical dimension and its value
    in SI base units (e.g. 1 furlong = 201.168 meter)."""
    u = _unit(unit)
    base = _ureg().Quantity(1, u).to_base_units()
    return {
        "unit": str(u),
        "symbol": f"{u:~}",
        "dimensionality": str(u.dimensionality),
        "in_base_units": float(f"{base.magnitude:.10g}"),
        "base_unit": str(base.units),
    }
