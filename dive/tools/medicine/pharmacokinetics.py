"""Pharmacokinetic and dosing arithmetic (one-compartment, first-order kinetics).

Formulas follow standard references (Rowland & Tozer, Clinical Pharmacokinetics; Winter, Basic
Clinical Pharmacokinetics): k = ln(C1/C2)/Δt, t½ = ln 2 / k, Css,avg = F·Dose/(CL·τ),
loading dose = Css·Vd/F, accumulation R = 1/(1 − e^(−kτ)).
"""

from __future__ import annotations

import math
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.medicine._common import PLAIN_PYTHON as COMMON
from dive.tools.medicine._common import in_range


@tool(
    "medicine.pk.elimination_from_levels",
    "P",
    params={
        "c1": "First drug concentration, e.g. 20 (any unit).",
        "c2": "Later concentration, same unit, e.g. 10.",
        "hours_between": "Hours between the two samples, e.g. 6.",
    },
    examples=[{"c1": 20, "c2": 10, "hours_between": 6}],
    bad_examples=[{"c1": 10, "c2": 20, "hours_between": 6}],
    accepts={"c1": "number", "c2": "number"},
    produces={"half_life_h": "number", "k_per_h": "number"},
    **COMMON,
)
def elimination_from_levels(c1: float, c2: float, hours_between: float) -> dict[str, Any]:
    """Elimination rate constant k (1/h) and half-life (h) from two concentrations on the declining
    phase: k = ln(c1/c2)/Δt, t½ = 0.693/k; also the time to ~97% of steady state (5 half-lives)."""
    if not (c1 > c2 > 0 and hours_between > 0):
        raise ToolError("need c1 > c2 > 0 (a falling level) and hours_between > 0")
    k = math.log(c1 / c2) / hours_between
    t_half = math.log(2) / k
    return {
        "k_per_h": round(k, 5),
        "half_life_h": round(t_half, 3),
        "time_to_steady_state_h": round(5 * t_half, 2),
    }


@tool(
    "medicine.pk.concentration_after",
    "P",
    params={
        "c0": "Starting concentration, e.g. 40 (any unit).",
        "half_life_h": "Half-life in hours, e.g. 8.",
        "hours": "Time elapsed in hours, e.g. 24.",
    },
    examples=[{"c0": 40, "half_life_h": 8, "hours": 24}],
    bad_examples=[{"c0": 40, "half_life_h": 0, "hours": 24}],
    accepts={"half_life_h": "number"},
    produces={"concentration": "number"},
    **COMMON,
)
def concentration_after(c0: float, half_life_h: float, hours: float) -> dict[str, Any]:
    """Concentration remaining after first-order elimination: C = C0 × 0.5^(t/t½), and the fraction left."""
    if c0 <= 0 or half_life_h <= 0 or hours < 0:
        raise ToolError("need c0 > 0, half_life_h > 0 and hours >= 0")
    frac = 0.5 ** (hours / half_life_h)
    return {
        "concentration": round(c0 * frac, 4),
        "fraction_remaining": round(frac, 5),
        "half_lives_elapsed": round(hours / half_life_h, 3),
    }


@tool(
    "medicine.pk.steady_state_concentration",
    "P",
    params={
        "dose_mg": "Dose per interval in mg, e.g. 500.",
        "interval_h": "Dosing interval in hours, e.g. 12.",
        "clearance_l_per_h": "Clearance in L/h, e.g. 5.",
        "bioavailability": "Fraction absorbed F, 0-1, e.g. 1.",
    },
    examples=[{"dose_mg": 500, "interval_h": 12, "clearance_l_per_h": 5}],
    bad_examples=[{"dose_mg": 500, "interval_h": 12, "clearance_l_per_h": 5, "bioavailability": 1.5}],
    accepts={"dose_mg": "number"},
    produces={"css_avg_mg_per_l": "number"},
    **COMMON,
)
def steady_state_concentration(
    dose_mg: float, interval_h: float, clearance_l_per_h: float, bioavailability: float = 1.0
) -> dict[str, Any]:
    """Average steady-state concentration (mg/L) of a repeated regimen: F × Dose / (CL × τ)."""
    in_range("bioavailability", bioavailability, 0.01, 1)
    if dose_mg <= 0 or interval_h <= 0 or clearance_l_per_h <= 0:
        raise ToolError("dose_mg, interval_h and clearance_l_per_h must be positive")
    return {"css_avg_mg_per_l": round(bioavailability * dose_mg / (clearance_l_per_h * interval_h), 4)}


@tool(
    "medicine.pk.loading_dose",
    "P",
    params={
        "target_mg_per_l": "Target concentration in mg/L, e.g. 15.",
        "volume_l_per_kg": "Volume of distribution in L/kg, e.g. 0.7.",
        "weight_kg": "Body weight in kg, e.g. 70.",
        "bioavailability": "Fraction absorbed F, 0-1, e.g. 1.",
        "current_mg_per_l": "Current level, mg/L, e.g. 0.",
    },
    examples=[{"target_mg_per_l": 15, "volume_l_per_kg": 0.7, "weight_kg": 70}],
    bad_examples=[{"target_mg_per_l": 15, "volume_l_per_kg": 0.7, "weight_kg": -70}],
    accepts={"weight_kg": "number"},
    produces={"loading_dose_mg": "number"},
    **COMMON,
)
def loading_dose(
    target_mg_per_l: float,
    volume_l_per_kg: float,
    weight_kg: float,
    bioavailability: float = 1.0,
    current_mg_per_l: float = 0.0,
) -> dict[str, Any]:
    """Loading dose in mg to reach a target concentration: (Ctarget − Ccurrent) × Vd × weight / F."""
    in_range("weight_kg", weight_kg, 0.5, 400, "kg")
    in_range("bioavailability", bioavailability, 0.01, 1)
    if target_mg_per_l <= current_mg_per_l or volume_l_per_kg <= 0:
        raise ToolError("target must exceed the current level and volume_l_per_kg must be positive")
    vd = volume_l_per_kg * weight_kg
    return {
        "loading_dose_mg": round((target_mg_per_l - current_mg_per_l) * vd / bioavailability, 2),
        "volume_of_distribution_l": round(vd, 2),
    }


@tool(
    "medicine.pk.maintenance_dose",
    "P",
    params={
        "target_mg_per_l": "Target average concentration in mg/L, e.g. 10.",
        "clearance_l_per_h": "Clearance in L/h, e.g. 4.",
        "interval_h": "Dosing interval in hours, e.g. 8.",
        "bioavailability": "Fraction absorbed F, 0-1, e.g. 0.9.",
    },
    examples=[{"target_mg_per_l": 10, "clearance_l_per_h": 4, "interval_h": 8, "bioavailability": 0.9}],
    bad_examples=[{"target_mg_per_l": 10, "clearance_l_per_h": 4, "interval_h": 0}],
    produces={"dose_mg": "number"},
    **COMMON,
)
def maintenance_dose(
    target_mg_per_l: float, clearance_l_per_h: float, interval_h: float, bioavailability: float = 1.0
) -> dict[str, Any]:
    """Maintenance dose in mg per interval for a target average level: Css × CL × τ / F, and per day."""
    in_range("bioavailability", bioavailability, 0.01, 1)
    if target_mg_per_l <= 0 or clearance_l_per_h <= 0 or interval_h <= 0:
        raise ToolError("target_mg_per_l, clearance_l_per_h and interval_h must be positive")
    dose = target_mg_per_l * clearance_l_per_h * interval_h / bioavailability
    return {"dose_mg": round(dose, 2), "daily_dose_mg": round(dose * 24 / interval_h, 2)}


@tool(
    "medicine.pk.accumulation_factor",
    "P",
    params={
        "half_life_h": "Elimination half-life in hours, e.g. 12.",
        "interval_h": "Dosing interval, h, e.g. 8.",
    },
    examples=[{"half_life_h": 12, "interval_h": 8}],
    bad_examples=[{"half_life_h": -1, "interval_h": 8}],
    accepts={"half_life_h": "number"},
    produces={"accumulation_factor": "number"},
    **COMMON,
)
def accumulation_factor(half_life_h: float, interval_h: float) -> dict[str, Any]:
    """Accumulation ratio at steady state for repeated dosing, R = 1 / (1 − e^(−kτ)) with k = ln2/t½:
    how many times the first-dose peak the steady-state peak is."""
    if half_life_h <= 0 or interval_h <= 0:
        raise ToolError("half_life_h and interval_h must be positive")
    k = math.log(2) / half_life_h
    return {"accumulation_factor": round(1 / (1 - math.exp(-k * interval_h)), 4), "k_per_h": round(k, 5)}


@tool(
    "medicine.pk.weight_based_dose",
    "P",
    params={
        "dose_per_kg": "Dose in mg/kg, e.g. 15.",
        "weight_kg": "Body weight in kg, e.g. 20.",
        "max_dose": "Optional ceiling in mg, e.g. 1000.",
        "concentration_mg_per_ml": "Optional "
        "formulation strength in mg/mL to give a volume, e.g. 32 (160 mg/5 mL).",
    },
    examples=[{"dose_per_kg": 15, "weight_kg": 20, "concentration_mg_per_ml": 32}],
    bad_examples=[{"dose_per_kg": 15, "weight_kg": 0}],
    accepts={"weight_kg": "number"},
    produces={"dose_mg": "number", "volume_ml": "number"},
    **COMMON,
)
def weight_based_dose(
    dose_per_kg: float,
    weight_kg: float,
    max_dose: float | None = None,
    concentration_mg_per_ml: float | None = None,
) -> dict[str, Any]:
    """Weight-based dose in mg (mg/kg × kg, capped at max_dose) and, given a strength, the volume in mL."""
    in_range("weight_kg", weight_kg, 0.3, 400, "kg")
    in_range("dose_per_kg", dose_per_kg, 0.0001, 1000, "mg/kg")
    dose = dose_per_kg * weight_kg
    capped = max_dose is not None and dose > max_dose
    dose = min(dose, max_dose) if max_dose is not None else dose
    out: dict[str, Any] = {"dose_mg": round(dose, 3), "capped_at_max": capped}
    if concentration_mg_per_ml:
        out["volume_ml"] = round(dose / concentration_mg_per_ml, 3)
    return out


@tool(
    "medicine.pk.bsa_based_dose",
    "P",
    params={"dose_per_m2": "Dose in mg/m², e.g. 75.", "bsa_m2": "Body surface area in m², e.g. 1.8."},
    examples=[{"dose_per_m2": 75, "bsa_m2": 1.8}],
    bad_examples=[{"dose_per_m2": 75, "bsa_m2": 9}],
    accepts={"bsa_m2": "number"},
    produces={"dose_mg": "number"},
    **COMMON,
)
def bsa_based_dose(dose_per_m2: float, bsa_m2: float) -> dict[str, Any]:
    """Body-surface-area based dose (e.g. chemotherapy) in mg: mg/m² × BSA."""
    in_range("bsa_m2", bsa_m2, 0.1, 3.5, "m²")
    in_range("dose_per_m2", dose_per_m2, 0.001, 50000, "mg/m²")
    return {"dose_mg": round(dose_per_m2 * bsa_m2, 3)}


@tool(
    "medicine.pk.infusion_rate",
    "P",
    params={
        "dose_mcg_per_kg_min": "Ordered dose in µg/kg/min, e.g. 5.",
        "weight_kg": "Body weight in kg, e.g. 80.",
        "drug_mg": "Drug amount in the bag in mg, e.g. 400.",
        "volume_ml": "Bag volume in mL, e.g. 250.",
    },
    examples=[{"dose_mcg_per_kg_min": 5, "weight_kg": 80, "drug_mg": 400, "volume_ml": 250}],
    bad_examples=[{"dose_mcg_per_kg_min": 5, "weight_kg": 80, "drug_mg": 0, "volume_ml": 250}],
    accepts={"weight_kg": "number"},
    produces={"rate_ml_per_h": "number"},
    **COMMON,
)
def infusion_rate(
    dose_mcg_per_kg_min: float, weight_kg: float, drug_mg: float, volume_ml: float
) -> dict[str, Any]:
    """Pump rate in mL/h for a weight-based continuous infusion: dose × weight × 60 / concentration."""
    in_range("weight_kg", weight_kg, 0.3, 400, "kg")
    if drug_mg <= 0 or volume_ml <= 0 or dose_mcg_per_kg_min <= 0:
        raise ToolError("dose, drug_mg and volume_ml must be positive")
    conc = drug_mg * 1000 / volume_ml
    return {
        "rate_ml_per_h": round(dose_mcg_per_kg_min * weight_kg * 60 / conc, 3),
        "concentration_mcg_per_ml": round(conc, 3),
    }


@tool(
    "medicine.pk.drip_rate",
    "P",
    params={
        "volume_ml": "Volume to infuse in mL, e.g. 1000.",
        "minutes": "Infusion time in minutes, e.g. 480.",
        "drop_factor": "Giving-set drops per mL: 10, 15, 20 or 60 (micro-drip).",
    },
    examples=[{"volume_ml": 1000, "minutes": 480, "drop_factor": 20}],
    bad_examples=[{"volume_ml": 1000, "minutes": 0, "drop_factor": 20}],
    produces={"drops_per_min": "number"},
    **COMMON,
)
def drip_rate(volume_ml: float, minutes: float, drop_factor: int) -> dict[str, Any]:
    """Gravity drip rate in drops/min (volume × drop factor / minutes) and the equivalent mL/h."""
    if volume_ml <= 0 or minutes <= 0 or drop_factor not in (10, 15, 20, 60):
        raise ToolError("need volume_ml > 0, minutes > 0 and drop_factor in 10, 15, 20, 60")
    return {
        "drops_per_min": round(volume_ml * drop_factor / minutes, 2),
        "ml_per_h": round(volume_ml * 60 / minutes, 2),
    }
