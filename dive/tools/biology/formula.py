"""Chemical-formula arithmetic: molmass (masses, composition, isotope patterns), periodictable (SLD)."""

from __future__ import annotations

from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.biology._common import LIST_CAP, check_range, rnd

PKG = "molmass"
FORMULA = {
    "formula": "Chemical formula (groups, hydrates and charges allowed), e.g. 'C8H10N4O2', "
    "'CuSO4.5H2O' or '(CH3)2CO'."
}


def _formula(formula: str) -> Any:
    from molmass import Formula, FormulaError

    text = formula.strip()
    if not text or len(text) > 200:
        raise ToolError("give a chemical formula of 1-200 characters, e.g. 'C6H12O6'")
    try:
        f = Formula(text)
        f.mass  # noqa: B018 - parsing is lazy; touch the mass so bad formulas fail here
    except (FormulaError, KeyError, ValueError) as exc:
        reason = str(exc).splitlines()[0]
        raise ToolError(f"cannot parse formula {formula!r}: {reason}; example: 'C6H12O6'") from None
    return f


@tool(
    "biology.formula.formula_mass",
    "P",
    params=FORMULA,
    examples=[{"formula": "C8H10N4O2"}, {"formula": "CuSO4.5H2O"}],
    bad_examples=[{"formula": "Xy2O"}, {"formula": "C6H12O6)"}],
    package=PKG,
    accepts={"formula": "formula"},
    produces={"average_mass": "number", "monoisotopic_mass": "number", "hill_formula": "formula"},
)
def formula_mass(formula: str) -> dict:
    """Masses of a chemical formula: average molar mass (g/mol), monoisotopic mass and nominal mass (Da), with
    the Hill-order formula, empirical formula and atom count."""
    f = _formula(formula)
    return {
        "hill_formula": f.formula,
        "empirical_formula": f.empirical,
        "average_mass": rnd(f.mass, 5),
        "monoisotopic_mass": rnd(f.monoisotopic_mass, 6),
        "nominal_mass": f.nominal_mass,
        "atoms": f.atoms,
        "charge": f.charge,
    }


@tool(
    "biology.formula.elemental_composition",
    "P",
    params=FORMULA,
    examples=[{"formula": "C6H12O6"}, {"formula": "Ca3(PO4)2"}],
    bad_examples=[{"formula": "Qz"}],
    package=PKG,
    accepts={"formula": "formula"},
    produces={"mass_percent": "number", "heaviest_contributor": "element"},
)
def elemental_composition(formula: str) -> dict:
    """Elemental composition of a formula: atom count, mass (g/mol) and mass percent of each element, and the
    element contributing the most mass."""
    f = _formula(formula)
    rows = {
        item.symbol: {
            "count": item.count,
            "mass": rnd(item.mass, 4),
            "mass_percent": rnd(100 * item.fraction, 4),
        }
        for item in f.composition().values()
    }
    return {
        "formula": f.formula,
        "elements": rows,
        "mass_percent": {k: v["mass_percent"] for k, v in rows.items()},
        "heaviest_contributor": max(sorted(rows), key=lambda k: rows[k]["mass"]),
    }


@tool(
    "biology.formula.isotope_pattern",
    "P",
    params={
        **FORMULA,
        "min_intensity": "Hide peaks below this relative intensity in percent (0-100), e.g. 0.1.",
    },
    examples=[{"formula": "C8H10N4O2"}, {"formula": "CH2Cl2", "min_intensity": 1.0}],
    bad_examples=[{"formula": "C8H10N4O2", "min_intensity": 150.0}, {"formula": "Zz9"}],
    package=PKG,
    accepts={"formula": "formula"},
    produces={"base_peak_mass": "number"},
)
def isotope_pattern(formula: str, min_intensity: float = 0.1) -> dict:
    """Isotopic mass spectrum of a formula (nominal mass peaks): mass (Da), fraction and intensity relative to
    the base peak (%), for peaks above a threshold (first 20), plus the base peak mass."""
    check_range("min_intensity", min_intensity, 0, 100)
    f = _formula(formula)
    if f.atoms > 2000:
        raise ToolError("formula too large for an isotope pattern (more than 2000 atoms)")
    spectrum = f.spectrum()
    peaks = [
        {
            "nominal_mass": k,
            "mass": rnd(e.mass, 5),
            "fraction": rnd(e.fraction, 6),
            "intensity_pct": rnd(e.intensity, 3),
        }
        for k, e in sorted(spectrum.items())
        if e.intensity >= min_intensity
    ]
    return {"formula": f.formula, "base_peak_mass": rnd(spectrum.peak.mass, 5), "peaks": peaks[:LIST_CAP]}


@tool(
    "biology.formula.scattering_length_density",
    "P",
    params={
        "formula": "Chemical formula, e.g. 'H2O', 'D2O' or 'SiO2'.",
        "density": "Mass density in g/cm3, e.g. 1.0.",
        "xray_energy_kev": "X-ray energy in keV for the X-ray SLD, e.g. 8.04 (Cu K-alpha).",
    },
    examples=[
        {"formula": "H2O", "density": 1.0},
        {"formula": "SiO2", "density": 2.2, "xray_energy_kev": 17.4},
    ],
    bad_examples=[{"formula": "H2O", "density": -1.0}, {"formula": "Qq2", "density": 1.0}],
    package="periodictable",
    accepts={"formula": "formula", "density": "number"},
    produces={"neutron_sld": "number", "xray_sld": "number"},
)
def scattering_length_density(formula: str, density: float, xray_energy_kev: float = 8.04) -> dict:
    """Neutron and X-ray scattering length densities (10^-6 / A^2) of a material from its formula and density,
    with the neutron absorption and incoherent parts (periodictable.neutron_sld / xray_sld)."""
    import periodictable

    check_range("density", density, 1e-4, 30)
    check_range("xray_energy_kev", xray_energy_kev, 1, 100)
    try:
        compound = periodictable.formula(formula.strip())
    except Exception as exc:
        raise ToolError(f"cannot parse formula {formula!r}: {exc}") from None
    sld, absorption, incoherent = periodictable.neutron_sld(compound, density=density)
    xr = periodictable.xray_sld(compound, density=density, energy=xray_energy_kev)
    return {
        "formula": str(compound),
        "density": density,
        "neutron_sld": rnd(sld, 5),
        "neutron_absorption": rnd(absorption, 6),
        "neutron_incoherent": rnd(incoherent, 5),
        "xray_sld": rnd(xr[0], 5),
        "xray_sld_imag": rnd(xr[1], 5),
        "xray_energy_kev": xray_energy_kev,
    }
