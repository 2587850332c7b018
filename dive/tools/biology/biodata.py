"""Reference data shipped with Biopython: genetic codes, IUPAC tables, amino-acid scales, substitution
matrices and the REBASE restriction enzyme catalogue."""

from __future__ import annotations

import functools
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.biology._common import LIST_CAP, dna, unknown

PKG = "biopython"
REQ = ["Bio"]


@tool(
    "biology.biodata.codon_table_info",
    "R",
    params={"table_id": "NCBI genetic code ID (1-33), e.g. 2 for the vertebrate mitochondrial code."},
    examples=[{"table_id": 2}, {"table_id": 1}],
    bad_examples=[{"table_id": 7}, {"table_id": 99}],
    package=PKG,
    requires=REQ,
    dataset="NCBI genetic codes (Bio.Data.CodonTable)",
    accepts={"table_id": "genetic_code"},
    produces={"name": "genetic_code_name", "start_codons": "codon", "stop_codons": "codon"},
)
def codon_table_info(table_id: int) -> dict:
    """An NCBI genetic code: its names, start and stop codons, and the codons whose amino acid differs from
    the standard code (table 1)."""
    from Bio.Data import CodonTable

    tables = CodonTable.unambiguous_dna_by_id
    if table_id not in tables:
        raise ToolError(f"no NCBI genetic code {table_id}; valid IDs: {sorted(tables)}")
    t, std = tables[table_id], tables[1]
    diffs = {}
    for codon in sorted(set(t.forward_table) | set(std.forward_table) | set(t.stop_codons)):
        a = "*" if codon in t.stop_codons else t.forward_table.get(codon)
        b = "*" if codon in std.stop_codons else std.forward_table.get(codon)
        if a != b:
            diffs[codon] = {"this_table": a, "standard": b}
    return {
        "table_id": table_id,
        "name": t.names[0],
        "names": t.names,
        "start_codons": t.start_codons,
        "stop_codons": t.stop_codons,
        "differences_from_standard": diffs,
    }


@tool(
    "biology.biodata.synonymous_codons",
    "R",
    params={
        "amino_acid": "Amino acid as one-letter code, three-letter code or name, e.g. 'L', 'Leu', "
        "'leucine'; '*' or 'stop' for stop codons.",
        "table_id": "NCBI genetic code ID, e.g. 1 (standard).",
    },
    examples=[{"amino_acid": "Leu"}, {"amino_acid": "W", "table_id": 2}, {"amino_acid": "stop"}],
    bad_examples=[{"amino_acid": "Xyz"}, {"amino_acid": "L", "table_id": 50}],
    package=PKG,
    requires=REQ,
    dataset="NCBI genetic codes (Bio.Data.CodonTable)",
    accepts={"amino_acid": "amino_acid", "table_id": "genetic_code"},
    produces={"codons": "codon", "degeneracy": "number"},
)
def synonymous_codons(amino_acid: str, table_id: int = 1) -> dict:
    """All DNA codons that encode an amino acid (or stop) in a genetic code, and its degeneracy (count)."""
    from Bio.Data import CodonTable

    if table_id not in CodonTable.unambiguous_dna_by_id:
        raise ToolError(
            f"no NCBI genetic code {table_id}; valid IDs: {sorted(CodonTable.unambiguous_dna_by_id)}"
        )
    t = CodonTable.unambiguous_dna_by_id[table_id]
    aa = _one_letter(amino_acid)
    codons = sorted(t.stop_codons) if aa == "*" else sorted(c for c, a in t.forward_table.items() if a == aa)
    return {"amino_acid": aa, "table_id": table_id, "codons": codons, "degeneracy": len(codons)}


_NAMES = {
    "alanine": "A",
    "arginine": "R",
    "asparagine": "N",
    "aspartate": "D",
    "aspartic acid": "D",
    "cysteine": "C",
    "glutamine": "Q",
    "glutamate": "E",
    "glutamic acid": "E",
    "glycine": "G",
    "histidine": "H",
    "isoleucine": "I",
    "leucine": "L",
    "lysine": "K",
    "methionine": "M",
    "phenylalanine": "F",
    "proline": "P",
    "serine": "S",
    "threonine": "T",
    "tryptophan": "W",
    "tyrosine": "Y",
    "valine": "V",
    "selenocysteine": "U",
    "pyrrolysine": "O",
    "stop": "*",
    "ter": "*",
}


def _one_letter(amino_acid: str) -> str:
    from Bio.Data import IUPACData

    key = amino_acid.strip()
    if key == "*" or key.lower() in ("stop", "ter"):
        return "*"
    if len(key) == 1 and key.upper() in IUPACData.protein_letters:
        return key.upper()
    three = IUPACData.protein_letters_3to1_extended.get(key.capitalize())
    hit = three or _NAMES.get(key.lower())
    if not hit:
        raise unknown("amino acid", amino_acid, list(_NAMES) + list(IUPACData.protein_letters_3to1))
    return hit


@tool(
    "biology.biodata.amino_acid_info",
    "R",
    params={
        "amino_acid": "Amino acid as one-letter code, three-letter code or name, e.g. 'W', 'Trp' or "
        "'tryptophan'."
    },
    examples=[{"amino_acid": "Trp"}, {"amino_acid": "glycine"}],
    bad_examples=[{"amino_acid": "Zzz"}],
    package=PKG,
    requires=REQ,
    dataset="IUPAC amino-acid data and ProtParam scales (Biopython)",
    accepts={"amino_acid": "amino_acid"},
    produces={"one_letter": "amino_acid", "average_mass_da": "number", "hydropathy_kd": "number"},
)
def amino_acid_info(amino_acid: str) -> dict:
    """An amino acid's one- and three-letter codes, free amino-acid average and monoisotopic masses (Da),
    Kyte-Doolittle hydropathy, Hopp-Woods hydrophilicity and standard-code codon count."""
    from Bio.Data import CodonTable, IUPACData
    from Bio.SeqUtils import ProtParamData

    aa = _one_letter(amino_acid)
    if aa not in IUPACData.protein_letters:
        raise ToolError(f"{amino_acid!r} is not one of the 20 standard amino acids")
    name = next(k for k, v in _NAMES.items() if v == aa)
    codons = [c for c, a in CodonTable.unambiguous_dna_by_id[1].forward_table.items() if a == aa]
    return {
        "one_letter": aa,
        "three_letter": IUPACData.protein_letters_1to3[aa],
        "name": name,
        "average_mass_da": round(IUPACData.protein_weights[aa], 4),
        "monoisotopic_mass_da": round(IUPACData.monoisotopic_protein_weights[aa], 4),
        "hydropathy_kd": ProtParamData.kd[aa],
        "hydrophilicity_hw": ProtParamData.hw[aa],
        "codon_count": len(codons),
    }


_SCALES = {
    "kd": "Kyte-Doolittle hydropathy",
    "Flex": "Vihinen flexibility (normalised B-factors)",
    "hw": "Hopp-Woods hydrophilicity",
    "em": "Eisenberg consensus hydrophobicity",
    "ja": "Janin surface exposure",
    "DIWV": "Guruprasad dipeptide instability weights (summary)",
}


@tool(
    "biology.biodata.amino_acid_scale",
    "R",
    params={
        "scale": "Property scale: 'kd' (Kyte-Doolittle), 'Flex', 'hw' (Hopp-Woods), 'em' (Eisenberg), "
        "'ja' (Janin)."
    },
    examples=[{"scale": "kd"}, {"scale": "hw"}],
    bad_examples=[{"scale": "nope"}],
    package=PKG,
    requires=REQ,
    dataset="ProtParamData amino-acid scales (Biopython)",
    accepts={"scale": "aa_scale"},
    produces={"highest": "amino_acid", "lowest": "amino_acid"},
)
def amino_acid_scale(scale: str) -> dict:
    """Per-residue values of an amino-acid property scale for the 20 amino acids, with the residues scoring
    highest and lowest."""
    from Bio.SeqUtils import ProtParamData

    if scale not in _SCALES or scale == "DIWV":
        raise unknown("amino-acid scale", scale, [s for s in _SCALES if s != "DIWV"])
    values = {k: v for k, v in getattr(ProtParamData, scale).items() if len(k) == 1}
    return {
        "scale": scale,
        "description": _SCALES[scale],
        "values": values,
        "highest": max(sorted(values), key=values.get),
        "lowest": min(sorted(values), key=values.get),
    }


@tool(
    "biology.biodata.substitution_score",
    "R",
    params={
        "matrix": "Substitution matrix, e.g. 'BLOSUM62', 'PAM250', 'NUC.4.4'.",
        "residue_a": "First residue letter, e.g. 'W'.",
        "residue_b": "Second residue letter, e.g. 'Y'.",
    },
    examples=[
        {"matrix": "BLOSUM62", "residue_a": "W", "residue_b": "Y"},
        {"matrix": "PAM250", "residue_a": "A", "residue_b": "A"},
    ],
    bad_examples=[
        {"matrix": "BLOSUM63", "residue_a": "A", "residue_b": "A"},
        {"matrix": "BLOSUM62", "residue_a": "J", "residue_b": "A"},
    ],
    package=PKG,
    requires=REQ,
    dataset="Biopython substitution matrices (NCBI BLOSUM/PAM etc.)",
    accepts={"matrix": "substitution_matrix", "residue_a": "amino_acid", "residue_b": "amino_acid"},
    produces={"score": "number"},
)
def substitution_score(matrix: str, residue_a: str, residue_b: str) -> dict:
    """Score of substituting one residue for another in a named substitution matrix, with both residues'
    self-scores (diagonal) for comparison."""
    from Bio.Align import substitution_matrices

    names = substitution_matrices.load()
    if matrix not in names:
        raise unknown("substitution matrix", matrix, names)
    m = substitution_matrices.load(matrix)
    a, b = residue_a.strip().upper(), residue_b.strip().upper()
    for r in (a, b):
        if r not in m.alphabet:
            raise ToolError(f"residue {r!r} is not in {matrix}; its alphabet is {m.alphabet!r}")
    return {
        "matrix": matrix,
        "pair": f"{a}-{b}",
        "score": float(m[a][b]),
        "self_score_a": float(m[a][a]),
        "self_score_b": float(m[b][b]),
    }


@tool(
    "biology.biodata.iupac_nucleotide_code",
    "R",
    params={"code": "IUPAC nucleotide letter, e.g. 'R', 'Y', 'N' or 'W'."},
    examples=[{"code": "R"}, {"code": "N"}],
    bad_examples=[{"code": "Z"}],
    package=PKG,
    requires=REQ,
    dataset="IUPAC nucleotide codes (Bio.Data.IUPACData)",
    accepts={"code": "iupac_code"},
    produces={"complement": "iupac_code", "degeneracy": "number"},
)
def iupac_nucleotide_code(code: str) -> dict:
    """The bases an IUPAC nucleotide ambiguity code stands for, its complement code and its degeneracy."""
    from Bio.Data import IUPACData

    c = code.strip().upper()
    if c not in IUPACData.ambiguous_dna_values:
        raise unknown("IUPAC nucleotide code", code, list(IUPACData.ambiguous_dna_values))
    bases = IUPACData.ambiguous_dna_values[c]
    return {
        "code": c,
        "bases": bases,
        "degeneracy": len(bases),
        "complement": IUPACData.ambiguous_dna_complement[c],
    }


@functools.cache
def _enzymes() -> dict[str, Any]:
    from Bio import Restriction

    return {str(e): e for e in Restriction.AllEnzymes}


def get_enzyme(name: str) -> Any:
    hit = _enzymes().get(name.strip()) or {k.lower(): v for k, v in _enzymes().items()}.get(
        name.strip().lower()
    )
    if hit is None:
        raise unknown("restriction enzyme", name, _enzymes())
    return hit


@tool(
    "biology.biodata.restriction_enzyme_info",
    "R",
    params={"enzyme": "Restriction enzyme name as in REBASE, e.g. 'EcoRI', 'BsaI' or 'NotI'."},
    examples=[{"enzyme": "EcoRI"}, {"enzyme": "BsaI"}],
    bad_examples=[{"enzyme": "EcoRX"}],
    package=PKG,
    requires=REQ,
    dataset="REBASE restriction enzymes as shipped in Bio.Restriction",
    accepts={"enzyme": "restriction_enzyme"},
    produces={"site": "dna_sequence", "isoschizomers": "restriction_enzyme", "supplier_count": "number"},
)
def restriction_enzyme_info(enzyme: str) -> dict:
    """A restriction enzyme: recognition site, cut pattern ('^' top, '_' bottom strand), overhang type and
    sequence, palindromy, isoschizomers, optimum temperature and commercial suppliers."""
    e = get_enzyme(enzyme)
    from Bio.Restriction import Restriction_Dictionary as rd

    info = rd.rest_dict[str(e)]
    kind = "blunt" if e.is_blunt() else "5'" if e.is_5overhang() else "3'" if e.is_3overhang() else "unknown"
    return {
        "enzyme": str(e),
        "site": e.site,
        "cut_pattern": e.elucidate(),
        "site_length": e.size,
        "overhang": kind,
        "overhang_sequence": e.ovhgseq or "",
        "palindromic": e.is_palindromic(),
        "isoschizomers": [str(i) for i in e.isoschizomers()][:LIST_CAP],
        "optimum_temp_c": info.get("opt_temp"),
        "suppliers": e.supplier_list()[:LIST_CAP],
        "supplier_count": len(e.supplier_list()),
        "rebase_id": info.get("id"),
    }


@tool(
    "biology.biodata.enzymes_for_site",
    "R",
    params={
        "site": "Recognition sequence to look up (IUPAC allowed), e.g. 'GAATTC' or 'GGATCC'.",
        "commercial_only": "Only enzymes with a commercial supplier (default true).",
    },
    examples=[{"site": "GGATCC"}, {"site": "GATC", "commercial_only": False}],
    bad_examples=[{"site": "GGGGGGGGGGGG"}, {"site": "XYZ"}],
    package=PKG,
    requires=REQ,
    dataset="REBASE restriction enzymes as shipped in Bio.Restriction",
    accepts={"site": "dna_sequence"},
    produces={"enzymes": "restriction_enzyme", "total": "number"},
)
def enzymes_for_site(site: str, commercial_only: bool = True) -> dict:
    """Restriction enzymes that recognise exactly a given site (on either strand), with each one's cut
    pattern; the first 20 by name and the total."""
    from Bio.Seq import Seq

    s = dna(site, iupac=True, max_len=40)
    rc = str(Seq(s).reverse_complement())
    hits = sorted(
        (e for e in _enzymes().values() if e.site in (s, rc) and (e.suppl or not commercial_only)), key=str
    )
    if not hits:
        raise ToolError(
            f"no {'commercial ' if commercial_only else ''}enzyme recognises {s}; "
            "try commercial_only=false or a site such as 'GAATTC'"
        )
    return {
        "site": s,
        "total": len(hits),
        "enzymes": [str(e) for e in hits[:LIST_CAP]],
        "cut_patterns": {str(e): e.elucidate() for e in hits[:LIST_CAP]},
    }
