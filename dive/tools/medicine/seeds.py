"""Seed entities of the medicine domain, all read from the shipped data the tools use."""

from __future__ import annotations

from dive.pools.seeds import seed_source


@seed_source("medicine", "drug")
def drug_seeds() -> list[str]:
    """Canonical drug names that carry a DrugBank or MeSH identifier (about 13k)."""
    from dive.tools.medicine.drugs import canon

    return sorted(
        {r["name"] for r in canon().values() if r.get("name") and (r.get("drugbank_id") or r.get("mesh_id"))}
    )


@seed_source("medicine", "icd10cm_code")
def icd10cm_seeds() -> list[str]:
    """ICD-10-CM categories and 4-character subcategories (e.g. 'E11', 'E11.9')."""
    from dive.tools.medicine.icd10cm import all_codes

    return [c for c in all_codes() if not c.isdigit() and "-" not in c and len(c.replace(".", "")) <= 4]


@seed_source("medicine", "disease")
def disease_seeds() -> list[str]:
    """Titles of ICD-10-CM categories (three-character codes), e.g. 'Type 2 diabetes mellitus'."""
    from dive.tools.medicine.icd10cm import all_codes, icd

    return sorted(
        {icd().get_description(c) for c in all_codes() if len(c) == 3 and "-" not in c and not c.isdigit()}
    )


@seed_source("medicine", "icd9cm_code")
def icd9cm_seeds() -> list[str]:
    """ICD-9-CM diagnosis codes in dotted form (e.g. '428.0')."""
    from dive.tools.medicine.icd9cm import dotted, table

    return sorted(dotted(k) for k in table() if k != "n/a")


@seed_source("medicine", "elixhauser_category")
def elixhauser_seeds() -> list[str]:
    """The AHRQ Elixhauser comorbidity category abbreviations (e.g. 'HF')."""
    from dive.tools.medicine.elixhauser import mapper

    return sorted(mapper().comorbidity_cols)
