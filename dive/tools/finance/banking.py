"""IBAN/BIC parsing and the bank registries of 47 countries shipped in schwifty."""

from __future__ import annotations

import functools
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.finance._common import cap, norm, unknown

PKG = "schwifty"
DATASET = "schwifty 2026.10 bank registries (32,414 banks in 47 countries) and IBAN specs"


@functools.cache
def _bics() -> dict[str, list[Any]]:
    from schwifty import registry

    out: dict[str, list[Any]] = {}
    for b in registry.get_all_banks():
        if b.bic:
            out.setdefault(b.bic.upper(), []).append(b)
    return out


def _bank(b: Any) -> dict[str, Any]:
    return {
        "bank_name": b.name,
        "short_name": b.short_name,
        "bic": b.bic,
        "bank_code": b.bank_code,
        "country_code": b.country_code,
    }


@tool(
    "finance.banking.iban_parse",
    "R",
    params={"iban": "International Bank Account Number, spaces allowed, e.g. 'DE89 3704 0044 0532 0130 00'."},
    examples=[{"iban": "DE89 3704 0044 0532 0130 00"}, {"iban": "GB33BUKB20201555555555"}],
    bad_examples=[{"iban": "DE00 1234 5678 9012 3456 78"}, {"iban": "hello"}],
    package=PKG,
    dataset=DATASET,
    accepts={"iban": "iban"},
    produces={"bic": "bic", "bank_name": "bank", "country_code": "country_code", "bank_code": "bank_code"},
)
def iban_parse(iban: str) -> dict:
    """Validate an IBAN and split it: country, check digits, bank code, branch, account number, plus the
    bank name and BIC from the national registry when known."""
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        i = IBAN(iban)
    except SchwiftyException as exc:
        raise ToolError(f"invalid IBAN {iban!r}: {exc}") from None
    bank = i.bank
    return {
        "iban": i.compact,
        "formatted": i.formatted,
        "valid": True,
        "country_code": i.country_code,
        "check_digits": i.checksum_digits,
        "bank_code": i.bank_code,
        "branch_code": i.branch_code or None,
        "account_code": i.account_code,
        "bank_name": bank.name if bank else None,
        "bic": str(i.bic) if i.bic else None,
        "in_sepa_zone": i.in_sepa_zone,
    }


@tool(
    "finance.banking.bic_lookup",
    "R",
    params={"bic": "SWIFT/BIC code of 8 or 11 characters, e.g. 'COBADEFFXXX' or 'DEUTDEFF'."},
    examples=[{"bic": "COBADEFFXXX"}, {"bic": "NABAATWWXXX"}],
    bad_examples=[{"bic": "ZZZZQQ11"}, {"bic": "12"}],
    package=PKG,
    dataset=DATASET,
    accepts={"bic": "bic"},
    produces={"bank_name": "bank", "country_code": "country_code", "domestic_bank_codes": "bank_code"},
)
def bic_lookup(bic: str) -> dict:
    """A BIC decoded and looked up: bank name, country, location and branch code, and the domestic bank
    codes registered under it (first 20, with count)."""
    from schwifty import BIC
    from schwifty.exceptions import SchwiftyException

    try:
        b = BIC(bic)
    except SchwiftyException as exc:
        raise ToolError(f"invalid BIC {bic!r}: {exc}") from None
    banks = _bics().get(b.compact) or _bics().get(b.compact + "XXX") or []
    if not banks:
        raise unknown("BIC (not in the bank registries)", b.compact, _bics())
    codes = sorted({x.bank_code for x in banks})
    return {
        "bic": b.compact,
        "bank_name": banks[0].name,
        "country_code": b.country_code,
        "location_code": b.location_code,
        "branch_code": b.branch_code or "XXX",
        "total_bank_codes": len(codes),
        "domestic_bank_codes": cap(codes),
    }


@tool(
    "finance.banking.bank_by_code",
    "R",
    params={
        "country_code": "ISO alpha-2 country with a registry, e.g. 'DE', 'GB', 'CH', 'AT'.",
        "bank_code": "Domestic bank code (German BLZ, UK sort code, ...), e.g. '37040044'.",
    },
    examples=[{"country_code": "DE", "bank_code": "37040044"}, {"country_code": "AT", "bank_code": "00100"}],
    bad_examples=[{"country_code": "DE", "bank_code": "00000001"}, {"country_code": "US", "bank_code": "1"}],
    package=PKG,
    dataset=DATASET,
    accepts={"country_code": "country_code", "bank_code": "bank_code"},
    produces={"bic": "bic", "bank_name": "bank"},
)
def bank_by_code(country_code: str, bank_code: str) -> dict:
    """Bank registered under a domestic bank code in a country: name, short name and BIC."""
    from schwifty import registry

    cc = country_code.strip().upper()
    if cc not in registry.get_countries():
        raise unknown("registry country", cc, registry.get_countries())
    try:
        banks = registry.get_banks_by_code(cc, bank_code.strip())
    except KeyError:
        banks = []
    if not banks:
        raise ToolError(f"no bank with code {bank_code!r} in the {cc} registry")
    return {**_bank(banks[0]), "n_entries": len(banks)}


@tool(
    "finance.banking.iban_spec",
    "R",
    params={"country_code": "ISO alpha-2 country code of an IBAN country, e.g. 'FR', 'SA', 'NO'."},
    examples=[{"country_code": "FR"}, {"country_code": "NO"}],
    bad_examples=[{"country_code": "US"}],
    package=PKG,
    dataset=DATASET,
    accepts={"country_code": "country_code"},
    produces={"iban_length": "number"},
)
def iban_spec(country_code: str) -> dict:
    """IBAN format of a country: total length, BBAN structure (SWIFT notation) and SEPA membership."""
    from schwifty import registry

    cc = country_code.strip().upper()
    try:
        spec = registry.get_iban_spec(cc)
    except KeyError:
        raise ToolError(f"{cc} does not use IBANs (or is unknown); e.g. 'DE', 'FR', 'GB'") from None
    return {
        "country_code": cc,
        "iban_length": spec.iban_length,
        "bban_length": spec.bban_length,
        "iban_structure": spec.iban_spec,
        "bban_structure": spec.bban_spec,
        "in_sepa_zone": spec.in_sepa_zone,
    }


@tool(
    "finance.banking.bank_search",
    "R",
    params={
        "country_code": "ISO alpha-2 country with a registry, e.g. 'CH', 'GB', 'PL'.",
        "name": "Part of the bank name, e.g. 'UBS', 'Barclays', 'Santander'.",
    },
    examples=[{"country_code": "CH", "name": "UBS"}, {"country_code": "GB", "name": "Barclays"}],
    bad_examples=[{"country_code": "CH", "name": "Gringotts"}],
    package=PKG,
    dataset=DATASET,
    accepts={"country_code": "country_code", "name": "bank"},
    produces={"bics": "bic", "bank_codes": "bank_code"},
)
def bank_search(country_code: str, name: str) -> dict:
    """Banks in one country's registry whose name contains the query: names, BICs, bank codes (max 20)."""
    from schwifty import registry

    cc = country_code.strip().upper()
    if cc not in registry.get_countries():
        raise unknown("registry country", cc, registry.get_countries())
    q = norm(name)
    banks = sorted(
        (b for b in registry.get_banks_by_country(cc) if q and q in norm(b.name)),
        key=lambda b: (not b.primary, b.name, b.bank_code),
    )
    if not banks:
        raise ToolError(f"no bank in the {cc} registry has {name!r} in its name")
    return {
        "country_code": cc,
        "total": len(banks),
        "names": [b.name for b in cap(banks)],
        "bics": [b.bic for b in cap(banks)],
        "bank_codes": [b.bank_code for b in cap(banks)],
    }


@tool(
    "finance.banking.iban_generate",
    "P",
    params={
        "country_code": "ISO alpha-2 IBAN country, e.g. 'DE'.",
        "bank_code": "Domestic bank code, e.g. '37040044'.",
        "account_code": "Domestic account number, e.g. '0532013000'.",
    },
    examples=[
        {"country_code": "DE", "bank_code": "37040044", "account_code": "0532013000"},
        {"country_code": "AT", "bank_code": "19043", "account_code": "00234573201"},
    ],
    bad_examples=[{"country_code": "DE", "bank_code": "37040044", "account_code": "ABCDEFGHIJKLMNOP"}],
    package=PKG,
    dataset="",
    accepts={"country_code": "country_code", "bank_code": "bank_code"},
    produces={"iban": "iban"},
)
def iban_generate(country_code: str, bank_code: str, account_code: str) -> dict:
    """Build the IBAN for a domestic bank code and account number (computes the ISO 7064 check digits)."""
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        i = IBAN.generate(
            country_code.strip().upper(), bank_code=bank_code.strip(), account_code=account_code.strip()
        )
    except (SchwiftyException, KeyError, ValueError) as exc:
        raise ToolError(f"cannot build an IBAN: {exc}") from None
    return {"iban": i.compact, "formatted": i.formatted, "check_digits": i.checksum_digits}
