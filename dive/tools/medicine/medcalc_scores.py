"""Clinical risk scores (cardiology, thrombosis, infection, neurology, comorbidity) from ``medcalc-bench``."""

from __future__ import annotations

from typing import Any, Literal

from dive.tools.base import ToolError, tool
from dive.tools.medicine._medcalc import (
    AGE,
    BUN,
    COMMON,
    HR,
    SBP,
    SEX,
    calc,
    check,
    sex_word,
)

YES = "true if present"


def age_t(age: float) -> tuple[float, str]:
    check("age", age, 0, 120, "years")
    return (age, "years")


@tool(
    "medicine.medcalc.cha2ds2_vasc",
    "P",
    params={
        "age": AGE,
        "sex": SEX,
        "chf": "Congestive heart failure history; " + YES,
        "hypertension": "Hypertension history; " + YES,
        "stroke_tia": "Prior stroke, TIA or thromboembolism.",
        "vascular_disease": "Prior MI, peripheral artery disease or aortic plaque.",
        "diabetes": "Diabetes mellitus; " + YES,
    },
    examples=[{"age": 78, "sex": "female", "hypertension": True, "diabetes": True}],
    bad_examples=[{"age": -4, "sex": "female"}],
    accepts={"age": "number"},
    produces={"score": "number"},
    **COMMON,
)
def cha2ds2_vasc(
    age: float,
    sex: Literal["male", "female"],
    chf: bool = False,
    hypertension: bool = False,
    stroke_tia: bool = False,
    vascular_disease: bool = False,
    diabetes: bool = False,
) -> dict[str, Any]:
    """CHA2DS2-VASc stroke-risk score (0-9) for atrial fibrillation."""
    inputs = {
        "age": age_t(age),
        "sex": sex_word(sex),
        "chf": chf,
        "hypertension": hypertension,
        "stroke": stroke_tia,
        "tia": stroke_tia,
        "thromboembolism": stroke_tia,
        "vascular_disease": vascular_disease,
        "diabetes": diabetes,
    }
    return {"score": calc("cha2ds2_vasc_score", "generate_cha2ds2_vasc_explanation", inputs)}


@tool(
    "medicine.medcalc.has_bled",
    "P",
    params={
        "age": AGE,
        "hypertension": "Uncontrolled hypertension (>160 mm Hg systolic).",
        "renal_disease": "Dialysis, transplant or Cr > 2.26 mg/dL.",
        "liver_disease": "Cirrhosis or major LFT rise.",
        "stroke": "Stroke history.",
        "prior_bleeding": "Prior major bleeding or predisposition.",
        "labile_inr": "Labile INR (time in range < 60%).",
        "bleeding_medication": "Antiplatelets or NSAIDs.",
        "alcohol_drinks_per_week": "Drinks per week, e.g. 4.",
    },
    examples=[{"age": 70, "hypertension": True, "bleeding_medication": True, "alcohol_drinks_per_week": 10}],
    bad_examples=[{"age": 70, "alcohol_drinks_per_week": -1}],
    accepts={"age": "number"},
    produces={"score": "number"},
    **COMMON,
)
def has_bled(
    age: float,
    hypertension: bool = False,
    renal_disease: bool = False,
    liver_disease: bool = False,
    stroke: bool = False,
    prior_bleeding: bool = False,
    labile_inr: bool = False,
    bleeding_medication: bool = False,
    alcohol_drinks_per_week: int = 0,
) -> dict[str, Any]:
    """HAS-BLED major-bleeding risk score (0-9) for anticoagulated atrial-fibrillation patients;
    3 or more means high risk."""
    check("alcohol_drinks_per_week", alcohol_drinks_per_week, 0, 200)
    inputs = {
        "age": age_t(age),
        "hypertension": hypertension,
        "renal_disease_has_bled": renal_disease,
        "liver_disease_has_bled": liver_disease,
        "stroke": stroke,
        "prior_bleeding": prior_bleeding,
        "labile_inr": labile_inr,
        "medications_for_bleeding": bleeding_medication,
        "alcoholic_drinks": alcohol_drinks_per_week,
    }
    score = calc("has_bled_score", "compute_has_bled_score_explanation", inputs)
    return {"score": score, "high_risk": score >= 3}


@tool(
    "medicine.medcalc.heart_score",
    "P",
    params={
        "age": AGE,
        "history": "Anginal history suspicion: 'Slightly suspicious', 'Moderately suspicious' or "
        "'Highly suspicious'.",
        "ecg": "'Normal', 'Non-specific repolarization disturbance' or 'Significant ST deviation'.",
        "troponin": "Initial troponin: 'normal', 'one_to_three_times' or 'above_three_times' the "
        "upper limit.",
        "risk_factors": "Number of risk factors (hypertension, hypercholesterolaemia, diabetes, "
        "obesity, smoking, family history), 0-6.",
        "atherosclerotic_disease": "Known atherosclerotic disease.",
    },
    examples=[
        {
            "age": 57,
            "history": "Moderately suspicious",
            "ecg": "Normal",
            "troponin": "normal",
            "risk_factors": 2,
        }
    ],
    bad_examples=[
        {
            "age": 57,
            "history": "Moderately suspicious",
            "ecg": "Normal",
            "troponin": "normal",
            "risk_factors": 9,
        }
    ],
    accepts={"age": "number"},
    produces={"score": "number"},
    **COMMON,
)
def heart_score(
    age: float,
    history: Literal["Slightly suspicious", "Moderately suspicious", "Highly suspicious"],
    ecg: Literal["Normal", "Non-specific repolarization disturbance", "Significant ST deviation"],
    troponin: Literal["normal", "one_to_three_times", "above_three_times"],
    risk_factors: int,
    atherosclerotic_disease: bool = False,
) -> dict[str, Any]:
    """HEART score (0-10) for major adverse cardiac events in chest pain: 0-3 low, 4-6 moderate, 7-10 high."""
    check("risk_factors", risk_factors, 0, 6)
    names = [
        "hypertension",
        "hypercholesterolemia",
        "diabetes_mellitus",
        "obesity",
        "smoking",
        "family_with_cvd",
    ]
    flags = {n: i < risk_factors for i, n in enumerate(names)}
    trop = {
        "normal": "less than or equal to normal limit",
        "one_to_three_times": "between the normal limit or up to three times the normal limit",
        "above_three_times": "greater than three times normal limit",
    }[troponin]
    inputs = {
        "age": age_t(age),
        "history": history,
        "electrocardiogram": ecg,
        "initial_troponin": trop,
        "atherosclerotic_disease": atherosclerotic_disease,
        **flags,
        "risk_factors": {n for n, v in flags.items() if v},
    }
    score = calc("heart_score", "compute_heart_score_explanation", inputs)
    return {"score": score, "risk": "low" if score <= 3 else "moderate" if score <= 6 else "high"}


@tool(
    "medicine.medcalc.curb65",
    "P",
    params={
        "age": AGE,
        "confusion": "New confusion.",
        "bun": BUN,
        "respiratory_rate": "Breaths per minute, e.g. 20.",
        "systolic": SBP,
        "diastolic": "Diastolic blood pressure in mm Hg, e.g. 70.",
    },
    examples=[
        {"age": 72, "confusion": True, "bun": 25, "respiratory_rate": 32, "systolic": 85, "diastolic": 50}
    ],
    bad_examples=[
        {"age": 72, "confusion": True, "bun": 25, "respiratory_rate": 500, "systolic": 85, "diastolic": 50}
    ],
    accepts={"age": "number", "bun": "number"},
    produces={"score": "number"},
    **COMMON,
)
def curb65(
    age: float, confusion: bool, bun: float, respiratory_rate: float, systolic: float, diastolic: float
) -> dict[str, Any]:
    """CURB-65 pneumonia severity score (0-5): confusion, urea > 19 mg/dL, RR >= 30, low BP, age >= 65."""
    check("respiratory_rate", respiratory_rate, 0, 80)
    check("bun", bun, 1, 300, "mg/dL")
    inputs = {
        "age": age_t(age),
        "confusion": confusion,
        "bun": (bun, "mg/dL"),
        "respiratory_rate": (respiratory_rate, "breaths per minute"),
        "sys_bp": (systolic, "mm hg"),
        "dia_bp": (diastolic, "mm hg"),
    }
    score = calc("curb_65", "curb_65_explanation", inputs)
    return {
        "score": score,
        "suggested_care": "outpatient" if score <= 1 else "hospital" if score == 2 else "ICU/urgent",
    }


@tool(
    "medicine.medcalc.centor",
    "P",
    params={
        "age": AGE,
        "temperature": "Temperature in °C, e.g. 38.5.",
        "tonsillar_exudate": "Tonsillar exudate or swelling.",
        "tender_nodes": "Tender/swollen anterior cervical nodes.",
        "cough_absent": "No cough.",
    },
    examples=[
        {
            "age": 10,
            "temperature": 38.6,
            "tonsillar_exudate": True,
            "tender_nodes": True,
            "cough_absent": True,
        }
    ],
    bad_examples=[{"age": 10, "temperature": 60.0}],
    accepts={"age": "number", "temperature": "number"},
    produces={"score": "number"},
    **COMMON,
)
def centor(
    age: float,
    temperature: float,
    tonsillar_exudate: bool = False,
    tender_nodes: bool = False,
    cough_absent: bool = False,
) -> dict[str, Any]:
    """Modified Centor (McIsaac) score for streptococcal pharyngitis, -1 to 5 (age-adjusted)."""
    check("temperature", temperature, 30, 45, "°C")
    inputs = {
        "age": age_t(age),
        "temperature": (temperature, "degrees celsius"),
        "exudate_swelling_tonsils": tonsillar_exudate,
        "tender_lymph_nodes": tender_nodes,
        "cough_absent": cough_absent,
    }
    return {"score": calc("centor_score", "compute_centor_score_explanation", inputs)}


@tool(
    "medicine.medcalc.feverpain",
    "P",
    params={
        "fever_24h": "Fever in past 24 h.",
        "purulence": "Purulent tonsils.",
        "early_attendance": "Attended within 3 days of onset.",
        "severe_inflammation": "Severely inflamed tonsils.",
        "no_cough_coryza": "No cough or coryza.",
    },
    examples=[{"fever_24h": True, "purulence": True, "early_attendance": True}],
    bad_examples=[{"fever_24h": "yes"}],
    produces={"score": "number"},
    **COMMON,
)
def feverpain(
    fever_24h: bool = False,
    purulence: bool = False,
    early_attendance: bool = False,
    severe_inflammation: bool = False,
    no_cough_coryza: bool = False,
) -> dict[str, Any]:
    """FeverPAIN score (0-5) for streptococcal sore throat; 4-5 suggests antibiotics may help."""
    inputs = {
        "fever_24_hours": fever_24h,
        "purulent_tonsils": purulence,
        "symptom_onset": early_attendance,
        "severe_tonsil_inflammation": severe_inflammation,
        "cough_coryza_absent": no_cough_coryza,
    }
    return {"score": calc("feverpain", "compute_fever_pain_explanation", inputs)}


DVT = [
    "active_cancer",
    "bedridden_for_atleast_3_days",
    "major_surgery_in_last_12_weeks",
    "calf_swelling_3cm",
    "collateral_superficial_veins",
    "leg_swollen",
    "localized_tenderness_on_deep_venuous_system",
    "pitting_edema_on_symptomatic_leg",
    "paralysis_paresis_immobilization_in_lower_extreme",
    "previous_dvt",
    "alternative_to_dvt_diagnosis",
]


@tool(
    "medicine.medcalc.wells_dvt",
    "P",
    params={"criteria": "Criteria present, any of: " + ", ".join(DVT) + "."},
    examples=[{"criteria": ["active_cancer", "calf_swelling_3cm", "previous_dvt"]}],
    bad_examples=[{"criteria": ["broken_leg"]}],
    produces={"score": "number"},
    **COMMON,
)
def wells_dvt(criteria: list[str]) -> dict[str, Any]:
    """Wells score for deep-vein thrombosis (-2 to 9; 'alternative_to_dvt_diagnosis' subtracts 2)
    and the two-level risk (DVT likely if >= 2)."""
    bad = sorted(set(criteria) - set(DVT))
    if bad:
        raise ToolError(f"unknown criteria {bad}; valid: {DVT}")
    score = calc(
        "wells_criteria_dvt", "compute_wells_criteria_dvt_explanation", {c: c in criteria for c in DVT}
    )
    return {"score": score, "dvt_likely": score >= 2}


@tool(
    "medicine.medcalc.wells_pe",
    "P",
    params={
        "heart_rate": HR,
        "clinical_dvt": "Clinical signs of DVT.",
        "pe_most_likely": "PE is the most likely diagnosis.",
        "immobilization_or_surgery": "Immobilised >= 3 days or surgery in past 4 weeks.",
        "previous_vte": "Previous DVT or PE.",
        "hemoptysis": "Haemoptysis.",
        "malignancy": "Cancer treated within 6 months or palliative.",
    },
    examples=[{"heart_rate": 110, "clinical_dvt": True, "pe_most_likely": True}],
    bad_examples=[{"heart_rate": 900}],
    accepts={"heart_rate": "number"},
    produces={"score": "number"},
    **COMMON,
)
def wells_pe(
    heart_rate: float,
    clinical_dvt: bool = False,
    pe_most_likely: bool = False,
    immobilization_or_surgery: bool = False,
    previous_vte: bool = False,
    hemoptysis: bool = False,
    malignancy: bool = False,
) -> dict[str, Any]:
    """Wells score for pulmonary embolism (0-12.5) and the two-level risk (PE likely if > 4)."""
    check("heart_rate", heart_rate, 20, 300, "bpm")
    inputs = {
        "heart_rate": (heart_rate, "beats per minute"),
        "clinical_dvt": clinical_dvt,
        "pe_number_one": pe_most_likely,
        "immobilization_for_3days": immobilization_or_surgery,
        "surgery_in_past4weeks": immobilization_or_surgery,
        "previous_pe": previous_vte,
        "previous_dvt": previous_vte,
        "hemoptysis": hemoptysis,
        "malignancy_with_treatment": malignancy,
    }
    score = calc("wells_criteria_pe", "calculate_pe_wells_explanation", inputs)
    return {"score": score, "pe_likely": score > 4}


@tool(
    "medicine.medcalc.perc_rule",
    "P",
    params={
        "age": AGE,
        "heart_rate": HR,
        "oxygen_saturation": "SpO2 in %, e.g. 97.",
        "leg_swelling": "Unilateral leg swelling.",
        "hemoptysis": "Haemoptysis.",
        "recent_surgery_trauma": "Surgery or trauma within 4 weeks.",
        "prior_vte": "Prior DVT or PE.",
        "hormone_use": "Oral contraceptives or hormone therapy.",
    },
    examples=[{"age": 35, "heart_rate": 88, "oxygen_saturation": 98}],
    bad_examples=[{"age": 35, "heart_rate": 88, "oxygen_saturation": 130}],
    accepts={"age": "number", "heart_rate": "number"},
    produces={"criteria_met": "number"},
    **COMMON,
)
def perc_rule(
    age: float,
    heart_rate: float,
    oxygen_saturation: float,
    leg_swelling: bool = False,
    hemoptysis: bool = False,
    recent_surgery_trauma: bool = False,
    prior_vte: bool = False,
    hormone_use: bool = False,
) -> dict[str, Any]:
    """PERC rule for pulmonary embolism: number of the 8 criteria met; 0 rules out PE in low-risk patients."""
    check("oxygen_saturation", oxygen_saturation, 40, 100, "%")
    check("heart_rate", heart_rate, 20, 300, "bpm")
    inputs = {
        "age": age_t(age),
        "heart_rate": (heart_rate, "beats per minute"),
        "oxygen_sat": (oxygen_saturation, "%"),
        "unilateral_leg_swelling": leg_swelling,
        "hemoptysis": hemoptysis,
        "recent_surgery_or_trauma": recent_surgery_trauma,
        "previous_pe": prior_vte,
        "previous_dvt": prior_vte,
        "hormonal_use": hormone_use,
    }
    n = calc("perc_rule", "compute_perc_rule_explanation", inputs)
    return {"criteria_met": n, "pe_ruled_out": n == 0}


@tool(
    "medicine.medcalc.glasgow_coma_scale",
    "P",
    params={
        "eye": "Best eye response, e.g. 'eye opening to pain'.",
        "verbal": "Best verbal response, e.g. 'confused'.",
        "motor": "Best motor response, e.g. 'localizes pain'.",
    },
    examples=[{"eye": "eye opening to pain", "verbal": "oriented", "motor": "localizes pain"}],
    bad_examples=[{"eye": "blinking", "verbal": "oriented", "motor": "localizes pain"}],
    produces={"score": "number"},
    **COMMON,
)
def glasgow_coma_scale(
    eye: Literal[
        "eyes open spontaneously", "eye opening to verbal command", "eye opening to pain", "no eye opening"
    ],
    verbal: Literal[
        "oriented", "confused", "inappropriate words", "incomprehensible sounds", "no verbal response"
    ],
    motor: Literal[
        "obeys commands",
        "localizes pain",
        "withdrawal from pain",
        "flexion to pain",
        "extension to pain",
        "no motor response",
    ],
) -> dict[str, Any]:
    """Glasgow Coma Scale total (3-15) from eye, verbal and motor responses; <= 8 means severe."""
    inputs = {"best_eye_response": eye, "best_verbal_response": verbal, "best_motor_response": motor}
    score = calc("glasgow_coma_score", "compute_glasgow_coma_score_explanation", inputs)
    return {"score": score, "severity": "severe" if score <= 8 else "moderate" if score <= 12 else "mild"}
