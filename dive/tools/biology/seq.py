"""Nucleotide sequence processing with Biopython (Bio.Seq, Bio.SeqUtils): one tool per library function."""

from __future__ import annotations

from typing import Literal

from dive.tools.base import ToolError, tool
from dive.tools.biology._common import LIST_CAP, check_range, dna, rnd

PKG = "biopython"
REQ = ["Bio"]
DNA_EX = "ATGGCCATTGTAATGGGCCGCTGAAAGGGTGCCCGATAG"


def _table(table: int) -> int:
    from Bio.Data import CodonTable

    if table not in CodonTable.unambiguous_dna_by_id:
        raise ToolError(
            f"unknown NCBI genetic code {table}; valid: {sorted(CodonTable.unambiguous_dna_by_id)}"
        )
    return table


@tool(
    "biology.seq.translate",
    "P",
    params={
        "sequence": f"DNA or RNA coding sequence, e.g. '{DNA_EX}'.",
        "table": "NCBI genetic code ID, e.g. 1 (standard) or 2 (vertebrate mitochondrial).",
        "to_stop": "Stop at the first stop codon instead of writing '*' (default false).",
    },
    examples=[{"sequence": DNA_EX}, {"sequence": "AUGUGGUAA", "table": 1, "to_stop": True}],
    bad_examples=[{"sequence": "ATGXYZ"}, {"sequence": "ATGGCC", "table": 99}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence"},
    produces={"protein": "protein_sequence", "length_aa": "number"},
)
def translate(sequence: str, table: int = 1, to_stop: bool = False) -> dict:
    """Translate a coding DNA/RNA sequence to protein (one-letter codes, '*' = stop) with a chosen NCBI
    genetic code; trailing bases that do not fill a codon are ignored."""
    from Bio.Seq import Seq

    s = dna(sequence, allow_rna=True)
    s = s[: len(s) - len(s) % 3]
    if not s:
        raise ToolError("sequence shorter than one codon")
    prot = str(Seq(s).translate(table=_table(table), to_stop=to_stop))
    return {"protein": prot, "length_aa": len(prot), "stop_codons": prot.count("*"), "table": table}


@tool(
    "biology.seq.transcribe",
    "P",
    params={"sequence": "Coding-strand DNA sequence, e.g. 'ATGGCCTAA'."},
    examples=[{"sequence": "ATGGCCATTGTAATGGGC"}],
    bad_examples=[{"sequence": "ATGQQQ"}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence"},
    produces={"rna": "rna_sequence"},
)
def transcribe(sequence: str) -> dict:
    """Transcribe coding-strand DNA into mRNA (T -> U), returning the RNA sequence and its length."""
    from Bio.Seq import Seq

    rna = str(Seq(dna(sequence)).transcribe())
    return {"rna": rna, "length_nt": len(rna)}


@tool(
    "biology.seq.back_transcribe",
    "P",
    params={"sequence": "RNA sequence, e.g. 'AUGGCCUAA'."},
    examples=[{"sequence": "AUGGCCAUUGUAAUGGGC"}],
    bad_examples=[{"sequence": "AUGZZZ"}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "rna_sequence"},
    produces={"dna": "dna_sequence"},
)
def back_transcribe(sequence: str) -> dict:
    """Convert an RNA sequence back to its coding-strand DNA (U -> T), returning the DNA and its length."""
    from Bio.Seq import Seq

    s = dna(sequence, allow_rna=True)
    out = str(Seq(s).back_transcribe())
    return {"dna": out, "length_nt": len(out)}


@tool(
    "biology.seq.reverse_complement",
    "P",
    params={"sequence": "DNA sequence (IUPAC codes allowed), e.g. 'GAATTCCGGA'."},
    examples=[{"sequence": "GAATTCCGGA"}, {"sequence": "ATGRYN"}],
    bad_examples=[{"sequence": "HELLO!"}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence"},
    produces={"reverse_complement": "dna_sequence"},
)
def reverse_complement(sequence: str) -> dict:
    """Reverse complement of a DNA sequence (ambiguity codes complemented too) and whether the sequence is its
    own reverse complement (a palindrome, as in many restriction sites)."""
    from Bio.Seq import Seq

    s = dna(sequence, iupac=True).replace("U", "T")
    rc = str(Seq(s).reverse_complement())
    return {"reverse_complement": rc, "is_palindromic": rc == s, "length_nt": len(s)}


@tool(
    "biology.seq.find_motif",
    "P",
    params={
        "sequence": "DNA or protein sequence to search, e.g. 'ATGAATTCGGAATTC'.",
        "motif": "Exact sub-sequence to find, e.g. 'GAATTC'.",
        "both_strands": "For DNA, also search the reverse complement (default false).",
    },
    examples=[
        {"sequence": "ATGAATTCGGAATTCAA", "motif": "GAATTC"},
        {"sequence": "TTTGGGCCCAAA", "motif": "TTTG", "both_strands": True},
    ],
    bad_examples=[{"sequence": "ATGC", "motif": ""}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence", "motif": "dna_sequence"},
    produces={"count": "number", "positions": "number"},
)
def find_motif(sequence: str, motif: str, both_strands: bool = False) -> dict:
    """All (overlapping) occurrences of an exact motif: 1-based start positions (first 20) and count per
    strand; with both_strands, minus-strand hits are reported in plus-strand coordinates."""
    from Bio.Seq import Seq

    s, m = sequence.strip().upper(), motif.strip().upper()
    if not m or not s:
        raise ToolError("sequence and motif must be non-empty, e.g. motif 'GAATTC'")
    pos = [i + 1 for i in range(len(s) - len(m) + 1) if s.startswith(m, i)]
    out: dict = {"motif": m, "count": len(pos), "positions": pos[:LIST_CAP]}
    if both_strands:
        rc = str(Seq(m).reverse_complement())
        minus = [i + 1 for i in range(len(s) - len(rc) + 1) if s.startswith(rc, i)]
        out.update({"minus_strand_count": len(minus), "minus_strand_positions": minus[:LIST_CAP]})
    return out


@tool(
    "biology.seq.gc_content",
    "P",
    params={"sequence": "DNA or RNA sequence, e.g. 'ATGCGCGATTA'."},
    examples=[{"sequence": "ATGCGCGATTA"}],
    bad_examples=[{"sequence": "12345"}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence"},
    produces={"gc_percent": "number"},
)
def gc_content(sequence: str) -> dict:
    """GC content of a nucleotide sequence as a fraction and percent, with counts of each base."""
    from Bio.SeqUtils import gc_fraction

    s = dna(sequence, allow_rna=True)
    frac = gc_fraction(s, ambiguous="ignore")
    counts = {b: s.count(b) for b in "ACGTUN" if s.count(b)}
    return {
        "gc_fraction": rnd(frac, 6),
        "gc_percent": rnd(100 * frac, 4),
        "length_nt": len(s),
        "counts": counts,
    }


@tool(
    "biology.seq.gc_skew",
    "P",
    params={
        "sequence": "DNA sequence, e.g. 'GGGGCCCAAAGGGTTT'.",
        "window": "Window size in bases (10-100000), e.g. 100.",
    },
    examples=[{"sequence": "GGGGGCCAAAGGGTTTGGGCCCGGG" * 4, "window": 20}],
    bad_examples=[{"sequence": "ATGC", "window": 0}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence"},
    produces={"overall_skew": "number"},
)
def gc_skew(sequence: str, window: int = 100) -> dict:
    """GC skew (G-C)/(G+C) in consecutive windows (first 20 values) and for the whole sequence; positive skew
    marks the leading strand in bacterial genomes."""
    from Bio.SeqUtils import GC_skew

    check_range("window", window, 10, 100_000)
    s = dna(sequence)
    values = [rnd(v) for v in GC_skew(s, window=window)]
    g, c = s.count("G"), s.count("C")
    return {
        "window": window,
        "windows": len(values),
        "skews": values[:LIST_CAP],
        "overall_skew": rnd((g - c) / (g + c)) if g + c else 0.0,
    }


@tool(
    "biology.seq.gc_by_codon_position",
    "P",
    params={"sequence": "In-frame coding DNA sequence, e.g. 'ATGGCCATTGTAATGGGCCGC'."},
    examples=[{"sequence": "ATGGCCATTGTAATGGGCCGCTGA"}],
    bad_examples=[{"sequence": "NOTDNA"}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence"},
    produces={"gc_total": "number", "gc3": "number"},
)
def gc_by_codon_position(sequence: str) -> dict:
    """GC percent overall and at the first, second and third codon positions (GC1, GC2, GC3) of a coding
    sequence (Bio.SeqUtils.GC123)."""
    from Bio.SeqUtils import GC123

    total, first, second, third = GC123(dna(sequence))
    return {"gc_total": rnd(total), "gc1": rnd(first), "gc2": rnd(second), "gc3": rnd(third)}


@tool(
    "biology.seq.nucleic_acid_weight",
    "P",
    params={
        "sequence": "DNA or RNA sequence, e.g. 'ATGCATGC'.",
        "molecule": "'DNA' or 'RNA'.",
        "double_stranded": "Weigh the duplex (both strands) instead of one strand (default false).",
        "circular": "Treat the molecule as circular (no terminal water) (default false).",
    },
    examples=[
        {"sequence": "ATGCATGCATGC"},
        {"sequence": "AUGCAUGC", "molecule": "RNA"},
        {"sequence": "ATGCATGC", "double_stranded": True},
    ],
    bad_examples=[{"sequence": "ATGB?"}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence"},
    produces={"molecular_weight_da": "number"},
)
def nucleic_acid_weight(
    sequence: str,
    molecule: Literal["DNA", "RNA"] = "DNA",
    double_stranded: bool = False,
    circular: bool = False,
) -> dict:
    """Average molecular weight in daltons (g/mol) of a DNA or RNA molecule, single- or double-stranded,
    linear or circular (Bio.SeqUtils.molecular_weight)."""
    from Bio.SeqUtils import molecular_weight

    s = dna(sequence, allow_rna=True)
    s = s.replace("T", "U") if molecule == "RNA" else s.replace("U", "T")
    mw = molecular_weight(s, seq_type=molecule, double_stranded=double_stranded, circular=circular)
    return {
        "molecular_weight_da": rnd(mw, 2),
        "length_nt": len(s),
        "molecule": molecule,
        "double_stranded": double_stranded,
    }


@tool(
    "biology.seq.melting_temperature",
    "P",
    params={
        "sequence": "Oligonucleotide DNA sequence, e.g. 'AGCGGATAACAATTTCACACAGG'.",
        "method": "'NN' nearest-neighbour (default, SantaLucia 2004), 'GC' empirical or 'Wallace' 2+4 rule.",
        "na_mm": "Sodium concentration in mM (NN and GC methods), e.g. 50.",
        "dna_nm": "Strand concentration in nM (NN method), e.g. 250.",
    },
    examples=[{"sequence": "AGCGGATAACAATTTCACACAGG"}, {"sequence": "ATGCATGCATGC", "method": "Wallace"}],
    bad_examples=[{"sequence": "AGCT", "na_mm": -5.0}, {"sequence": "XYZ"}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence"},
    produces={"tm_celsius": "number"},
)
def melting_temperature(
    sequence: str, method: Literal["NN", "GC", "Wallace"] = "NN", na_mm: float = 50.0, dna_nm: float = 250.0
) -> dict:
    """Melting temperature (degrees C) of a DNA oligo by nearest-neighbour thermodynamics, the GC-content
    formula or the Wallace rule (Bio.SeqUtils.MeltingTemp)."""
    from Bio.SeqUtils import MeltingTemp as mt

    check_range("na_mm", na_mm, 0.1, 5000)
    check_range("dna_nm", dna_nm, 0.01, 1e7)
    s = dna(sequence, max_len=5000)
    if method == "NN":
        tm = mt.Tm_NN(s, Na=na_mm, dnac1=dna_nm, dnac2=0.0)
    elif method == "GC":
        tm = mt.Tm_GC(s, Na=na_mm)
    else:
        tm = mt.Tm_Wallace(s)
    return {"tm_celsius": rnd(tm, 2), "method": method, "length_nt": len(s)}


@tool(
    "biology.seq.six_frame_translation",
    "P",
    params={
        "sequence": "DNA sequence of at least 3 nt, e.g. 'ATGGCCATTGTAATGGGCCGCTGA'.",
        "table": "NCBI genetic code ID, e.g. 1.",
    },
    examples=[{"sequence": "ATGGCCATTGTAATGGGCCGCTGAAAG"}],
    bad_examples=[{"sequence": "AT"}, {"sequence": "ATGGCC", "table": 0}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence"},
    produces={"longest_stop_free": "protein_sequence"},
)
def six_frame_translation(sequence: str, table: int = 1) -> dict:
    """Protein translations of all six reading frames (+1, +2, +3 on the given strand; -1, -2, -3 on the
    reverse complement) and the longest stop-free stretch among them."""
    from Bio.Seq import Seq

    s = dna(sequence, max_len=20_000)
    if len(s) < 3:
        raise ToolError("sequence must be at least 3 nt long")
    _table(table)
    frames: dict[str, str] = {}
    for strand, seq in (("+", s), ("-", str(Seq(s).reverse_complement()))):
        for f in range(3):
            sub = seq[f : len(seq) - (len(seq) - f) % 3]
            frames[f"{strand}{f + 1}"] = str(Seq(sub).translate(table=table)) if sub else ""
    pieces = [p for t in frames.values() for p in t.split("*")]
    return {
        "frames": {k: v[:400] for k, v in frames.items()},
        "longest_stop_free": max(pieces, key=len)[:400],
    }
