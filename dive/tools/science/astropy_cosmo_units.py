"""Cosmological distances and ages (astropy.cosmology realizations) and physical unit conversion."""

from __future__ import annotations

import functools
from typing import Any, Literal

from dive.tools.base import ToolError, tool

_PKG = "astropy"
_REALIZATIONS = Literal["Planck18", "Planck15", "Planck13", "WMAP9", "WMAP7", "WMAP5"]
_COSMO_DATA = "astropy.cosmology built-in realizations (Planck 2018/2015/2013, WMAP 9/7/5-year)"
_Z = "Redshift z (0..1100), e.g. 1.0."
_MODEL = "Cosmology realization: Planck18 (default), Planck15, Planck13, WMAP9, WMAP7 or WMAP5."


@functools.cache
def _cosmo(name: str) -> Any:
    from astropy.cosmology import realizations

    return getattr(realizations, name)


def _z(z: float) -> float:
    if not 0 <= z <= 1100:
        raise ToolError(f"redshift must be in 0..1100, got {z}")
    return z


@tool(
    "science.cosmology.parameters",
    "R",
    params={"model": _MODEL},
    examples=[{"model": "Planck18"}, {"model": "WMAP9"}],
    bad_examples=[{"model": "Planck99"}],
    package=_PKG,
    dataset=_COSMO_DATA,
    produces={"H0": "number", "Om0": "number"},
)
def parameters(model: _REALIZATIONS = "Planck18") -> dict[str, Any]:
    """Parameters of a published cosmology: H0 (km/s/Mpc), Om0, Ode0, Ob0, Tcmb0 (K), Neff, the
    present age of the universe (Gyr) and its literature reference."""
    c = _cosmo(model)
    return {
        "model": model,
        "H0": float(c.H0.value),
        "Om0": round(float(c.Om0), 5),
        "Ode0": round(float(c.Ode0), 5),
        "Ob0": float(c.Ob0) if c.Ob0 is not None else None,
        "Tcmb0_K": float(c.Tcmb0.value),
        "Neff": float(c.Neff),
        "age_gyr": round(float(c.age(0).value), 4),
        "reference": c.meta.get("reference", ""),
    }


@tool(
    "science.cosmology.age_at_redshift",
    "P",
    params={"z": _Z, "model": _MODEL},
    examples=[{"z": 1.0, "model": "Planck18"}, {"z": 1100.0, "model": "Planck18"}],
    bad_examples=[{"z": -2.0, "model": "Planck18"}],
    package=_PKG,
    dataset=_COSMO_DATA,
    accepts={"z": "number"},
    produces={"age_gyr": "number"},
)
def age_at_redshift(z: float, model: _REALIZATIONS = "Planck18") -> dict[str, Any]:
    """Age of the universe (Gyr) at redshift z and the lookback time to it (Gyr)."""
    c = _cosmo(model)
    return {
        "z": _z(z),
        "model": model,
        "age_gyr": round(float(c.age(z).value), 5),
        "lookback_time_gyr": round(float(c.lookback_time(z).value), 5),
    }


@tool(
    "science.cosmology.luminosity_distance",
    "P",
    params={"z": _Z, "model": _MODEL},
    examples=[{"z": 0.5, "model": "Planck18"}],
    bad_examples=[{"z": 5000.0, "model": "Planck18"}],
    package=_PKG,
    dataset=_COSMO_DATA,
    accepts={"z": "number"},
    produces={"luminosity_distance_mpc": "number", "distance_modulus_mag": "number"},
)
def luminosity_distance(z: float, model: _REALIZATIONS = "Planck18") -> dict[str, Any]:
    """Luminosity distance (Mpc and billions of light years) to redshift z and the distance modulus (mag)."""
    c = _cosmo(model)
    d = float(c.luminosity_distance(_z(z)).value)
    return {
        "z": z,
        "model": model,
        "luminosity_distance_mpc": round(d, 3),
        "luminosity_distance_gly": round(d * 3.26156e-3, 4),
        "distance_modulus_mag": round(float(c.distmod(z).value), 4) if z > 0 else None,
    }


@tool(
    "science.cosmology.comoving_distance",
    "P",
    params={"z": _Z, "model": _MODEL},
    examples=[{"z": 2.0, "model": "Planck18"}],
    bad_examples=[{"z": -0.5, "model": "Planck18"}],
    package=_PKG,
    dataset=_COSMO_DATA,
    accepts={"z": "number"},
    produces={"comoving_distance_mpc": "number"},
)
def comoving_distance(z: float, model: _REALIZATIONS = "Planck18") -> dict[str, Any]:
    """Line-of-sight comoving distance (Mpc) to redshift z and the comoving volume inside it (Gpc^3)."""
    c = _cosmo(model)
    return {
        "z": _z(z),
        "model": model,
        "comoving_distance_mpc": round(float(c.comoving_distance(z).value), 3),
        "comoving_volume_gpc3": round(float(c.comoving_volume(z).value) / 1e9, 4),
    }


@tool(
    "science.cosmology.angular_scale",
    "P",
    params={"z": _Z, "model": _MODEL},
    examples=[{"z": 3.0, "model": "Planck18"}],
    bad_examples=[{"z": 2000.0, "model": "WMAP9"}],
    package=_PKG,
    dataset=_COSMO_DATA,
    accepts={"z": "number"},
    produces={"kpc_per_arcsec": "number"},
)
def angular_scale(z: float, model: _REALIZATIONS = "Planck18") -> dict[str, Any]:
    """Angular-diameter distance (Mpc) at redshift z and the proper size (kpc) subtended by one arcsecond."""
    c = _cosmo(model)
    if _z(z) == 0:
        raise ToolError("angular scale is undefined at z = 0; give z > 0")
    return {
        "z": z,
        "model": model,
        "angular_diameter_distance_mpc": round(float(c.angular_diameter_distance(z).value), 3),
        "kpc_per_arcsec": round(float(c.kpc_proper_per_arcmin(z).value) / 60, 5),
    }


@tool(
    "science.cosmology.hubble_parameter",
    "P",
    params={"z": _Z, "model": _MODEL},
    examples=[{"z": 0.0, "model": "Planck18"}, {"z": 2.0, "model": "WMAP9"}],
    bad_examples=[{"z": -1.5, "model": "Planck18"}],
    package=_PKG,
    dataset=_COSMO_DATA,
    accepts={"z": "number"},
    produces={"H_km_s_mpc": "number"},
)
def hubble_parameter(z: float, model: _REALIZATIONS = "Planck18") -> dict[str, Any]:
    """Hubble parameter H(z) (km/s/Mpc), critical density (g/cm^3) and the matter and dark-energy
    density fractions at redshift z."""
    c = _cosmo(model)
    return {
        "z": _z(z),
        "model": model,
        "H_km_s_mpc": round(float(c.H(z).value), 4),
        "critical_density_g_cm3": float(f"{float(c.critical_density(z).value):.6g}"),
        "Om": round(float(c.Om(z)), 5),
        "Ode": round(float(c.Ode(z)), 5),
    }


@tool(
    "science.cosmology.redshift_at_age",
    "P",
    params={"age_gyr": "Age of the universe in Gyr (0.001..13.7), e.g. 1.0.", "model": _MODEL},
    examples=[{"age_gyr": 1.0, "model": "Planck18"}],
    bad_examples=[{"age_gyr": 20.0, "model": "Planck18"}],
    package=_PKG,
    dataset=_COSMO_DATA,
    accepts={"age_gyr": "number"},
    produces={"z": "number"},
)
def redshift_at_age(age_gyr: float, model: _REALIZATIONS = "Planck18") -> dict[str, Any]:
    """The redshift at which the universe had a given age (inverse of age(z), solved numerically)."""
    import astropy.units as u
    from astropy.cosmology import z_at_value

    c = _cosmo(model)
    now = float(c.age(0).value)
    if not 0.001 <= age_gyr < now:
        raise ToolError(f"age_gyr must be in 0.001..{now:.3f} (the present age in {model})")
    z = z_at_value(c.age, age_gyr * u.Gyr, zmax=5000)
    return {"age_gyr": age_gyr, "model": model, "z": round(float(z.value), 5)}


# ----------------------------------------------------------------------------- units


@tool(
    "science.units.convert",
    "P",
    params={
        "value": "Number to convert, e.g. 656.3.",
        "from_unit": "Unit of the value in astropy syntax, e.g. 'nm', 'km / h', 'deg_C', 'eV', 'lyr'.",
        "to_unit": "Target unit, e.g. 'THz', 'm / s', 'K', 'J', 'pc'. Spectral (wavelength/frequency/"
        "energy), temperature and mass-energy equivalences apply.",
    },
    examples=[
        {"value": 656.3, "from_unit": "nm", "to_unit": "THz"},
        {"value": 1.0, "from_unit": "lyr", "to_unit": "pc"},
        {"value": 25.0, "from_unit": "deg_C", "to_unit": "K"},
    ],
    bad_examples=[
        {"value": 1.0, "from_unit": "kg", "to_unit": "s"},
        {"value": 1.0, "from_unit": "blorp", "to_unit": "m"},
    ],
    package=_PKG,
    accepts={"value": "number"},
    produces={"value": "number"},
)
def convert(value: float, from_unit: str, to_unit: str) -> dict[str, Any]:
    """A quantity converted between physical units (SI, astronomical, CGS, imperial), with the
    physical type of the target unit."""
    import astropy.units as u

    try:
        src, dst = u.Unit(from_unit), u.Unit(to_unit)
        equiv = u.spectral() + u.temperature() + u.mass_energy() + u.temperature_energy()
        out = (value * src).to(dst, equivalencies=equiv)
    except (ValueError, u.UnitsError, TypeError) as exc:
        raise ToolError(f"cannot convert {from_unit!r} to {to_unit!r}: {exc}") from exc
    return {
        "value": float(f"{float(out.value):.12g}"),
        "unit": to_unit,
        "input": f"{value} {from_unit}",
        "physical_type": str(dst.physical_type),
    }


@tool(
    "science.units.unit_info",
    "R",
    params={"unit": "A unit name or expression in astropy syntax, e.g. 'parsec', 'erg', 'N m' or 'Jy'."},
    examples=[{"unit": "parsec"}, {"unit": "Jy"}],
    bad_examples=[{"unit": "zorkmid"}],
    package=_PKG,
    dataset="astropy.units unit registry",
    produces={"physical_type": "physical_type", "si_factor": "number"},
)
def unit_info(unit: str) -> dict[str, Any]:
    """What a unit is: its full names, physical type, value in SI base units (factor and base
    expression) and its CGS equivalent."""
    import astropy.units as u

    try:
        un = u.Unit(unit)
    except ValueError as exc:
        raise ToolError(f"unknown unit {unit!r}: {str(exc)[:200]}") from exc
    si = un.si
    try:
        cgs = str(un.cgs)
    except Exception:
        cgs = None
    names = list(getattr(un, "names", []))[:6]
    return {
        "unit": unit,
        "names": names,
        "physical_type": str(un.physical_type),
        "si_factor": float(f"{float(si.scale):.12g}"),
        "si_base": str(u.CompositeUnit(1, si.bases, si.powers)),
        "cgs": cgs,
    }
