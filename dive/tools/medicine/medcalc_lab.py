"""Electrolyte/acid-base, lipid and liver calculators from ``medcalc-bench`` (kidney-function
calculators live in medcalc_kidney)."""

from __future__ import annotations

from typing import Any, Literal

from dive.tools.base import ToolError, tool
from dive.tools.medicine._medcalc import (
    AGE,
    ALB,
    BUN,
    CL,
    COMMON,
    CREAT,
    GLU,
    HCO3,
    NA,
    SEX,
    WEIGHT,
    age_t,
    calc,
    check,
    mg,
    sex_word,
)


def lytes(sodium: float, chloride: float, bicarbonate: float) -> dict[str, Any]:
    return {
        "sodium": mg("sodium", sodium, 90, 200, "mmol/L"),
        "chloride": mg("chloride", chloride, 50, 150, "mmol/L"),
        "bicarbonate": mg("bicarbonate", bicarbonate, 1, 60, "mmol/L"),
    }


@tool(
    "medicine.medcalc.anion_gap",
    "P",
    params={"sodium": NA, "chloride": CL, "bicarbonate": HCO3},
    examples=[{"sodium": 140, "chloride": 104, "bicarbonate": 24}],
    bad_examples=[{"sodium": 400, "chloride": 104, "bicarbonate": 24}],
    accepts={"sodium": "number", "chloride": "number", "bicarbonate": "number"},
    produces={"anion_gap": "number"},
    **COMMON,
)
def anion_gap(sodium: float, chloride: float, bicarbonate: float) -> dict[str, Any]:
    """Serum anion gap in mmol/L: Na − (Cl + HCO3); above 12 suggests a high-anion-gap acidosis."""
    value = calc("anion_gap", "compute_anion_gap_explanation", lytes(sodium, chloride, bicarbonate))
    return {"anion_gap": value, "unit": "mmol/L", "elevated": value > 12}


@tool(
    "medicine.medcalc.delta_gap",
    "P",
    params={"sodium": NA, "chloride": CL, "bicarbonate": HCO3},
    examples=[{"sodium": 135, "chloride": 100, "bicarbonate": 19}],
    bad_examples=[{"sodium": 135, "chloride": 100, "bicarbonate": 99}],
    accepts={"sodium": "number", "chloride": "number", "bicarbonate": "number"},
    produces={"delta_gap": "number"},
    **COMMON,
)
def delta_gap(sodium: float, chloride: float, bicarbonate: float) -> dict[str, Any]:
    """Delta gap in mmol/L: anion gap − 12 (the excess anion gap over normal)."""
    return {
        "delta_gap": calc("delta_gap", "compute_delta_gap_explanation", lytes(sodium, chloride, bicarbonate)),
        "unit": "mmol/L",
    }


def lytes_alb(sodium: float, chloride: float, bicarbonate: float, albumin: float) -> dict[str, Any]:
    return {**lytes(sodium, chloride, bicarbonate), "albumin": mg("albumin", albumin, 0.5, 7, "g/dL")}


LYTE_ALB = {"sodium": NA, "chloride": CL, "bicarbonate": HCO3, "albumin": ALB}
LYTE_ALB_ACC = {"sodium": "number", "chloride": "number", "bicarbonate": "number", "albumin": "number"}


@tool(
    "medicine.medcalc.albumin_corrected_anion_gap",
    "P",
    params=LYTE_ALB,
    examples=[{"sodium": 134, "chloride": 100, "bicarbonate": 19, "albumin": 2.1}],
    bad_examples=[{"sodium": 134, "chloride": 100, "bicarbonate": 19, "albumin": 21}],
    accepts=LYTE_ALB_ACC,
    produces={"corrected_anion_gap": "number"},
    **COMMON,
)
def albumin_corrected_anion_gap(
    sodium: float, chloride: float, bicarbonate: float, albumin: float
) -> dict[str, Any]:
    """Albumin-corrected anion gap in mmol/L: anion gap + 2.5 × (4 − albumin g/dL)."""
    value = calc(
        "albumin_corrected_anion",
        "compute_albumin_corrected_anion_explanation",
        lytes_alb(sodium, chloride, bicarbonate, albumin),
    )
    return {"corrected_anion_gap": value, "unit": "mmol/L"}


@tool(
    "medicine.medcalc.albumin_corrected_delta_gap",
    "P",
    params=LYTE_ALB,
    examples=[{"sodium": 141, "chloride": 104, "bicarbonate": 20, "albumin": 3.0}],
    bad_examples=[{"sodium": 141, "chloride": 104, "bicarbonate": 20, "albumin": 0}],
    accepts=LYTE_ALB_ACC,
    produces={"corrected_delta_gap": "number"},
    **COMMON,
)
def albumin_corrected_delta_gap(
    sodium: float, chloride: float, bicarbonate: float, albumin: float
) -> dict[str, Any]:
    """Albumin-corrected delta gap in mmol/L: albumin-corrected anion gap − 12."""
    value = calc(
        "albumin_corrected_delta_gap",
        "compute_albumin_corrected_delta_gap_explanation",
        lytes_alb(sodium, chloride, bicarbonate, albumin),
    )
    return {"corrected_delta_gap": value, "unit": "mmol/L"}


@tool(
    "medicine.medcalc.albumin_corrected_delta_ratio",
    "P",
    params=LYTE_ALB,
    examples=[{"sodium": 140, "chloride": 100, "bicarbonate": 14, "albumin": 3.9}],
    bad_examples=[{"sodium": 140, "chloride": 100, "bicarbonate": 24.0, "albumin": 9.0}],
    accepts=LYTE_ALB_ACC,
    produces={"corrected_delta_ratio": "number"},
    **COMMON,
)
def albumin_corrected_delta_ratio(
    sodium: float, chloride: float, bicarbonate: float, albumin: float
) -> dict[str, Any]:
    """Albumin-corrected delta ratio: corrected delta gap / (24 − HCO3); <0.4 suggests a
    normal-gap acidosis, 1-2 a pure high-gap acidosis, >2 a concurrent metabolic alkalosis."""
    if bicarbonate >= 24:
        raise ToolError("the delta ratio needs bicarbonate below 24 mmol/L (a fall in HCO3)")
    value = calc(
        "albumin_delta_ratio",
        "compute_albumin_delta_ratio_explanation",
        lytes_alb(sodium, chloride, bicarbonate, albumin),
    )
    return {"corrected_delta_ratio": value}


@tool(
    "medicine.medcalc.corrected_calcium",
    "P",
    params={"calcium": "Total serum calcium in mg/dL, e.g. 8.0.", "albumin": ALB},
    examples=[{"calcium": 8.0, "albumin": 2.5}],
    bad_examples=[{"calcium": 80, "albumin": 2.5}],
    accepts={"calcium": "number", "albumin": "number"},
    produces={"corrected_calcium": "number"},
    **COMMON,
)
def corrected_calcium(calcium: float, albumin: float) -> dict[str, Any]:
    """Albumin-corrected total calcium in mg/dL (Payne): Ca + 0.8 × (4 − albumin g/dL)."""
    inputs = {"calcium": mg("calcium", calcium, 2, 20), "albumin": mg("albumin", albumin, 0.5, 7, "g/dL")}
    return {
        "corrected_calcium": calc("calcium_correction", "calculate_corrected_calcium_explanation", inputs),
        "unit": "mg/dL",
    }


@tool(
    "medicine.medcalc.serum_osmolality",
    "P",
    params={"sodium": NA, "bun": BUN, "glucose": GLU},
    examples=[{"sodium": 139, "bun": 20, "glucose": 599}],
    bad_examples=[{"sodium": 139, "bun": 20, "glucose": -1}],
    accepts={"sodium": "number", "bun": "number", "glucose": "number"},
    produces={"osmolality": "number"},
    **COMMON,
)
def serum_osmolality(sodium: float, bun: float, glucose: float) -> dict[str, Any]:
    """Calculated serum osmolality in mOsm/kg: 2 × Na + BUN/2.8 + glucose/18."""
    inputs = {
        "sodium": mg("sodium", sodium, 90, 200, "mmol/L"),
        "bun": mg("bun", bun, 1, 300),
        "glucose": mg("glucose", glucose, 10, 3000),
    }
    return {"osmolality": calc("sOsm", "compute_serum_osmolality_explanation", inputs), "unit": "mOsm/kg"}


@tool(
    "medicine.medcalc.corrected_sodium",
    "P",
    params={"sodium": NA, "glucose": GLU},
    examples=[{"sodium": 130, "glucose": 500}],
    bad_examples=[{"sodium": 130, "glucose": 5000}],
    accepts={"sodium": "number", "glucose": "number"},
    produces={"corrected_sodium": "number"},
    **COMMON,
)
def corrected_sodium(sodium: float, glucose: float) -> dict[str, Any]:
    """Sodium corrected for hyperglycaemia in mmol/L (Katz): Na + 0.024 × (glucose − 100)."""
    inputs = {"sodium": mg("sodium", sodium, 90, 200, "mmol/L"), "glucose": mg("glucose", glucose, 10, 3000)}
    return {
        "corrected_sodium": calc("sch", "compute_sodium_correction_hyperglycemia_explanation", inputs),
        "unit": "mmol/L",
    }


@tool(
    "medicine.medcalc.free_water_deficit",
    "P",
    params={"sodium": NA, "weight": WEIGHT, "age": AGE, "sex": SEX},
    examples=[{"sodium": 155, "weight": 70, "age": 70, "sex": "male"}],
    bad_examples=[{"sodium": 155, "weight": 70, "age": 300, "sex": "male"}],
    accepts={"sodium": "number", "weight": "number", "age": "number"},
    produces={"free_water_deficit": "number"},
    **COMMON,
)
def free_water_deficit(
    sodium: float, weight: float, age: float, sex: Literal["male", "female"]
) -> dict[str, Any]:
    """Free water deficit in litres: total body water × (Na/140 − 1), with the TBW fraction set by
    age and sex (0.6 adult men ... 0.45 elderly women)."""
    check("weight", weight, 1, 400, "kg")
    inputs = {
        "sodium": mg("sodium", sodium, 90, 200, "mmol/L"),
        "weight": (weight, "kg"),
        "age": age_t(age),
        "sex": sex_word(sex),
    }
    return {
        "free_water_deficit": calc("free_water_deficit", "free_water_deficit_explanation", inputs),
        "unit": "L",
    }


@tool(
    "medicine.medcalc.ldl_friedewald",
    "P",
    params={
        "total_cholesterol": "Total cholesterol in mg/dL, e.g. 210.",
        "hdl": "HDL cholesterol in mg/dL, e.g. 50.",
        "triglycerides": "Triglycerides in mg/dL (below 400), e.g. 150.",
    },
    examples=[{"total_cholesterol": 210, "hdl": 37, "triglycerides": 205}],
    bad_examples=[{"total_cholesterol": 210, "hdl": 37, "triglycerides": 900}],
    accepts={"total_cholesterol": "number", "hdl": "number", "triglycerides": "number"},
    produces={"ldl": "number"},
    **COMMON,
)
def ldl_friedewald(total_cholesterol: float, hdl: float, triglycerides: float) -> dict[str, Any]:
    """LDL cholesterol in mg/dL by the Friedewald equation: TC − HDL − TG/5 (valid for TG < 400)."""
    inputs = {
        "total_cholestrol": mg("total_cholesterol", total_cholesterol, 50, 1000),
        "hdl_cholestrol": mg("hdl", hdl, 5, 200),
        "triglycerides": mg("triglycerides", triglycerides, 10, 399),
    }
    return {"ldl": calc("ldl_calculated", "compute_ldl_explanation", inputs), "unit": "mg/dL"}


@tool(
    "medicine.medcalc.homa_ir",
    "P",
    params={
        "glucose": "Fasting glucose in mg/dL, e.g. 100.",
        "insulin": "Fasting insulin in µIU/mL, e.g. 10.",
    },
    examples=[{"glucose": 100, "insulin": 10}],
    bad_examples=[{"glucose": 100, "insulin": -10}],
    accepts={"glucose": "number", "insulin": "number"},
    produces={"homa_ir": "number"},
    **COMMON,
)
def homa_ir(glucose: float, insulin: float) -> dict[str, Any]:
    """HOMA-IR insulin-resistance index: fasting insulin (µIU/mL) × fasting glucose (mg/dL) / 405."""
    inputs = {
        "glucose": mg("glucose", glucose, 20, 1000),
        "insulin": mg("insulin", insulin, 0.1, 1000, "µIU/mL"),
    }
    return {"homa_ir": calc("homa_ir", "compute_homa_ir_explanation", inputs)}


@tool(
    "medicine.medcalc.fib4",
    "P",
    params={
        "age": AGE,
        "ast": "AST in U/L, e.g. 40.",
        "alt": "ALT in U/L, e.g. 35.",
        "platelets": "Platelet count in 10^9/L, e.g. 250.",
    },
    examples=[{"age": 55, "ast": 60, "alt": 45, "platelets": 150}],
    bad_examples=[{"age": 55, "ast": 60, "alt": 45, "platelets": 0}],
    accepts={"age": "number", "ast": "number", "alt": "number", "platelets": "number"},
    produces={"fib4": "number"},
    **COMMON,
)
def fib4(age: float, ast: float, alt: float, platelets: float) -> dict[str, Any]:
    """FIB-4 liver-fibrosis index: age × AST / (platelets 10^9/L × sqrt(ALT)), with the usual
    risk band (<1.3 low, >2.67 high)."""
    inputs = {
        "age": age_t(age),
        "ast": mg("ast", ast, 1, 10000, "U/L"),
        "alt": mg("alt", alt, 1, 10000, "U/L"),
        "platelet_count": (mg("platelets", platelets, 1, 2000, "10^9/L")[0] * 1000, "µL"),
    }
    value = calc("fibrosis_4", "compute_fib4_explanation", inputs)
    band = "low" if value < 1.3 else "indeterminate" if value <= 2.67 else "high"
    return {"fib4": value, "fibrosis_risk": band}


@tool(
    "medicine.medcalc.meld_na",
    "P",
    params={
        "creatinine": CREAT,
        "bilirubin": "Total bilirubin in mg/dL, e.g. 2.8.",
        "inr": "INR, e.g. 1.5.",
        "sodium": NA,
        "dialysis": "Dialysis at least twice (or CVVHD) in the past week.",
    },
    examples=[{"creatinine": 1.0, "bilirubin": 2.8, "inr": 1.5, "sodium": 139}],
    bad_examples=[{"creatinine": 1.0, "bilirubin": 2.8, "inr": 15.0, "sodium": 139}],
    accepts={"creatinine": "number", "bilirubin": "number", "inr": "number", "sodium": "number"},
    produces={"meld_na": "number"},
    **COMMON,
)
def meld_na(
    creatinine: float, bilirubin: float, inr: float, sodium: float, dialysis: bool = False
) -> dict[str, Any]:
    """MELD-Na score (UNOS 2016) for end-stage liver disease, 6-40: higher means higher 90-day mortality."""
    check("inr", inr, 0.5, 10)
    inputs = {
        "creatinine": mg("creatinine", creatinine, 0.1, 25),
        "bilirubin": mg("bilirubin", bilirubin, 0.1, 80),
        "inr": inr,
        "sodium": mg("sodium", sodium, 90, 200, "mmol/L"),
        "dialysis_twice": dialysis,
        "cvvhd": dialysis,
    }
    return {"meld_na": calc("meldna", "compute_meldna_explanation", inputs)}


@tool(
    "medicine.medcalc.child_pugh",
    "P",
    params={
        "bilirubin": "Total bilirubin in mg/dL, e.g. 2.8.",
        "albumin": ALB,
        "inr": "INR, e.g. 1.5.",
        "ascites": "Ascites: Absent, Slight or Moderate.",
        "encephalopathy": "Hepatic encephalopathy: 'No Encephalopathy', 'Grade 1-2' or 'Grade 3-4'.",
    },
    examples=[
        {"bilirubin": 2.8, "albumin": 2.1, "inr": 1.5, "ascites": "Absent", "encephalopathy": "Grade 1-2"}
    ],
    bad_examples=[
        {"bilirubin": 2.8, "albumin": 2.1, "inr": 50.0, "ascites": "Absent", "encephalopathy": "Grade 1-2"}
    ],
    accepts={"bilirubin": "number", "albumin": "number", "inr": "number"},
    produces={"score": "number", "class": "word"},
    **COMMON,
)
def child_pugh(
    bilirubin: float,
    albumin: float,
    inr: float,
    ascites: Literal["Absent", "Slight", "Moderate"],
    encephalopathy: Literal["No Encephalopathy", "Grade 1-2", "Grade 3-4"],
) -> dict[str, Any]:
    """Child-Pugh score (5-15) of cirrhosis severity and its class A (5-6), B (7-9) or C (10-15)."""
    check("inr", inr, 0.5, 10)
    inputs = {
        "bilirubin": mg("bilirubin", bilirubin, 0.1, 80),
        "albumin": mg("albumin", albumin, 0.5, 7, "g/dL"),
        "inr": inr,
        "ascites": ascites,
        "encephalopathy": encephalopathy,
    }
    score = calc("child_pugh_score", "compute_child_pugh_score_explanation", inputs)
    return {"score": score, "class": "A" if score <= 6 else "B" if score <= 9 else "C"}
