"""Drug chemistry tools over ``drug-named-entity-recognition``: recorded structure (SMILES, formula,
mass), lookups by formula or mass window, and the drug's place in the MeSH [D] chemical hierarchy."""

from __future__ import annotations

import functools
import re
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.medicine._common import capped
from dive.tools.medicine._drugs import (
    BAD_DRUG,
    DATASET,
    DRUG_PARAM,
    PKG,
    REQ,
    canon,
    display,
    record,
    resolve,
)

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
