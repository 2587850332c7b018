"""Medicine domain: real values from shipped data, seed count and usability, exemplar file."""

from __future__ import annotations

import pytest

from dive.tools.registry import load_tools
from tests.tools import pool_checks

TOOLS = load_tools(["medicine"])


def out(tool_id: str, **args: object) -> dict:
    result = TOOLS[tool_id](args)
    assert result.ok, result.error
    return result.output


def test_tool_counts() -> None:
    pool_checks.check_tool_counts(TOOLS, min_total=95, min_retrieval=38)


@pytest.mark.parametrize(
    ("tool_id", "args", "key", "expected"),
    [
        (
            "medicine.icd10cm.lookup",
            {"code": "E119"},
            "description",
            "Type 2 diabetes mellitus without complications",
        ),
        ("medicine.icd10cm.ancestors", {"code": "E11.9"}, "ancestors", ["E11", "E08-E13", "4"]),
        ("medicine.icd10cm.chapter", {"code": "I10"}, "chapter", 9),
        ("medicine.icd10cm.block", {"code": "E11.65"}, "block", "E08-E13"),
        ("medicine.icd10cm.common_ancestor", {"code_a": "E11.9", "code_b": "E10.9"}, "ancestor", "E08-E13"),
        (
            "medicine.icd10cm.apply_seventh_character",
            {"code": "T81.40", "character": "D"},
            "full_code",
            "T81.40XD",
        ),
        ("medicine.icd10cm.format_code", {"code": "s52521a"}, "dotted", "S52.521A"),
        ("medicine.icd10cm.code_also", {"code": "C25.0"}, "referenced_codes", ["K86.81"]),
        (
            "medicine.icd10cm.inclusion_terms",
            {"code": "A01.0"},
            "inclusion_terms",
            ["Infection due to Salmonella typhi"],
        ),
        ("medicine.icd9cm.lookup", {"code": "428.0"}, "description", "Congestive heart failure, unspecified"),
        (
            "medicine.icd9cm.ancestors",
            {"code": "410.01"},
            "ancestors",
            ["410.0", "410", "410-414", "390-459"],
        ),
        ("medicine.drugs.identifiers", {"drug": "metformin"}, "drugbank_id", "DB00331"),
        ("medicine.drugs.resolve_name", {"name": "Lipitor"}, "generic", "Atorvastatin"),
        ("medicine.drugs.by_identifier", {"identifier": "DB01076"}, "name", "Atorvastatin"),
        ("medicine.drugs.spelling_suggestion", {"name": "lisinoprill"}, "generic", "Lisinopril"),
        ("medicine.elixhauser.code_categories", {"code": "I50.9"}, "categories", ["HF"]),
        ("medicine.elixhauser.category_info", {"category": "CANCER_METS"}, "mortality_weight", 22),
        ("medicine.medcalc.bmi", {"weight": 70, "height": 175}, "bmi", 22.857),
        ("medicine.medcalc.ckd_epi_2021", {"age": 60, "sex": "female", "creatinine": 1.1}, "egfr", 57.525),
        (
            "medicine.medcalc.anion_gap",
            {"sodium": 140, "chloride": 104, "bicarbonate": 24},
            "anion_gap",
            12.0,
        ),
        ("medicine.medcalc.mean_arterial_pressure", {"systolic": 120, "diastolic": 80}, "map", 93.333),
        (
            "medicine.medcalc.steroid_conversion",
            {"steroid": "PredniSONE PO", "dose": 40, "target": "Dexamethasone IV"},
            "equivalent_dose",
            6.0,
        ),
        (
            "medicine.medcalc.morphine_milligram_equivalents",
            {"opioid": "OxyCODONE", "dose": 10, "doses_per_day": 3},
            "mme_per_day",
            45.0,
        ),
        (
            "medicine.medcalc.due_date",
            {"last_menstrual_period": "2024-01-15", "cycle_length": 28},
            "due_date",
            "2024-10-21",
        ),
        (
            "medicine.medcalc.cha2ds2_vasc",
            {"age": 78, "sex": "female", "hypertension": True, "diabetes": True},
            "score",
            5,
        ),
        (
            "medicine.medcalc.glasgow_coma_scale",
            {"eye": "eye opening to pain", "verbal": "oriented", "motor": "localizes pain"},
            "score",
            12,
        ),
        ("medicine.pk.elimination_from_levels", {"c1": 20, "c2": 10, "hours_between": 6}, "half_life_h", 6.0),
        ("medicine.labunits.hba1c", {"value": 7.0, "unit": "percent"}, "ifcc_mmol_mol", 53.0),
    ],
)
def test_known_values(tool_id: str, args: dict, key: str, expected: object) -> None:
    assert out(tool_id, **args)[key] == expected


def test_list_outputs() -> None:
    assert "E11.9" in out("medicine.icd10cm.children", code="E11")["children"]
    assert "J45.3" in out("medicine.icd10cm.search", text="asthma persistent")["codes"]
    assert "lipitor" in out("medicine.drugs.synonyms", drug="atorvastatin")["brand_names"]
    assert "Acetaminophen" in out("medicine.drugs.by_formula", formula="C8H9NO2")["drugs"]
    assert out("medicine.elixhauser.score", codes=["I50.9", "E11.22", "N18.4"])["score"] == 19


@pytest.fixture(scope="module")
def seeds() -> dict[str, list[str]]:
    return pool_checks.seeds_by_kind("medicine")


def test_seed_count(seeds: dict[str, list[str]]) -> None:
    pool_checks.check_seed_count(seeds, 5000)
    pool_checks.check_seed_kinds_accepted(TOOLS, seeds, 2)


def test_seeds_usable(seeds: dict[str, list[str]]) -> None:
    for kind, names in seeds.items():
        # tools that need nothing but the seed, called with the seed alone
        single = [
            (t, p)
            for t in TOOLS.values()
            for p, k in t.accepts.items()
            if k == kind and set(t.parameters["required"]) <= {p}
        ]
        pool_checks.check_seeds_usable(kind, names, single, args_for=pool_checks.bare_args)


def test_exemplars() -> None:
    pool_checks.check_exemplars("medicine", min_rows=65, min_tag_uses=2)
