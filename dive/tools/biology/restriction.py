"""Restriction digests and maps of a DNA sequence with Bio.Restriction (REBASE data shipped in Biopython)."""

from __future__ import annotations

from dive.tools.base import ToolError, tool
from dive.tools.biology._common import LIST_CAP, dna
from dive.tools.biology.biodata import get_enzyme

PKG = "biopython"
REQ = ["Bio"]
PUC_MCS = "GAATTCGAGCTCGGTACCCGGGGATCCTCTAGAGTCGACCTGCAGGCATGCAAGCTTGGCACTGGCCGTCGTTTTACAACGTCGTGACTGGGAAAAC"


@tool(
    "biology.restriction.digest",
    "P",
    params={
        "sequence": "DNA sequence to cut, e.g. a plasmid polylinker 'GAATTCGAGCTCGGTACC...'.",
        "enzymes": "One or more enzyme names, e.g. ['EcoRI', 'BamHI'].",
        "circular": "Treat the sequence as circular (a plasmid) (default false).",
    },
    examples=[
        {"sequence": PUC_MCS, "enzymes": ["EcoRI", "BamHI", "HindIII"]},
        {"sequence": PUC_MCS, "enzymes": ["SmaI"], "circular": True},
    ],
    bad_examples=[{"sequence": PUC_MCS, "enzymes": ["EcoRZ"]}, {"sequence": PUC_MCS, "enzymes": []}],
    package=PKG,
    requires=REQ,
    dataset="REBASE restriction enzymes as shipped in Bio.Restriction",
    accepts={"sequence": "dna_sequence", "enzymes": "restriction_enzyme"},
    produces={"fragment_lengths": "number", "fragment_count": "number"},
)
def digest(sequence: str, enzymes: list[str], circular: bool = False) -> dict:
    """Digest DNA with one or more restriction enzymes: 1-based cut positions per enzyme (the base after the
    top-strand cut), and the resulting fragment lengths in bp, largest first."""
    from Bio.Restriction import RestrictionBatch
    from Bio.Seq import Seq

    if not 1 <= len(enzymes) <= 10:
        raise ToolError("give 1-10 enzyme names, e.g. ['EcoRI']")
    s = dna(sequence, max_len=200_000)
    batch = RestrictionBatch([get_enzyme(e) for e in enzymes])
    sites = {str(e): sorted(p) for e, p in batch.search(Seq(s), linear=not circular).items()}
    cuts = sorted({p for ps in sites.values() for p in ps})
    if not cuts:
        frags = [len(s)]
    elif circular:
        frags = [b - a for a, b in zip(cuts, cuts[1:], strict=False)] + [len(s) - cuts[-1] + cuts[0]]
    else:
        bounds = [1, *cuts, len(s) + 1]
        frags = [b - a for a, b in zip(bounds, bounds[1:], strict=False)]
    frags = sorted((f for f in frags if f > 0), reverse=True)
    return {
        "cut_positions": sites,
        "fragment_count": len(frags),
        "fragment_lengths": frags[:LIST_CAP],
        "circular": circular,
        "length_bp": len(s),
    }


@tool(
    "biology.restriction.restriction_map",
    "P",
    params={
        "sequence": "DNA sequence to analyse, e.g. 'GAATTCGAGCTCGGTACCCGGGGATCC'.",
        "max_cuts": "Report only enzymes cutting at most this many times (1-20), e.g. 1 for unique cutters.",
    },
    examples=[{"sequence": PUC_MCS, "max_cuts": 1}],
    bad_examples=[{"sequence": PUC_MCS, "max_cuts": 0}, {"sequence": "NOT DNA!"}],
    package=PKG,
    requires=REQ,
    dataset="REBASE commercially available enzymes (Bio.Restriction.CommOnly)",
    accepts={"sequence": "dna_sequence"},
    produces={"enzymes": "restriction_enzyme", "total": "number"},
)
def restriction_map(sequence: str, max_cuts: int = 1) -> dict:
    """Commercially available enzymes that cut a linear DNA sequence between 1 and max_cuts times, with their
    cut positions (first 20 enzymes by name), the total count and how many enzymes do not cut at all."""
    from Bio.Restriction import Analysis, CommOnly
    from Bio.Seq import Seq

    if not 1 <= max_cuts <= 20:
        raise ToolError("max_cuts must be between 1 and 20")
    s = dna(sequence, max_len=50_000)
    analysis = Analysis(CommOnly, Seq(s), linear=True)
    hits = {str(e): sorted(p) for e, p in analysis.full().items() if 1 <= len(p) <= max_cuts}
    names = sorted(hits)
    return {
        "max_cuts": max_cuts,
        "total": len(names),
        "enzymes": names[:LIST_CAP],
        "cut_positions": {n: hits[n] for n in names[:LIST_CAP]},
        "non_cutters": sum(1 for p in analysis.full().values() if not p),
    }
