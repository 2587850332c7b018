"""finance-domain tools: importing this package registers every tool and seed source (data loads lazily)."""

from dive.tools.finance import (  # noqa: F401
    banking,
    calendars,
    corporate,
    currency,
    factbook_economy,
    factbook_sections,
    identifiers,
    indicators,
    industry,
    mic,
    options,
    risk,
    sec_edgar,
    seeds,
    tickersymbols,
    tvm,
)
