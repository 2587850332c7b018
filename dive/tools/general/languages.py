"""Language data from ``langcodes`` + ``language-data`` (CLDR/IANA): speaker populations, names in
other languages, BCP 47 tag parsing, normalisation, distance and best-match negotiation."""

from __future__ import annotations

from typing import Any

from dive.tools.base import ToolError, tool

PACKAGE = "langcodes"
DATASET = "CLDR and IANA language subtag registry data (language-data)"
REQUIRES = ["langcodes", "language_data"]


def _lang(language: str) -> Any:
    """A langcodes Language from a BCP 47 tag ('sw', 'pt-BR') or an English name ('Swahili')."""
    import langcodes

    text = language.strip()
    try:
        lang = langcodes.Language.get(text)
        if lang.is_valid() and lang.language and lang.display_name() != lang.language:
            return lang
    except (ValueError, LookupError):
        pass
    try:
        return langcodes.find(text)
    except LookupError as exc:
        raise ToolError(
            f"unknown language {language!r}: give an English name such as 'Swahili' or a "
            "BCP 47 tag such as 'sw' or 'pt-BR'"
        ) from exc


@tool(
    "general.langcodes.speaker_population",
    "R",
    params={"language": "Language name or BCP 47 tag, e.g. 'Swahili' or 'sw'."},
    examples=[{"language": "Swahili"}, {"language": "hi"}],
    bad_examples=[{"language": "Dothraki Elvish"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"language": "language"},
    produces={"speaking_population": "number", "tag": "language_tag"},
)
def speaker_population(language: str) -> dict:
    """Estimated number of people who speak and who write a language worldwide (CLDR estimates), with
    its normalised tag and English name."""
    lang = _lang(language)
    speakers = lang.speaking_population()
    if not speakers:
        raise ToolError(f"no population estimate for {lang.display_name()} ({lang.to_tag()})")
    return {
        "language": lang.display_name(),
        "tag": lang.to_tag(),
        "speaking_population": speakers,
        "writing_population": lang.writing_population(),
    }


@tool(
    "general.langcodes.name_in_language",
    "R",
    params={
        "language": "Language (name or tag) to name, e.g. 'German' or 'de'.",
        "in_language": "Language (name or tag) to write the name in, e.g. 'fr' or 'Japanese'.",
    },
    examples=[{"language": "German", "in_language": "fr"}, {"language": "zh-Hant-TW", "in_language": "en"}],
    bad_examples=[{"language": "Qwertyish", "in_language": "en"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"language": "language", "in_language": "language"},
)
def name_in_language(language: str, in_language: str) -> dict:
    """The name of a language (with script/region if tagged) written in another language, plus its
    autonym (name in itself)."""
    lang, target = _lang(language), _lang(in_language)
    return {
        "tag": lang.to_tag(),
        "in_language": target.to_tag(),
        "name": lang.display_name(target.to_tag()),
        "autonym": lang.autonym(),
        "english_name": lang.display_name(),
    }


@tool(
    "general.langcodes.parse_tag",
    "R",
    params={"tag": "BCP 47 language tag, e.g. 'sr-Latn-RS' or 'zh-Hant-HK'."},
    examples=[{"tag": "sr-Latn-RS"}, {"tag": "en"}],
    bad_examples=[{"tag": "xx-!!"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    produces={"language_name": "language"},
)
def parse_tag(tag: str) -> dict:
    """Parse a BCP 47 tag into its subtags (language, script, territory, variants) with English names,
    and the 'likely subtags' maximised form (e.g. 'sw' -> 'sw-Latn-TZ')."""
    import langcodes

    try:
        lang = langcodes.Language.get(tag.strip())
    except (ValueError, LookupError) as exc:
        raise ToolError(f"not a valid BCP 47 tag: {tag!r} ({exc})") from exc
    if not lang.is_valid():
        raise ToolError(f"{tag!r} is not a valid BCP 47 tag (unregistered subtags)")
    names = lang.describe()
    return {
        "tag": lang.to_tag(),
        "language": lang.language,
        "script": lang.script,
        "territory": lang.territory,
        "variants": lang.variants or [],
        "language_name": names.get("language"),
        "script_name": names.get("script"),
        "territory_name": names.get("territory"),
        "maximized": lang.maximize().to_tag(),
    }


@tool(
    "general.langcodes.standardize_tag",
    "P",
    params={
        "tag": "Language tag in any common form, e.g. 'eng_US', 'iw' or 'zh-CN'.",
        "macro": "Also replace a macrolanguage member by its macrolanguage (e.g. 'cmn' -> 'zh').",
    },
    examples=[{"tag": "eng_US"}, {"tag": "cmn-Hans-CN", "macro": True}],
    bad_examples=[{"tag": "!!"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    produces={"standard_tag": "language_tag"},
)
def standardize_tag(tag: str, macro: bool = False) -> dict:
    """Normalise a language tag to canonical BCP 47: 3-letter codes to 2-letter, deprecated codes to
    current ones, underscores to hyphens, correct case."""
    import langcodes

    try:
        std = langcodes.standardize_tag(tag.strip(), macro=macro)
    except (ValueError, LookupError) as exc:
        raise ToolError(f"cannot parse language tag {tag!r}: {exc}") from exc
    return {"input": tag, "standard_tag": std, "changed": std != tag}


@tool(
    "general.langcodes.tag_distance",
    "P",
    params={
        "desired": "Language the user wants, name or tag, e.g. 'pt-BR'.",
        "supported": "Language that is available, name or tag, e.g. 'pt-PT'.",
    },
    examples=[
        {"desired": "pt-BR", "supported": "pt-PT"},
        {"desired": "Norwegian Bokmal", "supported": "Danish"},
    ],
    bad_examples=[{"desired": "Qwertyish", "supported": "en"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"desired": "language", "supported": "language"},
)
def tag_distance(desired: str, supported: str) -> dict:
    """CLDR language-matching distance between two languages (0 = same, <10 = minor regional
    difference, <25 = mutually intelligible-ish, >=25 = different language), with a verdict."""
    import langcodes

    a, b = _lang(desired), _lang(supported)
    d = langcodes.tag_distance(a.to_tag(), b.to_tag())
    verdict = (
        "identical"
        if d == 0
        else "minor variant"
        if d < 10
        else "related/usable"
        if d < 25
        else "different language"
    )
    return {"desired": a.to_tag(), "supported": b.to_tag(), "distance": d, "verdict": verdict}


@tool(
    "general.langcodes.closest_match",
    "P",
    params={
        "desired": "Requested language tag or name, e.g. 'fr-CA'.",
        "supported": "List of available language tags, e.g. ['en', 'fr', 'es'].",
        "max_distance": "Largest acceptable distance (0-134), default 25.",
    },
    examples=[{"desired": "fr-CA", "supported": ["en", "fr", "es"]}],
    bad_examples=[
        {"desired": "ja", "supported": ["en", "fr"], "max_distance": 10},
        {"desired": "en", "supported": []},
    ],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"desired": "language"},
)
def closest_match(desired: str, supported: list[str], max_distance: int = 25) -> dict:
    """Pick the best available language for a request (CLDR matching, as in UI localisation): the
    chosen tag and its distance, or an error when nothing is within ``max_distance``."""
    import langcodes

    if not supported:
        raise ToolError("supported must list at least one language tag")
    tag = _lang(desired).to_tag()
    best, dist = langcodes.closest_match(tag, supported, max_distance=max_distance)
    if best == "und":
        raise ToolError(f"no supported language is within distance {max_distance} of {tag}")
    return {"desired": tag, "match": best, "distance": dist}
