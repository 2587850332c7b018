"""Science domain: real values from the shipped data, seed coverage and usability, exemplar file."""

from __future__ import annotations

import pytest

from dive.tools.registry import load_tools
from tests.tools import pool_checks

TOOLS = load_tools(["science"])


def out(tool_id: str, **args: object) -> dict:
    return pool_checks.run_ok(TOOLS, tool_id, args)


def test_tool_counts() -> None:
    pool_checks.check_tool_counts(TOOLS, min_total=95, min_retrieval=38)


def test_codata_and_units() -> None:
    assert out("science.codata.constant", name="Newtonian constant of gravitation")["value"] == 6.6743e-11
    assert out("science.codata.constant", name="speed of light in vacuum")["exact"] is True
    assert "Bohr radius" in out("science.codata.search", query="Bohr")["matches"]
    assert out("science.codata.constant_in_unit", name="electron mass", to_unit="MeV")[
        "value"
    ] == pytest.approx(0.51099895, rel=1e-8)
    assert out("science.codata.constant_ratio", numerator="proton mass", denominator="electron mass")[
        "ratio"
    ] == pytest.approx(1836.15267, rel=1e-8)
    assert out("science.units.convert", value=1.0, from_unit="lyr", to_unit="pc")["value"] == pytest.approx(
        0.3066, abs=1e-4
    )
    assert out("science.units.unit_info", unit="Jy")["physical_type"] == "spectral flux density"


def test_astronomy_ephemerides() -> None:
    mars = out("science.skyfield.body_position", body="Mars", time="2024-04-08")
    assert mars["constellation"] == "Aquarius" and mars["ra_hours"] == pytest.approx(22.93, abs=0.01)
    assert out("science.skyfield.seasons", year=2025)["march_equinox"].startswith("2025-03-20T09:0")
    assert out("science.skyfield.lunar_phases", year=2024, month=4)["full_moon"] == "2024-04-23"
    assert out("science.skyfield.lunar_eclipses", year=2025)["dates"] == ["2025-03-14", "2025-09-07"]
    assert out("science.skyfield.oppositions_conjunctions", planet="Mars", year=2025)["dates"] == [
        "2025-01-16"
    ]
    sun = out("science.skyfield.rise_set", body="Sun", latitude=51.48, longitude=-0.0015, date="2024-06-21")
    assert sun["rise_utc"].startswith("2024-06-21T03:4")
    assert out("science.skyfield.moon_phase", time="2024-04-08T18:20:00")["phase_name"] == "new moon"


def test_stars_and_ephem() -> None:
    assert out("science.ephem.star_info", star="Sirius")["constellation"] == "Canis Major"
    assert "Betelgeuse" in out("science.ephem.stars_in_constellation", constellation="Orion")["stars"]
    assert out("science.ephem.brightest_stars", max_magnitude=1.0, hemisphere="any")["stars"][0] == "Sirius"
    assert out("science.ephem.star_visibility", star="Polaris", latitude=51.5)["status"] == "circumpolar"
    assert out("science.ephem.constellation_at", ra_hours=5.92, dec_degrees=7.41)["constellation"] == "Orion"
    assert out("science.ephem.city_location", city="Tokyo")["latitude"] == pytest.approx(35.69, abs=0.01)


def test_astropy_time_and_cosmology() -> None:
    assert out("science.astropy.julian_date", time="2000-01-01T12:00:00")["jd"] == 2451545.0
    assert out("science.astropy.leap_seconds", date="2016-12-31")["tai_minus_utc_s"] == 36
    gal = out(
        "science.astropy.transform_coordinates", lon=0.0, lat=0.0, from_frame="galactic", to_frame="icrs"
    )
    assert gal["lon"] == pytest.approx(266.405, abs=1e-3)
    assert out("science.cosmology.parameters", model="Planck18")["H0"] == 67.66
    assert out("science.cosmology.age_at_redshift", z=0.0, model="Planck18")["age_gyr"] == pytest.approx(
        13.787, abs=1e-3
    )


def test_nuclides() -> None:
    assert out("science.nuclides.isotope", isotope="C-14")["half_life_years"] == 5700.0
    assert out("science.nuclides.element_isotopes", element="Sn")["stable_isotopes"][0] == "Sn-112"
    assert out("science.nuclides.binding_energy", isotope="Fe-56")[
        "binding_energy_per_nucleon_mev"
    ] == pytest.approx(8.790, abs=1e-3)
    assert out("science.nuclides.ionization_energies", element="Na", count=1)[
        "first_ionization_ev"
    ] == pytest.approx(5.139, abs=1e-3)


def test_taxonomies_and_registries() -> None:
    assert out("science.arxiv.category_info", category="cs.AI")["name"] == "Artificial Intelligence"
    assert out("science.arxiv.category_info", category="chao-dyn")["canonical"] == "nlin.CD"
    assert "astro-ph.GA" in out("science.arxiv.archive_categories", archive="astro-ph")["categories"]
    assert out("science.arxiv.check_categories", primary="math.IT", cross_lists=[])["primary"] == "cs.IT"
    assert out("science.re3data.repository", name="UK Polar Data Centre")["re3data_id"] == "r3d100010120"
    assert out("science.registries.crosswalk", name="Crystallography Open Database")["fairsharing_ids"] == [
        "FAIRsharing.7mm5g5"
    ]
    assert out("science.bartoc.vocabulary", name="Mathematics Subject Classification")["bartoc_id"] == "474"
    assert out("science.wiki.scientist", name="Emmy Noether")["birth_year"] == 1882


def test_math_and_statistics() -> None:
    assert out("science.sympy.factorint", n=4294967297)["prime_factors"] == [641, 6700417]
    assert out("science.sympy.nth_prime", n=1000)["prime"] == 7919
    assert out("science.sympy.prime_count", x=1000000)["count"] == 78498
    assert (
        out("science.sympy.integrate", expression="sin(x)**2", variable="x", lower="0", upper="pi")["result"]
        == "pi/2"
    )
    assert (
        out("science.sympy.matrix_determinant", matrix=[[1, 2, 3], [4, 5, 6], [7, 8, 10]])["determinant"]
        == -3.0
    )
    assert out("science.stats.quantile", dist="norm", q=0.975, shape={})["value"] == pytest.approx(
        1.95996, abs=1e-5
    )
    assert out("science.stats.sample_size", effect_size=0.5, alpha=0.05, power=0.8)["n_per_group"] == 64
    assert out("science.scipy.find_root", expression="cos(x) - x", variable="x", lower=0.0, upper=1.0)[
        "root"
    ] == pytest.approx(0.739085133, abs=1e-9)


def test_physics_and_bibliography() -> None:
    assert out("science.physics.hydrogen_line", n_upper=3, n_lower=2)["wavelength_nm"] == pytest.approx(
        656.47, abs=0.01
    )
    assert out("science.physics.kepler_period", semi_major_axis_au=1.0, central_mass_solar=1.0)[
        "period_days"
    ] == pytest.approx(365.25, abs=0.1)
    assert out("science.physics.blackbody", temperature_k=5772.0)["peak_wavelength_nm"] == pytest.approx(
        502.04, abs=0.01
    )
    assert (
        out("science.iso4.abbreviate_title", title="Journal of the American Chemical Society")["abbreviation"]
        == "J. Am. Chem. Soc."
    )
    assert out("science.identifiers.isbn", isbn="0-306-40615-2")["isbn13"] == "9780306406157"
    assert out("science.bibliometrics.h_index", citations=[48, 33, 20, 12, 9, 4, 1, 0])["h_index"] == 5
    assert out(
        "science.networkx.shortest_path",
        edges=[["A", "B", 1], ["B", "C", 2], ["A", "C", 5]],
        source="A",
        target="C",
    )["path"] == ["A", "B", "C"]


BY_KIND = pool_checks.seeds_by_kind("science")


def test_seed_count_and_kinds_accepted() -> None:
    pool_checks.check_seed_count(BY_KIND, 5000, distinct_names=True)
    pool_checks.check_seed_kinds_accepted(TOOLS, BY_KIND, 2)


@pytest.mark.parametrize("kind", sorted(BY_KIND))
def test_seeds_work_as_arguments(kind: str) -> None:
    users = pool_checks.accepting(TOOLS, kind)
    users.sort(key=lambda tp: (tp[1] in ("query", "keyword"), tp[0].id))  # direct look-ups before searches
    pool_checks.check_seeds_usable(kind, BY_KIND[kind], users)


def test_exemplars() -> None:
    pool_checks.check_exemplars("science", min_rows=65, min_tag_uses=2)
