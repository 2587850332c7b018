"""General-domain tools: encyclopedic, geographic, time/calendar, language and unit tools.

Importing this package registers every tool and seed source; data loads lazily on first call.
"""

from dive.tools.general import (  # noqa: F401  (imported for their @tool registrations)
    airports,
    astro,
    calendars,
    countries,
    dates,
    factbook_geo,
    factbook_gov,
    factbook_infra,
    factbook_people,
    geodesy,
    geonames,
    holiday_tools,
    iso,
    languages,
    numbers,
    phones,
    seeds,
    timezones,
    units,
    wiki,
)
