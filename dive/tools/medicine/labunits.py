"""Clinical laboratory unit conversions (conventional US units <-> SI) from molar masses and valences.

Factors: glucose 180.16 g/mol, cholesterol 386.65, triglycerides (as triolein) 885.4, creatinine
113.12, urea nitrogen 28.014 (2 N), uric acid 168.11, bilirubin 584.66, calcium 40.078,
magnesium 24.305, phosphate (as P) 30.974. HbA1c: IFCC = 10.929 × (NGSP − 2.15) (Hoelzel 2004);
eAG mg/dL = 28.7 × A1c − 46.7 (ADAG, Nathan 2008).
"""

from __future__ import annotations

from typing import Any, Literal

from dive.tools.base import ToolError, tool
from dive.tools.medicine._common import PLAIN_PYTHON as COMMON

MOLAR_MASS = {
    "glucose": 180.16,
    "cholesterol": 386.65,
    "triglycerides": 885.4,
    "creatinine": 113.12,
    "urea_nitrogen": 28.014,
    "uric_acid": 168.11,
    "bilirubin": 584.66,
    "calcium": 40.078,
    "magnesium": 24.305,
    "phosphate": 30.974,
}
VALENCE = {
    "sodium": (22.99, 1),
    "potassium": (39.098, 1),
    "chloride": (35.453, 1),
    "calcium": (40.078, 2),
    "magnesium": (24.305, 2),
    "bicarbonate": (61.017, 1),
    "phosphate": (30.974, 1),
}


@tool(
    "medicine.labunits.convert",
    "P",
    params={
        "analyte": "Analyte, e.g. 'glucose', 'creatinine', 'cholesterol'.",
        "value": "The value, e.g. 126.",
        "to_si": "true: mg/dL -> SI (mmol/L, or µmol/L for creatinine, uric acid, bilirubin); false: back.",
    },
    examples=[
        {"analyte": "glucose", "value": 126, "to_si": True},
        {"analyte": "creatinine", "value": 88.4, "to_si": False},
    ],
    bad_examples=[{"analyte": "glucose", "value": -5, "to_si": True}],
    accepts={"value": "number"},
    produces={"converted": "number"},
    **COMMON,
)
def convert(
    analyte: Literal[
        "glucose",
        "cholesterol",
        "triglycerides",
        "creatinine",
        "urea_nitrogen",
        "uric_acid",
        "bilirubin",
        "calcium",
        "magnesium",
        "phosphate",
    ],
    value: float,
    to_si: bool = True,
) -> dict[str, Any]:
    """Convert a lab result between conventional mg/dL and SI units via the analyte's molar mass,
    returning the converted value, its unit and the factor used."""
    if value < 0:
        raise ToolError(f"value must be non-negative, got {value}")
    micro = analyte in ("creatinine", "uric_acid", "bilirubin")
    factor = 10 / MOLAR_MASS[analyte] * (1000 if micro else 1)  # mg/dL -> mmol/L (or µmol/L)
    si_unit = "µmol/L" if micro else "mmol/L"
    out = value * factor if to_si else value / factor
    return {
        "analyte": analyte,
        "value": value,
        "from_unit": "mg/dL" if to_si else si_unit,
        "converted": round(out, 4),
        "to_unit": si_unit if to_si else "mg/dL",
        "factor": round(factor, 5),
    }


@tool(
    "medicine.labunits.mg_to_meq",
    "P",
    params={"ion": "Ion, e.g. 'potassium' or 'magnesium'.", "mg": "Mass in mg, e.g. 1500."},
    examples=[{"ion": "potassium", "mg": 1500}, {"ion": "magnesium", "mg": 500}],
    bad_examples=[{"ion": "potassium", "mg": -1}],
    accepts={"mg": "number"},
    produces={"meq": "number", "mmol": "number"},
    **COMMON,
)
def mg_to_meq(
    ion: Literal["sodium", "potassium", "chloride", "calcium", "magnesium", "bicarbonate", "phosphate"],
    mg: float,
) -> dict[str, Any]:
    """Milliequivalents and millimoles in a mass of an ion: mmol = mg / formula mass, mEq = mmol × valence."""
    if mg < 0:
        raise ToolError(f"mg must be non-negative, got {mg}")
    mass, valence = VALENCE[ion]
    mmol = mg / mass
    return {"ion": ion, "mg": mg, "mmol": round(mmol, 4), "meq": round(mmol * valence, 4), "valence": valence}


@tool(
    "medicine.labunits.hba1c",
    "P",
    params={
        "value": "HbA1c value, e.g. 7.0 (%) or 53 (mmol/mol).",
        "unit": "'percent' (NGSP) or 'mmol_mol' (IFCC).",
    },
    examples=[{"value": 7.0, "unit": "percent"}, {"value": 53, "unit": "mmol_mol"}],
    bad_examples=[{"value": 40.0, "unit": "percent"}],
    accepts={"value": "number"},
    produces={"ifcc_mmol_mol": "number", "ngsp_percent": "number", "eag_mg_dl": "number"},
    **COMMON,
)
def hba1c(value: float, unit: Literal["percent", "mmol_mol"] = "percent") -> dict[str, Any]:
    """HbA1c in both NGSP % and IFCC mmol/mol, plus the estimated average glucose (mg/dL and mmol/L)."""
    pct = value if unit == "percent" else value / 10.929 + 2.15
    if not 3 <= pct <= 20:
        raise ToolError(f"HbA1c must be 3-20 % (9-195 mmol/mol), got {value} {unit}")
    eag = 28.7 * pct - 46.7
    return {
        "ngsp_percent": round(pct, 2),
        "ifcc_mmol_mol": round(10.929 * (pct - 2.15), 1),
        "eag_mg_dl": round(eag, 1),
        "eag_mmol_l": round(eag / 18.016, 2),
    }
