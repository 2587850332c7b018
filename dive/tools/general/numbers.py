"""Numbers and text: ``num2words`` number spelling, ``roman`` numerals, ``unidecode`` transliteration."""

from __future__ import annotations

from typing import Literal

from dive.tools.base import ToolError, tool


@tool(
    "general.numbers.number_to_words",
    "P",
    params={
        "number": "Number to spell out, e.g. 1234.5 (integer for ordinals and years).",
        "style": "'cardinal' (default), 'ordinal' (first...), 'ordinal_num' (1st...), 'year' or 'currency'.",
        "lang": "Language code supported by num2words, e.g. 'en', 'fr', 'de', 'es' (default 'en').",
    },
    examples=[
        {"number": 1234.5},
        {"number": 21, "style": "ordinal", "lang": "fr"},
        {"number": 1984, "style": "year"},
    ],
    bad_examples=[{"number": 12, "lang": "tlh"}, {"number": 1e30}],
    package="num2words",
    requires=["num2words"],
    accepts={"number": "number"},
)
def number_to_words(
    number: float,
    style: Literal["cardinal", "ordinal", "ordinal_num", "year", "currency"] = "cardinal",
    lang: str = "en",
) -> dict:
    """A number written out in words in a language and style (cardinal, ordinal, year reading, currency)."""
    from num2words import CONVERTER_CLASSES, num2words

    if lang not in CONVERTER_CLASSES:
        raise ToolError(f"unsupported language {lang!r}; valid: {sorted(CONVERTER_CLASSES)}")
    if abs(number) >= 1e24:
        raise ToolError("number must be smaller than 10^24 in magnitude")
    value: float | int = (
        int(number) if style in ("ordinal", "ordinal_num", "year") or float(number).is_integer() else number
    )
    try:
        words = num2words(value, lang=lang, to=style)
    except (NotImplementedError, OverflowError, TypeError, ValueError) as exc:
        raise ToolError(f"num2words cannot write {number} as {style} in {lang}: {exc}") from exc
    return {"number": number, "style": style, "lang": lang, "words": words}


@tool(
    "general.numbers.to_roman",
    "P",
    params={"number": "Integer 1-4999, e.g. 2026."},
    examples=[{"number": 2026}],
    bad_examples=[{"number": 0}],
    package="roman",
    requires=["roman"],
    accepts={"number": "number"},
)
def to_roman(number: int) -> dict:
    """Roman numeral for an integer from 1 to 4999 (e.g. 2026 -> 'MMXXVI')."""
    import roman

    try:
        if not 1 <= number <= 4999:
            raise roman.OutOfRangeError("number out of range (must be 1..4999)")
        return {"number": number, "roman": roman.toRoman(number)}
    except roman.RomanError as exc:
        raise ToolError(f"number must be an integer between 1 and 4999 ({exc})") from exc


@tool(
    "general.numbers.from_roman",
    "P",
    params={"numeral": "Roman numeral, e.g. 'MCMLXXXIV'."},
    examples=[{"numeral": "MCMLXXXIV"}],
    bad_examples=[{"numeral": "IIII"}, {"numeral": "ABC"}],
    package="roman",
    requires=["roman"],
    produces={"number": "number"},
)
def from_roman(numeral: str) -> dict:
    """Integer value of a valid Roman numeral (strict: 'IIII' or 'VX' are rejected)."""
    import roman

    try:
        return {"numeral": numeral.upper(), "number": roman.fromRoman(numeral.strip().upper())}
    except roman.RomanError as exc:
        raise ToolError(f"{numeral!r} is not a valid Roman numeral ({exc})") from exc


@tool(
    "general.text.transliterate",
    "P",
    params={"text": "Text in any script, e.g. 'Москва' or '北京' or 'Zürich'."},
    examples=[{"text": "Москва"}, {"text": "Zürich Straße"}],
    bad_examples=[{"text": ""}],
    package="Unidecode",
    requires=["unidecode"],
)
def transliterate(text: str) -> dict:
    """ASCII transliteration of text in any script (unidecode: Cyrillic, Greek, CJK, accents...), e.g. for
    URLs or search keys."""
    from unidecode import unidecode

    if not text.strip():
        raise ToolError("text must not be empty")
    if len(text) > 5000:
        raise ToolError("text must be at most 5,000 characters")
    return {"text": text, "ascii": unidecode(text)}
