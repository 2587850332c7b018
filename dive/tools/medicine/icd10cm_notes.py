"""ICD-10-CM instructional notes (excludes, includes, code-first...) from ``simple-icd-10-cm``.

Notes in the tabular list apply to every code below the one that carries them, so each tool returns
the notes of the code itself and of its ancestors, each tagged with the code it comes from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.medicine._common import capped
from dive.tools.medicine.icd10cm import DATASET, PKG, REQ, icd, norm, referenced_codes

CODE_PARAM = "ICD-10-CM code, with or without the dot, e.g. 'E11.9'."


def _as_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    return [str(v) for v in value]


def gather(code: str, getter: Callable[[str], Any], label: str, inherit: bool = True) -> dict[str, Any]:
    """Notes of ``code`` (and of its ancestors when ``inherit``) returned by ``getter``."""
    x = norm(code)
    chain = [x, *icd().get_ancestors(x)] if inherit else [x]
    notes = [{"source": src, "text": t} for src in chain for t in _as_list(getter(src))]
    texts = [n["text"] for n in notes]
    return {
        "code": x,
        label: capped(texts, 30),
        "sources": capped(notes, 30),
        "total": len(notes),
        "referenced_codes": capped(referenced_codes(texts), 30),
    }


def _note_tool(name: str, getter_name: str, what: str, example: str, inherit: bool = True) -> None:
    """Register one note tool: every note kind is its own library function, hence its own tool."""

    def fn(code: str) -> dict[str, Any]:
        return gather(code, getattr(icd(), getter_name), name, inherit)

    fn.__name__ = name
    fn.__doc__ = (
        f"{what} for an ICD-10-CM code{', including those inherited from its ancestors' if inherit else ''}"
        f": the note texts, their source codes, and the valid ICD-10-CM codes the notes cite "
        f"(``referenced_codes``)."
    )
    tool(
        f"medicine.icd10cm.{name}",
        "R",
        params={"code": CODE_PARAM},
        examples=[{"code": example}],
        bad_examples=[{"code": "E11.99"}, {"code": "XYZ"}],
        package=PKG,
        dataset=DATASET,
        requires=REQ,
        accepts={"code": "icd10cm_code"},
        produces={"referenced_codes": "icd10cm_code"},
    )(fn)


_note_tool(
    "excludes1",
    "get_excludes1",
    "'Excludes1' notes (conditions that may never be coded together with this one)",
    "E11.9",
)
_note_tool(
    "excludes2",
    "get_excludes2",
    "'Excludes2' notes (conditions not part of this one that may be coded in addition)",
    "J45.909",
)
_note_tool("includes", "get_includes", "'Includes' notes (conditions the code's category covers)", "E11.9")
_note_tool(
    "use_additional_code",
    "get_use_additional_code",
    "'Use additional code' instructions (secondary codes to add)",
    "E11.9",
)
_note_tool(
    "code_first",
    "get_code_first",
    "'Code first' instructions (the underlying condition to sequence first)",
    "E08.9",
)
_note_tool("code_also", "get_code_also", "'Code also' instructions (other codes that may be needed)", "C25.0")
_note_tool("notes", "get_notes", "General notes (definitions and usage notes)", "Z79.4")


@tool(
    "medicine.icd10cm.inclusion_terms",
    "R",
    params={"code": CODE_PARAM},
    examples=[{"code": "A01.0"}, {"code": "A04.9"}],
    bad_examples=[{"code": "I10.0"}],
    package=PKG,
    dataset=DATASET,
    requires=REQ,
    accepts={"code": "icd10cm_code"},
    produces={"inclusion_terms": "disease"},
)
def inclusion_terms(code: str) -> dict[str, Any]:
    """Inclusion terms of one ICD-10-CM code: synonyms and clinical phrases classified to exactly this
    code (e.g. A01.0 -> "Infection due to Salmonella typhi"); not inherited."""
    x = norm(code)
    terms = _as_list(icd().get_inclusion_term(x))
    if not terms and icd().is_chapter_or_block(x):
        raise ToolError(f"{x!r} is a chapter or block; inclusion terms belong to codes such as 'I10'")
    return {
        "code": x,
        "description": icd().get_description(x),
        "inclusion_terms": capped(terms, 30),
        "total": len(terms),
    }
