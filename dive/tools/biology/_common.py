"""Helpers shared by the biology tools: error messages with close matches, list caps, sequence checks."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Any

from dive.tools.base import ToolError

LIST_CAP = 20  # a tool message must stay small; long lists are cut and carry a total


def close_matches(value: str, choices: Iterable[str], n: int = 5) -> list[str]:
    """Up to ``n`` choices that look like ``value`` (case-insensitive), original spelling kept."""
    by_lower: dict[str, str] = {}
    for choice in choices:
        by_lower.setdefault(str(choice).lower(), str(choice))
    if (
        len(by_lower) > 3000
    ):  # difflib is quadratic-ish; pre-filter big vocabularies by first letter and length
        low = value.lower()
        by_lower = {k: v for k, v in by_lower.items() if k[:1] == low[:1] and abs(len(k) - len(low)) <= 3}
    hits = difflib.get_close_matches(value.lower(), list(by_lower), n=n, cutoff=0.6)
    return [by_lower[h] for h in hits]


def unknown(kind: str, value: Any, choices: Iterable[str] = (), hint: str = "") -> ToolError:
    """A ToolError naming the unknown value and, where possible, the closest valid ones."""
    matches = close_matches(str(value), choices) if choices else []
    message = f"unknown {kind} {value!r}"
    if matches:
        message += f"; did you mean {matches}?"
    if hint:
        message += f" ({hint})"
    return ToolError(message)


def capped(items: Sequence[Any], limit: int = LIST_CAP) -> list[Any]:
    return list(items[:limit])


def check_range(name: str, value: float, low: float | None = None, high: float | None = None) -> None:
    if (low is not None and value < low) or (high is not None and value > high):
        raise ToolError(f"{name} must be in [{low}, {high}], got {value}")


_DNA = re.compile(r"^[ACGTN]+$")
_RNA = re.compile(r"^[ACGUN]+$")
_IUPAC_DNA = re.compile(r"^[ACGTURYSWKMBDHVN]+$")
_PROTEIN = re.compile(r"^[ACDEFGHIKLMNPQRSTVWY]+$")


def clean(seq: str) -> str:
    """Upper-case and strip whitespace and digits (as pasted from GenBank/FASTA bodies)."""
    return re.sub(r"[\s\d]", "", seq).upper()


def dna(seq: str, *, allow_rna: bool = False, iupac: bool = False, max_len: int = 100_000) -> str:
    """A validated nucleotide sequence, or a ToolError saying which letters are allowed."""
    s = clean(seq)
    if not s:
        raise ToolError("empty sequence; give nucleotides such as 'ATGGCC'")
    if len(s) > max_len:
        raise ToolError(f"sequence too long ({len(s)} nt); the limit is {max_len}")
    if iupac:
        ok = _IUPAC_DNA.match(s) is not None
        allowed = "IUPAC nucleotide codes ACGTURYSWKMBDHVN"
    elif allow_rna:
        ok = _DNA.match(s) is not None or _RNA.match(s) is not None
        allowed = "A, C, G, T (or U for RNA) and N"
    else:
        ok = _DNA.match(s) is not None
        allowed = "A, C, G, T and N"
    if not ok:
        bad = sorted(set(s) - set("ACGTURYSWKMBDHVN" if iupac else "ACGTUN"))
        raise ToolError(
            f"not a valid nucleotide sequence (bad letters {bad or 'mixed T/U'}); allowed: {allowed}"
        )
    return s


def protein(seq: str, *, max_len: int = 50_000) -> str:
    """A validated protein sequence of the 20 standard one-letter amino acids."""
    s = clean(seq).rstrip("*")
    if not s:
        raise ToolError("empty sequence; give one-letter amino acids such as 'MKTAYIAK'")
    if len(s) > max_len:
        raise ToolError(f"sequence too long ({len(s)} aa); the limit is {max_len}")
    if not _PROTEIN.match(s):
        bad = sorted(set(s) - set("ACDEFGHIKLMNPQRSTVWY"))
        raise ToolError(f"not a protein sequence of the 20 standard amino acids; bad letters {bad}")
    return s


def rnd(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)
