"""Bench calculations used daily in wet labs: dilutions, molarity, buffers, spectrophotometry, DNA amounts."""

from __future__ import annotations

import math

from dive.tools.base import ToolError, tool
from dive.tools.biology._common import rnd

PKG = "dive"
REQ: list[str] = []
AVOGADRO = 6.02214076e23
BP_MASS_DS = 617.96  # g/mol per base pair of dsDNA (sodium salt, average), plus 36.04 for the ends


def _pos(**values: float) -> None:
    for name, v in values.items():
        if not v > 0 or not math.isfinite(v):
            raise ToolError(f"{name} must be a positive number, got {v}")


@tool(
    "biology.labcalc.dilution",
    "P",
    params={
        "stock_concentration": "Stock concentration C1 in any unit, e.g. 10.0 (mM).",
        "final_concentration": "Wanted final concentration C2 in the same unit, e.g. 0.5.",
        "final_volume": "Wanted final volume V2 in any volume unit, e.g. 50.0 (mL).",
    },
    examples=[{"stock_concentration": 10.0, "final_concentration": 0.5, "final_volume": 50.0}],
    bad_examples=[
        {"stock_concentration": 1.0, "final_concentration": 5.0, "final_volume": 10.0},
        {"stock_concentration": -1.0, "final_concentration": 0.5, "final_volume": 10.0},
    ],
    package=PKG,
    requires=REQ,
    accepts={"stock_concentration": "number", "final_concentration": "number", "final_volume": "number"},
    produces={"stock_volume": "number", "diluent_volume": "number"},
)
def dilution(stock_concentration: float, final_concentration: float, final_volume: float) -> dict:
    """C1V1 = C2V2: the stock volume to take and the diluent volume to add (same volume unit as final_volume),
    and the dilution factor."""
    _pos(
        stock_concentration=stock_concentration,
        final_concentration=final_concentration,
        final_volume=final_volume,
    )
    if final_concentration > stock_concentration:
        raise ToolError("final concentration cannot exceed the stock concentration")
    v1 = final_concentration * final_volume / stock_concentration
    return {
        "stock_volume": rnd(v1, 6),
        "diluent_volume": rnd(final_volume - v1, 6),
        "dilution_factor": rnd(stock_concentration / final_concentration, 6),
    }


@tool(
    "biology.labcalc.mass_for_molar_solution",
    "P",
    params={
        "molar_mass": "Molar mass in g/mol, e.g. 58.44 (NaCl).",
        "concentration_molar": "Wanted concentration in mol/L, e.g. 0.15.",
        "volume_ml": "Solution volume in mL, e.g. 500.",
    },
    examples=[{"molar_mass": 58.44, "concentration_molar": 0.15, "volume_ml": 500.0}],
    bad_examples=[{"molar_mass": 0.0, "concentration_molar": 1.0, "volume_ml": 10.0}],
    package=PKG,
    requires=REQ,
    accepts={"molar_mass": "number", "concentration_molar": "number", "volume_ml": "number"},
    produces={"mass_g": "number"},
)
def mass_for_molar_solution(molar_mass: float, concentration_molar: float, volume_ml: float) -> dict:
    """Mass of solute to weigh (g and mg) for a solution of given molarity and volume: m = M x c x V."""
    _pos(molar_mass=molar_mass, concentration_molar=concentration_molar, volume_ml=volume_ml)
    grams = molar_mass * concentration_molar * volume_ml / 1000
    return {
        "mass_g": rnd(grams, 6),
        "mass_mg": rnd(grams * 1000, 4),
        "moles": rnd(concentration_molar * volume_ml / 1000, 8),
    }


@tool(
    "biology.labcalc.henderson_hasselbalch",
    "P",
    params={
        "pka": "pKa of the buffer acid, e.g. 7.21 (phosphate pKa2).",
        "ph": "Target pH (0-14), e.g. 7.4.",
        "total_concentration_mm": "Total buffer concentration (acid + base) in mM, e.g. 100.",
    },
    examples=[{"pka": 7.21, "ph": 7.4, "total_concentration_mm": 100.0}],
    bad_examples=[{"pka": 7.21, "ph": 20.0, "total_concentration_mm": 100.0}],
    package=PKG,
    requires=REQ,
    accepts={"pka": "number", "ph": "number"},
    produces={"base_to_acid_ratio": "number", "base_mm": "number", "acid_mm": "number"},
)
def henderson_hasselbalch(pka: float, ph: float, total_concentration_mm: float = 100.0) -> dict:
    """Buffer composition from pH = pKa + log10([A-]/[HA]): the base/acid ratio and the conjugate base and
    acid
    concentrations (mM) that make up the total."""
    if not 0 <= ph <= 14 or not -2 <= pka <= 16:
        raise ToolError("ph must be in [0, 14] and pka in [-2, 16]")
    _pos(total_concentration_mm=total_concentration_mm)
    ratio = 10 ** (ph - pka)
    base = total_concentration_mm * ratio / (1 + ratio)
    return {
        "base_to_acid_ratio": rnd(ratio, 6),
        "base_mm": rnd(base, 4),
        "acid_mm": rnd(total_concentration_mm - base, 4),
        "fraction_deprotonated": rnd(ratio / (1 + ratio), 6),
    }


@tool(
    "biology.labcalc.beer_lambert",
    "P",
    params={
        "absorbance": "Measured absorbance (0-10), e.g. 0.45.",
        "extinction_coefficient": "Molar extinction coefficient in M^-1 cm^-1, e.g. 43824 (BSA at 280 nm).",
        "path_length_cm": "Cuvette path length in cm, e.g. 1.0.",
    },
    examples=[{"absorbance": 0.45, "extinction_coefficient": 43824.0}],
    bad_examples=[{"absorbance": 0.45, "extinction_coefficient": 0.0}],
    package=PKG,
    requires=REQ,
    accepts={"absorbance": "number", "extinction_coefficient": "number"},
    produces={"concentration_molar": "number"},
)
def beer_lambert(absorbance: float, extinction_coefficient: float, path_length_cm: float = 1.0) -> dict:
    """Concentration from absorbance by the Beer-Lambert law c = A / (epsilon x l), in M, mM and uM, plus the
    transmittance (%)."""
    _pos(extinction_coefficient=extinction_coefficient, path_length_cm=path_length_cm)
    if not 0 <= absorbance <= 10:
        raise ToolError("absorbance must be in [0, 10]")
    c = absorbance / (extinction_coefficient * path_length_cm)
    return {
        "concentration_molar": c,
        "concentration_mm": rnd(c * 1e3, 6),
        "concentration_um": rnd(c * 1e6, 4),
        "transmittance_pct": rnd(100 * 10 ** (-absorbance), 4),
    }


_A260 = {"dsDNA": 50.0, "ssDNA": 33.0, "RNA": 40.0}


@tool(
    "biology.labcalc.nucleic_acid_concentration",
    "P",
    params={
        "a260": "Absorbance at 260 nm (1 cm path), e.g. 0.25.",
        "molecule": "'dsDNA' (50 ug/mL per A260), 'ssDNA' (33) or 'RNA' (40).",
        "dilution_factor": "Dilution factor of the measured sample, e.g. 10.",
        "a280": "Optional absorbance at 280 nm to report the A260/A280 purity ratio, e.g. 0.13.",
    },
    examples=[{"a260": 0.25, "molecule": "dsDNA", "dilution_factor": 10.0, "a280": 0.13}],
    bad_examples=[{"a260": -0.1, "molecule": "RNA"}, {"a260": 0.5, "molecule": "protein"}],
    package=PKG,
    requires=REQ,
    accepts={"a260": "number"},
    produces={"concentration_ng_ul": "number", "a260_a280": "number"},
)
def nucleic_acid_concentration(
    a260: float, molecule: str = "dsDNA", dilution_factor: float = 1.0, a280: float | None = None
) -> dict:
    """Nucleic-acid concentration from A260 (ng/uL = ug/mL) using the standard conversion factor for dsDNA,
    ssDNA or RNA, and the A260/A280 purity ratio (~1.8 pure DNA, ~2.0 pure RNA) when A280 is given."""
    if molecule not in _A260:
        raise ToolError(f"unknown molecule {molecule!r}; valid: {sorted(_A260)}")
    if not 0 <= a260 <= 10:
        raise ToolError("a260 must be in [0, 10]")
    _pos(dilution_factor=dilution_factor)
    conc = a260 * _A260[molecule] * dilution_factor
    ratio = rnd(a260 / a280, 3) if a280 else None
    return {"concentration_ng_ul": rnd(conc, 4), "factor": _A260[molecule], "a260_a280": ratio}


@tool(
    "biology.labcalc.dna_copy_number",
    "P",
    params={
        "mass_ng": "Amount of double-stranded DNA in ng, e.g. 10.",
        "length_bp": "Length of the DNA in base pairs, e.g. 5000 (a plasmid).",
    },
    examples=[{"mass_ng": 10.0, "length_bp": 5000}],
    bad_examples=[{"mass_ng": 10.0, "length_bp": 0}],
    package=PKG,
    requires=REQ,
    accepts={"mass_ng": "number", "length_bp": "number"},
    produces={"copies": "number", "pmol": "number"},
)
def dna_copy_number(mass_ng: float, length_bp: int) -> dict:
    """Molecule count and amount of a dsDNA of given mass and length: copies = mass x NA / (length x 617.96
    + 36.04 g/mol), with pmol and the molecular weight used."""
    _pos(mass_ng=mass_ng, length_bp=float(length_bp))
    mw = length_bp * BP_MASS_DS + 36.04
    moles = mass_ng * 1e-9 / mw
    return {
        "copies": float(f"{moles * AVOGADRO:.6g}"),
        "pmol": rnd(moles * 1e12, 6),
        "molecular_weight": rnd(mw, 2),
    }


@tool(
    "biology.labcalc.ligation_insert_mass",
    "P",
    params={
        "vector_ng": "Vector DNA amount in ng, e.g. 50.",
        "vector_bp": "Vector length in bp, e.g. 3000.",
        "insert_bp": "Insert length in bp, e.g. 1000.",
        "molar_ratio": "Insert:vector molar ratio, e.g. 3 for 3:1.",
    },
    examples=[{"vector_ng": 50.0, "vector_bp": 3000, "insert_bp": 1000, "molar_ratio": 3.0}],
    bad_examples=[{"vector_ng": 50.0, "vector_bp": 3000, "insert_bp": -5, "molar_ratio": 3.0}],
    package=PKG,
    requires=REQ,
    accepts={"vector_ng": "number", "vector_bp": "number", "insert_bp": "number"},
    produces={"insert_ng": "number"},
)
def ligation_insert_mass(vector_ng: float, vector_bp: int, insert_bp: int, molar_ratio: float = 3.0) -> dict:
    """Insert mass (ng) for a ligation at a chosen insert:vector molar ratio:
    insert_ng = vector_ng x insert_bp / vector_bp x ratio."""
    _pos(vector_ng=vector_ng, vector_bp=float(vector_bp), insert_bp=float(insert_bp), molar_ratio=molar_ratio)
    return {"insert_ng": rnd(vector_ng * insert_bp / vector_bp * molar_ratio, 4), "molar_ratio": molar_ratio}


@tool(
    "biology.labcalc.centrifuge_rcf",
    "P",
    params={
        "rpm": "Rotor speed in revolutions per minute, e.g. 13000.",
        "radius_cm": "Rotor radius in cm (centre to sample), e.g. 8.4.",
    },
    examples=[{"rpm": 13000.0, "radius_cm": 8.4}],
    bad_examples=[{"rpm": -100.0, "radius_cm": 8.4}],
    package=PKG,
    requires=REQ,
    accepts={"rpm": "number", "radius_cm": "number"},
    produces={"rcf_g": "number"},
)
def centrifuge_rcf(rpm: float, radius_cm: float) -> dict:
    """Relative centrifugal force (x g) of a rotor: RCF = 1.118e-5 x r(cm) x rpm^2."""
    _pos(rpm=rpm, radius_cm=radius_cm)
    return {"rcf_g": rnd(1.118e-5 * radius_cm * rpm**2, 2)}


@tool(
    "biology.labcalc.doubling_time",
    "P",
    params={
        "initial_count": "Initial cell count or OD, e.g. 1e5.",
        "final_count": "Final cell count or OD (same unit), e.g. 8e5.",
        "elapsed_hours": "Time between the two measurements in hours, e.g. 6.",
    },
    examples=[{"initial_count": 100000.0, "final_count": 800000.0, "elapsed_hours": 6.0}],
    bad_examples=[{"initial_count": 10.0, "final_count": 5.0, "elapsed_hours": 2.0}],
    package=PKG,
    requires=REQ,
    accepts={"initial_count": "number", "final_count": "number", "elapsed_hours": "number"},
    produces={"doubling_time_h": "number", "growth_rate_per_h": "number"},
)
def doubling_time(initial_count: float, final_count: float, elapsed_hours: float) -> dict:
    """Exponential growth: specific growth rate (per hour, ln-based), doubling time (h) and number of
    generations between two counts."""
    _pos(initial_count=initial_count, final_count=final_count, elapsed_hours=elapsed_hours)
    if final_count <= initial_count:
        raise ToolError("final_count must exceed initial_count for a doubling time")
    rate = math.log(final_count / initial_count) / elapsed_hours
    return {
        "growth_rate_per_h": rnd(rate, 6),
        "doubling_time_h": rnd(math.log(2) / rate, 4),
        "generations": rnd(math.log2(final_count / initial_count), 4),
    }


@tool(
    "biology.labcalc.michaelis_menten",
    "P",
    params={
        "vmax": "Maximum velocity Vmax (any rate unit), e.g. 120.",
        "km": "Michaelis constant Km (concentration unit), e.g. 2.5.",
        "substrate": "Substrate concentration [S] in the same unit as Km, e.g. 5.",
    },
    examples=[{"vmax": 120.0, "km": 2.5, "substrate": 5.0}],
    bad_examples=[{"vmax": 120.0, "km": 0.0, "substrate": 5.0}],
    package=PKG,
    requires=REQ,
    accepts={"vmax": "number", "km": "number", "substrate": "number"},
    produces={"velocity": "number"},
)
def michaelis_menten(vmax: float, km: float, substrate: float) -> dict:
    """Initial reaction velocity v = Vmax [S] / (Km + [S]) and the fraction of Vmax reached (enzyme
    saturation)."""
    _pos(vmax=vmax, km=km)
    if substrate < 0:
        raise ToolError("substrate must be >= 0")
    v = vmax * substrate / (km + substrate)
    return {"velocity": rnd(v, 6), "fraction_of_vmax": rnd(v / vmax, 6)}
