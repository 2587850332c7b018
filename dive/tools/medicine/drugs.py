"""Drug dictionary tools over ``drug-named-entity-recognition`` (20,070 drugs, 107,360 name variants).

The dictionary maps names (generic, brand, synonyms) to canonical drugs carrying DrugBank, MeSH and
MedlinePlus identifiers, MeSH tree numbers and, for about a third, SMILES/formula/mass.
"""

from __future__ import annotations

import bz2
import functools
import importlib.util
import pickle
import re
from pathlib import Path
from types import ModuleType
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.medicine._common import capped, close

PKG = "drug-named-entity-recognition"
DATASET = "Drug NER dictionary (DrugBank open vocabulary, MeSH, MedlinePlus, NHS, Wikipedia)"
REQ = ["drug_named_entity_recognition"]

# Top-level MeSH "Chemicals and Drugs" [D] branches, to name a tree number's category.
MESH_D_BRANCHES = {
    "D01": "Inorganic Chemicals",
    "D02": "Organic Chemicals",
    "D03": "Heterocyclic Compounds",
    "D04": "Polycyclic Compounds",
    "D05": "Macromolecular Substances",
    "D06": "Hormones, Hormone Substitutes, and Hormone Antagonists",
    "D08": "Enzymes and Coenzymes",
    "D09": "Carbohydrates",
    "D10": "Lipids",
    "D12": "Amino Acids, Peptides, and Proteins",
    "D13": "Nucleic Acids, Nucleotides, and Nucleosides",
    "D20": "Complex Mixtures",
    "D23": "Biological Factors",
    "D25": "Biomedical and Dental Materials",
    "D26": "Pharmaceutical Preparations",
    "D27": "Chemical Actions and Uses",
}


@functools.cache
def data() -> dict[str, Any]:
    """The package's pickled dictionary, read directly: importing its finder module also sets up
    on-line helpers (OMOP, PubChem) that these tools never use."""
    spec = importlib.util.find_spec("drug_named_entity_recognition")
    if spec is None or spec.origin is None:
        raise ToolError("drug-named-entity-recognition is not installed")
    path = Path(spec.origin).parent / "drug_ner_dictionary.pkl.bz2"
    with bz2.open(path, "rb") as f:
        return pickle.load(f)


@functools.cache
def canon() -> dict[str, dict[str, Any]]:
    return data()["drug_canonical_to_data"]


@functools.cache
def variants_of() -> dict[str, list[str]]:
    """Canonical name -> every name variant that resolves to it."""
    out: dict[str, list[str]] = {}
    for variant, canonicals in data()["drug_variant_to_canonical"].items():
        for c in canonicals:
            out.setdefault(c, []).append(variant)
    return out


@functools.cache
def finder() -> ModuleType:
    """The package's matcher module (tokens -> drug matches), imported on first use."""
    from drug_named_entity_recognition import drugs_finder

    return drugs_finder


def resolve(name: str) -> str:
    """Canonical key of a drug given its generic name or any variant (brand, synonym), else ToolError."""
    key = name.strip().lower()
    if key in canon():
        return key
    hits = data()["drug_variant_to_canonical"].get(key)
    if hits:
        return hits[0]
    raise ToolError(
        f"unknown drug {name!r}"
        + (
            f"; close matches: {close(key, canon())}"
            if close(key, canon())
            else "; give a generic name such as 'metformin'"
        )
    )


def record(key: str) -> dict[str, Any]:
    return canon()[key]


def display(key: str) -> str:
    return record(key).get("name") or key


DRUG_PARAM = "Drug generic name (or a brand name / synonym), e.g. 'metformin'."
BAD_DRUG = [{"drug": "notadrugatall"}]


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
    "medicine.drugs.structure",
    "R",
    params={"drug": DRUG_PARAM},
    examples=[{"drug": "aspirin"}, {"drug": "metformin"}],
    bad_examples=BAD_DRUG,
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"drug": "drug"},
    produces={"smiles": "smiles", "formula": "formula", "monoisotopic_mass": "number"},
)
def structure(drug: str) -> dict[str, Any]:
    """Chemical structure of a drug (as marketed, salts included): SMILES, molecular formula,
    monoisotopic mass (Da) and average molecular weight (g/mol) computed from the formula."""
    key = resolve(drug)
    r = record(key)
    if not r.get("smiles"):
        raise ToolError(
            f"no structure is recorded for {display(key)!r} (only ~6,800 small molecules have one)"
        )
    from drug_named_entity_recognition.molecular_properties import calculate_molecular_weight

    try:
        mw = calculate_molecular_weight(r["formula"])
    except Exception:  # a formula with an element the package's weight table lacks
        mw = None
    return {
        "name": display(key),
        "smiles": r["smiles"],
        "formula": r["formula"],
        "monoisotopic_mass": round(r["mass_lower"], 4),
        "molecular_weight": mw,
    }


@tool(
    "medicine.drugs.mesh_tree",
    "R",
    params={"drug": DRUG_PARAM},
    examples=[{"drug": "atorvastatin"}, {"drug": "insulin"}],
    bad_examples=BAD_DRUG,
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"drug": "drug"},
    produces={"tree_numbers": "mesh_tree_number", "mesh_id": "mesh_id"},
)
def mesh_tree(drug: str) -> dict[str, Any]:
    """MeSH tree numbers of a drug (its places in the MeSH chemical hierarchy) with the top-level
    MeSH [D] branch each one falls in."""
    key = resolve(drug)
    r = record(key)
    trees = r.get("mesh_tree") or []
    if not trees:
        raise ToolError(f"{display(key)!r} has no MeSH tree numbers in the dictionary")
    return {
        "name": display(key),
        "mesh_id": r.get("mesh_id"),
        "tree_numbers": trees,
        "branches": [
            {"tree_number": t, "branch": t[:3], "branch_name": MESH_D_BRANCHES.get(t[:3])} for t in trees
        ],
    }


@functools.cache
def tree_index() -> tuple[tuple[str, str], ...]:
    return tuple(sorted((t, k) for k, r in canon().items() for t in r.get("mesh_tree") or []))


@tool(
    "medicine.drugs.mesh_branch",
    "R",
    params={"tree_number": "MeSH tree number prefix, e.g. 'D02.078.370' (guanidines) or 'D03.383'."},
    examples=[{"tree_number": "D02.078.370"}, {"tree_number": "D03.383.129.578"}],
    bad_examples=[{"tree_number": "D99.999"}, {"tree_number": "banana"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"tree_number": "mesh_tree_number"},
    produces={"drugs": "drug", "total": "number"},
)
def mesh_branch(tree_number: str) -> dict[str, Any]:
    """Drugs filed under a MeSH tree number or any of its descendants: first 20 names (with the tree
    number where each sits) and the total count."""
    prefix = tree_number.strip().upper()
    if not re.fullmatch(r"D\d{2}(\.\d{3})*", prefix):
        raise ToolError(f"tree number {tree_number!r} must look like 'D02.078.370' (MeSH [D] branch)")
    hits = [(t, k) for t, k in tree_index() if t == prefix or t.startswith(prefix + ".")]
    if not hits:
        raise ToolError(
            f"no drug is filed under MeSH tree number {prefix}; use medicine.drugs.mesh_tree to find one"
        )
    names = list(dict.fromkeys(display(k) for _, k in hits))
    return {
        "tree_number": prefix,
        "branch_name": MESH_D_BRANCHES.get(prefix[:3]),
        "drugs": capped(names),
        "placements": [{"drug": display(k), "tree_number": t} for t, k in hits[:20]],
        "total": len(names),
    }


@tool(
    "medicine.drugs.mesh_siblings",
    "R",
    params={"drug": DRUG_PARAM},
    examples=[{"drug": "atorvastatin"}, {"drug": "metformin"}],
    bad_examples=BAD_DRUG,
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"drug": "drug"},
    produces={"siblings": "drug"},
)
def mesh_siblings(drug: str) -> dict[str, Any]:
    """Drugs sharing a MeSH parent node with the given drug (chemically or functionally related
    compounds), first 20 with the shared parent tree number, and the total."""
    key = resolve(drug)
    trees = record(key).get("mesh_tree") or []
    if not trees:
        raise ToolError(f"{display(key)!r} has no MeSH tree numbers, so no siblings can be found")
    parents = {t.rsplit(".", 1)[0] for t in trees if "." in t}
    sib: dict[str, str] = {}
    for t, k in tree_index():
        if k != key and "." in t and t.rsplit(".", 1)[0] in parents:
            sib.setdefault(display(k), t.rsplit(".", 1)[0])
    names = sorted(sib)
    return {
        "name": display(key),
        "parents": sorted(parents),
        "siblings": capped(names),
        "details": [{"drug": n, "shared_parent": sib[n]} for n in names[:20]],
        "total": len(names),
    }


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
    "medicine.drugs.by_formula",
    "R",
    params={"formula": "Molecular formula in Hill order as stored, e.g. 'C8H9NO2' (acetaminophen)."},
    examples=[{"formula": "C8H9NO2"}, {"formula": "C4H12ClN5"}],
    bad_examples=[{"formula": "C999H2"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"formula": "formula"},
    produces={"drugs": "drug"},
)
def by_formula(formula: str) -> dict[str, Any]:
    """Drugs whose recorded molecular formula equals the given one (isomers share a formula)."""
    f = formula.strip()
    hits = sorted(display(k) for k, r in canon().items() if r.get("formula") == f)
    if not hits:
        raise ToolError(f"no drug has formula {f!r}; formulas are case-sensitive, e.g. 'C8H9NO2'")
    return {"formula": f, "drugs": capped(hits), "total": len(hits)}


@tool(
    "medicine.drugs.by_identifier",
    "R",
    params={
        "identifier": "A DrugBank ID ('DB00331'), MeSH ID ('D007004') or MedlinePlus ID ('a696005')."
    },
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
    "medicine.drugs.by_mass",
    "R",
    params={
        "min_mass": "Lower bound of monoisotopic mass in daltons, e.g. 150.",
        "max_mass": "Upper bound in daltons (at most 50 Da above min_mass), e.g. 152.",
    },
    examples=[{"min_mass": 150.0, "max_mass": 152.0}],
    bad_examples=[{"min_mass": 300.0, "max_mass": 100.0}, {"min_mass": 100.0, "max_mass": 900.0}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    produces={"drugs": "drug", "total": "number"},
)
def by_mass(min_mass: float, max_mass: float) -> dict[str, Any]:
    """Drugs whose monoisotopic mass (Da) lies in a window, lightest first: first 20 with masses and
    formulas, and the total."""
    if not 0 <= min_mass <= max_mass or max_mass - min_mass > 50:
        raise ToolError("need 0 <= min_mass <= max_mass and a window of at most 50 Da")
    hits = sorted(
        (r["mass_lower"], display(k), r["formula"])
        for k, r in canon().items()
        if r.get("mass_lower") is not None and min_mass <= r["mass_lower"] <= max_mass
    )
    if not hits:
        raise ToolError(f"no drug has a monoisotopic mass between {min_mass} and {max_mass} Da")
    return {
        "drugs": [h[1] for h in hits[:20]],
        "details": [{"drug": n, "monoisotopic_mass": round(m, 4), "formula": f} for m, n, f in hits[:20]],
        "total": len(hits),
    }


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
