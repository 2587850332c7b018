"""Primer thermodynamics and design with primer3-py (the Primer3 C library, SantaLucia 1998 parameters)."""

from __future__ import annotations

from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.biology._common import LIST_CAP, check_range, dna, rnd

PKG = "primer3-py"
REQ = ["primer3"]
COND = {
    "mv_conc": "Monovalent cation (Na+/K+) concentration in mM, e.g. 50.",
    "dv_conc": "Divalent cation (Mg2+) concentration in mM, e.g. 1.5.",
}
TEMPLATE = (
    "GCTTGCATGCCTGCAGGTCGACTCTAGAGGATCCCCGGGTACCGAGCTCGAATTCACTGGCCGTCGTTTTACAACGTCGTGACTGGGAAAACCCTGGCG"
    "TTACCCAACTTAATCGCCTTGCAGCACATCCCCCTTTCGCCAGCTGGCGTAATAGCGAAGAGGCCCGCACCGATCGCCCTTCCCAACAGTTGCGCAG"
    "CCTGAATGGCGAATGGCGCCTGATGCGGTATTTTCTCCTTACGCATCTGTGCGGTATTTCACACCGCATATGGTGCACTCTCAGTACAATCTGCTCTG"
)


def _oligo(seq: str) -> str:
    s = dna(seq, max_len=60)
    if len(s) < 6:
        raise ToolError("oligo must be 6-60 nt for thermodynamic analysis")
    return s


def _conditions(mv_conc: float, dv_conc: float) -> None:
    check_range("mv_conc", mv_conc, 0, 1000)
    check_range("dv_conc", dv_conc, 0, 100)


def _thermo_of(calc: Any, *sequences: str, mv_conc: float, dv_conc: float) -> dict:
    """Check the salt conditions and oligos, then run a primer3 ``calc_*`` function on them."""
    _conditions(mv_conc, dv_conc)
    return _thermo(calc(*(_oligo(s) for s in sequences), mv_conc=mv_conc, dv_conc=dv_conc))


def _thermo(result: Any) -> dict:
    # primer3 reports dG/dH in cal/mol; kcal/mol is what bench protocols quote
    return {
        "structure_found": bool(result.structure_found),
        "tm_celsius": rnd(result.tm, 2),
        "dg_kcal_per_mol": rnd(result.dg / 1000, 3),
        "dh_kcal_per_mol": rnd(result.dh / 1000, 3),
        "ds_cal_per_mol_k": rnd(result.ds, 3),
    }


@tool(
    "biology.primers.hairpin",
    "P",
    params={"sequence": "Oligo DNA sequence (6-60 nt), e.g. 'CCCCCATCCGATCAGGGGG'.", **COND},
    examples=[{"sequence": "CCCCCATCCGATCAGGGGG"}],
    bad_examples=[{"sequence": "ACG"}, {"sequence": "CCCCCATCCGATCAGGGGG", "mv_conc": -1.0}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence"},
    produces={"tm_celsius": "number", "dg_kcal_per_mol": "number"},
)
def hairpin(sequence: str, mv_conc: float = 50.0, dv_conc: float = 1.5) -> dict:
    """Most stable hairpin (secondary structure) of an oligo: whether one forms, its melting temperature (C)
    and its dG, dH (kcal/mol) and dS (cal/mol/K) at 37 C (primer3.calc_hairpin)."""
    import primer3

    return _thermo_of(primer3.calc_hairpin, sequence, mv_conc=mv_conc, dv_conc=dv_conc)


@tool(
    "biology.primers.homodimer",
    "P",
    params={"sequence": "Oligo DNA sequence (6-60 nt), e.g. 'AAAAGGGGCCCCTTTT'.", **COND},
    examples=[{"sequence": "AAAAGGGGCCCCTTTT"}],
    bad_examples=[{"sequence": "XXXXXXXX"}],
    package=PKG,
    requires=REQ,
    accepts={"sequence": "dna_sequence"},
    produces={"tm_celsius": "number", "dg_kcal_per_mol": "number"},
)
def homodimer(sequence: str, mv_conc: float = 50.0, dv_conc: float = 1.5) -> dict:
    """Self-dimer of an oligo with itself: whether one forms, its Tm (C) and dG/dH (kcal/mol) and dS
    (primer3.calc_homodimer)."""
    import primer3

    return _thermo_of(primer3.calc_homodimer, sequence, mv_conc=mv_conc, dv_conc=dv_conc)


@tool(
    "biology.primers.heterodimer",
    "P",
    params={
        "sequence_a": "First oligo (6-60 nt), e.g. 'CAGGTCGACTCTAGAGGATC'.",
        "sequence_b": "Second oligo (6-60 nt), e.g. 'GATCCTCTAGAGTCGACCTG'.",
        **COND,
    },
    examples=[{"sequence_a": "CAGGTCGACTCTAGAGGATC", "sequence_b": "GATCCTCTAGAGTCGACCTG"}],
    bad_examples=[{"sequence_a": "CAG", "sequence_b": "GATCCTCTAG"}],
    package=PKG,
    requires=REQ,
    accepts={"sequence_a": "dna_sequence", "sequence_b": "dna_sequence"},
    produces={"tm_celsius": "number", "dg_kcal_per_mol": "number"},
)
def heterodimer(sequence_a: str, sequence_b: str, mv_conc: float = 50.0, dv_conc: float = 1.5) -> dict:
    """Duplex between two different oligos (e.g. a primer pair): whether one forms, its Tm (C) and dG/dH
    (kcal/mol) and dS (primer3.calc_heterodimer)."""
    import primer3

    return _thermo_of(primer3.calc_heterodimer, sequence_a, sequence_b, mv_conc=mv_conc, dv_conc=dv_conc)


@tool(
    "biology.primers.end_stability",
    "P",
    params={
        "sequence_a": "Primer whose 3' end is tested (6-60 nt), e.g. 'AAGGTCGC'.",
        "sequence_b": "Template/target oligo it may anneal to, e.g. 'GCGACCTTAA'.",
        **COND,
    },
    examples=[{"sequence_a": "AAGGTCGC", "sequence_b": "GCGACCTTAA"}],
    bad_examples=[{"sequence_a": "AAG", "sequence_b": "GCGACCTTAA"}],
    package=PKG,
    requires=REQ,
    accepts={"sequence_a": "dna_sequence", "sequence_b": "dna_sequence"},
    produces={"dg_kcal_per_mol": "number"},
)
def end_stability(sequence_a: str, sequence_b: str, mv_conc: float = 50.0, dv_conc: float = 1.5) -> dict:
    """Stability of the 3' end of a primer annealed to a target: dG/dH (kcal/mol), dS and Tm of the most
    stable 3'-end duplex (primer3.calc_end_stability); more negative dG = stickier 3' end."""
    import primer3

    return _thermo_of(primer3.calc_end_stability, sequence_a, sequence_b, mv_conc=mv_conc, dv_conc=dv_conc)


@tool(
    "biology.primers.design_primers",
    "P",
    params={
        "template": "DNA template of 60-10000 nt to amplify from, e.g. a gene fragment.",
        "product_min": "Minimum PCR product size in bp, e.g. 100.",
        "product_max": "Maximum PCR product size in bp, e.g. 250.",
        "opt_tm": "Optimal primer Tm in C, e.g. 60.",
        "num_pairs": "Primer pairs to return (1-5), e.g. 3.",
    },
    examples=[{"template": TEMPLATE, "product_min": 100, "product_max": 250}],
    bad_examples=[
        {"template": TEMPLATE, "product_min": 300, "product_max": 200},
        {"template": "ACGT", "product_min": 100, "product_max": 200},
    ],
    package=PKG,
    requires=REQ,
    accepts={"template": "dna_sequence"},
    produces={"left_primers": "dna_sequence", "right_primers": "dna_sequence", "product_sizes": "number"},
)
def design_primers(
    template: str, product_min: int = 100, product_max: int = 300, opt_tm: float = 60.0, num_pairs: int = 3
) -> dict:
    """Design PCR primer pairs for a template with Primer3: for each pair the left and right primer sequences,
    start positions, Tm (C), GC percent, product size and penalty (best first)."""
    import primer3

    s = dna(template, max_len=10_000)
    if len(s) < 60 or not 40 <= product_min <= product_max <= len(s):
        raise ToolError(f"need a template of >= 60 nt and 40 <= product_min <= product_max <= {len(s)}")
    check_range("opt_tm", opt_tm, 40, 80)
    check_range("num_pairs", num_pairs, 1, 5)
    res = primer3.design_primers(
        {"SEQUENCE_ID": "template", "SEQUENCE_TEMPLATE": s},
        {
            "PRIMER_NUM_RETURN": num_pairs,
            "PRIMER_PRODUCT_SIZE_RANGE": [[product_min, product_max]],
            "PRIMER_OPT_TM": opt_tm,
            "PRIMER_MIN_TM": opt_tm - 3,
            "PRIMER_MAX_TM": opt_tm + 3,
        },
    )
    pairs = []
    for i in range(res.get("PRIMER_PAIR_NUM_RETURNED", 0)):
        left, right = res[f"PRIMER_LEFT_{i}"], res[f"PRIMER_RIGHT_{i}"]
        pairs.append(
            {
                "left": res[f"PRIMER_LEFT_{i}_SEQUENCE"],
                "right": res[f"PRIMER_RIGHT_{i}_SEQUENCE"],
                "left_start": left[0] + 1,
                "right_start": right[0] + 1,
                "left_tm": rnd(res[f"PRIMER_LEFT_{i}_TM"], 2),
                "right_tm": rnd(res[f"PRIMER_RIGHT_{i}_TM"], 2),
                "left_gc_percent": rnd(res[f"PRIMER_LEFT_{i}_GC_PERCENT"], 1),
                "right_gc_percent": rnd(res[f"PRIMER_RIGHT_{i}_GC_PERCENT"], 1),
                "product_size": res[f"PRIMER_PAIR_{i}_PRODUCT_SIZE"],
                "penalty": rnd(res[f"PRIMER_PAIR_{i}_PENALTY"], 4),
            }
        )
    if not pairs:
        raise ToolError(f"Primer3 found no pair: {res.get('PRIMER_PAIR_EXPLAIN', 'relax the constraints')}")
    pairs = pairs[:LIST_CAP]
    return {
        "pairs": pairs,
        "left_primers": [p["left"] for p in pairs],
        "right_primers": [p["right"] for p in pairs],
        "product_sizes": [p["product_size"] for p in pairs],
    }
