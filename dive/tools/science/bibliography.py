"""Bibliographic processing: ISO 4 journal abbreviations (LTWA), BibTeX parsing and citation
formatting, ISBN/ISSN/ORCID identifier checks, and citation indices (h, g, i10)."""

from __future__ import annotations

import csv
import functools
import re
from typing import Any, Literal

from dive.tools.base import ToolError, tool
from dive.tools.science._common import package_dir, resolve

_BIB = (
    "BibTeX text with one or more entries, e.g. '@article{key, author={Albert Einstein}, title={...}, "
    "journal={Annalen der Physik}, year={1905}}'."
)
_EINSTEIN = (
    "@article{einstein1905, author={Albert Einstein}, title={On the Electrodynamics of Moving Bodies}, "
    "journal={Annalen der Physik}, year={1905}, volume={322}, number={10}, pages={891--921}, "
    "doi={10.1002/andp.19053221004}}"
)
_CITES = "Citation counts of an author's papers, one number per paper, e.g. [48, 33, 20, 12, 9, 4, 1, 0]."


@functools.cache
def _abbreviator() -> Any:
    from pyiso4.ltwa import Abbreviate

    return Abbreviate.create()


@functools.cache
def _stems() -> list[str]:
    return _ltwa_stems()


@functools.cache
def _ltwa_stems() -> list[str]:
    """LTWA word stems ('chemist-'), longest first, so the first prefix match is the most specific."""
    return sorted((k for k in _ltwa() if k.endswith("-") and not k.startswith("-")), key=len, reverse=True)


@functools.cache
def _ltwa_lower() -> dict[str, str]:
    return {k.lower(): k for k in _ltwa()}


@functools.cache
def _ltwa() -> dict[str, tuple[str, str]]:
    path = package_dir("pyiso4") / "LTWA_20210702.csv"
    with path.open(encoding="utf-8") as fh:
        rows = csv.DictReader(fh, delimiter="\t")
        return {
            r["WORD"].strip(): (r["ABBREVIATIONS"].strip(), r["LANGUAGE CODES"].strip())
            for r in rows
            if r["WORD"]
        }


@tool(
    "science.iso4.abbreviate_title",
    "P",
    params={"title": "Full journal or serial title, e.g. 'Journal of the American Chemical Society'."},
    examples=[{"title": "Journal of the American Chemical Society"}, {"title": "Physical Review Letters"}],
    bad_examples=[{"title": "   "}],
    package="pyiso4",
    dataset="ISSN List of Title Word Abbreviations (LTWA 2021-07-02)",
    produces={"abbreviation": "journal_abbreviation"},
)
def abbreviate_title(title: str) -> dict[str, Any]:
    """ISO 4 abbreviation of a journal title built from the LTWA word list (e.g. 'J. Am. Chem. Soc.')."""
    if not title.strip() or len(title) > 300:
        raise ToolError("title must be a non-empty journal title up to 300 characters")
    return {"title": title, "abbreviation": _abbreviator()(title, remove_part=True)}


@tool(
    "science.iso4.ltwa_word",
    "R",
    params={
        "word": "A title word or word stem as listed in the LTWA, e.g. 'Physics', 'Chemistry' or 'Journal'."
    },
    examples=[{"word": "Journal"}, {"word": "Chemistry"}, {"word": "astronomical"}],
    bad_examples=[{"word": "Xyzzyplugh"}],
    package="pyiso4",
    dataset="ISSN List of Title Word Abbreviations (LTWA 2021-07-02)",
    produces={"abbreviation": "str"},
)
def ltwa_word(word: str) -> dict[str, Any]:
    """The LTWA entry for a title word: its official abbreviation ('n.a.' = not abbreviated) and
    the languages it applies to."""
    table = _ltwa()
    low = word.strip().lower()
    # LTWA lists stems such as 'chemist-': a title word matches the longest stem it starts with.
    exact = _ltwa_lower().get(low)
    stem = None if exact else next((k for k in _stems() if low.startswith(k[:-1].lower())), None)
    key = exact or stem or resolve(table, word.strip(), "LTWA word")
    abbr, langs = table[key]
    return {
        "word": word,
        "ltwa_entry": key,
        "abbreviation": abbr,
        "abbreviated": abbr != "n.a.",
        "languages": [x.strip() for x in langs.split(",") if x.strip()],
    }


def _entries(bibtex: str) -> list[Any]:
    import bibtexparser

    if len(bibtex) > 50_000:
        raise ToolError("bibtex text is limited to 50,000 characters")
    lib = bibtexparser.parse_string(bibtex)
    if not lib.entries:
        raise ToolError("no BibTeX entry found; entries look like '@article{key, title={...}, year={2020}}'")
    return list(lib.entries)


def _authors(raw: str) -> list[str]:
    return [" ".join(a.split()) for a in re.split(r"\s+and\s+", raw.replace("\n", " ")) if a.strip()]


def _clean(text: str) -> str:
    return re.sub(r"[{}]", "", text or "").strip()


@tool(
    "science.bibtex.parse",
    "P",
    params={"bibtex": _BIB},
    examples=[{"bibtex": _EINSTEIN}],
    bad_examples=[{"bibtex": "this is not bibtex"}],
    package="bibtexparser",
    produces={"keys": "str", "dois": "doi", "years": "year"},
)
def parse(bibtex: str) -> dict[str, Any]:
    """Entries parsed from BibTeX: key, type, authors (list), title, venue, year, DOI and all other
    fields (first 20 entries) with the total count."""
    out = []
    for e in _entries(bibtex)[:20]:
        f = {k: _clean(v.value if hasattr(v, "value") else v) for k, v in e.fields_dict.items()}
        year = f.pop("year", None)
        out.append(
            {
                "key": e.key,
                "type": e.entry_type,
                "authors": _authors(f.pop("author", "")),
                "title": f.pop("title", None),
                "venue": f.pop("journal", None) or f.pop("booktitle", None),
                "year": int(year) if year and year.isdigit() else year,
                "doi": f.pop("doi", None),
                "other": f,
            }
        )
    return {
        "entries": out,
        "total": len(_entries(bibtex)),
        "keys": [e["key"] for e in out],
        "dois": [e["doi"] for e in out if e["doi"]],
        "years": [e["year"] for e in out if isinstance(e["year"], int)],
    }


@tool(
    "science.bibtex.format_citation",
    "P",
    params={"bibtex": _BIB, "style": "Citation style: 'apa', 'mla' or 'chicago' (author-date)."},
    examples=[{"bibtex": _EINSTEIN, "style": "apa"}, {"bibtex": _EINSTEIN, "style": "mla"}],
    bad_examples=[{"bibtex": "@article{x,}", "style": "apa"}],
    package="bibtexparser",
    produces={"citations": "citation"},
)
def format_citation(bibtex: str, style: Literal["apa", "mla", "chicago"] = "apa") -> dict[str, Any]:
    """A reference-list string in APA, MLA or Chicago author-date style for each BibTeX entry (first 20)."""
    refs = []
    for e in _entries(bibtex)[:20]:
        f = {k: _clean(v.value) for k, v in e.fields_dict.items()}
        if "title" not in f:
            raise ToolError(f"entry {e.key!r} has no title field")
        names = _authors(f.get("author", "")) or ["Anon."]
        parts = [n.split(",") if "," in n else [n.split()[-1], " ".join(n.split()[:-1])] for n in names]
        last_first = [(p[0].strip(), p[1].strip() if len(p) > 1 else "") for p in parts]
        year, venue, vol, pages = (
            f.get("year", "n.d."),
            f.get("journal") or f.get("booktitle", ""),
            f.get("volume"),
            f.get("pages", "").replace("--", "–"),
        )
        doi = f" https://doi.org/{f['doi']}" if f.get("doi") else ""
        if style == "apa":
            who = ", ".join(
                f"{ln}, {' '.join(x[0] + '.' for x in fn.split())}".strip(", ") for ln, fn in last_first
            )
            refs.append(
                f"{who} ({year}). {f['title']}. {venue}{', ' + vol if vol else ''}"
                f"{', ' + pages if pages else ''}.{doi}"
            )
        elif style == "mla":
            first = f"{last_first[0][0]}, {last_first[0][1]}".strip(", ")
            who = first + (", et al." if len(names) > 2 else (f", and {names[1]}" if len(names) == 2 else ""))
            refs.append(
                f'{who}. "{f["title"]}." {venue}{", vol. " + vol if vol else ""}, {year}'
                f"{', pp. ' + pages if pages else ''}."
            )
        else:
            who = ", ".join(f"{ln}, {fn}".strip(", ") for ln, fn in last_first)
            refs.append(
                f'{who}. {year}. "{f["title"]}." {venue} {vol or ""}: {pages}.{doi}'.replace(" :", ":")
            )
    return {"style": style, "citations": refs}


@tool(
    "science.identifiers.isbn",
    "P",
    params={"isbn": "ISBN-10 or ISBN-13, with or without hyphens, e.g. '0-306-40615-2'."},
    examples=[{"isbn": "0-306-40615-2"}, {"isbn": "9780306406157"}],
    bad_examples=[{"isbn": "978-0-306-40615-8"}],
    package="python-stdnum",
    requires=["stdnum", "isbnlib"],
    dataset="ISBN range message (python-stdnum, isbnlib)",
    produces={"isbn13": "isbn", "registration_group": "str"},
)
def isbn(isbn: str) -> dict[str, Any]:
    """Validates an ISBN checksum and returns ISBN-13, ISBN-10 (if any), the hyphenated form and
    the registration group (language/country area) it belongs to."""
    import isbnlib
    from stdnum import isbn as sisbn
    from stdnum.exceptions import ValidationError

    try:
        code = sisbn.validate(isbn)
    except ValidationError as exc:
        raise ToolError(f"invalid ISBN {isbn!r}: {exc}") from exc
    i13 = sisbn.to_isbn13(code)
    try:
        i10 = sisbn.to_isbn10(i13)
    except ValidationError:
        i10 = None
    return {
        "isbn13": i13,
        "isbn10": i10,
        "hyphenated": sisbn.format(i13),
        "registration_group": isbnlib.info(i13) or None,
    }


@tool(
    "science.identifiers.issn",
    "P",
    params={"issn": "ISSN, e.g. '0378-5955'."},
    examples=[{"issn": "0378-5955"}, {"issn": "0028-0836"}],
    bad_examples=[{"issn": "0378-5954"}],
    package="python-stdnum",
    requires=["stdnum"],
    produces={"issn": "issn", "ean13": "number"},
)
def issn(issn: str) -> dict[str, Any]:
    """Validates an ISSN check digit; returns its canonical hyphenated form and EAN-13 barcode number."""
    from stdnum import issn as sissn
    from stdnum.exceptions import ValidationError

    try:
        code = sissn.validate(issn)
    except ValidationError as exc:
        raise ToolError(f"invalid ISSN {issn!r}: {exc}") from exc
    return {"issn": sissn.format(code), "valid": True, "ean13": sissn.to_ean(code)}


@tool(
    "science.identifiers.orcid",
    "P",
    params={"orcid": "ORCID iD, bare or as URL, e.g. '0000-0002-1825-0097'."},
    examples=[{"orcid": "0000-0002-1825-0097"}, {"orcid": "https://orcid.org/0000-0001-5109-3700"}],
    bad_examples=[{"orcid": "0000-0002-1825-0098"}],
    package="python-stdnum",
    requires=["stdnum"],
    produces={"orcid": "orcid", "url": "url"},
)
def orcid(orcid: str) -> dict[str, Any]:
    """Validates an ORCID iD (ISO 7064 MOD 11-2 check character) and returns it normalised with its URL."""
    from stdnum.iso7064 import mod_11_2

    digits = re.sub(r"^https?://orcid\.org/", "", orcid.strip()).replace("-", "").upper()
    if not re.fullmatch(r"\d{15}[\dX]", digits) or not mod_11_2.is_valid(digits):
        raise ToolError(
            f"invalid ORCID {orcid!r}: need 16 characters (last may be X) with a valid MOD 11-2 check"
        )
    norm = "-".join(digits[i : i + 4] for i in range(0, 16, 4))
    return {"orcid": norm, "valid": True, "url": f"https://orcid.org/{norm}"}


def _cites(citations: list[int]) -> list[int]:
    if not citations or any(c < 0 for c in citations) or len(citations) > 10_000:
        raise ToolError("citations must be 1..10,000 non-negative counts")
    return sorted(citations, reverse=True)


@tool(
    "science.bibliometrics.h_index",
    "P",
    params={"citations": _CITES},
    examples=[{"citations": [48, 33, 20, 12, 9, 4, 1, 0]}],
    bad_examples=[{"citations": []}],
    package="numpy",
    produces={"h_index": "number"},
)
def h_index(citations: list[int]) -> dict[str, Any]:
    """Hirsch h-index: the largest h such that h papers have at least h citations each; also total
    citations and the h-core citation share."""
    import numpy as np

    c = np.array(_cites(citations))
    h = int(np.sum(c >= np.arange(1, len(c) + 1)))
    return {
        "h_index": h,
        "papers": len(c),
        "total_citations": int(c.sum()),
        "h_core_share": round(float(c[:h].sum() / c.sum()), 4) if c.sum() else 0.0,
    }


@tool(
    "science.bibliometrics.g_index",
    "P",
    params={"citations": _CITES},
    examples=[{"citations": [48, 33, 20, 12, 9, 4, 1, 0]}],
    bad_examples=[{"citations": [3, -1]}],
    package="numpy",
    produces={"g_index": "number"},
)
def g_index(citations: list[int]) -> dict[str, Any]:
    """Egghe g-index: the largest g such that the top g papers together have at least g^2 citations."""
    import numpy as np

    c = np.cumsum(_cites(citations))
    ranks = np.arange(1, len(c) + 1)
    g = int(ranks[c >= ranks**2].max()) if (c >= ranks**2).any() else 0
    return {"g_index": g, "papers": len(c)}


@tool(
    "science.bibliometrics.i10_index",
    "P",
    params={
        "citations": _CITES,
        "threshold": "Minimum citations for a paper to count (default 10, Google Scholar's i10).",
    },
    examples=[{"citations": [48, 33, 20, 12, 9, 4, 1, 0]}, {"citations": [120, 80, 60, 30], "threshold": 50}],
    bad_examples=[{"citations": [5, 3], "threshold": 0}],
    package="numpy",
    produces={"i10_index": "number"},
)
def i10_index(citations: list[int], threshold: int = 10) -> dict[str, Any]:
    """Number of papers with at least `threshold` citations (i10-index when threshold is 10)."""
    import numpy as np

    if threshold < 1:
        raise ToolError("threshold must be >= 1")
    c = np.array(_cites(citations))
    return {"i10_index": int((c >= threshold).sum()), "threshold": threshold, "papers": len(c)}
