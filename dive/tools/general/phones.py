"""Telephone numbers with ``phonenumbers`` (Google libphonenumber metadata): parsing, validation and
formatting (P), and the shipped geocoder, carrier and time-zone prefix tables (R)."""

from __future__ import annotations

from typing import Any, Literal

from dive.tools.base import ToolError, tool
from dive.tools.general._util import country_alpha2, country_name

PACKAGE = "phonenumbers"
DATASET = "libphonenumber metadata, geocoding, carrier and timezone prefix data"
REQUIRES = ["phonenumbers"]
_NUMBER = "Phone number in international form, e.g. '+254 722 123456' (or national with region)."
_REGION = "Optional default region (ISO alpha-2) for numbers without '+', e.g. 'KE'."


def _parse(number: str, region: str | None = None) -> Any:
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, region.upper() if region else None)
    except phonenumbers.NumberParseException as exc:
        raise ToolError(
            f"cannot parse phone number {number!r}: {exc}; use '+<country code> <number>'"
        ) from exc
    if not phonenumbers.is_possible_number(parsed):
        raise ToolError(f"{number!r} is not a possible phone number (wrong length for its country code)")
    return parsed


def _type_name(parsed: Any) -> str:
    import phonenumbers

    code = phonenumbers.number_type(parsed)
    names = {v: k for k, v in vars(phonenumbers.PhoneNumberType).items() if k.isupper()}
    return names.get(code, str(code)).lower()


@tool(
    "general.phone.parse",
    "P",
    params={"number": _NUMBER, "region": _REGION},
    examples=[{"number": "+254 722 123456"}, {"number": "020 7946 0958", "region": "GB"}],
    bad_examples=[{"number": "12"}, {"number": "hello"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    produces={"region": "country_code", "e164": "phone_number"},
)
def parse(number: str, region: str | None = None) -> dict:
    """Parse and validate a phone number: country calling code, national number, region, validity,
    line type (mobile, fixed_line, toll_free...) and E.164 / international / national formats."""
    import phonenumbers as pn

    p = _parse(number, region)
    fmt = pn.PhoneNumberFormat
    return {
        "input": number,
        "country_code": p.country_code,
        "national_number": str(p.national_number),
        "region": pn.region_code_for_number(p),
        "is_valid": pn.is_valid_number(p),
        "type": _type_name(p),
        "e164": pn.format_number(p, fmt.E164),
        "international": pn.format_number(p, fmt.INTERNATIONAL),
        "national": pn.format_number(p, fmt.NATIONAL),
    }


@tool(
    "general.phone.location",
    "R",
    params={"number": _NUMBER, "region": _REGION},
    examples=[{"number": "+1 650 253 0000"}, {"number": "+44 20 7946 0958"}],
    bad_examples=[{"number": "+999 123"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
)
def location(number: str, region: str | None = None) -> dict:
    """Geographic area a phone number is registered to (city/region or country, from the libphonenumber
    geocoder prefix tables)."""
    from phonenumbers import geocoder

    p = _parse(number, region)
    place = geocoder.description_for_number(p, "en")
    if not place:
        raise ToolError(f"no geographic information for {number!r} (e.g. non-geographic or mobile prefix)")
    return {"number": number, "location": place, "country_area": geocoder.country_name_for_number(p, "en")}


@tool(
    "general.phone.carrier",
    "R",
    params={"number": _NUMBER, "region": _REGION},
    examples=[{"number": "+254 722 123456"}, {"number": "+44 7400 123456"}],
    bad_examples=[{"number": "+1 650 253 0000"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
)
def carrier(number: str, region: str | None = None) -> dict:
    """Original mobile carrier of a mobile phone number's prefix (number portability not reflected)."""
    from phonenumbers import carrier as pc

    p = _parse(number, region)
    name = pc.name_for_number(p, "en")
    if not name:
        raise ToolError(f"no carrier known for {number!r} (only mobile prefixes have carrier data)")
    return {"number": number, "carrier": name, "type": _type_name(p)}


@tool(
    "general.phone.timezones",
    "R",
    params={"number": _NUMBER, "region": _REGION},
    examples=[{"number": "+1 212 555 0100"}, {"number": "+254 722 123456"}],
    bad_examples=[{"number": "123"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
    produces={"timezones": "timezone"},
)
def timezones(number: str, region: str | None = None) -> dict:
    """IANA time zone(s) a phone number's prefix belongs to (e.g. 'America/New_York')."""
    from phonenumbers import timezone

    p = _parse(number, region)
    zones = [z for z in timezone.time_zones_for_number(p) if z != "Etc/Unknown"]
    if not zones:
        raise ToolError(f"no time zone known for {number!r}")
    return {"number": number, "timezones": zones}


PhoneType = Literal["mobile", "fixed_line", "toll_free", "premium_rate", "voip"]


@tool(
    "general.phone.example_number",
    "R",
    params={
        "country": "Country name or ISO code, e.g. 'Kenya' or 'KE'.",
        "type": "Line type: 'mobile' (default), 'fixed_line', 'toll_free', 'premium_rate' or 'voip'.",
    },
    examples=[{"country": "Kenya"}, {"country": "Germany", "type": "fixed_line"}],
    bad_examples=[{"country": "Atlantis"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES + ["pycountry"],
    accepts={"country": "country"},
    produces={"country_calling_code": "number"},
)
def example_number(country: str, type: PhoneType = "mobile") -> dict:
    """A country's international calling code, national trunk prefix and an example number of a line
    type in international and national format (shows the numbering plan)."""
    import phonenumbers as pn

    cc = country_alpha2(country)
    ex = pn.example_number_for_type(cc, getattr(pn.PhoneNumberType, type.upper()))
    if ex is None:
        raise ToolError(f"libphonenumber has no {type} example for {country_name(cc)}")
    meta = pn.PhoneMetadata.metadata_for_region(cc)
    return {
        "country_code": cc,
        "country": country_name(cc),
        "country_calling_code": ex.country_code,
        "national_prefix": getattr(meta, "national_prefix", None),
        "type": type,
        "international": pn.format_number(ex, pn.PhoneNumberFormat.INTERNATIONAL),
        "national": pn.format_number(ex, pn.PhoneNumberFormat.NATIONAL),
    }


@tool(
    "general.phone.find_in_text",
    "P",
    params={
        "text": "Free text that may contain phone numbers, e.g. 'Call +44 20 7946 0958 or 020 7946 0000'.",
        "region": "Region (ISO alpha-2) for numbers written without '+', e.g. 'GB'.",
    },
    examples=[{"text": "Call +44 20 7946 0958 or our office on 020 7946 0000.", "region": "GB"}],
    bad_examples=[{"text": "no numbers here", "region": "GB"}],
    package=PACKAGE,
    dataset=DATASET,
    requires=REQUIRES,
)
def find_in_text(text: str, region: str = "US") -> dict:
    """Phone numbers found in free text, each with its position and E.164 form."""
    import phonenumbers as pn

    found = [
        {"raw": m.raw_string, "start": m.start, "e164": pn.format_number(m.number, pn.PhoneNumberFormat.E164)}
        for m in pn.PhoneNumberMatcher(text, region.upper())
    ]
    if not found:
        raise ToolError("no phone number found in the text")
    return {"numbers": found[:20], "total": len(found)}
