"""Cheminformatics on SMILES with RDKit: descriptors, drug-likeness, identifiers, similarity, substructure."""

from __future__ import annotations

from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.biology._common import LIST_CAP, rnd

PKG = "rdkit"
ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"
CAFFEINE = "CN1C=NC2=C1C(=O)N(C(=O)N2C)C"
SMI = {"smiles": f"Molecule as a SMILES string, e.g. aspirin '{ASPIRIN}'."}
BAD = [{"smiles": "C1CC(("}, {"smiles": "not a smiles"}]


def _mol(smiles: str) -> Any:
    from rdkit import Chem, RDLogger

    RDLogger.DisableLog("rdApp.*")  # parse errors become ToolErrors, not stderr noise
    text = smiles.strip()
    mol = Chem.MolFromSmiles(text) if text and len(text) <= 2000 else None
    if mol is None:
        raise ToolError(f"invalid SMILES {smiles!r}; example: ethanol 'CCO', benzene 'c1ccccc1'")
    return mol


def _ktool(
    name: str,
    produces: dict[str, str],
    extra: dict[str, str] | None = None,
    examples: list[dict] | None = None,
    bad: list[dict] | None = None,
    accepts: dict | None = None,
) -> Any:
    return tool(
        f"biology.chem.{name}",
        "P",
        params={**SMI, **(extra or {})},
        examples=examples or [{"smiles": ASPIRIN}, {"smiles": CAFFEINE}],
        bad_examples=bad or BAD,
        package=PKG,
        accepts=accepts or {"smiles": "smiles"},
        produces=produces,
    )


@_ktool(
    "molecular_descriptors",
    {"molecular_weight": "number", "logp": "number", "tpsa": "number", "formula": "formula"},
)
def molecular_descriptors(smiles: str) -> dict:
    """Core descriptors of a molecule: formula, average and exact mass, Crippen logP and molar refractivity,
    TPSA (A^2), H-bond donors/acceptors, rotatable bonds, ring and aromatic ring counts, heavy atoms,
    fraction sp3 carbons and formal charge."""
    from rdkit import Chem
    from rdkit.Chem import Crippen, Descriptors, Lipinski, rdMolDescriptors

    m = _mol(smiles)
    return {
        "formula": rdMolDescriptors.CalcMolFormula(m),
        "molecular_weight": rnd(Descriptors.MolWt(m), 3),
        "exact_mass": rnd(Descriptors.ExactMolWt(m), 5),
        "logp": rnd(Crippen.MolLogP(m), 3),
        "molar_refractivity": rnd(Crippen.MolMR(m), 3),
        "tpsa": rnd(rdMolDescriptors.CalcTPSA(m), 2),
        "hbd": Lipinski.NumHDonors(m),
        "hba": Lipinski.NumHAcceptors(m),
        "rotatable_bonds": Lipinski.NumRotatableBonds(m),
        "rings": rdMolDescriptors.CalcNumRings(m),
        "aromatic_rings": rdMolDescriptors.CalcNumAromaticRings(m),
        "heavy_atoms": m.GetNumHeavyAtoms(),
        "fraction_csp3": rnd(rdMolDescriptors.CalcFractionCSP3(m), 4),
        "formal_charge": Chem.GetFormalCharge(m),
    }


@_ktool("lipinski_rule_of_five", {"violations": "number"})
def lipinski_rule_of_five(smiles: str) -> dict:
    """Lipinski rule-of-five check for oral drug-likeness: MW <= 500, logP <= 5, H-bond donors <= 5 and
    acceptors <= 10; values, which rules fail, the violation count and pass (<= 1 violation)."""
    from rdkit.Chem import Crippen, Descriptors, Lipinski

    m = _mol(smiles)
    values = {
        "molecular_weight": rnd(Descriptors.MolWt(m), 3),
        "logp": rnd(Crippen.MolLogP(m), 3),
        "hbd": Lipinski.NumHDonors(m),
        "hba": Lipinski.NumHAcceptors(m),
    }
    limits = {"molecular_weight": 500, "logp": 5, "hbd": 5, "hba": 10}
    failed = [k for k, lim in limits.items() if values[k] > lim]
    return {**values, "failed_rules": failed, "violations": len(failed), "passes": len(failed) <= 1}


@_ktool("qed_score", {"qed": "number"})
def qed_score(smiles: str) -> dict:
    """Quantitative estimate of drug-likeness (QED, Bickerton 2012; 0 = unlike, 1 = like approved oral drugs)
    and the eight properties it combines."""
    from rdkit.Chem import QED

    m = _mol(smiles)
    p = QED.properties(m)
    return {
        "qed": rnd(QED.qed(m), 4),
        "properties": {k: rnd(v, 3) if isinstance(v, float) else v for k, v in p._asdict().items()},
    }


@_ktool(
    "canonical_smiles",
    {"canonical_smiles": "smiles"},
    examples=[{"smiles": "OC(=O)c1ccccc1OC(C)=O"}, {"smiles": "C[C@H](N)C(=O)O"}],
)
def canonical_smiles(smiles: str) -> dict:
    """RDKit canonical SMILES (isomeric and non-isomeric) of a molecule, so different spellings of the same
    structure compare equal; also the count of fragments (components)."""
    from rdkit import Chem

    m = _mol(smiles)
    return {
        "canonical_smiles": Chem.MolToSmiles(m),
        "non_isomeric_smiles": Chem.MolToSmiles(m, isomericSmiles=False),
        "fragments": len(Chem.GetMolFrags(m)),
    }


@_ktool("inchi_key", {"inchikey": "inchikey", "inchi": "inchi"})
def inchi_key(smiles: str) -> dict:
    """Standard InChI and InChIKey of a molecule (IUPAC identifiers usable to search databases)."""
    from rdkit import Chem

    m = _mol(smiles)
    inchi = Chem.MolToInchi(m)
    if not inchi:
        raise ToolError("InChI generation failed for this structure")
    return {"inchi": inchi, "inchikey": Chem.InchiToInchiKey(inchi)}


@tool(
    "biology.chem.tanimoto_similarity",
    "P",
    params={
        "smiles_a": f"First molecule SMILES, e.g. '{ASPIRIN}'.",
        "smiles_b": "Second molecule SMILES, e.g. salicylic acid 'OC(=O)c1ccccc1O'.",
        "radius": "Morgan fingerprint radius (1-4), e.g. 2 (ECFP4-like).",
    },
    examples=[{"smiles_a": ASPIRIN, "smiles_b": "OC(=O)c1ccccc1O"}],
    bad_examples=[
        {"smiles_a": ASPIRIN, "smiles_b": "C1CC(("},
        {"smiles_a": "CCO", "smiles_b": "CCC", "radius": 9},
    ],
    package=PKG,
    accepts={"smiles_a": "smiles", "smiles_b": "smiles"},
    produces={"tanimoto": "number"},
)
def tanimoto_similarity(smiles_a: str, smiles_b: str, radius: int = 2) -> dict:
    """Tanimoto similarity (0-1) of two molecules from 2048-bit Morgan fingerprints, plus the Dice similarity
    and the on-bit counts."""
    from rdkit import DataStructs
    from rdkit.Chem import rdFingerprintGenerator

    if not 1 <= radius <= 4:
        raise ToolError("radius must be between 1 and 4")
    gen = rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=2048)
    fa, fb = gen.GetFingerprint(_mol(smiles_a)), gen.GetFingerprint(_mol(smiles_b))
    return {
        "tanimoto": rnd(DataStructs.TanimotoSimilarity(fa, fb), 4),
        "dice": rnd(DataStructs.DiceSimilarity(fa, fb), 4),
        "bits_a": fa.GetNumOnBits(),
        "bits_b": fb.GetNumOnBits(),
        "radius": radius,
    }


@_ktool(
    "substructure_search",
    {"match_count": "number"},
    {"smarts": "SMARTS pattern of the substructure, e.g. carboxylic acid 'C(=O)[OH]' or 'c1ccccc1'."},
    examples=[{"smiles": ASPIRIN, "smarts": "C(=O)[OH]"}],
    bad=[{"smiles": ASPIRIN, "smarts": "C(=O"}],
    accepts={"smiles": "smiles"},
)
def substructure_search(smiles: str, smarts: str) -> dict:
    """Whether a molecule contains a SMARTS substructure, how many times, and the matching atom indices
    (first 20 matches)."""
    from rdkit import Chem

    m = _mol(smiles)
    patt = Chem.MolFromSmarts(smarts.strip()) if smarts.strip() else None
    if patt is None:
        raise ToolError(f"invalid SMARTS {smarts!r}; example: 'C(=O)[OH]'")
    matches = m.GetSubstructMatches(patt)
    return {
        "contains": bool(matches),
        "match_count": len(matches),
        "matches": [list(x) for x in matches[:LIST_CAP]],
    }


@_ktool(
    "murcko_scaffold",
    {"scaffold_smiles": "smiles"},
    examples=[{"smiles": CAFFEINE}, {"smiles": "CC(C)Cc1ccc(cc1)C(C)C(=O)O"}],
)
def murcko_scaffold(smiles: str) -> dict:
    """Bemis-Murcko scaffold of a molecule (ring systems plus linkers) and its generic carbon-only framework;
    empty strings for acyclic molecules."""
    from rdkit import Chem
    from rdkit.Chem.Scaffolds import MurckoScaffold

    m = _mol(smiles)
    core = MurckoScaffold.GetScaffoldForMol(m)
    generic = MurckoScaffold.MakeScaffoldGeneric(core) if core.GetNumAtoms() else core
    return {
        "scaffold_smiles": Chem.MolToSmiles(core),
        "generic_scaffold": Chem.MolToSmiles(generic),
        "scaffold_atoms": core.GetNumAtoms(),
    }


@_ktool(
    "stereocenters",
    {"count": "number"},
    examples=[{"smiles": "C[C@H](N)C(=O)O"}, {"smiles": "OC[C@H]1OC(O)[C@H](O)[C@@H](O)[C@@H]1O"}],
)
def stereocenters(smiles: str) -> dict:
    """Tetrahedral stereocentres of a molecule: atom index, element and CIP label (R, S or '?' if unassigned),
    with the number of assigned and unassigned centres."""
    from rdkit import Chem

    m = _mol(smiles)
    centres = Chem.FindMolChiralCenters(m, includeUnassigned=True, useLegacyImplementation=False)
    items = [
        {"atom_index": i, "element": m.GetAtomWithIdx(i).GetSymbol(), "label": lab} for i, lab in centres
    ]
    return {
        "count": len(items),
        "assigned": sum(1 for i in items if i["label"] != "?"),
        "centres": items[:LIST_CAP],
    }
