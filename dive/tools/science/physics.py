"""Physics formulas (mechanics, gravitation, relativity, thermal radiation, optics, atomic physics)
evaluated with CODATA constants from scipy.constants."""

from __future__ import annotations

import math
from typing import Any, Literal

from dive.tools.base import ToolError, tool
from dive.tools.science._common import sig

_PKG = "scipy"
_DATA = "CODATA 2022 constants (scipy.constants)"
_M_SUN = 1.98840987e30  # kg, IAU nominal solar mass parameter / G
_AU = 1.495978707e11  # m, IAU 2012 exact


def _c() -> Any:
    import scipy.constants as c

    return c


def _pos(**values: float) -> None:
    for name, v in values.items():
        if not v > 0:
            raise ToolError(f"{name} must be > 0, got {v}")


@tool(
    "science.physics.projectile",
    "P",
    params={
        "speed": "Launch speed in m/s, e.g. 20.",
        "angle_deg": "Launch angle above horizontal (0..90), e.g. 45.",
        "height": "Launch height above the ground in m, e.g. 0.",
        "gravity": "Gravitational acceleration m/s^2, e.g. 9.80665.",
    },
    examples=[
        {"speed": 20.0, "angle_deg": 45.0},
        {"speed": 30.0, "angle_deg": 30.0, "height": 10.0, "gravity": 1.62},
    ],
    bad_examples=[{"speed": 20.0, "angle_deg": 120.0}],
    package=_PKG,
    dataset=_DATA,
    produces={"range_m": "number", "max_height_m": "number"},
)
def projectile(
    speed: float, angle_deg: float, height: float = 0.0, gravity: float = 9.80665
) -> dict[str, Any]:
    """Drag-free projectile motion: horizontal range (m), maximum height (m), time of flight (s)
    and impact speed (m/s)."""
    if not (0 <= angle_deg <= 90 and speed > 0 and gravity > 0 and height >= 0):
        raise ToolError("need speed > 0, 0 <= angle_deg <= 90, height >= 0 and gravity > 0")
    vx, vy = speed * math.cos(math.radians(angle_deg)), speed * math.sin(math.radians(angle_deg))
    t = (vy + math.sqrt(vy**2 + 2 * gravity * height)) / gravity
    return {
        "range_m": sig(vx * t, 8),
        "max_height_m": sig(height + vy**2 / (2 * gravity), 8),
        "time_of_flight_s": sig(t, 8),
        "impact_speed_m_s": sig(math.hypot(vx, vy - gravity * t), 8),
    }


@tool(
    "science.physics.uniform_acceleration",
    "P",
    params={
        "initial_velocity": "Initial velocity u in m/s, e.g. 0.",
        "acceleration": "Constant acceleration a in m/s^2, e.g. 3.",
        "time": "Elapsed time t in s, e.g. 10.",
    },
    examples=[{"initial_velocity": 0.0, "acceleration": 3.0, "time": 10.0}],
    bad_examples=[{"initial_velocity": 0.0, "acceleration": 3.0, "time": -1.0}],
    package=_PKG,
    produces={"final_velocity_m_s": "number", "displacement_m": "number"},
)
def uniform_acceleration(initial_velocity: float, acceleration: float, time: float) -> dict[str, Any]:
    """Constant-acceleration (SUVAT) kinematics: final velocity v = u + at, displacement
    s = ut + at^2/2 and average velocity."""
    if time < 0:
        raise ToolError("time must be >= 0")
    v = initial_velocity + acceleration * time
    s = initial_velocity * time + 0.5 * acceleration * time**2
    return {
        "final_velocity_m_s": sig(v),
        "displacement_m": sig(s),
        "average_velocity_m_s": sig((initial_velocity + v) / 2),
    }


@tool(
    "science.physics.ideal_gas",
    "P",
    params={
        "pressure_pa": "Pressure in Pa (omit the one unknown), e.g. 101325.",
        "volume_m3": "Volume in m^3, e.g. 0.0224.",
        "moles": "Amount of gas in mol, e.g. 1.",
        "temperature_k": "Temperature in K, e.g. 273.15.",
    },
    examples=[
        {"volume_m3": 0.0224, "moles": 1.0, "temperature_k": 273.15},
        {"pressure_pa": 101325.0, "moles": 2.0, "temperature_k": 300.0},
    ],
    bad_examples=[{"pressure_pa": 101325.0, "volume_m3": 0.0224}],
    package=_PKG,
    dataset=_DATA,
    produces={"pressure_pa": "number", "volume_m3": "number"},
)
def ideal_gas(
    pressure_pa: float | None = None,
    volume_m3: float | None = None,
    moles: float | None = None,
    temperature_k: float | None = None,
) -> dict[str, Any]:
    """Solve PV = nRT for whichever one of pressure, volume, amount or temperature is omitted."""
    r = _c().R
    vals = {
        "pressure_pa": pressure_pa,
        "volume_m3": volume_m3,
        "moles": moles,
        "temperature_k": temperature_k,
    }
    missing = [k for k, v in vals.items() if v is None]
    if len(missing) != 1:
        raise ToolError(f"give exactly three of {list(vals)}; omit the unknown (missing now: {missing})")
    _pos(**{k: v for k, v in vals.items() if v is not None})
    p, v, n, t = pressure_pa, volume_m3, moles, temperature_k
    solved = {
        "pressure_pa": lambda: n * r * t / v,
        "volume_m3": lambda: n * r * t / p,
        "moles": lambda: p * v / (r * t),
        "temperature_k": lambda: p * v / (n * r),
    }[missing[0]]()
    return {
        **{k: v for k, v in vals.items() if v is not None},
        missing[0]: sig(solved),
        "solved_for": missing[0],
    }


@tool(
    "science.physics.de_broglie",
    "P",
    params={
        "particle": "electron, proton, neutron, alpha or 'custom' (then give mass_kg).",
        "speed": "Speed in m/s (below c), e.g. 1.0e6.",
        "mass_kg": "Rest mass in kg when particle is 'custom'.",
    },
    examples=[
        {"particle": "electron", "speed": 1.0e6},
        {"particle": "custom", "speed": 10.0, "mass_kg": 0.145},
    ],
    bad_examples=[{"particle": "electron", "speed": 4.0e8}],
    package=_PKG,
    dataset=_DATA,
    produces={"wavelength_m": "number"},
)
def de_broglie(
    particle: Literal["electron", "proton", "neutron", "alpha", "custom"],
    speed: float,
    mass_kg: float | None = None,
) -> dict[str, Any]:
    """Relativistic de Broglie wavelength (m and nm) and momentum of a particle at a given speed."""
    c = _c()
    masses = {
        "electron": c.m_e,
        "proton": c.m_p,
        "neutron": c.m_n,
        "alpha": c.physical_constants["alpha particle mass"][0],
    }
    m = masses.get(particle, mass_kg)
    if m is None or m <= 0:
        raise ToolError("give a positive mass_kg for a custom particle")
    if not 0 < speed < c.c:
        raise ToolError(f"speed must be in (0, c = {c.c} m/s)")
    gamma = 1 / math.sqrt(1 - (speed / c.c) ** 2)
    p = gamma * m * speed
    return {
        "particle": particle,
        "momentum_kg_m_s": sig(p),
        "wavelength_m": sig(c.h / p),
        "wavelength_nm": sig(c.h / p * 1e9),
        "lorentz_factor": sig(gamma),
    }


@tool(
    "science.physics.time_dilation",
    "P",
    params={
        "speed_fraction_c": "Speed as a fraction of light speed in [0, 1), e.g. 0.8.",
        "proper_time_s": "Time on the moving clock in s, e.g. 1.0.",
        "proper_length_m": "Rest length of the moving object in m, e.g. 1.0.",
    },
    examples=[{"speed_fraction_c": 0.8, "proper_time_s": 1.0, "proper_length_m": 1.0}],
    bad_examples=[{"speed_fraction_c": 1.2, "proper_time_s": 1.0, "proper_length_m": 1.0}],
    package=_PKG,
    produces={"lorentz_factor": "number", "dilated_time_s": "number"},
)
def time_dilation(
    speed_fraction_c: float, proper_time_s: float = 1.0, proper_length_m: float = 1.0
) -> dict[str, Any]:
    """Special relativity at a speed: Lorentz factor, dilated time (s), contracted length (m) and rapidity."""
    if not 0 <= speed_fraction_c < 1:
        raise ToolError("speed_fraction_c must be in [0, 1)")
    g = 1 / math.sqrt(1 - speed_fraction_c**2)
    return {
        "lorentz_factor": sig(g),
        "dilated_time_s": sig(g * proper_time_s),
        "contracted_length_m": sig(proper_length_m / g),
        "rapidity": sig(math.atanh(speed_fraction_c)),
    }


@tool(
    "science.physics.coulomb_force",
    "P",
    params={
        "q1_c": "First charge in coulombs, e.g. 1.602e-19.",
        "q2_c": "Second charge in coulombs, e.g. -1.602e-19.",
        "distance_m": "Separation in m, e.g. 5.29e-11.",
    },
    examples=[{"q1_c": 1.602176634e-19, "q2_c": -1.602176634e-19, "distance_m": 5.29177e-11}],
    bad_examples=[{"q1_c": 1.0, "q2_c": 1.0, "distance_m": 0.0}],
    package=_PKG,
    dataset=_DATA,
    produces={"force_n": "number"},
)
def coulomb_force(q1_c: float, q2_c: float, distance_m: float) -> dict[str, Any]:
    """Electrostatic force (N; negative = attractive) and potential energy (J, eV) of two point charges."""
    c = _c()
    _pos(distance_m=distance_m)
    k = 1 / (4 * math.pi * c.epsilon_0)
    u = k * q1_c * q2_c / distance_m
    return {
        "force_n": sig(k * q1_c * q2_c / distance_m**2),
        "attractive": q1_c * q2_c < 0,
        "potential_energy_j": sig(u),
        "potential_energy_ev": sig(u / c.e),
    }


@tool(
    "science.physics.gravitational_force",
    "P",
    params={
        "mass1_kg": "First mass in kg, e.g. 5.972e24.",
        "mass2_kg": "Second mass in kg, e.g. 7.348e22.",
        "distance_m": "Centre-to-centre distance in m, e.g. 3.844e8.",
    },
    examples=[{"mass1_kg": 5.972e24, "mass2_kg": 7.348e22, "distance_m": 3.844e8}],
    bad_examples=[{"mass1_kg": 5.972e24, "mass2_kg": 7.348e22, "distance_m": -1.0}],
    package=_PKG,
    dataset=_DATA,
    produces={"force_n": "number"},
)
def gravitational_force(mass1_kg: float, mass2_kg: float, distance_m: float) -> dict[str, Any]:
    """Newtonian gravitational force (N) and potential energy (J) between two masses."""
    _pos(mass1_kg=mass1_kg, mass2_kg=mass2_kg, distance_m=distance_m)
    g = _c().G
    return {
        "force_n": sig(g * mass1_kg * mass2_kg / distance_m**2, 8),
        "potential_energy_j": sig(-g * mass1_kg * mass2_kg / distance_m, 8),
    }


@tool(
    "science.physics.pendulum_period",
    "P",
    params={
        "length_m": "Pendulum length in m, e.g. 1.0.",
        "amplitude_deg": "Swing amplitude in degrees (0..179), e.g. 10.",
        "gravity": "Gravitational acceleration in m/s^2, e.g. 9.80665.",
    },
    examples=[{"length_m": 1.0, "amplitude_deg": 10.0}],
    bad_examples=[{"length_m": 1.0, "amplitude_deg": 200.0}],
    package=_PKG,
    produces={"period_s": "number"},
)
def pendulum_period(length_m: float, amplitude_deg: float = 5.0, gravity: float = 9.80665) -> dict[str, Any]:
    """Simple pendulum period: exact large-amplitude value (complete elliptic integral) and the
    small-angle approximation 2 pi sqrt(L/g), in seconds."""
    from scipy.special import ellipk

    _pos(length_m=length_m, gravity=gravity)
    if not 0 <= amplitude_deg < 180:
        raise ToolError("amplitude_deg must be in [0, 180)")
    t0 = 2 * math.pi * math.sqrt(length_m / gravity)
    k = math.sin(math.radians(amplitude_deg) / 2)
    exact = 4 * math.sqrt(length_m / gravity) * float(ellipk(k**2))
    return {"period_s": sig(exact, 8), "small_angle_period_s": sig(t0, 8), "frequency_hz": sig(1 / exact, 8)}


@tool(
    "science.physics.refraction",
    "P",
    params={
        "n1": "Refractive index of the incident medium, e.g. 1.0 (air).",
        "n2": "Refractive index of the second medium, e.g. 1.33.",
        "incidence_deg": "Angle of incidence from the normal, degrees (0..90), e.g. 30.",
    },
    examples=[{"n1": 1.0, "n2": 1.33, "incidence_deg": 30.0}, {"n1": 1.5, "n2": 1.0, "incidence_deg": 60.0}],
    bad_examples=[{"n1": 0.5, "n2": 1.33, "incidence_deg": 30.0}],
    package=_PKG,
    produces={"refraction_deg": "number"},
)
def refraction(n1: float, n2: float, incidence_deg: float) -> dict[str, Any]:
    """Snell's law: refraction angle (degrees, null on total internal reflection), critical angle
    and unpolarised Fresnel reflectance."""
    if n1 < 1 or n2 < 1 or not 0 <= incidence_deg <= 90:
        raise ToolError("refractive indices must be >= 1 and incidence_deg in 0..90")
    s = n1 / n2 * math.sin(math.radians(incidence_deg))
    crit = math.degrees(math.asin(n2 / n1)) if n1 > n2 else None
    if s > 1:
        return {
            "refraction_deg": None,
            "total_internal_reflection": True,
            "critical_angle_deg": sig(crit, 8),
            "reflectance": 1.0,
        }
    ti, tt = math.radians(incidence_deg), math.asin(s)
    rs = ((n1 * math.cos(ti) - n2 * math.cos(tt)) / (n1 * math.cos(ti) + n2 * math.cos(tt))) ** 2
    rp = ((n1 * math.cos(tt) - n2 * math.cos(ti)) / (n1 * math.cos(tt) + n2 * math.cos(ti))) ** 2
    return {
        "refraction_deg": sig(math.degrees(tt), 8),
        "total_internal_reflection": False,
        "critical_angle_deg": sig(crit, 8) if crit else None,
        "reflectance": sig((rs + rp) / 2, 6),
    }


@tool(
    "science.physics.hydrogen_line",
    "P",
    params={
        "n_upper": "Upper principal quantum number, e.g. 3.",
        "n_lower": "Lower principal quantum number, e.g. 2.",
    },
    examples=[{"n_upper": 3, "n_lower": 2}, {"n_upper": 2, "n_lower": 1}],
    bad_examples=[{"n_upper": 2, "n_lower": 3}],
    package=_PKG,
    dataset=_DATA,
    produces={"wavelength_nm": "number", "energy_ev": "number"},
)
def hydrogen_line(n_upper: int, n_lower: int) -> dict[str, Any]:
    """Hydrogen transition from the Rydberg formula (reduced-mass corrected): vacuum wavelength (nm),
    photon energy (eV) and the spectral series name."""
    c = _c()
    if not 1 <= n_lower < n_upper <= 1000:
        raise ToolError("need 1 <= n_lower < n_upper <= 1000")
    r_h = c.Rydberg / (1 + c.m_e / c.m_p)
    inv = r_h * (1 / n_lower**2 - 1 / n_upper**2)
    series = {1: "Lyman", 2: "Balmer", 3: "Paschen", 4: "Brackett", 5: "Pfund", 6: "Humphreys"}.get(
        n_lower, "higher"
    )
    return {"wavelength_nm": sig(1e9 / inv, 8), "energy_ev": sig(c.h * c.c * inv / c.e, 8), "series": series}
