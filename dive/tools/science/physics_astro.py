"""Astrophysics formulas (thermal radiation, stars, orbits, black holes, redshift, magnitudes)
evaluated with CODATA constants from scipy.constants."""

from __future__ import annotations

import math
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.science._common import sig
from dive.tools.science.physics import _AU, _DATA, _M_SUN, _PKG, _c, _pos


@tool(
    "science.physics.blackbody",
    "P",
    params={"temperature_k": "Blackbody temperature in K, e.g. 5772."},
    examples=[{"temperature_k": 5772.0}, {"temperature_k": 2.725}],
    bad_examples=[{"temperature_k": -10.0}],
    package=_PKG,
    dataset=_DATA,
    accepts={"temperature_k": "number"},
    produces={"peak_wavelength_nm": "number"},
)
def blackbody(temperature_k: float) -> dict[str, Any]:
    """Thermal radiation at a temperature: Wien peak wavelength (nm), peak frequency (GHz) and
    Stefan-Boltzmann radiant exitance (W/m^2)."""
    c = _c()
    _pos(temperature_k=temperature_k)
    b = c.physical_constants["Wien wavelength displacement law constant"][0]
    bf = c.physical_constants["Wien frequency displacement law constant"][0]
    return {
        "temperature_k": temperature_k,
        "peak_wavelength_nm": sig(b / temperature_k * 1e9, 8),
        "peak_frequency_ghz": sig(bf * temperature_k / 1e9, 8),
        "exitance_w_m2": sig(c.sigma * temperature_k**4, 8),
    }


@tool(
    "science.physics.stellar_luminosity",
    "P",
    params={
        "radius_solar": "Stellar radius in solar radii, e.g. 1.0.",
        "temperature_k": "Effective temperature in K, e.g. 5772.",
    },
    examples=[
        {"radius_solar": 1.0, "temperature_k": 5772.0},
        {"radius_solar": 764.0, "temperature_k": 3600.0},
    ],
    bad_examples=[{"radius_solar": 0.0, "temperature_k": 5772.0}],
    package=_PKG,
    dataset=_DATA,
    produces={"luminosity_solar": "number"},
)
def stellar_luminosity(radius_solar: float, temperature_k: float) -> dict[str, Any]:
    """Luminosity L = 4 pi R^2 sigma T^4 of a star (W and solar luminosities) and its bolometric
    absolute magnitude."""
    c = _c()
    _pos(radius_solar=radius_solar, temperature_k=temperature_k)
    lum = 4 * math.pi * (radius_solar * 6.957e8) ** 2 * c.sigma * temperature_k**4
    ls = lum / 3.828e26  # IAU nominal solar luminosity
    return {
        "luminosity_w": sig(lum, 8),
        "luminosity_solar": sig(ls, 8),
        "absolute_bolometric_magnitude": sig(4.74 - 2.5 * math.log10(ls), 6),
    }


@tool(
    "science.physics.escape_velocity",
    "P",
    params={
        "mass_kg": "Mass of the body in kg, e.g. 5.972e24.",
        "radius_m": "Distance from its centre in m, e.g. 6.371e6.",
    },
    examples=[{"mass_kg": 5.972e24, "radius_m": 6.371e6}],
    bad_examples=[{"mass_kg": -1.0, "radius_m": 6.371e6}],
    package=_PKG,
    dataset=_DATA,
    produces={"escape_velocity_m_s": "number"},
)
def escape_velocity(mass_kg: float, radius_m: float) -> dict[str, Any]:
    """Escape velocity, circular orbital velocity (m/s) and surface gravity (m/s^2) at a distance
    from a body's centre."""
    _pos(mass_kg=mass_kg, radius_m=radius_m)
    gm = _c().G * mass_kg
    return {
        "escape_velocity_m_s": sig(math.sqrt(2 * gm / radius_m), 8),
        "circular_velocity_m_s": sig(math.sqrt(gm / radius_m), 8),
        "gravity_m_s2": sig(gm / radius_m**2, 8),
    }


@tool(
    "science.physics.kepler_period",
    "P",
    params={
        "semi_major_axis_au": "Orbit semi-major axis in AU, e.g. 1.524.",
        "central_mass_solar": "Central mass in solar masses, e.g. 1.0.",
    },
    examples=[{"semi_major_axis_au": 1.524, "central_mass_solar": 1.0}],
    bad_examples=[{"semi_major_axis_au": 0.0, "central_mass_solar": 1.0}],
    package=_PKG,
    dataset=_DATA,
    produces={"period_years": "number", "period_days": "number"},
)
def kepler_period(semi_major_axis_au: float, central_mass_solar: float = 1.0) -> dict[str, Any]:
    """Orbital period from Kepler's third law (years and days) and the mean orbital speed (km/s)."""
    _pos(semi_major_axis_au=semi_major_axis_au, central_mass_solar=central_mass_solar)
    a = semi_major_axis_au * _AU
    t = 2 * math.pi * math.sqrt(a**3 / (_c().G * central_mass_solar * _M_SUN))
    return {
        "period_years": sig(t / (365.25 * 86400), 8),
        "period_days": sig(t / 86400, 8),
        "mean_speed_km_s": sig(2 * math.pi * a / t / 1000, 8),
    }


@tool(
    "science.physics.schwarzschild_radius",
    "P",
    params={"mass_solar": "Mass in solar masses, e.g. 4.3e6 (Sgr A*)."},
    examples=[{"mass_solar": 4.3e6}, {"mass_solar": 1.0}],
    bad_examples=[{"mass_solar": 0.0}],
    package=_PKG,
    dataset=_DATA,
    produces={"radius_km": "number"},
)
def schwarzschild_radius(mass_solar: float) -> dict[str, Any]:
    """Schwarzschild (event-horizon) radius of a non-rotating black hole (km and AU) and the
    Hawking temperature (K)."""
    c = _c()
    _pos(mass_solar=mass_solar)
    m = mass_solar * _M_SUN
    r = 2 * c.G * m / c.c**2
    t_h = c.hbar * c.c**3 / (8 * math.pi * c.G * m * c.k)
    return {"radius_km": sig(r / 1000, 8), "radius_au": sig(r / _AU, 8), "hawking_temperature_k": sig(t_h, 6)}


@tool(
    "science.physics.redshift_velocity",
    "P",
    params={"z": "Redshift z (> -1), e.g. 0.1."},
    examples=[{"z": 0.1}, {"z": 3.0}],
    bad_examples=[{"z": -1.5}],
    package=_PKG,
    dataset=_DATA,
    accepts={"z": "number"},
    produces={"velocity_km_s": "number"},
)
def redshift_velocity(z: float) -> dict[str, Any]:
    """Line-of-sight velocity (km/s) implied by a Doppler redshift, relativistic and the low-z
    approximation cz, and the wavelength stretch factor 1+z."""
    if z <= -1:
        raise ToolError("z must be > -1")
    c = _c().c / 1000
    beta = ((1 + z) ** 2 - 1) / ((1 + z) ** 2 + 1)
    return {
        "z": z,
        "velocity_km_s": sig(beta * c, 8),
        "beta": sig(beta, 8),
        "cz_km_s": sig(c * z, 8),
        "stretch_factor": 1 + z,
    }


@tool(
    "science.physics.distance_modulus",
    "P",
    params={
        "apparent_magnitude": "Apparent magnitude m, e.g. 0.45.",
        "absolute_magnitude": "Absolute magnitude M, e.g. -5.85.",
    },
    examples=[{"apparent_magnitude": 0.45, "absolute_magnitude": -5.85}],
    bad_examples=[{"apparent_magnitude": 0.45, "absolute_magnitude": -60.0}],
    package=_PKG,
    produces={"distance_pc": "number", "distance_ly": "number"},
)
def distance_modulus(apparent_magnitude: float, absolute_magnitude: float) -> dict[str, Any]:
    """Distance (parsecs and light years) from apparent and absolute magnitude via the distance
    modulus m - M = 5 log10(d / 10 pc), ignoring extinction."""
    mu = apparent_magnitude - absolute_magnitude
    if not -10 <= mu <= 50:
        raise ToolError("m - M must be within -10..50 mag")
    d = 10 ** (mu / 5 + 1)
    return {"distance_modulus": sig(mu), "distance_pc": sig(d, 8), "distance_ly": sig(d * 3.261563777, 8)}
