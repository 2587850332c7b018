"""Seed entities for the science domain, all read from the same shipped data the tools use.

Each kind is accepted by at least two tools (see the ``accepts`` maps); a seed source that cannot
load its package yields nothing rather than failing the whole domain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from dive.pools.seeds import seed_source
from dive.tools.base import ToolError


def _safe(fn: Callable[[], Iterable[str]]) -> list[str]:
    try:
        return list(fn())
    except (ImportError, OSError, ToolError):  # a missing optional package removes its seeds, nothing else
        return []


@seed_source("science", "constant")
def constants() -> list[str]:
    from dive.tools.science.codata import _constants

    return _safe(lambda: list(_constants()))


@seed_source("science", "arxiv_category")
def arxiv_categories() -> list[str]:
    from dive.tools.science.arxiv_taxonomy import category_ids

    return _safe(category_ids)


@seed_source("science", "data_repository")
def re3data_repositories() -> list[str]:
    from dive.tools.science.registries import names

    return _safe(lambda: names("re3data"))


@seed_source("science", "fairsharing_record")
def fairsharing_records() -> list[str]:
    from dive.tools.science.registries import names

    return _safe(lambda: names("fairsharing"))


@seed_source("science", "topic")
def science_topics() -> list[str]:
    from dive.tools.science.wiki_science import topic_names

    return _safe(topic_names)


@seed_source("science", "scientist")
def scientists() -> list[str]:
    from dive.tools.science.wiki_science import scientist_names

    return _safe(scientist_names)


@seed_source("science", "star")
def stars() -> list[str]:
    from dive.tools.science.ephem_sky import star_names

    return _safe(star_names)


@seed_source("science", "city")
def observing_cities() -> list[str]:
    from dive.tools.science.ephem_sky import city_names

    return _safe(city_names)


@seed_source("science", "isotope")
def isotopes() -> list[str]:
    from dive.tools.science.nuclides import isotope_names

    return _safe(isotope_names)


@seed_source("science", "element")
def elements() -> list[str]:
    from dive.tools.science.nuclides import _symbols

    return _safe(lambda: list(_symbols()))


@seed_source("science", "planet")
def planets() -> list[str]:
    return ["Sun", "Moon", "Mercury", "Venus", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune", "Pluto"]
