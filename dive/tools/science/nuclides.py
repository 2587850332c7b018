"""Isotope and nuclear data (masses, abundances, half-lives, decay modes, ionization energies) from
mendeleev's bundled SQLite database."""

from __future__ import annotations

import functools
import math
import re
import sqlite3
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.science._common import capped, package_dir, resolve, sig

_PKG = "mendeleev"
_DATA = "mendeleev elements.db (isotopes: AME/NUBASE; ionization energies: NIST ASD)"
_UNIT_S = {
    "ysec": 1e-24,
    "zsec": 1e-21,
    "asec": 1e-18,
    "psec": 1e-12,
    "nsec": 1e-9,
    "usec": 1e-6,
    "msec": 1e-3,
    "sec": 1.0,
    "minute": 60.0,
    "hour": 3600.0,
    "day": 86400.0,
    "year": 3.15576e7,
    "kyear": 3.15576e10,
    "Myear": 3.15576e13,
    "Gyear": 3.15576e16,
    "Tyear": 3.15576e19,
    "Pyear": 3.15576e22,
    "Eyear": 3.15576e25,
    "Zyear": 3.15576e28,
    "Yyear": 3.15576e31,
}
_YEAR_S = 3.15576e7


@functools.cache
def _db() -> sqlite3.Connection:
    path = package_dir("mendeleev") / "elements.db"
    # Read-only, shared across calls: the database ships inside the wheel and never changes.
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)


@functools.cache
def _symbols() -> dict[str, int]:
    return {s: z for z, s in _db().execute("select atomic_number, symbol from elements")}


@functools.cache
def _isotopes() -> dict[str, dict[str, Any]]:
    cols = [
        "id",
        "atomic_number",
        "mass",
        "abundance",
        "mass_number",
        "is_radioactive",
        "half_life",
        "half_life_unit",
        "spin",
        "parity",
        "discovery_year",
    ]
    by_z = {z: s for s, z in _symbols().items()}
    modes: dict[int, list[str]] = {}
    for iso_id, mode, intensity in _db().execute("select isotope_id, mode, intensity from isotopedecaymodes"):
        modes.setdefault(iso_id, []).append(mode + (f" {intensity:g}%" if intensity is not None else ""))
    out = {}
    for row in _db().execute(f"select {', '.join(cols)} from isotopes order by atomic_number, mass_number"):
        rec = dict(zip(cols, row, strict=True))
        name = f"{by_z[rec['atomic_number']]}-{rec['mass_number']}"
        rec["decay_modes"] = modes.get(rec["id"], [])
        out[name] = rec
    return out


def isotope_names() -> list[str]:
    return list(_isotopes())


def _isotope(name: str) -> tuple[str, dict[str, Any]]:
    m = re.fullmatch(r"\s*([A-Za-z]{1,2})\s*-?\s*(\d{1,3})\s*", name) or re.fullmatch(
        r"\s*(\d{1,3})\s*([A-Za-z]{1,2})\s*", name
    )
    if m:
        sym, num = (m.group(1), m.group(2)) if m.group(1).isalpha() else (m.group(2), m.group(1))
        name = f"{sym[0].upper()}{sym[1:].lower()}-{int(num)}"
    key = resolve(_isotopes(), name, "isotope (write like 'U-235' or 'C-14')")
    return key, _isotopes()[key]


def _element(symbol: str) -> tuple[str, int]:
    key = resolve(_symbols(), symbol.strip(), "element symbol")
    return key, _symbols()[key]


def _half_life_s(rec: dict[str, Any]) -> float | None:
    if rec["half_life"] is None or rec["half_life_unit"] is None:
        return None
    return rec["half_life"] * _UNIT_S[rec["half_life_unit"]]


@tool(
    "science.nuclides.isotope",
    "R",
    params={"isotope": "Isotope as element symbol and mass number, e.g. 'U-235', 'C-14' or 'Co-60'."},
    examples=[{"isotope": "U-235"}, {"isotope": "C-14"}, {"isotope": "Fe-56"}],
    bad_examples=[{"isotope": "Xx-999"}, {"isotope": "C-99"}],
    package=_PKG,
    dataset=_DATA,
    accepts={"isotope": "isotope"},
    produces={"half_life_years": "number", "mass_u": "number", "element": "element"},
)
def isotope(isotope: str) -> dict[str, Any]:
    """Nuclear data for one isotope: atomic mass (u), natural abundance (%), stable or radioactive,
    half-life (as given and in years), decay modes with branching (%), nuclear spin/parity and
    discovery year."""
    key, rec = _isotope(isotope)
    hl = _half_life_s(rec)
    return {
        "isotope": key,
        "element": key.split("-")[0],
        "atomic_number": rec["atomic_number"],
        "mass_number": rec["mass_number"],
        "mass_u": rec["mass"],
        "abundance_percent": rec["abundance"],
        "radioactive": bool(rec["is_radioactive"]),
        "half_life": f"{rec['half_life']:g} {rec['half_life_unit']}" if hl else None,
        "half_life_years": sig(hl / _YEAR_S, 6) if hl else None,
        "decay_modes": rec["decay_modes"],
        "spin_parity": f"{rec['spin'] or ''}{rec['parity'] or ''}" or None,
        "discovery_year": int(rec["discovery_year"]) if rec["discovery_year"] else None,
    }


@tool(
    "science.nuclides.element_isotopes",
    "R",
    params={"element": "Element symbol, e.g. 'Sn' or 'U'."},
    examples=[{"element": "Sn"}, {"element": "U"}],
    bad_examples=[{"element": "Qz"}],
    package=_PKG,
    dataset=_DATA,
    accepts={"element": "element"},
    produces={"stable_isotopes": "isotope", "most_abundant": "isotope"},
)
def element_isotopes(element: str) -> dict[str, Any]:
    """An element's known isotopes: how many, which are stable, natural abundances (%) and the
    longest-lived radioactive isotope."""
    sym, z = _element(element)
    recs = [(k, r) for k, r in _isotopes().items() if r["atomic_number"] == z]
    stable = [k for k, r in recs if not r["is_radioactive"]]
    natural = {k: r["abundance"] for k, r in recs if r["abundance"]}
    radio = [(_half_life_s(r) or 0.0, k) for k, r in recs if r["is_radioactive"]]
    longest = max(radio)[1] if radio else None
    return {
        "element": sym,
        "atomic_number": z,
        "isotope_count": len(recs),
        "mass_numbers": [r["mass_number"] for _, r in recs][:60],
        "stable_isotopes": stable,
        "natural_abundance_percent": natural,
        "most_abundant": max(natural, key=natural.get) if natural else None,
        "longest_lived_radioactive": longest,
    }


@tool(
    "science.nuclides.ionization_energies",
    "R",
    params={
        "element": "Element symbol, e.g. 'Na'.",
        "count": "How many successive energies to list (1..30), e.g. 3.",
    },
    examples=[{"element": "Na", "count": 3}, {"element": "He", "count": 2}],
    bad_examples=[{"element": "Na", "count": 0}, {"element": "Zz", "count": 1}],
    package=_PKG,
    dataset=_DATA,
    accepts={"element": "element"},
    produces={"first_ionization_ev": "number"},
)
def ionization_energies(element: str, count: int = 5) -> dict[str, Any]:
    """Successive ionization energies (eV) of an element's atom, from neutral upward."""
    if not 1 <= count <= 30:
        raise ToolError("count must be in 1..30")
    sym, z = _element(element)
    rows = (
        _db()
        .execute(
            "select ion_charge, ionization_energy from ionizationenergies where atomic_number=? "
            "order by ion_charge",
            (z,),
        )
        .fetchall()
    )
    energies = [e for _, e in rows if e is not None][:count]
    if not energies:
        raise ToolError(f"no ionization energies stored for {sym}")
    return {"element": sym, "ionization_energies_ev": energies, "first_ionization_ev": energies[0]}


@tool(
    "science.nuclides.binding_energy",
    "P",
    params={"isotope": "Isotope, e.g. 'Fe-56' or 'He-4'."},
    examples=[{"isotope": "Fe-56"}, {"isotope": "He-4"}],
    bad_examples=[{"isotope": "H-99"}],
    package=_PKG,
    dataset=_DATA,
    accepts={"isotope": "isotope"},
    produces={"binding_energy_per_nucleon_mev": "number"},
    requires=["mendeleev", "scipy"],
)
def binding_energy(isotope: str) -> dict[str, Any]:
    """Nuclear mass defect (u) and binding energy (MeV total and per nucleon) from the isotope's
    atomic mass and CODATA hydrogen-atom and neutron masses."""
    from scipy.constants import physical_constants as pc

    key, rec = _isotope(isotope)
    z, a = rec["atomic_number"], rec["mass_number"]
    m_h = 1.007825031898  # 1H atomic mass in u, so electron masses cancel
    m_n = pc["neutron mass in u"][0]
    u_mev = pc["atomic mass constant energy equivalent in MeV"][0]
    defect = z * m_h + (a - z) * m_n - rec["mass"]
    be = defect * u_mev
    return {
        "isotope": key,
        "mass_defect_u": round(defect, 9),
        "binding_energy_mev": round(be, 4),
        "binding_energy_per_nucleon_mev": round(be / a, 5) if a else None,
    }


@tool(
    "science.nuclides.decay_remaining",
    "P",
    params={
        "isotope": "Radioactive isotope, e.g. 'C-14'.",
        "elapsed_years": "Time elapsed in years, e.g. 5000.",
        "initial_amount": "Starting amount in any unit (grams, becquerels, atoms), e.g. 100.",
    },
    examples=[{"isotope": "C-14", "elapsed_years": 5730.0, "initial_amount": 100.0}],
    bad_examples=[{"isotope": "Fe-56", "elapsed_years": 10.0, "initial_amount": 1.0}],
    package=_PKG,
    dataset=_DATA,
    accepts={"isotope": "isotope", "elapsed_years": "number"},
    produces={"remaining_amount": "number"},
)
def decay_remaining(isotope: str, elapsed_years: float, initial_amount: float = 1.0) -> dict[str, Any]:
    """Amount of a radioactive isotope left after a time, using its tabulated half-life:
    remaining amount and fraction, number of half-lives and the decay constant (1/s)."""
    key, rec = _isotope(isotope)
    hl = _half_life_s(rec)
    if not rec["is_radioactive"] or not hl:
        raise ToolError(
            f"{key} is stable or has no tabulated half-life; pick a radioactive isotope like 'C-14'"
        )
    if elapsed_years < 0:
        raise ToolError("elapsed_years must be >= 0")
    n = elapsed_years * _YEAR_S / hl
    frac = 0.5**n
    return {
        "isotope": key,
        "half_life_years": sig(hl / _YEAR_S, 6),
        "half_lives_elapsed": sig(n, 6),
        "remaining_fraction": sig(frac, 6),
        "remaining_amount": sig(initial_amount * frac, 6),
        "decay_constant_per_s": sig(math.log(2) / hl, 6),
    }


@tool(
    "science.nuclides.by_half_life",
    "R",
    params={
        "min_years": "Shortest half-life to include, in years, e.g. 1000.",
        "max_years": "Longest half-life to include, in years, e.g. 100000.",
    },
    examples=[{"min_years": 1000.0, "max_years": 100000.0}],
    bad_examples=[{"min_years": 10.0, "max_years": 1.0}],
    package=_PKG,
    dataset=_DATA,
    produces={"isotopes": "isotope"},
)
def by_half_life(min_years: float, max_years: float) -> dict[str, Any]:
    """Radioactive isotopes with a half-life in a range (years), shortest first (first 20), and the total."""
    if not 0 <= min_years <= max_years:
        raise ToolError("need 0 <= min_years <= max_years")
    rows = sorted(
        (hl / _YEAR_S, k)
        for k, r in _isotopes().items()
        if r["is_radioactive"] and (hl := _half_life_s(r)) and min_years <= hl / _YEAR_S <= max_years
    )
    if not rows:
        raise ToolError("no isotope has a half-life in that range")
    out = capped([k for _, k in rows], "isotopes")
    out["half_lives_years"] = [sig(y, 5) for y, _ in rows[:20]]
    return {"min_years": min_years, "max_years": max_years, **out}
