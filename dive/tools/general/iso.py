"""ISO standards from ``pycountry`` (Debian iso-codes data): ISO 3166-1/-2/-3 countries and
subdivisions, ISO 639-3 languages, ISO 639-5 language families, ISO 15924 scripts."""

from __future__ import annotations

import collections
import functools
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.general._util import capped, country_alpha2, norm, unknown

PACKAGE = "pycountry"
DATASET = "Debian iso-codes (ISO 3166, 639-3, 639-5, 15924) shipped in pycountry"
REQUIRES = ["pycountry"]


@functools.cache
def _pc() -> Any:
    import pycountry

    return pycountry


def _record(db: Any, query: str, what: str, fields: tuple[str, ...]) -> Any:
    """Exact match on any code/name field (case- and accent-insensitive), else an error with suggestions."""
    key = norm(query)
    for rec in db:
        if any(norm(getattr(rec, f, "") or "") == key for f in fields):
            return rec
    raise unknown(what, query, [rec.name for rec in db])


@tool(
    "general.iso.country_codes",
    "R",
    params={"country": "Country name or any ISO 3166-1 code, e.g. 'Kenya', 'KE', 'KEN' or '404'."},
    examples=[{"country": "Kenya"}, {"country": "DEU"}],
    bad_examples=[{"country": "Atlantis"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"country": "country"},
    produces={"alpha_2": "country_code", "name": "country"},
)
def country_codes(country: str) -> dict:
    """ISO 3166-1 record of a country: alpha-2, alpha-3 and numeric codes, short, common and official
    names, and its flag emoji."""
    pc = _pc()
    rec = pc.countries.get(numeric=country.strip()) if country.strip().isdigit() else None
    rec = rec or pc.countries.get(alpha_2=country_alpha2(country))
    if rec is None:  # e.g. Kosovo: user-assigned 'XK', not part of ISO 3166-1
        raise ToolError(f"{country!r} has no ISO 3166-1 entry (it uses a user-assigned or no code)")
    return {
        "name": rec.name,
        "common_name": getattr(rec, "common_name", None),
        "official_name": getattr(rec, "official_name", None),
        "alpha_2": rec.alpha_2,
        "alpha_3": rec.alpha_3,
        "numeric": rec.numeric,
        "flag": getattr(rec, "flag", None),
    }


@tool(
    "general.iso.subdivisions",
    "R",
    params={
        "country": "Country name or ISO code, e.g. 'Kenya' or 'US'.",
        "type": "Optional subdivision type filter, e.g. 'State' or 'County'; omit for all.",
    },
    examples=[{"country": "US", "type": "State"}, {"country": "France"}],
    bad_examples=[{"country": "Atlantis"}, {"country": "US", "type": "Prefecture"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"country": "country"},
    produces={"codes": "subdivision_code"},
)
def subdivisions(country: str, type: str | None = None) -> dict:
    """ISO 3166-2 subdivisions of a country: count per type (state, province, county...) and the first
    40 subdivisions (code, name, type, parent), optionally of one type."""
    cc = country_alpha2(country)
    subs = sorted(_pc().subdivisions.get(country_code=cc) or [], key=lambda s: s.code)
    types = collections.Counter(s.type for s in subs)
    if type is not None:
        chosen = [s for s in subs if norm(s.type) == norm(type)]
        if not chosen:
            raise unknown("subdivision type", type, types, f"{cc} has types {sorted(types)}")
        subs = chosen
    rows = [{"code": s.code, "name": s.name, "type": s.type, "parent": s.parent_code} for s in subs]
    page = capped(rows, 40)
    return {
        "country_code": cc,
        "types": dict(sorted(types.items())),
        "subdivisions": page["items"],
        "codes": [r["code"] for r in page["items"]],
        "total": page["total"],
    }


@tool(
    "general.iso.subdivision",
    "R",
    params={
        "subdivision": "ISO 3166-2 code like 'US-CA', or a subdivision name like 'Bayern'.",
        "country": "Optional country (name or code) to disambiguate a name, e.g. 'DE'.",
    },
    examples=[{"subdivision": "US-CA"}, {"subdivision": "Bayern", "country": "DE"}],
    bad_examples=[{"subdivision": "XX-99"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"subdivision": "subdivision_code", "country": "country"},
    produces={"country": "country"},
)
def subdivision(subdivision: str, country: str | None = None) -> dict:
    """One ISO 3166-2 subdivision: code, name, type, parent subdivision and the country it belongs to."""
    pc = _pc()
    pool = pc.subdivisions.get(country_code=country_alpha2(country)) if country else pc.subdivisions
    key = norm(subdivision)
    hits = [s for s in pool or [] if norm(s.code) == key or norm(s.name) == key]
    if not hits:
        raise unknown(
            "subdivision",
            subdivision,
            [s.name for s in pool or []] if country else None,
            "give an ISO 3166-2 code such as 'US-CA', or a name plus its country",
        )
    s = sorted(hits, key=lambda s: s.code)[0]
    parent = pc.subdivisions.get(code=s.parent_code) if s.parent_code else None
    return {
        "code": s.code,
        "name": s.name,
        "type": s.type,
        "country_code": s.country_code,
        "country": pc.countries.get(alpha_2=s.country_code).name,
        "parent": {"code": parent.code, "name": parent.name} if parent else None,
        "other_matches": [h.code for h in hits[1:10]],
    }


@functools.cache
def _language_index() -> dict[str, Any]:
    """Normalised names and lower-case codes -> ISO 639-3 record (first record wins)."""
    index: dict[str, Any] = {}
    for lang in _pc().languages:
        names = (lang.name, getattr(lang, "inverted_name", ""), lang.name.split(" (")[0])
        codes = (lang.alpha_3, getattr(lang, "alpha_2", ""), getattr(lang, "bibliographic", ""))
        for key in [norm(n) for n in names if n] + [c.lower() for c in codes if c]:
            index.setdefault(key, lang)
    return index


@tool(
    "general.iso.language",
    "R",
    params={"language": "Language name or ISO 639 code, e.g. 'Swahili', 'sw' or 'swa'."},
    examples=[{"language": "Swahili"}, {"language": "deu"}],
    bad_examples=[{"language": "Elvish Quenya"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"language": "language"},
    produces={"name": "language"},
)
def language(language: str) -> dict:
    """ISO 639-3 record of a language: 3-letter code, 2-letter (639-1) and bibliographic codes when they
    exist, scope (individual/macrolanguage) and type (living/extinct/historical/constructed...)."""
    rec = _language_index().get(norm(language)) or _language_index().get(language.strip().lower())
    if rec is None:
        raise unknown("language", language, [lang.name for lang in _pc().languages])
    scopes = {"I": "individual", "M": "macrolanguage", "S": "special"}
    types = {
        "L": "living",
        "E": "extinct",
        "A": "ancient",
        "H": "historical",
        "C": "constructed",
        "S": "special",
    }
    return {
        "name": rec.name,
        "alpha_3": rec.alpha_3,
        "alpha_2": getattr(rec, "alpha_2", None),
        "bibliographic": getattr(rec, "bibliographic", None),
        "scope": scopes.get(rec.scope, rec.scope),
        "type": types.get(rec.type, rec.type),
    }


@tool(
    "general.iso.script",
    "R",
    params={"script": "Writing system name or ISO 15924 code, e.g. 'Cyrillic' or 'Cyrl'."},
    examples=[{"script": "Cyrillic"}, {"script": "Arab"}],
    bad_examples=[{"script": "Tengwar Elvish"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
)
def script(script: str) -> dict:
    """ISO 15924 record of a writing system: 4-letter code, numeric code and English name."""
    rec = _record(_pc().scripts, script, "script", ("alpha_4", "name", "numeric"))
    return {"name": rec.name, "alpha_4": rec.alpha_4, "numeric": rec.numeric}


@tool(
    "general.iso.language_family",
    "R",
    params={"family": "Language family/group name or ISO 639-5 code, e.g. 'Bantu languages' or 'bnt'."},
    examples=[{"family": "Bantu languages"}, {"family": "sla"}],
    bad_examples=[{"family": "Hobbit languages"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
)
def language_family(family: str) -> dict:
    """ISO 639-5 record of a language family or group: its 3-letter code and English name."""
    fams = _pc().language_families
    key = norm(family)
    for rec in fams:
        if key in {norm(rec.name), norm(rec.name.replace(" languages", "")), rec.alpha_3.lower()}:
            return {"name": rec.name, "alpha_3": rec.alpha_3}
    raise unknown("language family", family, [rec.name for rec in fams])


@tool(
    "general.iso.historic_country",
    "R",
    params={"country": "Former country name or ISO 3166-3 code, e.g. 'Yugoslavia' or 'YUCS'."},
    examples=[{"country": "Yugoslavia"}, {"country": "Czechoslovakia"}],
    bad_examples=[{"country": "Kenya"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
)
def historic_country(country: str) -> dict:
    """ISO 3166-3 record of a country that no longer exists (e.g. USSR, Yugoslavia): its former codes,
    4-letter 3166-3 code and the year its code was withdrawn."""
    pc = _pc()
    key = norm(country)
    hits = [
        r
        for r in pc.historic_countries
        if key in {norm(r.name), r.alpha_4.lower(), r.alpha_3.lower(), norm(r.name.split(",")[0])}
    ]
    if not hits:
        raise unknown(
            "former country",
            country,
            [r.name for r in pc.historic_countries],
            "only countries deleted from ISO 3166-1 are listed",
        )
    r = hits[0]
    return {
        "name": r.name,
        "alpha_2": r.alpha_2,
        "alpha_3": r.alpha_3,
        "alpha_4": r.alpha_4,
        "numeric": getattr(r, "numeric", None),
        "withdrawal_date": getattr(r, "withdrawal_date", None),
        "comment": getattr(r, "comment", None),
    }
