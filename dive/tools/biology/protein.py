"""Protein physico-chemical parameters with Biopython's ProtParam (ExPASy ProtParam methods)."""

from __future__ import annotations

from typing import Any, Literal

from dive.tools.base import ToolError, tool
from dive.tools.biology._common import LIST_CAP, check_range, protein, rnd

PKG = "biopython"
REQ = ["Bio"]
INSULIN_B = "FVNQHLCGSHLVEALYLVCGERGFFYTPKT"
UBIQUITIN = "MQIFVKTLTGKTITLEVEPSDTIENVKAKIQDKEGIPPDQQRLIFAGKQLEDGRTLSDYNIQKESTLHLVLRLRGG"
BAD = [{"sequence": "MKT123XB"}]


def _pa(sequence: str) -> Any:
    from Bio.SeqUtils.ProtParam import ProteinAnalysis

    return ProteinAnalysis(protein(sequence))


def _ptool(
    name: str,
    produces: dict[str, str],
    extra: dict[str, str] | None = None,
    examples: list[dict[str, Any]] | None = None,
    bad: list[dict[str, Any]] | None = None,
) -> Any:
    params = {"sequence": f"Protein sequence in one-letter codes, e.g. '{INSULIN_B}'.", **(extra or {})}
    return tool(
        f"biology.protein.{name}",
        "P",
        params=params,
        examples=examples or [{"sequence": UBIQUITIN}, {"sequence": INSULIN_B}],
        bad_examples=bad or BAD,
        package=PKG,
        requires=REQ,
        accepts={"sequence": "protein_sequence"},
        produces=produces,
    )


@_ptool(
    "molecular_weight",
    {"molecular_weight_da": "number"},
    {"monoisotopic": "Use monoisotopic instead of average residue masses (default false)."},
)
def molecular_weight(sequence: str, monoisotopic: bool = False) -> dict:
    """Molecular weight of a protein in daltons (average or monoisotopic masses), with its length."""
    from Bio.SeqUtils.ProtParam import ProteinAnalysis

    pa = ProteinAnalysis(protein(sequence), monoisotopic=monoisotopic)
    return {
        "molecular_weight_da": rnd(pa.molecular_weight(), 3),
        "length_aa": pa.length,
        "monoisotopic": monoisotopic,
    }


@_ptool("isoelectric_point", {"pI": "number"})
def isoelectric_point(sequence: str) -> dict:
    """Theoretical isoelectric point (pI) of a protein from Bjellqvist pK values: pH of zero net charge."""
    return {"pI": rnd(_pa(sequence).isoelectric_point(), 3)}


@_ptool(
    "charge_at_ph",
    {"net_charge": "number"},
    {"ph": "pH at which to compute the net charge (0-14), e.g. 7.4."},
    examples=[{"sequence": UBIQUITIN, "ph": 7.4}],
    bad=[{"sequence": UBIQUITIN, "ph": 15.0}],
)
def charge_at_ph(sequence: str, ph: float = 7.0) -> dict:
    """Net electric charge of a protein at a given pH (sum of ionisable group charges, Henderson-
    Hasselbalch)."""
    check_range("ph", ph, 0, 14)
    return {"ph": ph, "net_charge": rnd(_pa(sequence).charge_at_pH(ph), 3)}


@_ptool("aromaticity", {"aromaticity": "number"})
def aromaticity(sequence: str) -> dict:
    """Aromaticity of a protein (Lobry 1994): relative frequency of Phe + Trp + Tyr, from 0 to 1."""
    return {"aromaticity": rnd(_pa(sequence).aromaticity())}


@_ptool("instability_index", {"instability_index": "number"})
def instability_index(sequence: str) -> dict:
    """Instability index (Guruprasad 1990) of a protein; above 40 predicts it is unstable in vitro."""
    value = _pa(sequence).instability_index()
    return {"instability_index": rnd(value, 2), "predicted": "unstable" if value > 40 else "stable"}


@_ptool("gravy", {"gravy": "number"})
def gravy(sequence: str) -> dict:
    """Grand average of hydropathy (GRAVY, Kyte-Doolittle scale): positive = hydrophobic, negative =
    hydrophilic."""
    return {"gravy": rnd(_pa(sequence).gravy())}


@_ptool("secondary_structure_fraction", {"helix": "number", "turn": "number", "sheet": "number"})
def secondary_structure_fraction(sequence: str) -> dict:
    """Fractions of residues favouring helix (V,I,Y,F,W,L), turn (N,P,G,S) and sheet (E,M,A,L), 0-1 each."""
    helix, turn, sheet = _pa(sequence).secondary_structure_fraction()
    return {"helix": rnd(helix), "turn": rnd(turn), "sheet": rnd(sheet)}


@_ptool("extinction_coefficient", {"reduced": "number", "oxidized": "number"})
def extinction_coefficient(sequence: str) -> dict:
    """Molar extinction coefficients at 280 nm (M^-1 cm^-1) with reduced cysteines and with cystines
    (disulfides), plus the absorbance of a 1 mg/mL solution (Abs 0.1%) for each."""
    pa = _pa(sequence)
    reduced, oxidized = pa.molar_extinction_coefficient()
    mw = pa.molecular_weight()
    return {
        "reduced": reduced,
        "oxidized": oxidized,
        "abs_0.1pct_reduced": rnd(reduced / mw, 3),
        "abs_0.1pct_oxidized": rnd(oxidized / mw, 3),
    }


@_ptool("flexibility", {"mean_flexibility": "number"})
def flexibility(sequence: str) -> dict:
    """Per-window backbone flexibility (Vihinen 1994, 9-residue windows): mean, min, max and the first 20
    window values."""
    s = protein(sequence)
    if len(s) < 9:
        raise ToolError("flexibility needs at least 9 residues")
    values = _pa(s).flexibility()
    return {
        "mean_flexibility": rnd(sum(values) / len(values)),
        "min": rnd(min(values)),
        "max": rnd(max(values)),
        "windows": len(values),
        "values": [rnd(v) for v in values[:LIST_CAP]],
    }


@_ptool("amino_acid_composition", {"most_common": "amino_acid"})
def amino_acid_composition(sequence: str) -> dict:
    """Amino-acid composition of a protein: count and percent of each residue present, and the most common."""
    pa = _pa(sequence)
    counts = {k: v for k, v in pa.count_amino_acids().items() if v}
    percent = {k: rnd(100 * v / pa.length, 3) for k, v in counts.items()}
    return {
        "length_aa": pa.length,
        "counts": counts,
        "percent": percent,
        "most_common": max(sorted(counts), key=lambda k: counts[k]),
    }


@_ptool(
    "hydropathy_profile",
    {"max_window_score": "number"},
    {
        "window": "Odd window length (3-31) for the sliding average, e.g. 9.",
        "scale": "'kd' Kyte-Doolittle (default), 'hw' Hopp-Woods hydrophilicity, 'em' Eisenberg, 'ja' Janin.",
    },
    examples=[{"sequence": UBIQUITIN, "window": 9}],
    bad=[{"sequence": UBIQUITIN, "window": 2}],
)
def hydropathy_profile(sequence: str, window: int = 9, scale: Literal["kd", "hw", "em", "ja"] = "kd") -> dict:
    """Sliding-window hydropathy profile of a protein (ProtParam.protein_scale): the first 20 window scores,
    and the start (1-based) and score of the highest window, e.g. to spot transmembrane segments."""
    from Bio.SeqUtils import ProtParamData

    check_range("window", window, 3, 31)
    s = protein(sequence)
    if len(s) < window:
        raise ToolError(f"sequence ({len(s)} aa) is shorter than the window ({window})")
    values = _pa(s).protein_scale(getattr(ProtParamData, scale), window)
    best = max(range(len(values)), key=lambda i: values[i])
    return {
        "scale": scale,
        "window": window,
        "windows": len(values),
        "max_window_score": rnd(values[best]),
        "max_window_start": best + 1,
        "values": [rnd(v) for v in values[:LIST_CAP]],
    }
