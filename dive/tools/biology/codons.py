"""Codon usage (Kazusa tables shipped in python-codon-tables): lookup, CAI and back-translation."""

from __future__ import annotations

import math

from dive.tools.base import ToolError, tool
from dive.tools.biology._common import dna, protein, rnd, unknown

PKG = "python-codon-tables"
REQ = ["python_codon_tables"]
DATA = "Kazusa codon usage database (via python-codon-tables)"
ORGANISMS = {
    "Escherichia coli": "e_coli_316407",
    "Bacillus subtilis": "b_subtilis_1423",
    "Homo sapiens": "h_sapiens_9606",
    "Mus musculus": "m_musculus_10090",
    "Saccharomyces cerevisiae": "s_cerevisiae_4932",
    "Gallus gallus": "g_gallus_9031",
    "Drosophila melanogaster": "d_melanogaster_7227",
    "Caenorhabditis elegans": "c_elegans_6239",
}
_COMMON = {
    "e. coli": "Escherichia coli",
    "ecoli": "Escherichia coli",
    "human": "Homo sapiens",
    "mouse": "Mus musculus",
    "yeast": "Saccharomyces cerevisiae",
    "chicken": "Gallus gallus",
    "fly": "Drosophila melanogaster",
    "worm": "Caenorhabditis elegans",
    "b. subtilis": "Bacillus subtilis",
}


def _table(organism: str) -> tuple[str, dict[str, dict[str, float]]]:
    import python_codon_tables as pct

    key = organism.strip()
    by_lower = {k.lower(): k for k in ORGANISMS} | _COMMON
    name = by_lower.get(key.lower())
    if name is None:
        raise unknown("organism with a codon usage table", organism, list(ORGANISMS) + list(_COMMON))
    return name, pct.get_codons_table(ORGANISMS[name])


def _weights(table: dict[str, dict[str, float]]) -> dict[str, float]:
    """Relative adaptiveness w = f(codon) / max f(synonymous codon), as in Sharp & Li (1987)."""
    w: dict[str, float] = {}
    for codons in table.values():
        top = max(codons.values())
        for codon, f in codons.items():
            w[codon] = f / top if top else 0.0
    return w


@tool(
    "biology.codons.codon_usage",
    "R",
    params={
        "organism": "Organism, e.g. 'Escherichia coli', 'Homo sapiens', 'yeast' (8 available).",
        "amino_acid": "One-letter amino acid, e.g. 'L'; '*' for stop codons.",
    },
    examples=[{"organism": "Escherichia coli", "amino_acid": "L"}, {"organism": "human", "amino_acid": "*"}],
    bad_examples=[
        {"organism": "Pandas giganticus", "amino_acid": "L"},
        {"organism": "human", "amino_acid": "B"},
    ],
    package=PKG,
    requires=REQ,
    dataset=DATA,
    accepts={"organism": "taxon", "amino_acid": "amino_acid"},
    produces={"preferred_codon": "codon", "codons": "codon"},
)
def codon_usage(organism: str, amino_acid: str) -> dict:
    """Relative usage frequency (0-1) of each synonymous codon for an amino acid in an organism's genes, and
    the preferred (most used) codon."""
    name, table = _table(organism)
    aa = amino_acid.strip().upper()
    if aa not in table:
        raise ToolError(f"unknown amino acid {amino_acid!r}; valid one-letter codes: {sorted(table)}")
    freqs = dict(sorted(table[aa].items(), key=lambda kv: (-kv[1], kv[0])))
    return {
        "organism": name,
        "amino_acid": aa,
        "frequencies": freqs,
        "codons": list(freqs),
        "preferred_codon": next(iter(freqs)),
    }


@tool(
    "biology.codons.codon_adaptation_index",
    "P",
    params={
        "sequence": "In-frame coding DNA sequence, e.g. 'ATGAAACGCATTAGCACCACCATTACCACCACCATCACCATTACC'.",
        "organism": "Reference organism, e.g. 'Escherichia coli' or 'human'.",
    },
    examples=[
        {
            "sequence": "ATGAAACGCATTAGCACCACCATTACCACCACCATCACCATTACCACAGGTAACGGTGCGGGCTGA",
            "organism": "Escherichia coli",
        }
    ],
    bad_examples=[{"sequence": "ATGAAA", "organism": "Martian"}, {"sequence": "AT", "organism": "human"}],
    package=PKG,
    requires=REQ,
    dataset=DATA,
    accepts={"sequence": "dna_sequence", "organism": "taxon"},
    produces={"cai": "number"},
)
def codon_adaptation_index(sequence: str, organism: str) -> dict:
    """Codon adaptation index (CAI, 0-1; Sharp & Li 1987) of a coding sequence against an organism's codon
    usage: geometric mean of relative adaptiveness, skipping Met, Trp and stop codons."""
    name, table = _table(organism)
    s = dna(sequence).replace("U", "T")
    codons = [s[i : i + 3] for i in range(0, len(s) - len(s) % 3, 3)]
    w = _weights(table)
    skip = set(table.get("M", {})) | set(table.get("W", {})) | set(table.get("*", {}))
    used = [w[c] for c in codons if c in w and c not in skip]
    if not used:
        raise ToolError("no scorable codons: give an in-frame coding sequence of at least one sense codon")
    cai = math.exp(sum(math.log(max(v, 1e-6)) for v in used) / len(used))
    return {"organism": name, "cai": rnd(cai), "codons_scored": len(used), "codons_total": len(codons)}


@tool(
    "biology.codons.back_translate",
    "P",
    params={
        "sequence": "Protein sequence in one-letter codes, e.g. 'MKTAYIAKQR'.",
        "organism": "Organism whose preferred codons to use, e.g. 'Escherichia coli'.",
        "add_stop": "Append the organism's preferred stop codon (default true).",
    },
    examples=[{"sequence": "MKTAYIAKQR", "organism": "Escherichia coli"}],
    bad_examples=[{"sequence": "MKT", "organism": "Atlantean"}, {"sequence": "MZK!", "organism": "human"}],
    package=PKG,
    requires=REQ,
    dataset=DATA,
    accepts={"sequence": "protein_sequence", "organism": "taxon"},
    produces={"dna": "dna_sequence", "gc_percent": "number"},
)
def back_translate(sequence: str, organism: str, add_stop: bool = True) -> dict:
    """Codon-optimised back-translation of a protein: each residue becomes the organism's most used codon
    (a naive 'one amino acid - one codon' optimisation), with the DNA's length and GC percent."""
    name, table = _table(organism)
    prot = protein(sequence, max_len=10_000)
    best = {aa: max(sorted(c), key=lambda k: c[k]) for aa, c in table.items()}
    out = "".join(best[a] for a in prot) + (best["*"] if add_stop else "")
    gc = (out.count("G") + out.count("C")) / len(out)
    return {"organism": name, "dna": out, "length_nt": len(out), "gc_percent": rnd(100 * gc, 2)}
