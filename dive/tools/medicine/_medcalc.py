"""Calling convention of ``medcalc-bench`` calculators: each takes a dict of (value, unit) tuples and
returns {'Explanation': str, 'Answer': value}. Tools take plain numbers in fixed units instead."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from dive.tools.base import ToolError

PKG = "medcalc-bench"
DATASET = "MedCalc-Bench calculator implementations (NCBI / CAMEL-AI)"
REQ = ["medcalc"]
COMMON = {"package": PKG, "dataset": DATASET, "requires": REQ}  # @tool(..., **COMMON)


def calc(module: str, function: str, inputs: dict[str, Any]) -> Any:
    """The 'Answer' of medcalc.<module>.<function>(inputs)."""
    mod = importlib.import_module(f"medcalc.{module}")
    result = getattr(mod, function)(inputs)
    return result["Answer"]


def check(name: str, value: float, low: float, high: float, unit: str = "") -> None:
    """A ToolError when a clinical input is outside its plausible range."""
    if not low <= value <= high:
        raise ToolError(f"{name} must be between {low} and {high} {unit}".rstrip() + f", got {value}")


def sex_word(sex: str) -> str:
    return "Female" if sex == "female" else "Male"


def us_date(iso: str, name: str) -> str:
    """ISO 'YYYY-MM-DD' -> the package's 'MM/DD/YYYY', with a ToolError for bad dates."""
    try:
        return dt.date.fromisoformat(iso).strftime("%m/%d/%Y")
    except ValueError:
        raise ToolError(f"{name} must be an ISO date 'YYYY-MM-DD', got {iso!r}") from None


def iso_date(text: Any) -> str:
    """The package's date answers ('MM/DD/YYYY' strings or tuples) as ISO dates."""
    if isinstance(text, tuple | list):
        text = text[0]
    return dt.datetime.strptime(str(text), "%m/%d/%Y").date().isoformat()


def mg(name: str, value: float, low: float, high: float, unit: str = "mg/dL") -> tuple[float, str]:
    check(name, value, low, high, unit)
    return (value, unit)


def age_t(age: float) -> tuple[float, str]:
    check("age", age, 0, 120, "years")
    return (age, "years")


AGE = "Age in years, e.g. 65."
SEX = "Patient sex: 'male' or 'female'."
WEIGHT = "Body weight in kg, e.g. 70."
HEIGHT = "Height in cm, e.g. 175."
CREAT = "Serum creatinine in mg/dL, e.g. 1.1."
NA = "Serum sodium in mmol/L, e.g. 140."
CL = "Serum chloride in mmol/L, e.g. 104."
HCO3 = "Serum bicarbonate in mmol/L, e.g. 24."
ALB = "Serum albumin in g/dL, e.g. 4.0."
BUN = "Blood urea nitrogen in mg/dL, e.g. 14."
GLU = "Blood glucose in mg/dL, e.g. 100."
HR = "Heart rate in beats per minute, e.g. 80."
SBP = "Systolic blood pressure in mm Hg, e.g. 120."
DBP = "Diastolic blood pressure in mm Hg, e.g. 80."
