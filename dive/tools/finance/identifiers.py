"""Security and entity identifier validators and converters from python-stdnum."""

from __future__ import annotations

from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.finance._common import country_name

PKG = "python-stdnum"
REQ = ["stdnum"]
REQ_NAMES = ["stdnum", "pycountry"]  # tools that also name the country of a code


def _validate(module: Any, number: str, kind: str) -> str:
    from stdnum.exceptions import ValidationError

    try:
        return module.validate(number)
    except ValidationError as exc:
        raise ToolError(f"invalid {kind} {number!r}: {exc}") from None


@tool(
    "finance.identifiers.isin_validate",
    "P",
    params={"isin": "12-character International Securities Identification Number, e.g. 'US0378331005'."},
    examples=[{"isin": "US0378331005"}, {"isin": "DE0007164600"}],
    bad_examples=[{"isin": "US0378331006"}, {"isin": "XX12"}],
    package=PKG,
    requires=REQ_NAMES,
    accepts={"isin": "isin"},
    produces={"country_code": "country_code", "national_id": "cusip"},
)
def isin_validate(isin: str) -> dict:
    """Check an ISIN (Luhn check digit) and split it into issuing country, national security id (the CUSIP
    for US/CA ISINs) and check digit."""
    from stdnum import isin as m

    v = _validate(m, isin, "ISIN")
    return {
        "isin": v,
        "valid": True,
        "country_code": v[:2],
        "country": country_name(v[:2]),
        "national_id": v[2:11],
        "check_digit": v[11],
    }


@tool(
    "finance.identifiers.isin_from_national_id",
    "P",
    params={
        "country_code": "ISO alpha-2 code of the issuing country, e.g. 'US', 'GB', 'DE'.",
        "national_id": "National security id: CUSIP (US/CA), SEDOL (GB), WKN (DE)..., e.g. '037833100'.",
    },
    examples=[
        {"country_code": "US", "national_id": "037833100"},
        {"country_code": "GB", "national_id": "0263494"},
    ],
    bad_examples=[
        {"country_code": "ZZ", "national_id": "037833100"},
        {"country_code": "US", "national_id": "!!"},
    ],
    package=PKG,
    requires=REQ,
    accepts={"country_code": "country_code", "national_id": "cusip"},
    produces={"isin": "isin"},
)
def isin_from_national_id(country_code: str, national_id: str) -> dict:
    """Build the ISIN from a country code and a national security identifier (pads to 9 characters and
    computes the check digit)."""
    from stdnum import isin as m

    cc = country_code.strip().upper()
    nid = national_id.strip().upper()
    if not nid.isalnum() or len(nid) > 9:
        raise ToolError("national_id must be 1..9 letters or digits")
    try:
        v = m.validate(m.from_natid(cc, nid))
    except Exception as exc:
        raise ToolError(f"cannot build an ISIN for {cc}/{nid}: {exc}") from None
    return {"isin": v, "country_code": cc, "national_id": nid}


@tool(
    "finance.identifiers.cusip_validate",
    "P",
    params={"cusip": "9-character CUSIP, e.g. '037833100'."},
    examples=[{"cusip": "037833100"}, {"cusip": "594918104"}],
    bad_examples=[{"cusip": "037833101"}],
    package=PKG,
    requires=REQ,
    accepts={"cusip": "cusip"},
    produces={"isin": "isin"},
)
def cusip_validate(cusip: str) -> dict:
    """Check a CUSIP's check digit and return its issuer number (6 chars), issue number and the US ISIN."""
    from stdnum import cusip as m

    v = _validate(m, cusip, "CUSIP")
    return {
        "cusip": v,
        "valid": True,
        "issuer": v[:6],
        "issue": v[6:8],
        "check_digit": v[8],
        "isin": m.to_isin(v),
    }


@tool(
    "finance.identifiers.lei_validate",
    "P",
    params={"lei": "20-character Legal Entity Identifier (ISO 17442), e.g. '213800D1EI4B9WTWWD28'."},
    examples=[{"lei": "213800D1EI4B9WTWWD28"}, {"lei": "549300Z7V2WOFIMUEK50"}],
    bad_examples=[{"lei": "213800D1EI4B9WTWWD29"}],
    package=PKG,
    requires=REQ,
    accepts={"lei": "lei"},
)
def lei_validate(lei: str) -> dict:
    """Check an LEI's ISO 7064 mod 97-10 check digits; returns its LOU prefix and entity part."""
    from stdnum import lei as m

    v = _validate(m, lei, "LEI")
    return {"lei": v, "valid": True, "lou_prefix": v[:4], "entity_part": v[6:18], "check_digits": v[18:]}


@tool(
    "finance.identifiers.figi_validate",
    "P",
    params={"figi": "12-character Financial Instrument Global Identifier, e.g. 'BBG000BLNNH6'."},
    examples=[{"figi": "BBG000BLNNH6"}, {"figi": "BBG000B9XRY4"}],
    bad_examples=[{"figi": "BBG000BLNNH7"}],
    package=PKG,
    requires=REQ,
)
def figi_validate(figi: str) -> dict:
    """Check a FIGI (OpenFIGI identifier) format and check digit; returns its issuer prefix."""
    from stdnum import figi as m

    v = _validate(m, figi, "FIGI")
    return {"figi": v, "valid": True, "issuer_prefix": v[:2], "check_digit": v[-1]}


@tool(
    "finance.identifiers.vat_validate",
    "P",
    params={"vat": "European VAT number with country prefix, e.g. 'DE136695976' or 'NL004495445B01'."},
    examples=[{"vat": "DE136695976"}, {"vat": "NL004495445B01"}],
    bad_examples=[{"vat": "DE136695977"}],
    package=PKG,
    requires=REQ_NAMES,
    accepts={"vat": "vat_number"},
    produces={"country_code": "country_code"},
)
def vat_validate(vat: str) -> dict:
    """Validate an EU VAT identification number with its national checksum rules; returns the country."""
    from stdnum.eu import vat as m

    v = _validate(m, vat, "VAT number")
    cc = v[:2].upper()
    return {
        "vat": v,
        "valid": True,
        "country_code": "GR" if cc == "EL" else cc,
        "country": country_name("GR" if cc == "EL" else cc),
    }


@tool(
    "finance.identifiers.cfi_decode",
    "R",
    params={"cfi": "6-letter ISO 10962 Classification of Financial Instruments code, e.g. 'ESVUFR'."},
    examples=[{"cfi": "ESVUFR"}, {"cfi": "DBFTFB"}],
    bad_examples=[{"cfi": "QQQQQQ"}],
    package=PKG,
    dataset="ISO 10962 CFI tables shipped in python-stdnum",
    requires=REQ,
)
def cfi_decode(cfi: str) -> dict:
    """Decode a CFI code into instrument category, group and attribute meanings (voting, form...)."""
    from stdnum import cfi as m

    v = _validate(m, cfi, "CFI code")
    return {"cfi": v, **m.info(v)}


@tool(
    "finance.identifiers.ein_info",
    "R",
    params={"ein": "US Employer Identification Number 'XX-XXXXXXX', e.g. '04-2103594'."},
    examples=[{"ein": "04-2103594"}, {"ein": "94-2404110"}],
    bad_examples=[{"ein": "00-0000000"}],
    package=PKG,
    dataset="IRS EIN prefix table shipped in python-stdnum",
    requires=REQ,
)
def ein_info(ein: str) -> dict:
    """Validate a US EIN and return the IRS campus that issued its prefix."""
    from stdnum.us import ein as m

    v = _validate(m, ein, "EIN")
    return {"ein": m.format(v), "valid": True, "prefix": v[:2], "irs_campus": m.get_campus(v)}


@tool(
    "finance.identifiers.creditor_reference",
    "P",
    params={
        "reference": "Payment reference (letters/digits) to wrap as an ISO 11649 RF creditor reference, "
        "e.g. 'INVOICE2024001'."
    },
    examples=[{"reference": "INVOICE2024001"}, {"reference": "539007547034"}],
    bad_examples=[{"reference": "!!"}, {"reference": "THIS-REFERENCE-IS-FAR-TOO-LONG-FOR-ISO11649"}],
    package=PKG,
    requires=REQ,
)
def creditor_reference(reference: str) -> dict:
    """Create the ISO 11649 'RF' structured creditor reference (with check digits) for a payment reference."""
    from stdnum import iso7064
    from stdnum import iso11649 as m

    ref = reference.replace(" ", "").upper()
    if not ref.isalnum() or len(ref) > 21:
        raise ToolError("reference must be 1..21 letters or digits")
    check = iso7064.mod_97_10.calc_check_digits(ref + "RF")
    v = m.validate("RF" + check + ref)
    return {"reference": ref, "creditor_reference": v, "formatted": m.format(v), "check_digits": check}
