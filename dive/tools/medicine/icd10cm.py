"""ICD-10-CM hierarchy tools over the CDC April-2026 tabular list shipped in ``simple-icd-10-cm``.

Instructional-note tools live in ``icd10cm_notes`` and 7th-character tools in ``icd10cm_seventh``.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.medicine._common import capped
from dive.tools.medicine._icd10cm import (
    CODE_PARAM,
    DATASET,
    PKG,
    REQ,
    all_codes,
    described,
    icd,
    kind_of,
    leaf_codes,
    leaf_order,
    norm,
    position,
    titles,
)
from dive.tools.medicine._icd10cm import referenced_codes as referenced_codes  # re-export: icd10cm_notes


@tool(
    "medicine.icd10cm.lookup",
    "R",
    params={"code": CODE_PARAM + "; a block ('E08-E13') or chapter number ('4') also works."},
    examples=[{"code": "E11.9"}, {"code": "I21"}],
    bad_examples=[{"code": "E99.99"}, {"code": "hello"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"code": "icd10cm_code"},
    produces={"description": "disease", "parent": "icd10cm_code", "code": "icd10cm_code"},
)
def lookup(code: str) -> dict[str, Any]:
    """Title of an ICD-10-CM code: description, level (chapter/block/category/subcategory), parent,
    whether it is billable (a leaf), and its number of children."""
    x = norm(code)
    c = icd()
    return {
        "code": x,
        "description": c.get_description(x),
        "level": kind_of(x),
        "parent": c.get_parent(x) or None,
        "billable": c.is_leaf(x),
        "n_children": len(c.get_children(x)),
    }


@tool(
    "medicine.icd10cm.ancestors",
    "R",
    params={"code": CODE_PARAM},
    examples=[{"code": "S52.521A"}, {"code": "E11.9"}],
    bad_examples=[{"code": "Z99.999"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"code": "icd10cm_code"},
    produces={"ancestors": "icd10cm_code"},
)
def ancestors(code: str) -> dict[str, Any]:
    """All ancestors of an ICD-10-CM code from its parent up to its chapter, each with its description
    (``ancestors`` lists codes nearest first; ``chain`` pairs each with its title)."""
    x = norm(code)
    anc = icd().get_ancestors(x)
    return {"code": x, "ancestors": anc, "chain": described(anc, 30), "depth": len(anc)}


@tool(
    "medicine.icd10cm.children",
    "R",
    params={"code": "ICD-10-CM category, block or chapter number, e.g. 'E11', 'E08-E13' or '4'."},
    examples=[{"code": "E11"}, {"code": "4"}],
    bad_examples=[{"code": "QQ1"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"code": "icd10cm_code"},
    produces={"children": "icd10cm_code"},
)
def children(code: str) -> dict[str, Any]:
    """Direct children of an ICD-10-CM chapter, block or code with their descriptions (first 20) and
    the total count; an empty list means the code is a billable leaf."""
    x = norm(code)
    kids = icd().get_children(x)
    return {"code": x, "children": capped(kids), "details": described(kids), "total": len(kids)}


@tool(
    "medicine.icd10cm.billable_descendants",
    "R",
    params={"code": "ICD-10-CM category or block whose billable codes to list, e.g. 'E10' or 'I20-I25'."},
    examples=[{"code": "E10"}, {"code": "I20-I25"}],
    bad_examples=[{"code": "E10.99999"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"code": "icd10cm_code"},
    produces={"billable_codes": "icd10cm_code", "total": "number"},
)
def billable_descendants(code: str) -> dict[str, Any]:
    """Billable (leaf) ICD-10-CM codes under a category, block or chapter: the first 20 with
    descriptions, and the total number of billable codes and of all descendants."""
    x = norm(code)
    desc = icd().get_descendants(x)
    leaves = [d for d in desc if icd().is_leaf(d)]
    return {
        "code": x,
        "billable_codes": capped(leaves),
        "details": described(leaves),
        "total": len(leaves),
        "all_descendants": len(desc),
    }


@tool(
    "medicine.icd10cm.siblings",
    "R",
    params={"code": CODE_PARAM},
    examples=[{"code": "J45.20"}],
    bad_examples=[{"code": "J45.999"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"code": "icd10cm_code"},
    produces={"siblings": "icd10cm_code"},
)
def siblings(code: str) -> dict[str, Any]:
    """Other ICD-10-CM codes sharing the same parent (first 20 with descriptions) and their count."""
    x = norm(code)
    parent = icd().get_parent(x)
    if not parent:
        raise ToolError(f"{x!r} is a chapter and has no parent; try medicine.icd10cm.chapters")
    sib = [s for s in icd().get_children(parent) if s != x]
    return {
        "code": x,
        "parent": parent,
        "siblings": capped(sib),
        "details": described(sib),
        "total": len(sib),
    }


def _chapter_of(x: str) -> str:
    anc = icd().get_ancestors(x)
    return anc[-1] if anc else x


@tool(
    "medicine.icd10cm.chapter",
    "R",
    params={"code": CODE_PARAM},
    examples=[{"code": "I10"}, {"code": "S72.001A"}],
    bad_examples=[{"code": "I99.999"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"code": "icd10cm_code"},
    produces={"chapter": "number", "title": "topic", "code_range": "icd10cm_code"},
)
def chapter(code: str) -> dict[str, Any]:
    """The ICD-10-CM chapter a code belongs to: chapter number (1-22), title and code range."""
    x = norm(code)
    ch = _chapter_of(x)
    desc = icd().get_description(ch)
    m = re.match(r"(.*)\s+\(([A-Z0-9]+-[A-Z0-9]+)\)$", desc)
    title, rng = (m.group(1), m.group(2)) if m else (desc, None)
    return {"code": x, "chapter": int(ch), "title": title, "code_range": rng}


@tool(
    "medicine.icd10cm.block",
    "R",
    params={"code": CODE_PARAM},
    examples=[{"code": "E11.65"}, {"code": "C50.911"}],
    bad_examples=[{"code": "C50.9999"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"code": "icd10cm_code"},
    produces={"block": "icd10cm_code", "title": "topic"},
)
def block(code: str) -> dict[str, Any]:
    """The ICD-10-CM block (range of categories, e.g. 'E08-E13') containing a code, with its title and
    the number of categories in the block."""
    x = norm(code)
    chain = [x, *icd().get_ancestors(x)]
    blocks = [a for a in chain if icd().is_block(a)]
    if not blocks:
        raise ToolError(f"{x!r} is a chapter, above block level; give a code such as 'E11.9'")
    b = blocks[-1]  # the outermost block, as sub-blocks exist in a few chapters
    return {
        "code": x,
        "block": b,
        "title": icd().get_description(b),
        "n_categories": len(icd().get_children(b)),
    }


@tool(
    "medicine.icd10cm.chapters",
    "R",
    params={
        "letter": "Optional first letter of codes, e.g. 'D' (chapters covering D codes); omit for all 22."
    },
    examples=[{}, {"letter": "D"}],
    bad_examples=[{"letter": "1"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    produces={"chapters": "number"},
)
def chapters(letter: str | None = None) -> dict[str, Any]:
    """The ICD-10-CM chapters (number, title with code range, number of blocks), optionally only those
    covering codes that start with a given letter."""
    rows = []
    for ch in [c for c in all_codes() if c.isdigit()]:  # chapters are the only all-digit items
        blocks = icd().get_children(ch)
        letters = {b[0] for b in blocks}
        if letter is not None and letter.strip().upper() not in letters:
            continue
        rows.append({"chapter": int(ch), "title": icd().get_description(ch), "n_blocks": len(blocks)})
    if not rows:
        raise ToolError(f"no chapter covers codes starting with {letter!r}; give a letter A-Z")
    return {"chapters": [r["chapter"] for r in rows], "details": rows, "total": len(rows)}


@tool(
    "medicine.icd10cm.search",
    "R",
    params={
        "text": "Words to find in code titles (all must occur, any order), e.g. 'asthma persistent'.",
        "billable_only": "Only billable (leaf) codes, e.g. true.",
    },
    examples=[{"text": "asthma persistent"}, {"text": "migraine", "billable_only": True}],
    bad_examples=[{"text": "xyzzyplugh"}, {"text": "  "}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"text": "disease"},
    produces={"codes": "icd10cm_code", "best_code": "icd10cm_code"},
)
def search(text: str, billable_only: bool = False) -> dict[str, Any]:
    """ICD-10-CM codes whose title contains every word of ``text``: first 20 matches (shortest titles
    first, so the most general match leads) and the total number of matches."""
    words = [w for w in re.split(r"\W+", text.lower()) if w]
    if not words:
        raise ToolError("text must contain at least one word, e.g. 'asthma'")
    hits = [c for c, t in titles() if all(w in t for w in words) and (not billable_only or icd().is_leaf(c))]
    if not hits:
        raise ToolError(f"no ICD-10-CM title contains all of {words}; try fewer or broader words")
    hits.sort(key=lambda c: (len(icd().get_description(c)), c))
    return {
        "query": text,
        "codes": capped(hits),
        "details": described(hits),
        "best_code": hits[0],
        "total": len(hits),
    }


@tool(
    "medicine.icd10cm.common_ancestor",
    "R",
    params={
        "code_a": "First ICD-10-CM code, e.g. 'E11.9'.",
        "code_b": "Second ICD-10-CM code, e.g. 'E10.9'.",
    },
    examples=[{"code_a": "E11.9", "code_b": "E10.9"}, {"code_a": "I21.4", "code_b": "J18.9"}],
    bad_examples=[{"code_a": "E11.9", "code_b": "E1O.9"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"code_a": "icd10cm_code", "code_b": "icd10cm_code"},
    produces={"ancestor": "icd10cm_code"},
)
def common_ancestor(code_a: str, code_b: str) -> dict[str, Any]:
    """Nearest common ancestor of two ICD-10-CM codes with its description and level, and how many
    steps each code is below it (a small distance means closely related diagnoses)."""
    a, b = norm(code_a), norm(code_b)
    if _chapter_of(a) != _chapter_of(b):
        return {
            "code_a": a,
            "code_b": b,
            "ancestor": None,
            "same_chapter": False,
            "note": "the codes are in different chapters, which share no ancestor",
        }
    anc = icd().get_nearest_common_ancestor(a, b)
    ca, cb = [a, *icd().get_ancestors(a)], [b, *icd().get_ancestors(b)]
    return {
        "code_a": a,
        "code_b": b,
        "ancestor": anc,
        "description": icd().get_description(anc),
        "level": kind_of(anc),
        "same_chapter": True,
        "steps_from_a": ca.index(anc),
        "steps_from_b": cb.index(anc),
    }


@tool(
    "medicine.icd10cm.neighbors",
    "R",
    params={"code": CODE_PARAM, "count": "How many codes before and after to list, 1-10, e.g. 3."},
    examples=[{"code": "I10", "count": 2}],
    bad_examples=[{"code": "I10", "count": 50}, {"code": "I10.99"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"code": "icd10cm_code"},
    produces={"before": "icd10cm_code", "after": "icd10cm_code"},
)
def neighbors(code: str, count: int = 3) -> dict[str, Any]:
    """The billable codes just before and just after a code in tabular-list order, with descriptions,
    and the code's position among all billable codes."""
    if not 1 <= count <= 10:
        raise ToolError(f"count must be between 1 and 10, got {count}")
    x = norm(code)
    leaves = leaf_codes()
    pos = bisect.bisect_left(leaf_order(), position()[x])
    after_start = pos + 1 if pos < len(leaves) and leaves[pos] == x else pos
    before = list(leaves[max(0, pos - count) : pos])
    after = list(leaves[after_start : after_start + count])
    return {
        "code": x,
        "billable_position": pos + 1,
        "total_billable": len(leaves),
        "before": before,
        "after": after,
        "details": described(before + after),
    }


@tool(
    "medicine.icd10cm.format_code",
    "P",
    params={"code": "ICD-10-CM code in any format, e.g. 'e119', 'E11.9' or ' S52521A '."},
    examples=[{"code": "e119"}, {"code": "S52521A"}],
    bad_examples=[{"code": "E119999"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"code": "icd10cm_code"},
    produces={"dotted": "icd10cm_code", "undotted": "word"},
)
def format_code(code: str) -> dict[str, Any]:
    """Normalise an ICD-10-CM code: its dotted form (claims display) and undotted form (EDI claims
    files), its character count and whether it is valid and billable."""
    x = norm(code)
    if icd().is_chapter_or_block(x):
        raise ToolError(f"{x!r} is a chapter or block, not a code; give e.g. 'E11.9'")
    return {
        "input": code,
        "dotted": x,
        "undotted": icd().remove_dot(x),
        "length": len(icd().remove_dot(x)),
        "valid": True,
        "billable": icd().is_leaf(x),
    }
