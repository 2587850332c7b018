"""Research-data repositories (re3data), standards/databases (FAIRsharing) and knowledge-organisation
systems (BARTOC), from the registry snapshots bundled with bioregistry."""

from __future__ import annotations

import functools
import json
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.science._common import capped, package_dir, resolve

_PKG = "bioregistry"


@functools.cache
def _raw(name: str) -> dict[str, dict[str, Any]]:
    path = package_dir("bioregistry") / "external" / name / "processed.json"
    return json.loads(path.read_text())


@functools.cache
def _by_name(name: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """Records keyed by their display name; the first record wins when two share a name."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for rid, rec in sorted(_raw(name).items()):
        title = (rec.get("name") or "").strip()
        if title and title not in out:
            out[title] = (rid, rec)
    return out


def names(registry: str) -> list[str]:
    """Record names of a registry, for seeds."""
    return list(_by_name(registry))


def _find(registry: str, name: str, kind: str) -> tuple[str, dict[str, Any]]:
    raw = _raw(registry)
    if name in raw:
        return name, raw[name]
    return _by_name(registry)[resolve(_by_name(registry), name, kind)]


def _search(registry: str, query: str, fields: tuple[str, ...]) -> list[str]:
    words = query.lower().split()
    if not words:
        raise ToolError("query must contain at least one word")
    scored = []
    for title, (_, rec) in _by_name(registry).items():
        text = " ".join(str(rec.get(f, "")) for f in fields).lower() + " " + title.lower()
        if all(w in text for w in words):
            scored.append((not all(w in title.lower() for w in words), title))
    if not scored:
        raise ToolError(f"no {registry} record mentions all of {words}; try fewer or broader words")
    return [t for _, t in sorted(scored)]


def _short(text: str | None, limit: int = 500) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@tool(
    "science.re3data.repository",
    "R",
    params={"name": "Repository name or re3data id, e.g. 'UK Polar Data Centre' or 'r3d100010120'."},
    examples=[{"name": "UK Polar Data Centre"}, {"name": "r3d100000001"}],
    bad_examples=[{"name": "Library of Babel Data Vault"}],
    package=_PKG,
    dataset="re3data registry snapshot (3,539 repositories)",
    accepts={"name": "data_repository"},
    produces={"re3data_id": "re3data_id", "doi": "doi", "homepage": "url"},
)
def repository(name: str) -> dict[str, Any]:
    """A research-data repository from re3data: id, name, acronyms, homepage, licence, re3data DOI
    and a description (first 500 characters)."""
    rid, rec = _find("re3data", name, "re3data repository")
    return {
        "re3data_id": rid,
        "name": rec["name"],
        "acronyms": rec.get("prefix_synonyms", []),
        "homepage": rec.get("homepage"),
        "license": (rec.get("license") or {}).get("name"),
        "doi": (rec.get("xrefs") or {}).get("doi"),
        "description": _short(rec.get("description")),
    }


@tool(
    "science.re3data.search",
    "R",
    params={"query": "Words to find in repository names and descriptions, e.g. 'ocean' or 'climate model'."},
    examples=[{"query": "ocean"}, {"query": "astronomy"}],
    bad_examples=[{"query": "qwxzv"}],
    package=_PKG,
    dataset="re3data registry snapshot (3,539 repositories)",
    accepts={"query": "topic"},
    produces={"repositories": "data_repository"},
)
def re3data_search(query: str) -> dict[str, Any]:
    """re3data repositories whose name or description contains every query word (name matches
    first; first 20 names) and the total count."""
    return {"query": query, **capped(_search("re3data", query, ("description",)), "repositories")}


@tool(
    "science.re3data.by_license",
    "R",
    params={"license": "Licence name as re3data records it, e.g. 'CC0', 'CC BY 4.0' or 'Copyrights'."},
    examples=[{"license": "CC0"}],
    bad_examples=[{"license": "WTFPL-9"}],
    package=_PKG,
    dataset="re3data registry snapshot (3,539 repositories)",
    produces={"repositories": "data_repository"},
)
def by_license(license: str) -> dict[str, Any]:
    """re3data repositories that declare a given data licence (first 20 names) and how many do."""
    licenses = sorted({(r.get("license") or {}).get("name") for r in _raw("re3data").values()} - {None})
    key = resolve({x: x for x in licenses}, license, "re3data licence")
    hits = sorted(
        t for t, (_, r) in _by_name("re3data").items() if (r.get("license") or {}).get("name") == key
    )
    return {"license": key, **capped(hits, "repositories")}


@tool(
    "science.fairsharing.record",
    "R",
    params={
        "name": "FAIRsharing record name or id, e.g. 'Precision Medicine Ontology' or 'FAIRsharing.0e2b98'."
    },
    examples=[{"name": "Precision Medicine Ontology"}, {"name": "PORTULAN CLARIN repository"}],
    bad_examples=[{"name": "Ontology of Imaginary Things"}],
    package=_PKG,
    dataset="FAIRsharing snapshot (4,175 standards, databases and policies)",
    accepts={"name": "fairsharing_record"},
    produces={"keywords": "topic", "publication_dois": "doi"},
)
def fairsharing_record(name: str) -> dict[str, Any]:
    """A FAIRsharing standard, database or policy: id, name, short names, homepage, subject
    keywords, licence, publications (DOI, title, year) and a description (first 500 characters)."""
    fid, rec = _find("fairsharing", name, "FAIRsharing record")
    pubs = [
        {"doi": p.get("doi"), "title": p.get("title"), "year": p.get("year")}
        for p in rec.get("publications", [])
    ]
    return {
        "fairsharing_id": fid,
        "name": rec["name"],
        "short_names": rec.get("short_names", []),
        "homepage": rec.get("homepage"),
        "keywords": rec.get("keywords", [])[:20],
        "license": (rec.get("license") or {}).get("name"),
        "publications": pubs[:10],
        "publication_dois": [p["doi"] for p in pubs if p["doi"]][:10],
        "description": _short(rec.get("description")),
    }


@tool(
    "science.fairsharing.by_keyword",
    "R",
    params={"keyword": "FAIRsharing subject keyword, e.g. 'Astrophysics', 'Genomics' or 'Ecology'."},
    examples=[{"keyword": "Astrophysics"}, {"keyword": "Genomics"}],
    bad_examples=[{"keyword": "Basket Weaving Science"}],
    package=_PKG,
    dataset="FAIRsharing snapshot (4,175 standards, databases and policies)",
    accepts={"keyword": "topic"},
    produces={"records": "fairsharing_record"},
)
def fairsharing_by_keyword(keyword: str) -> dict[str, Any]:
    """FAIRsharing records tagged with a subject keyword (first 20 names) and the total count."""
    recs = _by_name("fairsharing")
    keywords = sorted({k for _, r in recs.values() for k in r.get("keywords", [])})
    key = resolve({k: k for k in keywords}, keyword, "FAIRsharing keyword")
    hits = sorted(t for t, (_, r) in recs.items() if key in r.get("keywords", []))
    return {"keyword": key, **capped(hits, "records")}


@tool(
    "science.fairsharing.search",
    "R",
    params={
        "query": "Words to find in FAIRsharing names, descriptions and keywords, e.g. 'crystal structure'."
    },
    examples=[{"query": "crystal structure"}],
    bad_examples=[{"query": "zzqqxx"}],
    package=_PKG,
    dataset="FAIRsharing snapshot (4,175 standards, databases and policies)",
    accepts={"query": "topic"},
    produces={"records": "fairsharing_record"},
)
def fairsharing_search(query: str) -> dict[str, Any]:
    """FAIRsharing records mentioning every query word (name matches first; first 20) and the total."""
    return {"query": query, **capped(_search("fairsharing", query, ("description", "keywords")), "records")}


@tool(
    "science.bartoc.vocabulary",
    "R",
    params={
        "name": "Name of a thesaurus, classification or other knowledge-organisation system in BARTOC, "
        "e.g. 'Mathematics Subject Classification' or 'Dewey Decimal Classification'."
    },
    examples=[{"name": "Mathematics Subject Classification"}],
    bad_examples=[{"name": "Universal Classification of Everything Else"}],
    package=_PKG,
    dataset="BARTOC snapshot (4,163 knowledge-organisation systems)",
    accepts={"name": "vocabulary"},
    produces={"homepage": "url"},
)
def bartoc_vocabulary(name: str) -> dict[str, Any]:
    """A knowledge-organisation system from BARTOC: id, name, short names, homepage, licence,
    identifier pattern and a description (first 500 characters)."""
    bid, rec = _find("bartoc", name, "BARTOC vocabulary")
    return {
        "bartoc_id": bid,
        "name": rec.get("name"),
        "short_names": rec.get("short_names", []),
        "homepage": rec.get("homepage"),
        "license": (rec.get("license") or {}).get("name"),
        "pattern": rec.get("pattern"),
        "description": _short(rec.get("description")),
    }


def _host(url: str | None) -> str:
    from urllib.parse import urlparse

    host = urlparse(url or "").netloc.lower()
    return host.removeprefix("www.")


@tool(
    "science.registries.crosswalk",
    "R",
    params={"name": "re3data repository name, e.g. 'Crystallography Open Database'."},
    examples=[{"name": "Crystallography Open Database"}, {"name": "UK Polar Data Centre"}],
    bad_examples=[{"name": "Nonexistent Data Hub 9000"}],
    package=_PKG,
    dataset="re3data + FAIRsharing + BARTOC snapshots (bioregistry)",
    accepts={"name": "data_repository"},
    produces={"fairsharing_records": "fairsharing_record"},
)
def crosswalk(name: str) -> dict[str, Any]:
    """Finds the same resource in FAIRsharing and BARTOC as a re3data repository, matching by exact
    name or by homepage host; returns the matching record names and ids."""
    rid, rec = _find("re3data", name, "re3data repository")
    host, title = _host(rec.get("homepage")), rec["name"].lower()
    out: dict[str, Any] = {"re3data_id": rid, "name": rec["name"], "homepage_host": host}
    for reg in ("fairsharing", "bartoc"):
        hits = sorted(
            t
            for t, (_, r) in _by_name(reg).items()
            if t.lower() == title or (host and _host(r.get("homepage")) == host)
        )
        out[f"{reg}_records"] = hits[:10]
        out[f"{reg}_ids"] = [_by_name(reg)[t][0] for t in hits[:10]]
    return out


@tool(
    "science.fairsharing.related",
    "R",
    params={"name": "FAIRsharing record name, e.g. 'Crystallography Open Database'."},
    examples=[{"name": "Crystallography Open Database"}],
    bad_examples=[{"name": "Totally Unknown Standard"}],
    package=_PKG,
    dataset="FAIRsharing snapshot (4,175 standards, databases and policies)",
    accepts={"name": "fairsharing_record"},
    produces={"related": "fairsharing_record"},
)
def fairsharing_related(name: str) -> dict[str, Any]:
    """FAIRsharing records sharing the most subject keywords with a given record (top 20, with
    the shared keywords), a way to find comparable standards or databases."""
    _, rec = _find("fairsharing", name, "FAIRsharing record")
    mine = set(rec.get("keywords", []))
    if not mine:
        raise ToolError(f"{rec['name']!r} has no keywords to compare")
    scored = []
    for title, (_, r) in _by_name("fairsharing").items():
        shared = mine & set(r.get("keywords", []))
        if shared and title != rec["name"]:
            scored.append((-len(shared), title, sorted(shared)))
    scored.sort()
    return {
        "name": rec["name"],
        "keywords": sorted(mine),
        "related": [t for _, t, _ in scored[:20]],
        "shared_keywords": {t: s for _, t, s in scored[:20]},
        "total": len(scored),
    }
