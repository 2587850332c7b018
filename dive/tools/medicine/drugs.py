"""Drug dictionary tools over ``drug-named-entity-recognition`` (20,070 drugs, 107,360 name variants).

The dictionary maps names (generic, brand, synonyms) to canonical drugs carrying DrugBank, MeSH and
MedlinePlus identifiers, MeSH tree numbers and, for about a third, SMILES/formula/mass. This module
holds the name and identifier tools; structure, formula, mass and MeSH tools live in drugs_chemistry.
"""

from __future__ import annotations

import re
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.medicine._common import capped, close
from dive.tools.medicine._drugs import (
    BAD_DRUG,
    DATASET,
    DRUG_PARAM,
    PKG,
    REQ,
    canon,
    data,
    display,
    finder,
    record,
    resolve,
    variants_of,
)


@tool(
    "medicine.drugs.identifiers",
    "R",
    params={"drug": DRUG_PARAM},
    examples=[{"drug": "metformin"}, {"drug": "Lipitor"}],
    bad_examples=BAD_DRUG,
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"drug": "drug"},
    produces={
        "name": "drug",
        "drugbank_id": "drugbank_id",
        "mesh_id": "mesh_id",
        "medlineplus_id": "medlineplus_id",
    },
)
def identifiers(drug: str) -> dict[str, Any]:
    """Database identifiers of a drug: canonical name, DrugBank ID, MeSH descriptor ID, MedlinePlus
    drug-information ID and Wikipedia URL (null where the source has none)."""
    key = resolve(drug)
    r = record(key)
    return {
        "query": drug,
        "name": display(key),
        "drugbank_id": r.get("drugbank_id"),
        "mesh_id": r.get("mesh_id"),
        "medlineplus_id": r.get("medline_plus_id"),
        "wikipedia_url": r.get("wikipedia_url"),
    }


@tool(
    "medicine.drugs.synonyms",
    "R",
    params={"drug": DRUG_PARAM},
    examples=[{"drug": "atorvastatin"}, {"drug": "ibuprofen"}],
    bad_examples=BAD_DRUG,
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"drug": "drug"},
    produces={"brand_names": "drug", "synonyms": "drug"},
)
def synonyms(drug: str) -> dict[str, Any]:
    """Names that refer to a drug: brand names (flagged as brands in the dictionary) and other
    synonyms, first 20 of each, with totals."""
    key = resolve(drug)
    vdata = data()["drug_variant_to_variant_data"]
    names = sorted(set(variants_of().get(key, [])) - {key})
    brands = [n for n in names if vdata.get(n, {}).get("is_brand")]
    others = [n for n in names if n not in brands]
    return {
        "name": display(key),
        "brand_names": capped(brands),
        "synonyms": capped(others),
        "n_brand_names": len(brands),
        "n_synonyms": len(others),
    }


@tool(
    "medicine.drugs.resolve_name",
    "R",
    params={"name": "Any drug name: brand, synonym or generic, e.g. 'Glucophage' or 'Tylenol'."},
    examples=[{"name": "Glucophage"}, {"name": "Tylenol"}],
    bad_examples=[{"name": "Zzyzxon"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"name": "drug"},
    produces={"generic": "drug"},
)
def resolve_name(name: str) -> dict[str, Any]:
    """The canonical (generic) drug or drugs a name refers to, and whether the name is a brand name."""
    key = name.strip().lower()
    hits = data()["drug_variant_to_canonical"].get(key)
    if not hits:
        raise resolve_error(name)
    is_brand = bool(data()["drug_variant_to_variant_data"].get(key, {}).get("is_brand"))
    return {
        "query": name,
        "generic": display(hits[0]),
        "all_generics": [display(h) for h in hits],
        "is_brand": is_brand,
    }


def resolve_error(name: str) -> ToolError:
    hints = close(name.strip().lower(), data()["drug_variant_to_canonical"])
    return ToolError(f"unknown drug name {name!r}" + (f"; close matches: {hints}" if hints else ""))


@tool(
    "medicine.drugs.search",
    "R",
    params={"text": "Part of a drug name to look for, e.g. 'statin' or 'mab'."},
    examples=[{"text": "statin"}, {"text": "cillin"}],
    bad_examples=[{"text": "qqqxq"}, {"text": "a"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"text": "word"},
    produces={"drugs": "drug", "total": "number"},
)
def search(text: str) -> dict[str, Any]:
    """Canonical drug names containing a substring (e.g. the '-statin' class stem): first 20 in
    alphabetical order and the total count."""
    q = text.strip().lower()
    if len(q) < 3:
        raise ToolError("text must have at least 3 characters, e.g. 'statin'")
    hits = sorted(display(k) for k in canon() if q in k)
    if not hits:
        raise ToolError(f"no drug name contains {q!r}")
    return {"query": q, "drugs": capped(hits), "total": len(hits)}


@tool(
    "medicine.drugs.by_identifier",
    "R",
    params={"identifier": "A DrugBank ID ('DB00331'), MeSH ID ('D007004') or MedlinePlus ID ('a696005')."},
    examples=[{"identifier": "DB00331"}, {"identifier": "D019161"}],
    bad_examples=[{"identifier": "DB99999"}, {"identifier": "xyz"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"identifier": "drugbank_id"},
    produces={"name": "drug"},
)
def by_identifier(identifier: str) -> dict[str, Any]:
    """The drug that a DrugBank, MeSH or MedlinePlus identifier denotes, with which database it is from."""
    ident = identifier.strip()
    fields = {"drugbank_id": "DrugBank", "mesh_id": "MeSH", "medline_plus_id": "MedlinePlus"}
    for k, r in canon().items():
        for field, db in fields.items():
            if r.get(field) == ident:
                return {"identifier": ident, "database": db, "name": display(k)}
    raise ToolError(f"no drug has identifier {ident!r}; expected e.g. 'DB00331', 'D007004' or 'a696005'")


@tool(
    "medicine.drugs.spelling_suggestion",
    "R",
    params={"name": "A possibly misspelled drug name, e.g. 'amlodipin'."},
    examples=[{"name": "amlodipin"}, {"name": "lisinoprill"}],
    bad_examples=[{"name": "qwzkvbn"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"name": "word"},
    produces={"suggestion": "drug", "generic": "drug"},
)
def spelling_suggestion(name: str) -> dict[str, Any]:
    """The dictionary name closest to a misspelled drug name (character-trigram Jaccard similarity,
    the package's fuzzy matcher) and the generic drug it resolves to."""
    variant, score = finder().get_fuzzy_match(name.strip().lower())
    if variant is None:
        raise ToolError(f"no drug name is close enough to {name!r}")
    generic = data()["drug_variant_to_canonical"][variant][0]
    return {"query": name, "suggestion": variant, "similarity": round(score, 4), "generic": display(generic)}


@tool(
    "medicine.drugs.find_in_text",
    "P",
    params={"text": "Free text (a note, a prescription), e.g. 'Started metformin and Lipitor 20 mg daily.'"},
    examples=[{"text": "Patient on metformin 500 mg bid and Lipitor 20 mg; stopped aspirin."}],
    bad_examples=[{"text": ""}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"text": "topic"},
    produces={"drugs": "drug"},
)
def find_in_text(text: str) -> dict[str, Any]:
    """Drug mentions found in free text by the package's dictionary matcher: each with the matched
    words, token position, canonical name and DrugBank ID; ``drugs`` lists distinct canonical names."""
    if not text.strip():
        raise ToolError("text is empty; give a sentence mentioning drugs")
    tokens = re.findall(r"[\w\-]+", text)
    found = finder().find_drugs(tokens, is_fuzzy_match=False)
    mentions = [
        {
            "matched": m.get("matching_string"),
            "token_start": s,
            "name": m.get("name"),
            "drugbank_id": m.get("drugbank_id"),
        }
        for m, s, _ in found
    ]
    mentions.sort(key=lambda m: (m["token_start"], m["name"] or ""))
    return {
        "drugs": list(dict.fromkeys(m["name"] for m in mentions if m["name"])),
        "mentions": capped(mentions),
        "n_tokens": len(tokens),
    }
