"""ICD-10-CM 7th-character tools: the extensions a code takes (encounter, healing, fetus...) and the
complete code made by adding one, over ``simple-icd-10-cm``."""

from __future__ import annotations

from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.medicine._icd10cm import DATASET, PKG, REQ, icd, norm, seven_chr_source


@tool(
    "medicine.icd10cm.seventh_character_options",
    "R",
    params={"code": "ICD-10-CM code needing a 7th character, e.g. 'S52.521' or 'S72'."},
    examples=[{"code": "S52.521"}, {"code": "O32"}],
    bad_examples=[{"code": "E11.9"}, {"code": "S52.5219"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"code": "icd10cm_code"},
    produces={"characters": "word", "defined_at": "icd10cm_code"},
)
def seventh_character_options(code: str) -> dict[str, Any]:
    """The 7th-character extensions valid for an ICD-10-CM code (e.g. A = initial encounter), the
    ancestor that defines them, and the instruction note."""
    x = norm(code)
    src = seven_chr_source(x)
    if src is None:
        raise ToolError(f"{x!r} takes no 7th character (only injury, obstetric and some other chapters do)")
    defs = icd().get_seven_chr_def(src)
    return {
        "code": x,
        "defined_at": src,
        "characters": sorted(defs),
        "meanings": defs,
        "note": icd().get_seven_chr_note(src) or None,
    }


@tool(
    "medicine.icd10cm.apply_seventh_character",
    "R",
    params={
        "code": "ICD-10-CM code without its 7th character, e.g. 'S52.521' or 'T81.40'.",
        "character": "The 7th character to add, e.g. 'A' (initial encounter) or 'D' (subsequent).",
    },
    examples=[{"code": "S52.521", "character": "A"}, {"code": "T81.40", "character": "D"}],
    bad_examples=[{"code": "S52.521", "character": "Z"}, {"code": "E11.9", "character": "A"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"code": "icd10cm_code"},
    produces={"full_code": "icd10cm_code", "description": "disease"},
)
def apply_seventh_character(code: str, character: str) -> dict[str, Any]:
    """The complete billable code made by adding a 7th character (padding with placeholder 'X' as
    the guidelines require), with its description and the meaning of the character."""
    x = norm(code)
    src = seven_chr_source(x)
    if src is None:
        raise ToolError(f"{x!r} takes no 7th character")
    defs = icd().get_seven_chr_def(src)
    ch = character.strip().upper()
    if ch not in defs:
        raise ToolError(f"character {character!r} is not valid for {x}; valid: {sorted(defs)}")
    bare = icd().remove_dot(x).ljust(6, "X") + ch
    full = icd().add_dot(bare)
    if not icd().is_valid_item(full):
        raise ToolError(
            f"{full} is not a valid code: {x} needs further subdivision first; see medicine.icd10cm.children"
        )
    return {
        "code": x,
        "character": ch,
        "full_code": full,
        "description": icd().get_description(full),
        "meaning": defs[ch],
        "billable": icd().is_leaf(full),
    }
