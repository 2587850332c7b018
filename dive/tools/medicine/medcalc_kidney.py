"""Kidney-function calculators from ``medcalc-bench``: eGFR (CKD-EPI 2021, MDRD), Cockcroft-Gault
creatinine clearance and fractional excretion of sodium."""

from __future__ import annotations

from typing import Any, Literal

from dive.tools.base import tool
from dive.tools.medicine._medcalc import (
    AGE,
    COMMON,
    CREAT,
    HEIGHT,
    NA,
    SEX,
    WEIGHT,
    age_t,
    calc,
    check,
    mg,
    sex_word,
)


def ckd_stage(egfr: float) -> str:
    """KDIGO G category of an eGFR in mL/min/1.73 m²."""
    for limit, stage in ((90, "G1"), (60, "G2"), (45, "G3a"), (30, "G3b"), (15, "G4")):
        if egfr >= limit:
            return stage
    return "G5"


@tool(
    "medicine.medcalc.ckd_epi_2021",
    "P",
    params={"age": AGE, "sex": SEX, "creatinine": CREAT},
    examples=[{"age": 60, "sex": "female", "creatinine": 1.1}],
    bad_examples=[{"age": 60, "sex": "female", "creatinine": 50.0}],
    accepts={"age": "number", "creatinine": "number"},
    produces={"egfr": "number", "stage": "word"},
    **COMMON,
)
def ckd_epi_2021(age: float, sex: Literal["male", "female"], creatinine: float) -> dict[str, Any]:
    """Estimated GFR in mL/min/1.73 m² by the race-free CKD-EPI 2021 creatinine equation, with the
    KDIGO GFR category (G1-G5)."""
    inputs = {"age": age_t(age), "sex": sex_word(sex), "creatinine": mg("creatinine", creatinine, 0.1, 25)}
    egfr = calc("ckd_epi_2021_creatinine", "ckd_epi_2021_explanation", inputs)
    return {"egfr": egfr, "unit": "mL/min/1.73 m²", "stage": ckd_stage(egfr)}


@tool(
    "medicine.medcalc.mdrd_gfr",
    "P",
    params={"age": AGE, "sex": SEX, "creatinine": CREAT, "black": "Black race coefficient (1.212) applies."},
    examples=[{"age": 71, "sex": "female", "creatinine": 1.0}],
    bad_examples=[{"age": 71, "sex": "female", "creatinine": 0.0}],
    accepts={"age": "number", "creatinine": "number"},
    produces={"egfr": "number"},
    **COMMON,
)
def mdrd_gfr(
    age: float, sex: Literal["male", "female"], creatinine: float, black: bool = False
) -> dict[str, Any]:
    """Estimated GFR in mL/min/1.73 m² by the 4-variable MDRD study equation
    (175 × Scr^-1.154 × age^-0.203 × 0.742 if female × 1.212 if Black)."""
    inputs = {"age": age_t(age), "sex": sex_word(sex), "creatinine": mg("creatinine", creatinine, 0.1, 25)}
    if black:
        inputs["race"] = "Black"
    egfr = calc("mdrd_gfr", "mrdr_gfr_explanation", inputs)
    return {"egfr": egfr, "unit": "mL/min/1.73 m²", "stage": ckd_stage(egfr)}


@tool(
    "medicine.medcalc.creatinine_clearance",
    "P",
    params={"age": AGE, "sex": SEX, "weight": WEIGHT, "height": HEIGHT, "creatinine": CREAT},
    examples=[{"age": 56, "sex": "male", "weight": 68, "height": 176, "creatinine": 1.0}],
    bad_examples=[{"age": 56, "sex": "male", "weight": 68, "height": 176, "creatinine": -1.0}],
    accepts={"age": "number", "weight": "number", "creatinine": "number"},
    produces={"creatinine_clearance": "number"},
    **COMMON,
)
def creatinine_clearance(
    age: float, sex: Literal["male", "female"], weight: float, height: float, creatinine: float
) -> dict[str, Any]:
    """Creatinine clearance in mL/min by Cockcroft-Gault, ((140 − age) × weight × 0.85 if female) /
    (72 × Scr), using the weight MedCalc picks from BMI (ideal, adjusted or actual)."""
    check("weight", weight, 1, 400, "kg")
    check("height", height, 30, 250, "cm")
    inputs = {
        "age": age_t(age),
        "sex": sex_word(sex),
        "weight": (weight, "kg"),
        "height": (height, "cm"),
        "creatinine": mg("creatinine", creatinine, 0.1, 25),
    }
    return {
        "creatinine_clearance": calc("creatinine_clearance", "generate_cockcroft_gault_explanation", inputs),
        "unit": "mL/min",
    }


@tool(
    "medicine.medcalc.fena",
    "P",
    params={
        "serum_sodium": NA,
        "serum_creatinine": CREAT,
        "urine_sodium": "Urine sodium in mmol/L, e.g. 20.",
        "urine_creatinine": "Urine creatinine in mg/dL, e.g. 100.",
    },
    examples=[{"serum_sodium": 134, "serum_creatinine": 3.7, "urine_sodium": 21, "urine_creatinine": 50}],
    bad_examples=[{"serum_sodium": 134, "serum_creatinine": 3.7, "urine_sodium": 21, "urine_creatinine": 0}],
    accepts={"serum_sodium": "number", "serum_creatinine": "number"},
    produces={"fena_percent": "number"},
    **COMMON,
)
def fena(
    serum_sodium: float, serum_creatinine: float, urine_sodium: float, urine_creatinine: float
) -> dict[str, Any]:
    """Fractional excretion of sodium in %: (UNa × SCr) / (SNa × UCr) × 100; below 1% suggests a
    prerenal cause of acute kidney injury."""
    inputs = {
        "sodium": mg("serum_sodium", serum_sodium, 90, 200, "mmol/L"),
        "creatinine": mg("serum_creatinine", serum_creatinine, 0.1, 25),
        "urine_sodium": mg("urine_sodium", urine_sodium, 1, 400, "mmol/L"),
        "urine_creatinine": mg("urine_creatinine", urine_creatinine, 1, 1000),
    }
    value = calc("compute_fena", "compute_fena_explanation", inputs)
    return {
        "fena_percent": value,
        "suggests": "prerenal" if value < 1 else "intrinsic renal (or diuretic effect)",
    }
