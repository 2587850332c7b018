"""Pairwise alignment, sequence motifs and distance trees (Bio.Align, Bio.motifs, Bio.Phylo)."""

from __future__ import annotations

from typing import Any, Literal

from dive.tools.base import ToolError, tool
from dive.tools.biology._common import LIST_CAP, check_range, clean, dna, unknown

PKG = "biopython"
REQ = ["Bio"]


def _aligner(mode: str, matrix: str, gap_open: float, gap_extend: float) -> Any:
    from Bio.Align import PairwiseAligner, substitution_matrices

    if matrix not in substitution_matrices.load():
        raise unknown("substitution matrix", matrix, substitution_matrices.load())
    check_range("gap_open", gap_open, -100, 0)
    check_range("gap_extend", gap_extend, -100, 0)
    aligner = PairwiseAligner(mode=mode)
    aligner.substitution_matrix = substitution_matrices.load(matrix)
    aligner.open_gap_score, aligner.extend_gap_score = gap_open, gap_extend
    return aligner


def _align(seq_a: str, seq_b: str, mode: str, matrix: str, gap_open: float, gap_extend: float) -> dict:
    a, b = clean(seq_a), clean(seq_b)
    if not a or not b or max(len(a), len(b)) > 5000:
        raise ToolError("both sequences must be non-empty and at most 5000 letters")
    aligner = _aligner(mode, matrix, gap_open, gap_extend)
    alphabet = set(aligner.substitution_matrix.alphabet)
    bad = sorted((set(a) | set(b)) - alphabet)
    if bad:
        raise ToolError(
            f"letters {bad} are not in matrix {matrix}; use BLOSUM/PAM for protein, NUC.4.4 for DNA"
        )
    aln = aligner.align(a, b)[0]
    counts = aln.counts()
    length = aln.length
    rows = str(aln).splitlines()
    return {
        "score": float(aln.score),
        "alignment_length": length,
        "identities": counts.identities,
        "mismatches": counts.mismatches,
        "gaps": counts.gaps,
        "percent_identity": round(100 * counts.identities / length, 2) if length else 0.0,
        "aligned": rows[:12],
        "mode": mode,
        "matrix": matrix,
    }


_ALN_PARAMS = {
    "seq_a": "First sequence (protein or DNA), e.g. 'HEAGAWGHEE'.",
    "seq_b": "Second sequence, e.g. 'PAWHEAE'.",
    "matrix": "Substitution matrix name, e.g. 'BLOSUM62', 'PAM250' or 'NUC.4.4' for DNA.",
    "gap_open": "Gap opening score (<= 0), e.g. -10.",
    "gap_extend": "Gap extension score (<= 0), e.g. -0.5.",
}


@tool(
    "biology.align.global_alignment",
    "P",
    params=_ALN_PARAMS,
    examples=[
        {"seq_a": "HEAGAWGHEE", "seq_b": "PAWHEAE"},
        {"seq_a": "ACGTTGCA", "seq_b": "ACGTGCA", "matrix": "NUC.4.4", "gap_open": -5.0},
    ],
    bad_examples=[{"seq_a": "HEAG", "seq_b": "PAW", "matrix": "BLOSUM99"}],
    package=PKG,
    requires=REQ,
    dataset="Biopython substitution matrices",
    accepts={"seq_a": "protein_sequence", "seq_b": "protein_sequence"},
    produces={"score": "number", "percent_identity": "number"},
)
def global_alignment(
    seq_a: str, seq_b: str, matrix: str = "BLOSUM62", gap_open: float = -10.0, gap_extend: float = -0.5
) -> dict:
    """Optimal global (Needleman-Wunsch) alignment of two sequences: score, alignment length, identities,
    mismatches, gaps, percent identity and the aligned text (Bio.Align.PairwiseAligner)."""
    return _align(seq_a, seq_b, "global", matrix, gap_open, gap_extend)


@tool(
    "biology.align.local_alignment",
    "P",
    params=_ALN_PARAMS,
    examples=[{"seq_a": "HEAGAWGHEE", "seq_b": "PAWHEAE"}],
    bad_examples=[{"seq_a": "HEAG", "seq_b": "PAW", "gap_open": 5.0}],
    package=PKG,
    requires=REQ,
    dataset="Biopython substitution matrices",
    accepts={"seq_a": "protein_sequence", "seq_b": "protein_sequence"},
    produces={"score": "number", "percent_identity": "number"},
)
def local_alignment(
    seq_a: str, seq_b: str, matrix: str = "BLOSUM62", gap_open: float = -10.0, gap_extend: float = -0.5
) -> dict:
    """Best local (Smith-Waterman) alignment of two sequences: score, aligned region length, identities,
    mismatches, gaps, percent identity over the region and the aligned text."""
    return _align(seq_a, seq_b, "local", matrix, gap_open, gap_extend)


def _motif(sites: list[str]) -> Any:
    from Bio import motifs
    from Bio.Seq import Seq

    if len(sites) < 2 or len(sites) > 500:
        raise ToolError("give 2-500 aligned binding sites")
    cleaned = [dna(s, max_len=100) for s in sites]
    if len({len(s) for s in cleaned}) != 1:
        raise ToolError("all sites must have the same length (aligned, no gaps)")
    if any("N" in s for s in cleaned):
        raise ToolError("sites may contain only A, C, G, T")
    return motifs.create([Seq(s) for s in cleaned])


SITES = ["TACAA", "TACGC", "TACAC", "TACCC", "AACCC", "AATGC", "AATGC"]


@tool(
    "biology.align.motif_consensus",
    "P",
    params={"sites": "Aligned DNA binding sites of equal length, e.g. ['TACAA','TACGC','AATGC']."},
    examples=[{"sites": SITES}],
    bad_examples=[{"sites": ["TACAA", "TAC"]}],
    package=PKG,
    requires=REQ,
    accepts={"sites": "dna_sequence"},
    produces={"consensus": "dna_sequence", "degenerate_consensus": "dna_sequence"},
)
def motif_consensus(sites: list[str]) -> dict:
    """Build a motif from aligned DNA sites: consensus, anticonsensus, IUPAC degenerate consensus,
    per-position
    base counts and information content in bits (Bio.motifs)."""
    m = _motif(sites)
    counts = {b: [int(x) for x in m.counts[b]] for b in "ACGT"}
    pssm = m.counts.normalize(pseudocounts=0.5).log_odds()
    return {
        "consensus": str(m.consensus),
        "anticonsensus": str(m.anticonsensus),
        "degenerate_consensus": str(m.degenerate_consensus),
        "length": m.length,
        "sites": len(sites),
        "counts": counts,
        "max_score": round(float(pssm.max), 3),
        "information_content_bits": round(float(pssm.mean()), 3),
    }


@tool(
    "biology.align.motif_scan",
    "P",
    params={
        "sites": "Aligned DNA binding sites defining the motif, e.g. ['TACAA','TACGC','AATGC'].",
        "sequence": "DNA sequence to scan on both strands, e.g. 'TACACTGCATTACAACCCAAGCATTA'.",
        "threshold": "Minimum log-odds score of a hit (bits), e.g. 3.0.",
    },
    examples=[{"sites": SITES, "sequence": "TACACTGCATTACAACCCAAGCATTA", "threshold": 3.0}],
    bad_examples=[{"sites": SITES, "sequence": "TAC"}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence", "sites": "dna_sequence"},
    produces={"count": "number"},
)
def motif_scan(sites: list[str], sequence: str, threshold: float = 3.0) -> dict:
    """Scan a DNA sequence with the position-specific scoring matrix (pseudocount 0.5) of a motif: hits above
    a score threshold with 1-based position, strand, matched site and score (first 20)."""
    m = _motif(sites)
    s = dna(sequence)
    if len(s) < m.length:
        raise ToolError(f"sequence ({len(s)} nt) is shorter than the motif ({m.length} nt)")
    from Bio.Seq import Seq

    pssm = m.counts.normalize(pseudocounts=0.5).log_odds()
    hits = []
    for pos, score in pssm.search(Seq(s), threshold=threshold):
        start = int(pos) if pos >= 0 else len(s) + int(pos)
        hits.append(
            {
                "position": start + 1,
                "strand": "+" if pos >= 0 else "-",
                "site": s[start : start + m.length],
                "score": round(float(score), 3),
            }
        )
    hits.sort(key=lambda h: (h["position"], h["strand"]))
    return {"count": len(hits), "hits": hits[:LIST_CAP], "max_possible_score": round(float(pssm.max), 3)}


@tool(
    "biology.align.distance_tree",
    "P",
    params={
        "sequences": "Aligned sequences of equal length, 3-30 of them, e.g. "
        "['ACTGCTAGCTAG','ACTGCTAGCTGG','ACTGGTAGCAAG'].",
        "names": "One label per sequence, e.g. ['human','chimp','mouse'].",
        "method": "'upgma' or 'nj' (neighbour joining).",
    },
    examples=[
        {
            "sequences": ["ACTGCTAGCTAG", "ACTGCTAGCTGG", "ACTGGTAGCAAG", "TCTGGTAGCAAG"],
            "names": ["human", "chimp", "mouse", "rat"],
            "method": "upgma",
        }
    ],
    bad_examples=[{"sequences": ["ACGT", "ACG"], "names": ["a", "b"], "method": "nj"}],
    package=PKG,
    requires=REQ,
    accepts={"sequences": "dna_sequence"},
    produces={"newick": "newick_tree"},
)
def distance_tree(sequences: list[str], names: list[str], method: Literal["upgma", "nj"] = "upgma") -> dict:
    """Build a phylogenetic tree from aligned sequences by UPGMA or neighbour joining on identity distances:
    the Newick string and the pairwise distance matrix (Bio.Phylo.TreeConstruction)."""
    import io

    from Bio import Phylo
    from Bio.Align import MultipleSeqAlignment
    from Bio.Phylo.TreeConstruction import DistanceCalculator, DistanceTreeConstructor
    from Bio.Seq import Seq
    from Bio.SeqRecord import SeqRecord

    seqs = [clean(s) for s in sequences]
    if not 3 <= len(seqs) <= 30 or len(names) != len(seqs) or len(set(names)) != len(names):
        raise ToolError("give 3-30 sequences and the same number of distinct names")
    if len({len(s) for s in seqs}) != 1 or not seqs[0]:
        raise ToolError("sequences must be aligned: all the same non-zero length")
    aln = MultipleSeqAlignment([SeqRecord(Seq(s), id=n) for s, n in zip(seqs, names, strict=True)])
    dm = DistanceCalculator("identity").get_distance(aln)
    tree = getattr(DistanceTreeConstructor(), method)(dm)
    out = io.StringIO()
    Phylo.write(tree, out, "newick")
    matrix = {a: {b: round(dm[a, b], 4) for b in dm.names} for a in dm.names}
    return {"method": method, "newick": out.getvalue().strip(), "distances": matrix}
