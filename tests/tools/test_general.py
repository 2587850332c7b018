"""General-domain tools: real values from shipped data, seed coverage and usability, exemplar file."""

from __future__ import annotations

import random
from typing import Any

import pytest

from dive.tools.registry import load_tools
from tests.tools import pool_checks

TOOLS = load_tools(["general"])
MINE = {tid: t for tid, t in TOOLS.items() if not tid.startswith("general.python.")}


def call(tool_id: str, **args: Any) -> dict[str, Any]:
    return pool_checks.run_ok(TOOLS, tool_id, args)


# ------------------------------------------------------------------------------------------------
# Spot checks of real values (one per tool family; facts that the shipped data must reproduce)


def test_factbook_capital_and_coordinates() -> None:
    out = call("general.factbook.capital", country="Kenya")
    assert out["capital"] == "Nairobi"
    assert out["latitude"] == pytest.approx(-1.2833, abs=1e-3)


def test_factbook_population_by_iso_code() -> None:
    assert call("general.factbook.population", country="KE")["population"] == 55_751_717


def test_factbook_area() -> None:
    assert call("general.factbook.area", country="Kenya")["total_sq_km"] == 580_367


def test_factbook_land_borders() -> None:
    out = call("general.factbook.land_borders", country="Germany")
    assert {"France", "Poland", "Austria"} <= set(out["border_countries"])
    assert len(out["border_countries"]) == 9


def test_factbook_elevation() -> None:
    assert call("general.factbook.elevation", country="Nepal")["highest_m"] == 8849


def test_factbook_independence_year() -> None:
    assert call("general.factbook.independence", country="Kenya")["year"] == 1963


def test_factbook_life_expectancy_and_ranking() -> None:
    assert call("general.factbook.life_expectancy", country="Kenya")["total_years"] == pytest.approx(70.4)
    top = call("general.factbook.rank_countries", indicator="population", limit=3)["countries"]
    assert top[:2] == ["India", "China"]


def test_factbook_aliases() -> None:
    assert call("general.factbook.government_type", country="Myanmar")["country"] == "Burma"
    assert call("general.factbook.capital", country="Ivory Coast")["country"] == "Cote d'Ivoire"


def test_wiki_summary_and_search() -> None:
    out = call("general.wiki.summary", title="marie curie")
    assert out["title"] == "Marie Curie" and "physicist" in out["extract"]
    assert "Mathematics" in call("general.wiki.categories")["categories"]
    assert "Albert Einstein" in call("general.wiki.fulltext_search", phrase="theory of relativity")["titles"]


def test_countryinfo_lookups() -> None:
    assert call("general.countryinfo.calling_codes", country="Kenya")["calling_codes"] == ["254"]
    assert call("general.countryinfo.country_at_point", latitude=48.85, longitude=2.35)["country"] == "France"
    assert "Germany" in call("general.countryinfo.countries_using_currency", currency_code="EUR")["countries"]


def test_iso_codes_and_subdivisions() -> None:
    assert call("general.iso.country_codes", country="Kenya")["alpha_3"] == "KEN"
    assert call("general.iso.subdivision", subdivision="US-CA")["name"] == "California"
    assert call("general.iso.subdivisions", country="US", type="State")["total"] == 50
    assert call("general.iso.script", script="Cyrillic")["alpha_4"] == "Cyrl"


def test_langcodes() -> None:
    assert (
        call("general.langcodes.name_in_language", language="German", in_language="fr")["name"] == "allemand"
    )
    assert call("general.langcodes.standardize_tag", tag="eng_US")["standard_tag"] == "en-US"
    assert (
        call("general.langcodes.speaker_population", language="Swahili")["speaking_population"] > 100_000_000
    )


def test_airports() -> None:
    assert call("general.airports.by_iata", iata="NBO")["icao"] == "HKJK"
    assert call("general.airports.by_icao", icao="EGLL")["iata"] == "LHR"
    assert call("general.airports.distance", origin="NBO", destination="LHR")["distance_km"] == pytest.approx(
        6827.6, abs=1
    )


def test_geonames_city() -> None:
    out = call("general.geonames.city", city="Nairobi")
    assert out["country_code"] == "KE" and out["timezone"] == "Africa/Nairobi"
    assert call("general.geonames.us_state", state="TX")["counties"] == 254


def test_holidays() -> None:
    assert call("general.holidays.is_holiday", date="2026-12-12", country="Kenya")["holiday"] == "Jamhuri Day"
    assert call("general.holidays.find_holiday", name="Thanksgiving", country="US", year=2025)["dates"] == [
        "2025-11-27"
    ]
    out = call(
        "general.holidays.business_days_between", start="2026-12-01", end="2026-12-31", country="Kenya"
    )
    assert out["business_days"] == 22


def test_phone() -> None:
    assert call("general.phone.parse", number="+254 722 123456")["region"] == "KE"
    assert call("general.phone.carrier", number="+254 722 123456")["carrier"] == "Safaricom"
    assert call("general.phone.timezones", number="+1 212 555 0100")["timezones"] == ["America/New_York"]


def test_time_zones() -> None:
    assert call("general.tz.timezone_at", latitude=-1.29, longitude=36.82)["timezone"] == "Africa/Nairobi"
    out = call(
        "general.tz.convert",
        datetime="2026-03-10T09:30",
        from_timezone="America/New_York",
        to_timezone="Asia/Tokyo",
    )
    assert out["to_time"] == "22:30"
    assert (
        call("general.tz.zone_info", timezone="Europe/London", at="2026-07-01T12:00")["abbreviation"] == "BST"
    )


def test_dates() -> None:
    assert call("general.dates.add_duration", date="2026-01-31", months=1)["result"] == "2026-02-28"
    assert (
        call("general.dates.nth_weekday", year=2026, month=11, weekday="thursday", n=4)["date"]
        == "2026-11-26"
    )
    assert call("general.dates.easter", year=2026)["date"] == "2026-04-05"
    assert call("general.dates.date_info", date="2026-07-04")["weekday"] == "Saturday"


def test_calendars() -> None:
    assert call("general.calendar.to_hebrew", date="2026-09-12")["year"] == 5787
    assert call("general.calendar.from_persian", year=1405, month=1, day=1)["gregorian"] == "2026-03-21"
    assert call("general.calendar.to_mayan", date="2012-12-21")["long_count"] == "13.0.0.0.0"
    assert call("general.calendar.julian_day", date="2000-01-01")["julian_day"] == 2451544.5
    assert call("general.calendar.to_julian", date="2026-01-07")["formatted"] == "25 December 2025"


def test_astral() -> None:
    out = call(
        "general.astral.sun_times",
        latitude=51.5,
        longitude=-0.12,
        date="2026-06-21",
        timezone="Europe/London",
    )
    assert out["sunrise"].startswith("04:4") and out["day_length_hours"] > 16.5
    assert call("general.astral.city_location", city="London")["timezone"] == "Europe/London"


def test_geodesy() -> None:
    out = call("general.geodesy.distance", lat1=-1.29, lon1=36.82, lat2=51.51, lon2=-0.13)
    assert out["distance_km"] == pytest.approx(6806.8, abs=0.5)
    assert call("general.geodesy.h3_cell", latitude=37.7749, longitude=-122.4194, resolution=9)["cell"] == (
        "89283082803ffff"
    )


def test_units_and_numbers() -> None:
    assert call("general.units.convert", value=55, from_unit="mph", to_unit="m/s")["result"] == pytest.approx(
        24.5872, abs=1e-4
    )
    assert call("general.units.convert", value=100, from_unit="degC", to_unit="degF")["result"] == 212
    assert call("general.numbers.to_roman", number=1984)["roman"] == "MCMLXXXIV"
    assert call("general.numbers.from_roman", numeral="MMXXVI")["number"] == 2026
    assert call("general.numbers.number_to_words", number=42)["words"] == "forty-two"
    assert call("general.text.transliterate", text="Москва")["ascii"] == "Moskva"


# ------------------------------------------------------------------------------------------------
# Pool shape


def test_tool_counts() -> None:
    pool_checks.check_tool_counts(MINE, min_total=95, min_retrieval=55)


def test_every_tool_has_examples_bad_examples_and_provenance() -> None:
    for tid, tool in MINE.items():
        assert tool.examples and tool.bad_examples, tid
        assert tool.package, tid


# ------------------------------------------------------------------------------------------------
# Seeds


@pytest.fixture(scope="module")
def seeds_by_kind() -> dict[str, list[str]]:
    return pool_checks.seeds_by_kind("general")


def test_seed_count(seeds_by_kind: dict[str, list[str]]) -> None:
    pool_checks.check_seed_count(seeds_by_kind, 5000)
    pool_checks.check_seed_kinds_accepted(MINE, seeds_by_kind, 2)


def test_seeds_are_usable(seeds_by_kind: dict[str, list[str]]) -> None:
    """50 seeds per kind (fixed sample, one generator): >= 90% give an ok result with some accepting tool."""
    rng = random.Random(0)
    for kind, names in sorted(seeds_by_kind.items()):
        tools = pool_checks.accepting(MINE, kind)
        if tools:
            pool_checks.check_seeds_usable(kind, names, tools, pool_checks.example_args_listed, rng=rng)


# ------------------------------------------------------------------------------------------------
# Exemplars


def test_exemplars() -> None:
    pool_checks.check_exemplars("general", min_rows=65, min_tag_uses=2)
