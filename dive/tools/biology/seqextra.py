"""More Biopython sequence utilities (Bio.SeqUtils): IUPAC search, three-letter codes, checksums, LCC."""

from __future__ import annotations

from typing import Literal

from dive.tools.base import ToolError, tool
from dive.tools.biology._common import LIST_CAP, check_range, dna, protein, rnd

PKG = "biopython"
REQ = ["Bio"]


@tool(
    "biology.seq.iupac_pattern_search",
    "P",
    params={
        "sequence": "DNA sequence to scan, e.g. 'ACGTGGATCCAAGCTT'.",
        "pattern": "Pattern with IUPAC ambiguity codes, e.g. 'GGATCY' or 'RGATCY'.",
    },
    examples=[{"sequence": "ACGTGGATCCAAGCTTAGATCT", "pattern": "RGATCY"}],
    bad_examples=[{"sequence": "ACGT", "pattern": "GG@T"}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence"},
    produces={"count": "number"},
)
def iupac_pattern_search(sequence: str, pattern: str) -> dict:
    """Find matches of a degenerate IUPAC nucleotide pattern (e.g. R = A/G, Y = C/T): the expanded regular
    expression, 1-based positions (first 20) and the match count (Bio.SeqUtils.nt_search)."""
    from Bio.SeqUtils import nt_search

    s, p = dna(sequence), dna(pattern, iupac=True, max_len=100)
    found = nt_search(s, p)
    positions = [i + 1 for i in found[1:]]
    return {"pattern": p, "regex": found[0], "count": len(positions), "positions": positions[:LIST_CAP]}


@tool(
    "biology.seq.protein_three_letter",
    "P",
    params={"sequence": "Protein sequence in one-letter codes, e.g. 'MAIVMGR'."},
    examples=[{"sequence": "MAIVMGR"}],
    bad_examples=[{"sequence": "MA1B!"}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "protein_sequence"},
    produces={"three_letter": "protein_sequence_3letter"},
)
def protein_three_letter(sequence: str) -> dict:
    """Convert a one-letter protein sequence to concatenated three-letter codes (e.g. 'MetAlaIle...'),
    using Bio.SeqUtils.seq3."""
    from Bio.SeqUtils import seq3

    s = protein(sequence, max_len=5000)
    return {"three_letter": seq3(s), "length_aa": len(s)}


@tool(
    "biology.seq.sequence_checksum",
    "P",
    params={
        "sequence": "DNA or protein sequence, e.g. 'MAIVMGRWKGAR'.",
        "algorithm": "'crc32', 'crc64' (SwissProt style), 'gcg' or 'seguid'.",
    },
    examples=[
        {"sequence": "MAIVMGRWKGAR", "algorithm": "crc64"},
        {"sequence": "ATGGCC", "algorithm": "seguid"},
    ],
    bad_examples=[{"sequence": "   "}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "protein_sequence"},
    produces={"checksum": "sequence_checksum"},
)
def sequence_checksum(sequence: str, algorithm: Literal["crc32", "crc64", "gcg", "seguid"] = "crc64") -> dict:
    """Checksum of a sequence as used by sequence databases: CRC32, CRC64 (UniProt/SwissProt), GCG or SEGUID
    (Bio.SeqUtils.CheckSum); identical sequences give identical checksums."""
    from Bio.SeqUtils import CheckSum

    s = "".join(sequence.split()).upper()
    if not s:
        raise ToolError("sequence is empty")
    fn = {"crc32": CheckSum.crc32, "crc64": CheckSum.crc64, "gcg": CheckSum.gcg, "seguid": CheckSum.seguid}
    return {"algorithm": algorithm, "checksum": str(fn[algorithm](s)), "length": len(s)}


@tool(
    "biology.seq.local_composition_complexity",
    "P",
    params={
        "sequence": "DNA sequence, e.g. 'ACGATAGCTAGCATGCA'.",
        "window": "Window size for the sliding profile (3-10000), e.g. 20.",
    },
    examples=[{"sequence": "AAAAAAAAAACGTACGTAGCTAGCTGATCG", "window": 10}],
    bad_examples=[{"sequence": "ACGT", "window": 1}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence"},
    produces={"lcc": "number"},
)
def local_composition_complexity(sequence: str, window: int = 20) -> dict:
    """Local composition complexity (LCC, an entropy of base composition from 0 to 1 for DNA; low values flag
    repeats) of the whole sequence and in sliding windows (first 20 values; Bio.SeqUtils.lcc)."""
    from Bio.SeqUtils import lcc

    check_range("window", window, 3, 10_000)
    s = dna(sequence).replace("N", "")
    if len(s) < window:
        raise ToolError(f"sequence ({len(s)} nt) is shorter than the window ({window})")
    profile = [rnd(v) for v in lcc.lcc_mult(s, window)]
    return {
        "lcc": rnd(lcc.lcc_simp(s)),
        "window": window,
        "profile": profile[:LIST_CAP],
        "windows": len(profile),
    }
