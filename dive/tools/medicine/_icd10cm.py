"""Shared helpers of the ICD-10-CM tools: the ``simple-icd-10-cm`` loader, cached code tables and
code normalisation, used by the icd10cm* tool modules."""

from __future__ import annotations

import functools
import re
import warnings
from types import ModuleType

from dive.tools.base import ToolError
from dive.tools.medicine._common import LIST_CAP, capped, close

PKG = "simple-icd-10-cm"
DATASET = "ICD-10-CM tabular list, April 2026 (CDC/NCHS)"
REQ = ["simple_icd_10_cm"]


@functools.cache
def icd() -> ModuleType:
    """The simple_icd_10_cm module (its import parses the 11 MB XML, so it happens on first use)."""
    with warnings.catch_warnings():  # it imports the deprecated pkg_resources
        warnings.simplefilter("ignore")
        import simple_icd_10_cm

    return simple_icd_10_cm


@functools.cache
def all_codes() -> tuple[str, ...]:
    return tuple(icd().get_all_codes(True))


@functools.cache
def leaf_codes() -> tuple[str, ...]:
    return tuple(c for c in all_codes() if icd().is_leaf(c))


@functools.cache
def position() -> dict[str, int]:
    """Tabular-list index of every item (the library's get_index scans the whole list per new code)."""
    return {c: i for i, c in enumerate(all_codes())}


@functools.cache
def undotted() -> dict[str, str]:
    """Undotted form -> dotted form of every item."""
    return {c.replace(".", ""): c for c in all_codes()}


@functools.cache
def leaf_order() -> tuple[int, ...]:
    """Tabular-list index of every billable code, ascending (get_all_codes is in tabular order)."""
    return tuple(position()[c] for c in leaf_codes())


@functools.cache
def titles() -> tuple[tuple[str, str], ...]:
    """(code, lower-case title) of every code below block level, for text search."""
    return tuple(
        (c, icd().get_description(c).lower()) for c in all_codes() if not icd().is_chapter_or_block(c)
    )


def norm(code: str) -> str:
    """The dotted form of a valid ICD-10-CM item (chapter number, block or code), else a ToolError."""
    text = code.strip().upper()
    found = (
        undotted().get(text.replace(".", "")) if "-" not in text else (text if text in position() else None)
    )
    if found is not None and (found == text or found.replace(".", "") == text):
        return found
    # Compare against codes sharing a prefix only: difflib over all 98k codes takes seconds.
    pool = [x for x in all_codes() if x[:2] == text[:2]] or [x for x in all_codes() if x[:1] == text[:1]]
    hints = close(text, pool)
    raise ToolError(
        f"unknown ICD-10-CM code {code!r}; give a code like 'E11.9', a block like 'E08-E13' or a "
        f"chapter number 1-22" + (f"; close matches: {hints}" if hints else "")
    )


def kind_of(code: str) -> str:
    c = icd()
    for name, test in (
        ("chapter", c.is_chapter),
        ("block", c.is_block),
        ("category", c.is_category),
        ("subcategory", c.is_subcategory),
    ):
        if test(code):
            return name
    return "extended subcategory"


def described(codes: list[str], cap: int = LIST_CAP) -> list[dict[str, str]]:
    return [{"code": x, "description": icd().get_description(x)} for x in capped(codes, cap)]


_CODE_RE = re.compile(r"\b([A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)")


def referenced_codes(texts: list[str]) -> list[str]:
    """Valid ICD-10-CM codes cited in note texts, e.g. '(E08.-)' -> 'E08' (notes point at other codes)."""
    found: list[str] = []
    for text in texts:
        for m in _CODE_RE.findall(text):
            m = m.rstrip(".")
            if icd().is_valid_item(m) and m not in found:
                found.append(m)
    return found


def seven_chr_source(code: str) -> str | None:
    """The code itself or the nearest ancestor that defines 7th characters (they are inherited)."""
    for x in [code, *icd().get_ancestors(code)]:
        if icd().is_category_or_subcategory(x) and icd().get_seven_chr_def(x):
            return x
    return None


CODE_PARAM = "ICD-10-CM code, with or without the dot, e.g. 'E11.9'"
