"""Body-size, haemodynamic, ECG, obstetric-date and drug-equivalence calculators from ``medcalc-bench``."""

from __future__ import annotations

from typing import Any, Literal

from dive.tools.base import ToolError, tool
from dive.tools.medicine._medcalc import (
    COMMON,
    DBP,
    HEIGHT,
    HR,
    SBP,
    SEX,
    WEIGHT,
    calc,
    check,
    iso_date,
    sex_word,
    us_date,
)


def wh(weight: float, height: float) -> dict[str, Any]:
    check("weight", weight, 0.5, 400, "kg")
    check("height", height, 30, 250, "cm")
    return {"weight": (weight, "kg"), "height": (height, "cm")}


@tool(
    "medicine.medcalc.bmi",
    "P",
    params={"weight": WEIGHT, "height": HEIGHT},
    examples=[{"weight": 70, "height": 175}],
    bad_examples=[{"weight": 70, "height": 5}],
    accepts={"weight": "number", "height": "number"},
    produces={"bmi": "number"},
    **COMMON,
)
def bmi(weight: float, height: float) -> dict[str, Any]:
    """Body mass index in kg/m² (weight / height²) with the WHO adult category."""
    value = calc("bmi_calculator", "bmi_calculator_explanation", wh(weight, height))
    cat = (
        "underweight" if value < 18.5 else "normal" if value < 25 else "overweight" if value < 30 else "obese"
    )
    return {"bmi": value, "unit": "kg/m²", "who_category": cat}


@tool(
    "medicine.medcalc.body_surface_area",
    "P",
    params={"weight": WEIGHT, "height": HEIGHT},
    examples=[{"weight": 70, "height": 175}],
    bad_examples=[{"weight": 1000, "height": 175}],
    accepts={"weight": "number", "height": "number"},
    produces={"bsa": "number"},
    **COMMON,
)
def body_surface_area(weight: float, height: float) -> dict[str, Any]:
    """Body surface area in m² by the Mosteller formula, sqrt(height cm × weight kg / 3600)."""
    return {
        "bsa": calc("bsa_calculator", "bsa_calculator_explaination", wh(weight, height)),
        "unit": "m²",
        "formula": "Mosteller",
    }


@tool(
    "medicine.medcalc.ideal_body_weight",
    "P",
    params={"height": HEIGHT, "sex": SEX},
    examples=[{"height": 180, "sex": "male"}],
    bad_examples=[{"height": 10, "sex": "male"}],
    accepts={"height": "number"},
    produces={"ideal_body_weight": "number"},
    **COMMON,
)
def ideal_body_weight(height: float, sex: Literal["male", "female"]) -> dict[str, Any]:
    """Ideal body weight in kg by the Devine formula (50 kg men / 45.5 kg women + 2.3 kg per inch
    over 5 feet)."""
    check("height", height, 100, 250, "cm")
    ibw = calc("ideal_body_weight", "ibw_explanation", {"height": (height, "cm"), "sex": sex_word(sex)})
    return {"ideal_body_weight": ibw, "unit": "kg", "formula": "Devine"}


@tool(
    "medicine.medcalc.adjusted_body_weight",
    "P",
    params={"weight": WEIGHT, "height": HEIGHT, "sex": SEX},
    examples=[{"weight": 120, "height": 170, "sex": "female"}],
    bad_examples=[{"weight": 120, "height": 1700, "sex": "female"}],
    accepts={"weight": "number", "height": "number"},
    produces={"adjusted_body_weight": "number"},
    **COMMON,
)
def adjusted_body_weight(weight: float, height: float, sex: Literal["male", "female"]) -> dict[str, Any]:
    """Adjusted body weight in kg for dosing in obesity: IBW + 0.4 × (actual weight − IBW)."""
    inputs = {**wh(weight, height), "sex": sex_word(sex)}
    return {"adjusted_body_weight": calc("adjusted_body_weight", "abw_explanation", inputs), "unit": "kg"}


@tool(
    "medicine.medcalc.maintenance_fluids",
    "P",
    params={"weight": WEIGHT},
    examples=[{"weight": 25}],
    bad_examples=[{"weight": -3}],
    accepts={"weight": "number"},
    produces={"rate_ml_per_hour": "number"},
    **COMMON,
)
def maintenance_fluids(weight: float) -> dict[str, Any]:
    """Maintenance IV fluid rate in mL/h by the Holliday-Segar 4-2-1 rule, and the 24-hour volume."""
    check("weight", weight, 0.5, 400, "kg")
    rate = calc("maintenance_fluid_calc", "maintenance_fluid_explanation", {"weight": (weight, "kg")})
    return {"rate_ml_per_hour": rate, "ml_per_day": round(rate * 24, 1)}


@tool(
    "medicine.medcalc.mean_arterial_pressure",
    "P",
    params={"systolic": SBP, "diastolic": DBP},
    examples=[{"systolic": 120, "diastolic": 80}],
    bad_examples=[{"systolic": 60, "diastolic": 90}],
    accepts={"systolic": "number", "diastolic": "number"},
    produces={"map": "number"},
    **COMMON,
)
def mean_arterial_pressure(systolic: float, diastolic: float) -> dict[str, Any]:
    """Mean arterial pressure in mm Hg: (2 × diastolic + systolic) / 3."""
    check("systolic", systolic, 40, 300, "mm Hg")
    if not 10 <= diastolic < systolic:
        raise ToolError(f"diastolic must be at least 10 and below systolic ({systolic}), got {diastolic}")
    inputs = {"sys_bp": (systolic, "mm hg"), "dia_bp": (diastolic, "mm hg")}
    return {
        "map": calc("mean_arterial_pressure", "mean_arterial_pressure_explanation", inputs),
        "unit": "mm Hg",
    }


QTC = {
    "bazett": ("qt_calculator_bazett", "bazett_calculator_explanation"),
    "fridericia": ("qt_calculator_fredericia", "fredericia_calculator_explanation"),
    "framingham": ("qt_calculator_framingham", "framingham_calculator_explanation"),
    "hodges": ("qt_calculator_hodges", "hodges_calculator_explanation"),
    "rautaharju": ("qt_calculator_rautaharju", "rautaharju_calculator_explanation"),
}


@tool(
    "medicine.medcalc.qtc",
    "P",
    params={
        "qt_interval": "Measured QT interval in ms, e.g. 400.",
        "heart_rate": HR,
        "formula": "Correction formula: bazett, fridericia, framingham, hodges or rautaharju.",
    },
    examples=[
        {"qt_interval": 400, "heart_rate": 90},
        {"qt_interval": 400, "heart_rate": 90, "formula": "fridericia"},
    ],
    bad_examples=[{"qt_interval": 5000, "heart_rate": 90}],
    accepts={"qt_interval": "number", "heart_rate": "number"},
    produces={"qtc": "number"},
    **COMMON,
)
def qtc(
    qt_interval: float,
    heart_rate: float,
    formula: Literal["bazett", "fridericia", "framingham", "hodges", "rautaharju"] = "bazett",
) -> dict[str, Any]:
    """Heart-rate-corrected QT interval (QTc) in ms by the chosen formula, and whether it exceeds
    the usual 450 ms (men) / 470 ms (women) thresholds."""
    check("qt_interval", qt_interval, 150, 800, "ms")
    check("heart_rate", heart_rate, 20, 300, "bpm")
    mod, fn = QTC[formula]
    value = calc(
        mod, fn, {"heart_rate": (heart_rate, "beats per minute"), "qt_interval": (qt_interval, "msec")}
    )
    return {
        "qtc": value,
        "unit": "ms",
        "formula": formula,
        "prolonged_male": value > 450,
        "prolonged_female": value > 470,
    }


DATE = "Date of the first day of the last menstrual period, ISO 'YYYY-MM-DD', e.g. '2024-01-15'."
CYCLE = "Menstrual cycle length in days, 20-45, e.g. 28."


def cycle_inputs(lmp: str, cycle_length: int) -> dict[str, Any]:
    check("cycle_length", cycle_length, 20, 45, "days")
    return {"menstrual_date": us_date(lmp, "last_menstrual_period"), "cycle_length": cycle_length}


@tool(
    "medicine.medcalc.due_date",
    "P",
    params={"last_menstrual_period": DATE, "cycle_length": CYCLE},
    examples=[{"last_menstrual_period": "2024-01-15", "cycle_length": 28}],
    bad_examples=[
        {"last_menstrual_period": "2024-13-45", "cycle_length": 28},
        {"last_menstrual_period": "2024-01-15", "cycle_length": 90},
    ],
    accepts={"last_menstrual_period": "date"},
    produces={"due_date": "date"},
    **COMMON,
)
def due_date(last_menstrual_period: str, cycle_length: int = 28) -> dict[str, Any]:
    """Estimated due date (ISO date) by Naegele's rule: LMP + 280 days, shifted by (cycle length − 28)."""
    ans = calc(
        "estimated_due_date", "add_40_weeks_explanation", cycle_inputs(last_menstrual_period, cycle_length)
    )
    return {"due_date": iso_date(ans)}


@tool(
    "medicine.medcalc.conception_date",
    "P",
    params={"last_menstrual_period": DATE, "cycle_length": CYCLE},
    examples=[{"last_menstrual_period": "2024-01-15", "cycle_length": 28}],
    bad_examples=[{"last_menstrual_period": "15/01/2024", "cycle_length": 28}],
    accepts={"last_menstrual_period": "date"},
    produces={"conception_date": "date"},
    **COMMON,
)
def conception_date(last_menstrual_period: str, cycle_length: int = 28) -> dict[str, Any]:
    """Estimated date of conception (ISO date): LMP + 14 days, shifted by (cycle length − 28)."""
    ans = calc(
        "conception_date", "add_2_weeks_explanation", cycle_inputs(last_menstrual_period, cycle_length)
    )
    return {"conception_date": iso_date(ans)}


@tool(
    "medicine.medcalc.gestational_age",
    "P",
    params={"last_menstrual_period": DATE, "current_date": "Date of assessment, ISO, e.g. '2024-06-01'."},
    examples=[{"last_menstrual_period": "2024-01-15", "current_date": "2024-06-01"}],
    bad_examples=[{"last_menstrual_period": "2024-06-01", "current_date": "2024-01-15"}],
    accepts={"last_menstrual_period": "date", "current_date": "date"},
    produces={"weeks": "number", "days": "number"},
    **COMMON,
)
def gestational_age(last_menstrual_period: str, current_date: str) -> dict[str, Any]:
    """Gestational age from the last menstrual period to a date, as completed weeks and days."""
    lmp, cur = us_date(last_menstrual_period, "last_menstrual_period"), us_date(current_date, "current_date")
    if current_date <= last_menstrual_period:
        raise ToolError("current_date must be after last_menstrual_period")
    weeks, days = calc(
        "gestational_age", "compute_gestational_age_explanation", {"current_date": cur, "menstrual_date": lmp}
    )
    # The package answers ('19 weeks', '5 days'); keep the numbers.
    return {"weeks": int(str(weeks).split()[0]), "days": int(str(days).split()[0])}


STEROIDS = [
    "Betamethasone IV",
    "Cortisone PO",
    "Dexamethasone IV",
    "Dexamethasone PO",
    "Hydrocortisone IV",
    "Hydrocortisone PO",
    "MethylPrednisoLONE IV",
    "MethylPrednisoLONE PO",
    "PrednisoLONE PO",
    "PredniSONE PO",
    "Triamcinolone IV",
]
SteroidName = Literal[
    "Betamethasone IV",
    "Cortisone PO",
    "Dexamethasone IV",
    "Dexamethasone PO",
    "Hydrocortisone IV",
    "Hydrocortisone PO",
    "MethylPrednisoLONE IV",
    "MethylPrednisoLONE PO",
    "PrednisoLONE PO",
    "PredniSONE PO",
    "Triamcinolone IV",
]


@tool(
    "medicine.medcalc.steroid_conversion",
    "P",
    params={
        "steroid": "Corticosteroid and route given, e.g. 'PredniSONE PO'.",
        "dose": "Dose of that steroid in mg, e.g. 40.",
        "target": "Steroid and route to convert to, e.g. 'Dexamethasone IV'.",
    },
    examples=[{"steroid": "PredniSONE PO", "dose": 40, "target": "Dexamethasone IV"}],
    bad_examples=[{"steroid": "PredniSONE PO", "dose": -5, "target": "Dexamethasone IV"}],
    accepts={"dose": "number"},
    produces={"equivalent_dose": "number"},
    **COMMON,
)
def steroid_conversion(steroid: SteroidName, dose: float, target: SteroidName) -> dict[str, Any]:
    """Equivalent dose in mg of another corticosteroid (glucocorticoid potency table: e.g. 5 mg
    prednisone = 0.75 mg dexamethasone = 20 mg hydrocortisone)."""
    check("dose", dose, 0.01, 5000, "mg")
    ans = calc(
        "steroid_conversion",
        "compute_steroid_conversion_explanation",
        {"input steroid": [steroid, dose, "mg"], "target steroid": target},
    )
    return {"from": steroid, "dose_mg": dose, "to": target, "equivalent_dose": ans, "unit": "mg"}


OPIOIDS = Literal[
    "Codeine",
    "FentaNYL buccal",
    "FentANYL patch",
    "HYDROcodone",
    "HYDROmorphone",
    "Methadone",
    "Morphine",
    "OxyCODONE",
    "OxyMORphone",
    "Tapentadol",
    "TraMADol",
    "Buprenorphine",
]


@tool(
    "medicine.medcalc.morphine_milligram_equivalents",
    "P",
    params={
        "opioid": "Opioid, e.g. 'OxyCODONE' (names as in the CDC table).",
        "dose": "Dose per administration (mg; µg for fentanyl buccal, µg/h for patches), e.g. 10.",
        "doses_per_day": "Administrations per day, e.g. 3.",
    },
    examples=[{"opioid": "OxyCODONE", "dose": 10, "doses_per_day": 3}],
    bad_examples=[{"opioid": "OxyCODONE", "dose": 10, "doses_per_day": 0}],
    accepts={"dose": "number"},
    produces={"mme_per_day": "number"},
    **COMMON,
)
def morphine_milligram_equivalents(opioid: OPIOIDS, dose: float, doses_per_day: int) -> dict[str, Any]:
    """Total daily morphine milligram equivalents (MME/day) of an opioid regimen: dose × doses per
    day × the CDC conversion factor."""
    check("dose", dose, 0.01, 10000)
    check("doses_per_day", doses_per_day, 1, 24)
    unit = "µg" if opioid.startswith("FentaNYL buccal") else "mg"
    ans = calc(
        "mme",
        "mme_explanation",
        {f"{opioid} Dose": (dose, unit), f"{opioid} Dose Per Day": (doses_per_day, "per day")},
    )
    return {"opioid": opioid, "mme_per_day": ans}
