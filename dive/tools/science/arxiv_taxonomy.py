"""arXiv subject taxonomy (groups, archives, categories) from arXiv's own arxiv-base package."""

from __future__ import annotations

import functools
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.science._common import capped, resolve

_PKG = "arxiv-base"
_REQ = ["arxiv"]
_DATA = "arxiv/taxonomy/definitions.py (184 categories, 39 archives, 9 groups)"


@functools.cache
def _defs() -> Any:
    # Import only the definitions module: the rest of arxiv-base needs flask (installed --no-deps).
    import arxiv.taxonomy.definitions as d

    return d


def _groups() -> dict[str, dict[str, Any]]:
    return {k.removeprefix("grp_"): v for k, v in _defs().GROUPS.items() if not v.get("is_test")}


def category_ids() -> list[str]:
    """Every category id, for seeds."""
    return sorted(_defs().CATEGORIES)


@tool(
    "science.arxiv.category_info",
    "R",
    params={"category": "arXiv category id, e.g. 'cs.AI', 'hep-th' or 'math.AG'."},
    examples=[{"category": "cs.AI"}, {"category": "hep-th"}, {"category": "chao-dyn"}],
    bad_examples=[{"category": "cs.XYZ"}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"category": "arxiv_category"},
    produces={"archive": "arxiv_archive", "group": "arxiv_group", "canonical": "arxiv_category"},
)
def category_info(category: str) -> dict[str, Any]:
    """An arXiv category's full name, archive and group, whether it is active, its canonical
    category (for aliases and subsumed legacy archives) and its description (first 600 chars)."""
    d = _defs()
    key = resolve(d.CATEGORIES, category, "arXiv category")
    cat = d.CATEGORIES[key]
    archive = d.ARCHIVES.get(cat["in_archive"], {})
    canonical = d.CATEGORY_ALIASES.get(key) or d.ARCHIVES_SUBSUMED.get(key) or key
    return {
        "category": key,
        "name": cat["name"],
        "archive": cat["in_archive"],
        "archive_name": archive.get("name"),
        "group": archive.get("in_group", "").removeprefix("grp_"),
        "active": bool(cat.get("is_active", True)),
        "canonical": canonical,
        "description": (cat.get("description") or "")[:600],
    }


@tool(
    "science.arxiv.archive_categories",
    "R",
    params={"archive": "arXiv archive id, e.g. 'astro-ph', 'cs', 'math' or 'cond-mat'."},
    examples=[{"archive": "astro-ph"}, {"archive": "cond-mat"}],
    bad_examples=[{"archive": "poetry"}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"archive": "arxiv_archive"},
    produces={"categories": "arxiv_category"},
)
def archive_categories(archive: str) -> dict[str, Any]:
    """The categories of an arXiv archive with their names, its group and the month it opened
    (and closed, for legacy archives)."""
    d = _defs()
    key = resolve(d.ARCHIVES, archive, "arXiv archive")
    info = d.ARCHIVES[key]
    cats = sorted(c for c, v in d.CATEGORIES.items() if v["in_archive"] == key)
    return {
        "archive": key,
        "name": info["name"],
        "group": info["in_group"].removeprefix("grp_"),
        "start_date": info.get("start_date"),
        "end_date": info.get("end_date"),
        "categories": cats,
        "names": [d.CATEGORIES[c]["name"] for c in cats],
        "count": len(cats),
    }


@tool(
    "science.arxiv.group_archives",
    "R",
    params={"group": "arXiv group: physics, math, cs, q-bio, q-fin, stat, eess or econ."},
    examples=[{"group": "physics"}, {"group": "q-fin"}],
    bad_examples=[{"group": "chemistry"}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"group": "arxiv_group"},
    produces={"archives": "arxiv_archive"},
)
def group_archives(group: str) -> dict[str, Any]:
    """The archives of an arXiv subject group (active ones flagged), the group's name and start year."""
    d = _defs()
    key = resolve(_groups(), group, "arXiv group")
    info = _groups()[key]
    archives = sorted(a for a, v in d.ARCHIVES.items() if v["in_group"] == f"grp_{key}")
    return {
        "group": key,
        "name": info["name"],
        "start_year": info.get("start_year"),
        "archives": archives,
        "active_archives": [a for a in archives if a in d.ARCHIVES_ACTIVE],
        "count": len(archives),
    }


@tool(
    "science.arxiv.search_categories",
    "R",
    params={
        "query": "Word(s) to find in category names and descriptions, e.g. 'quantum' or 'neural'.",
        "active_only": "Only list active categories (default true).",
    },
    examples=[{"query": "quantum", "active_only": True}, {"query": "galaxies", "active_only": True}],
    bad_examples=[{"query": "xylophone", "active_only": True}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"query": "topic"},
    produces={"categories": "arxiv_category"},
)
def search_categories(query: str, active_only: bool = True) -> dict[str, Any]:
    """arXiv categories whose name or description contains every query word; name matches first."""
    words = query.lower().split()
    if not words:
        raise ToolError("query must contain a word, e.g. 'optics'")
    hits = []
    for key, cat in _defs().CATEGORIES.items():
        if active_only and not cat.get("is_active", True):
            continue
        text = f"{cat['name']} {cat.get('description', '')}".lower()
        if all(w in text for w in words):
            hits.append((not all(w in cat["name"].lower() for w in words), key))
    if not hits:
        raise ToolError(f"no arXiv category mentions {words}; try a broader word such as 'physics'")
    keys = [k for _, k in sorted(hits)]
    out = capped(keys, "categories")
    out["names"] = [_defs().CATEGORIES[k]["name"] for k in out["categories"]]
    return {"query": query, **out}


@tool(
    "science.arxiv.check_categories",
    "P",
    params={
        "primary": "Proposed primary category, e.g. 'math.IT'.",
        "cross_lists": "Proposed cross-list categories, e.g. ['cs.LG', 'stat.ML', 'chao-dyn'].",
    },
    examples=[
        {"primary": "math.IT", "cross_lists": ["cs.LG", "stat.ML", "chao-dyn"]},
        {"primary": "astro-ph.GA", "cross_lists": []},
    ],
    bad_examples=[{"primary": "astro-ph.XX", "cross_lists": []}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"primary": "arxiv_category"},
    produces={"primary": "arxiv_category", "cross_lists": "arxiv_category"},
)
def check_categories(primary: str, cross_lists: list[str]) -> dict[str, Any]:
    """Validates a paper's arXiv category assignment: maps aliases and retired archives to their
    canonical categories, drops duplicates of the primary, and reports unknown or inactive ones."""
    d = _defs()
    if len(cross_lists) > 20:
        raise ToolError("at most 20 cross-list categories")

    def canon(cat: str) -> str:
        key = resolve(d.CATEGORIES, cat, "arXiv category")
        return d.CATEGORY_ALIASES.get(key) or d.ARCHIVES_SUBSUMED.get(key) or key

    notes, seen, cross = [], set(), []
    prim = canon(primary)
    if prim != primary:
        notes.append(f"primary {primary} -> canonical {prim}")
    seen.add(prim)
    unknown = []
    for cat in cross_lists:
        if cat not in d.CATEGORIES:
            unknown.append(cat)
            continue
        c = canon(cat)
        if c != cat:
            notes.append(f"{cat} -> canonical {c}")
        if c not in seen:
            seen.add(c)
            cross.append(c)
    inactive = [c for c in [prim, *cross] if not d.CATEGORIES[c].get("is_active", True)]
    return {
        "primary": prim,
        "cross_lists": cross,
        "unknown": unknown,
        "inactive": inactive,
        "notes": notes,
        "valid": not unknown and not inactive,
    }
