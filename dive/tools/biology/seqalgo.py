"""Classic sequence algorithms in plain Python: k-mers, ORFs, distances, entropy, CpG islands, repeats."""

from __future__ import annotations

import math
import re
from collections import Counter

from dive.tools.base import ToolError, tool
from dive.tools.biology._common import LIST_CAP, check_range, clean, dna, rnd

PKG = "dive"
REQ: list[str] = []
RC = str.maketrans("ACGTN", "TGCAN")


def _rc(s: str) -> str:
    return s.translate(RC)[::-1]


@tool(
    "biology.seqalgo.kmer_counts",
    "P",
    params={
        "sequence": "DNA, RNA or protein sequence, e.g. 'ATGATGATGCCC'.",
        "k": "k-mer length (1-12), e.g. 3.",
        "top": "How many most frequent k-mers to list (1-20), e.g. 10.",
    },
    examples=[{"sequence": "ATGATGATGCCCATG", "k": 3}],
    bad_examples=[{"sequence": "ATG", "k": 0}, {"sequence": "AT", "k": 5}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence"},
    produces={"most_common": "dna_sequence", "distinct": "number"},
)
def kmer_counts(sequence: str, k: int = 3, top: int = 10) -> dict:
    """Count overlapping k-mers: the most frequent ones with counts (ties broken alphabetically), the number
    of distinct k-mers and the total k-mer positions."""
    check_range("k", k, 1, 12)
    check_range("top", top, 1, 20)
    s = clean(sequence)
    if len(s) < k:
        raise ToolError(f"sequence ({len(s)}) is shorter than k ({k})")
    counts = Counter(s[i : i + k] for i in range(len(s) - k + 1))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return {
        "k": k,
        "total": len(s) - k + 1,
        "distinct": len(counts),
        "top": dict(ranked),
        "most_common": ranked[0][0],
    }


@tool(
    "biology.seqalgo.find_orfs",
    "P",
    params={
        "sequence": "DNA sequence to scan, e.g. 'CCATGGCCAAATAGGG'.",
        "min_codons": "Minimum ORF length in codons including ATG (2-10000), e.g. 30.",
        "both_strands": "Scan the reverse complement too (default true).",
    },
    examples=[{"sequence": "CCATGAAACCCGGGTTTTAGCCATGCATTGA" + "ATG" + "GCT" * 40 + "TAA", "min_codons": 5}],
    bad_examples=[{"sequence": "ATGAAATAG", "min_codons": 0}],
    package=PKG,
    requires=["Bio"],
    accepts={"sequence": "dna_sequence"},
    produces={"longest_protein": "protein_sequence", "count": "number"},
)
def find_orfs(sequence: str, min_codons: int = 30, both_strands: bool = True) -> dict:
    """Open reading frames (ATG ... stop, standard code) of at least min_codons: strand, frame, 1-based start
    and end on the given strand, length in codons, longest first (first 20), and the longest ORF's protein."""
    from Bio.Seq import Seq

    check_range("min_codons", min_codons, 2, 10_000)
    s = dna(sequence, max_len=200_000)
    orfs = []
    strands = [("+", s), ("-", _rc(s))] if both_strands else [("+", s)]
    for strand, seq in strands:
        for m in re.finditer(r"(?=(ATG(?:[ACGTN]{3})*?(?:TAA|TAG|TGA)))", seq):
            orf = m.group(1)
            if len(orf) // 3 < min_codons:
                continue
            start = m.start() + 1
            end = start + len(orf) - 1
            if strand == "-":
                start, end = len(s) - end + 1, len(s) - start + 1
            orfs.append(
                {
                    "strand": strand,
                    "frame": (m.start() % 3) + 1,
                    "start": start,
                    "end": end,
                    "codons": len(orf) // 3,
                    "seq": orf,
                }
            )
    # nested ATGs in one frame share a stop codon; keep the outermost (longest) ORF per stop
    best: dict[tuple, dict] = {}
    for o in orfs:
        key = (o["strand"], o["end"] if o["strand"] == "+" else o["start"])
        if key not in best or o["codons"] > best[key]["codons"]:
            best[key] = o
    ranked = sorted(best.values(), key=lambda o: (-o["codons"], o["start"]))
    longest = str(Seq(ranked[0]["seq"]).translate(to_stop=True)) if ranked else ""
    return {
        "count": len(ranked),
        "orfs": [{k: v for k, v in o.items() if k != "seq"} for o in ranked[:LIST_CAP]],
        "longest_protein": longest[:2000],
    }


@tool(
    "biology.seqalgo.hamming_distance",
    "P",
    params={
        "seq_a": "First sequence, e.g. 'GAGCCTACTAACGGGAT'.",
        "seq_b": "Second sequence of the same length, e.g. 'CATCGTAATGACGGCCT'.",
    },
    examples=[{"seq_a": "GAGCCTACTAACGGGAT", "seq_b": "CATCGTAATGACGGCCT"}],
    bad_examples=[{"seq_a": "AAA", "seq_b": "AA"}],
    package=PKG,
    requires=REQ,
    accepts={"seq_a": "dna_sequence", "seq_b": "dna_sequence"},
    produces={"distance": "number"},
)
def hamming_distance(seq_a: str, seq_b: str) -> dict:
    """Hamming distance (number of differing positions) between two equal-length sequences, the p-distance
    (fraction differing) and the first 20 mismatch positions (1-based)."""
    a, b = clean(seq_a), clean(seq_b)
    if len(a) != len(b) or not a:
        raise ToolError(f"sequences must be non-empty and the same length (got {len(a)} and {len(b)})")
    diff = [i + 1 for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return {
        "distance": len(diff),
        "length": len(a),
        "p_distance": rnd(len(diff) / len(a), 6),
        "mismatch_positions": diff[:LIST_CAP],
    }


@tool(
    "biology.seqalgo.edit_distance",
    "P",
    params={
        "seq_a": "First sequence (max 5000), e.g. 'KITTEN'.",
        "seq_b": "Second sequence, e.g. 'SITTING'.",
    },
    examples=[{"seq_a": "ACGTTGCA", "seq_b": "ACGTGCAA"}],
    bad_examples=[{"seq_a": "", "seq_b": "ACGT"}],
    package=PKG,
    requires=REQ,
    accepts={"seq_a": "dna_sequence", "seq_b": "dna_sequence"},
    produces={"distance": "number", "similarity": "number"},
)
def edit_distance(seq_a: str, seq_b: str) -> dict:
    """Levenshtein edit distance (minimum insertions, deletions and substitutions) between two sequences and
    a normalised similarity 1 - distance / longer length."""
    a, b = clean(seq_a), clean(seq_b)
    if not a or not b or max(len(a), len(b)) > 5000:
        raise ToolError("both sequences must be non-empty and at most 5000 letters")
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return {"distance": prev[-1], "similarity": rnd(1 - prev[-1] / max(len(a), len(b)), 6)}


@tool(
    "biology.seqalgo.shannon_entropy",
    "P",
    params={"sequence": "Any biological sequence, e.g. 'ACGTACGTAAAA' or a protein."},
    examples=[{"sequence": "ACGTACGTAAAA"}, {"sequence": "MKTAYIAKQRQISFVKSHFSRQ"}],
    bad_examples=[{"sequence": "  "}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence"},
    produces={"entropy_bits": "number"},
)
def shannon_entropy(sequence: str) -> dict:
    """Shannon entropy of the letter composition in bits per symbol, the maximum possible for the alphabet
    seen, and the normalised entropy (0-1)."""
    s = clean(sequence)
    if not s:
        raise ToolError("sequence is empty")
    counts = Counter(s)
    h = -sum(c / len(s) * math.log2(c / len(s)) for c in counts.values())
    hmax = math.log2(len(counts)) if len(counts) > 1 else 0.0
    return {
        "entropy_bits": rnd(h, 6),
        "alphabet_size": len(counts),
        "max_entropy_bits": rnd(hmax, 6),
        "normalized": rnd(h / hmax, 6) if hmax else 0.0,
    }


@tool(
    "biology.seqalgo.cpg_island_stats",
    "P",
    params={"sequence": "DNA sequence (>= 200 nt for island calling), e.g. a promoter region."},
    examples=[{"sequence": "CGCGGCGCTAGCGCGCCGGACGTTCGCG" * 10}],
    bad_examples=[{"sequence": "ACGU?"}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence"},
    produces={"cpg_obs_exp": "number", "gc_percent": "number"},
)
def cpg_island_stats(sequence: str) -> dict:
    """CpG statistics of a DNA sequence: CpG count, GC percent, observed/expected CpG ratio (Gardiner-Garden
    & Frommer 1987) and whether it meets the island criteria (>= 200 bp, GC > 50%, obs/exp > 0.6)."""
    s = dna(sequence)
    c, g, cg = s.count("C"), s.count("G"), s.count("CG")
    ratio = cg * len(s) / (c * g) if c and g else 0.0
    gc = 100 * (c + g) / len(s)
    return {
        "length_nt": len(s),
        "cpg_count": cg,
        "gc_percent": rnd(gc, 3),
        "cpg_obs_exp": rnd(ratio, 4),
        "is_cpg_island": len(s) >= 200 and gc > 50 and ratio > 0.6,
    }


@tool(
    "biology.seqalgo.find_palindromes",
    "P",
    params={
        "sequence": "DNA sequence, e.g. 'TTGAATTCAAGGATCCTT'.",
        "min_length": "Minimum palindrome length, even, 4-20, e.g. 6.",
    },
    examples=[{"sequence": "TTGAATTCAAGGATCCTTGCGGCCGCAA", "min_length": 6}],
    bad_examples=[{"sequence": "ACGT", "min_length": 3}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence"},
    produces={"count": "number", "palindromes": "dna_sequence"},
)
def find_palindromes(sequence: str, min_length: int = 6) -> dict:
    """Reverse-complement palindromes (sites equal to their own reverse complement, like most restriction
    sites) of at least min_length: 1-based start, length and sequence, maximal ones only (first 20)."""
    if min_length % 2 or not 4 <= min_length <= 20:
        raise ToolError("min_length must be an even number between 4 and 20")
    s = dna(sequence, max_len=50_000)
    hits = []
    for centre in range(1, len(s)):
        half = 0
        while (
            centre - half - 1 >= 0
            and centre + half < len(s)
            and s[centre - half - 1] == _rc(s[centre + half])
        ):
            half += 1
        if 2 * half >= min_length:
            hits.append(
                {"start": centre - half + 1, "length": 2 * half, "sequence": s[centre - half : centre + half]}
            )
    return {
        "count": len(hits),
        "hits": hits[:LIST_CAP],
        "palindromes": [h["sequence"] for h in hits[:LIST_CAP]],
    }


@tool(
    "biology.seqalgo.find_tandem_repeats",
    "P",
    params={
        "sequence": "DNA sequence, e.g. 'GGCACACACACAGGATATATATTT'.",
        "min_copies": "Minimum number of consecutive copies (2-50), e.g. 4.",
    },
    examples=[{"sequence": "GGCACACACACACAGGTTAGGTTAGGTTAGGTTAGG", "min_copies": 4}],
    bad_examples=[{"sequence": "ACGT", "min_copies": 1}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence"},
    produces={"count": "number", "units": "dna_sequence"},
)
def find_tandem_repeats(sequence: str, min_copies: int = 4) -> dict:
    """Microsatellites (short tandem repeats of 1-6 nt units) with at least min_copies copies: repeat unit,
    copy number, 1-based start and total length, longest first (first 20)."""
    check_range("min_copies", min_copies, 2, 50)
    s = dna(sequence, max_len=100_000)
    pattern = re.compile(r"(([ACGT]{1,6}?)\2{" + str(min_copies - 1) + ",})")
    hits = [
        {
            "unit": m.group(2),
            "copies": len(m.group(1)) // len(m.group(2)),
            "start": m.start() + 1,
            "length": len(m.group(1)),
        }
        for m in pattern.finditer(s)
    ]
    hits.sort(key=lambda h: (-h["length"], h["start"]))
    return {"count": len(hits), "repeats": hits[:LIST_CAP], "units": [h["unit"] for h in hits[:LIST_CAP]]}
