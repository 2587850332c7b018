"""Identifier resources from the Bioregistry (CC0 data shipped in the bioregistry package)."""

from __future__ import annotations

import functools
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.biology._common import LIST_CAP, unknown

PKG = "bioregistry"
DATA = "Bioregistry (identifier resources, metaregistry and collections)"
PREFIX = {"prefix": "Bioregistry prefix or a synonym, e.g. 'hgnc', 'GO', 'chebi' or 'EntrezGene'."}


@functools.cache
def _registry() -> dict[str, Any]:
    import bioregistry

    return dict(bioregistry.read_registry())


def _resource(prefix: str) -> Any:
    import bioregistry

    norm = bioregistry.normalize_prefix(prefix.strip())
    if norm is None:
        raise unknown("Bioregistry prefix", prefix, _registry())
    return bioregistry.get_resource(norm)


def _rtool(name: str, produces: dict[str, str], examples: list[dict] | None = None) -> Any:
    return tool(
        f"biology.registry.{name}",
        "R",
        params=PREFIX,
        examples=examples or [{"prefix": "hgnc"}, {"prefix": "GO"}],
        bad_examples=[{"prefix": "notaprefix123"}],
        package=PKG,
        dataset=DATA,
        accepts={"prefix": "bioregistry_prefix"},
        produces=produces,
    )


@_rtool(
    "resource_info",
    {"prefix": "bioregistry_prefix", "homepage": "url", "license": "license", "example_id": "identifier"},
)
def resource_info(prefix: str) -> dict:
    """A Bioregistry identifier resource: name, description (first 400 characters), homepage, licence, local
    identifier regex pattern, example identifier, URI format and keywords; deprecated flag."""
    r = _resource(prefix)
    return {
        "prefix": r.prefix,
        "name": r.get_name(),
        "description": (r.get_description() or "")[:400],
        "homepage": r.get_homepage(),
        "license": r.get_license(),
        "pattern": r.get_pattern(),
        "example_id": r.get_example(),
        "uri_format": r.get_uri_format(),
        "keywords": sorted(r.get_keywords() or [])[:LIST_CAP],
        "deprecated": bool(r.is_deprecated()),
    }


@_rtool(
    "normalize_prefix",
    {"prefix": "bioregistry_prefix"},
    examples=[{"prefix": "EntrezGene"}, {"prefix": "UniProtKB"}],
)
def normalize_prefix(prefix: str) -> dict:
    """Canonical Bioregistry prefix for any known prefix or synonym, with the preferred display form and all
    registered synonyms."""
    r = _resource(prefix)
    return {
        "query": prefix,
        "prefix": r.prefix,
        "preferred_prefix": r.get_preferred_prefix() or r.prefix,
        "synonyms": sorted(r.get_synonyms() or [])[:LIST_CAP],
    }


@_rtool("resource_mappings", {"registry_count": "number"})
def resource_mappings(prefix: str) -> dict:
    """How other registries name a resource (e.g. MIRIAM, OBO Foundry, FAIRsharing, Wikidata property):
    registry -> external prefix, and how many registries map it."""
    r = _resource(prefix)
    mappings = dict(sorted((r.get_mappings() or {}).items()))
    return {"prefix": r.prefix, "registry_count": len(mappings), "mappings": mappings}


@_rtool("resource_publications", {"publication_dois": "doi", "first_year": "year"})
def resource_publications(prefix: str) -> dict:
    """Publications describing a resource: title, year, DOI and PubMed ID (newest first, first 10), and the
    earliest publication year."""
    r = _resource(prefix)
    pubs = sorted(r.get_publications() or [], key=lambda p: -(p.year or 0))
    items = [{"title": p.title, "year": p.year, "doi": p.doi, "pubmed": p.pubmed} for p in pubs[:10]]
    years = [p.year for p in pubs if p.year]
    if not pubs:
        raise ToolError(f"no publications recorded for {r.prefix!r}; try 'go' or 'hgnc'")
    return {
        "prefix": r.prefix,
        "total": len(pubs),
        "publications": items,
        "publication_dois": [i["doi"] for i in items if i["doi"]],
        "first_year": min(years) if years else None,
    }


@tool(
    "biology.registry.resolve_curie",
    "R",
    params={"curie": "Compact identifier 'prefix:id', e.g. 'hgnc:1100', 'GO:0008150' or 'chebi:15377'."},
    examples=[{"curie": "hgnc:1100"}, {"curie": "GO:0008150"}],
    bad_examples=[{"curie": "nosuchdb:123"}, {"curie": "no-colon-here"}],
    package=PKG,
    dataset=DATA,
    accepts={"curie": "curie"},
    produces={"iri": "url", "prefix": "bioregistry_prefix", "normalized_curie": "curie"},
)
def resolve_curie(curie: str) -> dict:
    """Resolve a CURIE: its normalised form, the resource's canonical prefix and name, the resolvable IRI
    (web address) and whether the local ID matches the resource's pattern."""
    import bioregistry

    if ":" not in curie:
        raise ToolError(f"{curie!r} is not a CURIE; write it as 'prefix:identifier', e.g. 'hgnc:1100'")
    prefix, ident = curie.split(":", 1)
    r = _resource(prefix)
    valid = bioregistry.is_valid_identifier(r.prefix, ident.strip())
    return {
        "normalized_curie": bioregistry.normalize_curie(f"{r.prefix}:{ident.strip()}")
        or f"{r.prefix}:{ident}",
        "prefix": r.prefix,
        "resource": r.get_name(),
        "iri": bioregistry.get_iri(r.prefix, ident.strip()),
        "matches_pattern": bool(valid),
    }


@tool(
    "biology.registry.validate_identifier",
    "R",
    params={
        "prefix": "Resource prefix, e.g. 'uniprot' or 'ncbitaxon'.",
        "identifier": "Local identifier to check, e.g. 'P04637' or '9606'.",
    },
    examples=[{"prefix": "uniprot", "identifier": "P04637"}, {"prefix": "ncbitaxon", "identifier": "abc"}],
    bad_examples=[{"prefix": "notaprefix123", "identifier": "1"}],
    package=PKG,
    dataset=DATA,
    accepts={"prefix": "bioregistry_prefix", "identifier": "identifier"},
    produces={},
)
def validate_identifier(prefix: str, identifier: str) -> dict:
    """Check a local identifier against a resource's registered regular expression: valid or not, the
    pattern, and an example of a valid identifier."""
    import bioregistry

    r = _resource(prefix)
    pattern = r.get_pattern()
    valid = bioregistry.is_valid_identifier(r.prefix, identifier.strip())
    return {
        "prefix": r.prefix,
        "identifier": identifier,
        "valid": bool(valid),
        "pattern": pattern,
        "example_id": r.get_example(),
        "pattern_known": pattern is not None,
    }


@tool(
    "biology.registry.iri_to_curie",
    "R",
    params={"iri": "A web address of a database record, e.g. 'http://purl.obolibrary.org/obo/GO_0008150'."},
    examples=[{"iri": "http://purl.obolibrary.org/obo/GO_0008150"}],
    bad_examples=[{"iri": "https://example.com/nothing/here"}],
    package=PKG,
    dataset=DATA,
    accepts={"iri": "url"},
    produces={"curie": "curie", "prefix": "bioregistry_prefix"},
)
def iri_to_curie(iri: str) -> dict:
    """Compress a record's IRI (URL) into a CURIE using every URI format Bioregistry knows: prefix, local
    identifier and CURIE."""
    import bioregistry

    parsed = bioregistry.parse_iri(iri.strip())
    if not parsed or parsed[0] is None:
        raise ToolError(
            f"no registered URI format matches {iri!r}; example: 'http://purl.obolibrary.org/obo/GO_0008150'"
        )
    prefix, ident = parsed
    return {"iri": iri, "prefix": prefix, "identifier": ident, "curie": f"{prefix}:{ident}"}


@tool(
    "biology.registry.search_resources",
    "R",
    params={
        "keyword": "Word to find in resource names or keywords, e.g. 'protein', 'taxonomy' or 'chemical'."
    },
    examples=[{"keyword": "taxonomy"}, {"keyword": "enzyme"}],
    bad_examples=[{"keyword": "qzxwvy"}, {"keyword": "a"}],
    package=PKG,
    dataset=DATA,
    accepts={"keyword": "word"},
    produces={"prefixes": "bioregistry_prefix", "total": "number"},
)
def search_resources(keyword: str) -> dict:
    """Identifier resources whose name or keywords contain a word (case-insensitive), excluding deprecated
    ones: prefix and name (first 20 by prefix) and the total."""
    k = keyword.strip().lower()
    if len(k) < 3:
        raise ToolError("keyword must have at least 3 characters")
    hits = []
    for prefix, r in sorted(_registry().items()):
        text = " ".join([r.get_name() or "", *(r.get_keywords() or [])]).lower()
        if k in text and not r.is_deprecated():
            hits.append({"prefix": prefix, "name": r.get_name()})
    if not hits:
        raise ToolError(f"no resource mentions {keyword!r}; try a broader word such as 'gene'")
    return {
        "keyword": keyword,
        "total": len(hits),
        "resources": hits[:LIST_CAP],
        "prefixes": [h["prefix"] for h in hits[:LIST_CAP]],
    }


@tool(
    "biology.registry.registry_info",
    "R",
    params={
        "registry": "Prefix of a registry in the Bioregistry metaregistry, e.g. 'obofoundry', 'miriam', "
        "'fairsharing' or 'wikidata'."
    },
    examples=[{"registry": "obofoundry"}, {"registry": "miriam"}],
    bad_examples=[{"registry": "myregistry"}],
    package=PKG,
    dataset=DATA,
    accepts={"registry": "registry"},
    produces={"homepage": "url", "mapped_resources": "number"},
)
def registry_info(registry: str) -> dict:
    """A registry of identifier resources (from the Bioregistry metaregistry): name, description, homepage,
    example prefix and how many Bioregistry resources it maps."""
    import bioregistry

    meta = bioregistry.read_metaregistry()
    reg = meta.get(registry.strip().lower())
    if reg is None:
        raise unknown("registry", registry, meta)
    mapped = sum(1 for r in _registry().values() if reg.prefix in (r.get_mappings() or {}))
    return {
        "registry": reg.prefix,
        "name": reg.name,
        "description": (reg.description or "")[:400],
        "homepage": reg.homepage,
        "example_prefix": reg.example,
        "mapped_resources": mapped,
    }


@tool(
    "biology.registry.collection_info",
    "R",
    params={
        "collection": "Bioregistry collection ID (7 digits) or words from its name, e.g. '0000001' or "
        "'sharing biological data'."
    },
    examples=[{"collection": "0000001"}],
    bad_examples=[{"collection": "9999999"}],
    package=PKG,
    dataset=DATA,
    accepts={"collection": "collection"},
    produces={"resources": "bioregistry_prefix", "total": "number"},
)
def collection_info(collection: str) -> dict:
    """A curated Bioregistry collection of resources: name, description and member prefixes (first 20) with
    the total count."""
    import bioregistry

    collections = bioregistry.read_collections()
    key = collection.strip()
    c = collections.get(key) or next((v for v in collections.values() if key.lower() in v.name.lower()), None)
    if c is None:
        raise unknown("collection", collection, [v.name for v in collections.values()] + list(collections))
    return {
        "collection": c.identifier,
        "name": c.name,
        "description": (c.description or "")[:400],
        "total": len(c.resources),
        "resources": list(c.resources)[:LIST_CAP],
    }
