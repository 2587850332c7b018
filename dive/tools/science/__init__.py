"""Science-domain tools: constants, astronomy, cosmology, nuclear data, research taxonomies and
registries, mathematics, statistics, physics formulas and bibliographic processing.

Importing this package registers every tool and seed source; no module loads data at import.
"""

from dive.tools.science import (  # noqa: F401  (imported for their @tool / @seed_source side effects)
    arxiv_taxonomy,
    astropy_cosmo_units,
    astropy_time_coords,
    bibliography,
    codata,
    ephem_sky,
    nuclides,
    numerics,
    physics,
    physics_astro,
    registries,
    seeds,
    skyfield_almanac,
    skyfield_eph,
    stats_distributions,
    stats_tests,
    sympy_calculus,
    sympy_numbers,
    wiki_science,
)
