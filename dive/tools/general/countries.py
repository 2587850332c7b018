"""Country reference data from ``countryinfo``: provinces, time zones, calling codes, currencies,
regions, name translations, and reverse geocoding against its country polygons."""

from __future__ import annotations

import functools
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.general._util import capped, check_latlon, country_alpha2, norm, unknown

PACKAGE = "countryinfo"
DATASET = "countryinfo country JSON (REST Countries-derived, MIT)"
REQUIRES = ["countryinfo"]


@functools.cache
def _all() -> dict[str, dict[str, Any]]:
    import countryinfo

    return {c.name(): c.info() for c in sorted(countryinfo.all_countries(), key=lambda c: c.name())}


@functools.cache
def _by_iso2() -> dict[str, str]:
    return {info["ISO"]["alpha2"].upper(): name for name, info in _all().items() if info.get("ISO")}


def _info(country: str) -> dict[str, Any]:
    data = _all()
    for name, info in data.items():
        if norm(country) in {norm(name), *(norm(a) for a in info.get("altSpellings", []))}:
            return info
    try:
        hit = _by_iso2().get(country_alpha2(country))
    except ToolError:
        hit = None
    if hit is None:
        raise unknown(
            "country", country, data.keys(), "use an English name or ISO code, e.g. 'Kenya' or 'KE'"
        )
    return data[hit]


def _country_tool(tid: str, examples: list[dict[str, Any]], produces: dict[str, str] | None = None) -> Any:
    return tool(
        f"general.countryinfo.{tid}",
        "R",
        params={"country": "Country: English name, native name or ISO code, e.g. 'Kenya' or 'KE'."},
        examples=examples,
        bad_examples=[{"country": "Atlantis"}],
        package=PACKAGE,
        dataset=DATASET,
        requires=REQUIRES,
        accepts={"country": "country"},
        produces=produces or {},
    )


@_country_tool("provinces", [{"country": "Kenya"}, {"country": "Canada"}])
def provinces(country: str) -> dict:
    """Provinces/states/regions of a country as listed by countryinfo, with their count."""
    info = _info(country)
    items = info.get("provinces", [])
    return {"country": info["name"], "provinces": items[:60], "count": len(items)}


@_country_tool("timezones", [{"country": "Russia"}], {"timezone_names": "timezone"})
def timezones(country: str) -> dict:
    """Time zones of a country: UTC offsets (e.g. 'UTC+03:00') and IANA zone names (e.g. 'Africa/Nairobi')."""
    info = _info(country)
    return {
        "country": info["name"],
        "utc_offsets": info.get("timezones", []),
        "timezone_names": info.get("timezoneNames", []),
    }


@_country_tool("calling_codes", [{"country": "Kenya"}], {"calling_codes": "number"})
def calling_codes(country: str) -> dict:
    """International telephone calling code(s) of a country (without '+') and its internet TLD(s)."""
    info = _info(country)
    return {
        "country": info["name"],
        "calling_codes": info.get("callingCodes", []),
        "tld": info.get("tld", []),
    }


@_country_tool("currencies", [{"country": "Switzerland"}], {"currencies": "currency_code"})
def currencies(country: str) -> dict:
    """ISO 4217 codes of the currencies used in a country (e.g. ['CHF'])."""
    info = _info(country)
    return {"country": info["name"], "currencies": info.get("currencies", [])}


@_country_tool("region", [{"country": "Kenya"}])
def region(country: str) -> dict:
    """UN geoscheme placement of a country: region (continent), subregion and intermediate region,
    plus its ISO alpha-2/alpha-3/numeric codes."""
    info = _info(country)
    return {
        "country": info["name"],
        "region": info.get("region"),
        "subregion": info.get("subregion"),
        "intermediate_region": info.get("intermediateregion"),
        "iso_alpha2": info["ISO"]["alpha2"],
        "iso_alpha3": info["ISO"]["alpha3"],
        "iso_numeric": info["ISO"].get("numeric"),
    }


@_country_tool("name_translations", [{"country": "Germany"}])
def name_translations(country: str) -> dict:
    """A country's name in other languages (German, Spanish, French, Japanese, Italian...), its native
    name, demonym and alternative spellings."""
    info = _info(country)
    return {
        "country": info["name"],
        "native_name": info.get("nativeName"),
        "demonym": info.get("demonym"),
        "translations": info.get("translations", {}),
        "alt_spellings": info.get("altSpellings", []),
    }


def _members(field: str, value: str) -> list[str]:
    return sorted(name for name, info in _all().items() if value in (info.get(field) or []))


@tool(
    "general.countryinfo.countries_in_region",
    "R",
    params={"region": "Region or subregion, e.g. 'Europe', 'Western Asia' or 'Sub-Saharan Africa'."},
    examples=[{"region": "Western Asia"}, {"region": "Oceania"}],
    bad_examples=[{"region": "Middle Earth"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    produces={"countries": "country"},
)
def countries_in_region(region: str) -> dict:
    """Countries in a UN region (Africa, Americas, Asia, Europe, Oceania) or subregion (e.g. 'Northern
    Europe'), alphabetically (first 60), with the total count."""
    names: dict[str, str] = {}
    for info in _all().values():
        for key in ("region", "subregion", "intermediateregion"):
            if info.get(key):
                names.setdefault(norm(info[key]), info[key])
    key = norm(region)
    if key not in names:
        raise unknown("region", region, names.values(), f"valid: {sorted(set(names.values()))}")
    hits = sorted(
        n
        for n, i in _all().items()
        if key in {norm(i.get(k) or "") for k in ("region", "subregion", "intermediateregion")}
    )
    return {"region": names[key], "countries": hits[:60], "total": len(hits)}


@tool(
    "general.countryinfo.countries_using_currency",
    "R",
    params={"currency_code": "ISO 4217 currency code, e.g. 'EUR' or 'XOF'."},
    examples=[{"currency_code": "EUR"}, {"currency_code": "USD"}],
    bad_examples=[{"currency_code": "ZZZ"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    accepts={"currency_code": "currency_code"},
    produces={"countries": "country"},
)
def countries_using_currency(currency_code: str) -> dict:
    """Countries and territories whose currencies include a given ISO 4217 code, with the count."""
    hits = _members("currencies", currency_code.strip().upper())
    if not hits:
        known = sorted({c for i in _all().values() for c in i.get("currencies", [])})
        raise unknown("currency code", currency_code, known)
    page = capped(hits, 60)
    return {"currency_code": currency_code.upper(), "countries": page["items"], "total": page["total"]}


@tool(
    "general.countryinfo.countries_speaking",
    "R",
    params={"language": "Language as English name or ISO 639-1 code, e.g. 'Arabic' or 'ar'."},
    examples=[{"language": "Arabic"}, {"language": "pt"}],
    bad_examples=[{"language": "Klingonese"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES + ["pycountry"],
    accepts={"language": "language"},
    produces={"countries": "country"},
)
def countries_speaking(language: str) -> dict:
    """Countries that list a language among their languages (countryinfo's ISO 639-1 lists), with count."""
    import pycountry

    code = language.strip().lower()
    if len(code) != 2:
        lang = pycountry.languages.get(name=language.strip().title()) or pycountry.languages.get(alpha_3=code)
        code = getattr(lang, "alpha_2", "") if lang else ""
    hits = _members("languages", code) if code else []
    if not hits:
        raise unknown(
            "language", language, [lang.name for lang in pycountry.languages if hasattr(lang, "alpha_2")]
        )
    name = pycountry.languages.get(alpha_2=code)
    page = capped(hits, 60)
    return {
        "language": name.name if name else code,
        "iso639_1": code,
        "countries": page["items"],
        "total": page["total"],
    }


def _inside(lon: float, lat: float, ring: list[list[float]]) -> bool:
    """Ray-casting point-in-polygon test on one (lon, lat) ring."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / ((yj - yi) or 1e-12) + xi:
            inside = not inside
        j = i
    return inside


def _polygons(info: dict[str, Any]) -> list[list[list[list[float]]]]:
    polys = []
    for feature in (info.get("geoJSON") or {}).get("features", []):
        geom = feature.get("geometry") or {}
        if geom.get("type") == "Polygon":
            polys.append(geom["coordinates"])
        elif geom.get("type") == "MultiPolygon":
            polys.extend(geom["coordinates"])
    return polys


@tool(
    "general.countryinfo.country_at_point",
    "R",
    params={
        "latitude": "Latitude in decimal degrees, -90..90, e.g. -1.29.",
        "longitude": "Longitude in decimal degrees, -180..180, e.g. 36.82.",
    },
    examples=[{"latitude": -1.29, "longitude": 36.82}, {"latitude": 48.85, "longitude": 2.35}],
    bad_examples=[{"latitude": 0.0, "longitude": -140.0}, {"latitude": 95.0, "longitude": 0.0}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    produces={"country": "country", "iso_alpha2": "country_code"},
)
def country_at_point(latitude: float, longitude: float) -> dict:
    """Reverse geocoding: the country whose (simplified) border polygon contains a point, with its ISO
    code and region. Coastal points may fall outside the simplified outline."""
    check_latlon(latitude, longitude)
    for name, info in _all().items():
        for poly in _polygons(info):
            if (
                poly
                and _inside(longitude, latitude, poly[0])
                and not any(_inside(longitude, latitude, hole) for hole in poly[1:])
            ):
                return {
                    "country": name,
                    "iso_alpha2": info["ISO"]["alpha2"],
                    "region": info.get("region"),
                    "subregion": info.get("subregion"),
                }
    raise ToolError(f"no country polygon contains ({latitude}, {longitude}); it may be at sea or on a coast")
