"""Bright-star catalogue, planet and planetary-moon apparent data, and city sites from PyEphem."""

from __future__ import annotations

import functools
import math
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.science._common import capped, parse_date, parse_datetime, resolve

_PKG = "ephem"
_DATA = "PyEphem built-in star catalogue (116 stars), city table (122) and VSOP87/ELP theories"
_PLANETS = ["Mercury", "Venus", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune", "Pluto"]
_MOONS = {
    "Io": "Jupiter",
    "Europa": "Jupiter",
    "Ganymede": "Jupiter",
    "Callisto": "Jupiter",
    "Mimas": "Saturn",
    "Enceladus": "Saturn",
    "Tethys": "Saturn",
    "Dione": "Saturn",
    "Rhea": "Saturn",
    "Titan": "Saturn",
    "Hyperion": "Saturn",
    "Iapetus": "Saturn",
    "Miranda": "Uranus",
    "Ariel": "Uranus",
    "Umbriel": "Uranus",
    "Titania": "Uranus",
    "Oberon": "Uranus",
    "Phobos": "Mars",
    "Deimos": "Mars",
}


def _edate(value: str) -> Any:
    import ephem

    when = parse_datetime(value)
    if not 1000 <= when.year <= 3000:
        raise ToolError(f"date must be within years 1000..3000, got {value!r}")
    return ephem.Date(when.replace(tzinfo=None))


@functools.cache
def _stars() -> dict[str, dict[str, Any]]:
    import ephem
    import ephem.stars

    out = {}
    for name in sorted(ephem.stars.stars):
        body = ephem.star(name)
        body.compute(ephem.J2000, epoch=ephem.J2000)
        abbr, full = ephem.constellation(body)
        out[name] = {
            "star": name,
            "ra_hours": round(math.degrees(body.a_ra) / 15, 6),
            "dec_degrees": round(math.degrees(body.a_dec), 5),
            "magnitude": round(float(body.mag), 2),
            "constellation": full,
            "constellation_abbr": abbr,
        }
    return out


@functools.cache
def _cities() -> dict[str, tuple[float, float, float]]:
    import ephem.cities

    return {name: (float(v[0]), float(v[1]), float(v[2])) for name, v in ephem.cities._city_data.items()}


def _star(name: str) -> dict[str, Any]:
    return _stars()[resolve(_stars(), name, "star (PyEphem catalogue)")]


@tool(
    "science.ephem.star_info",
    "R",
    params={"star": "Star name from the PyEphem catalogue, e.g. 'Sirius' or 'Betelgeuse'."},
    examples=[{"star": "Sirius"}, {"star": "Polaris"}],
    bad_examples=[{"star": "Krypton Prime"}],
    package=_PKG,
    dataset=_DATA,
    accepts={"star": "star"},
    produces={"constellation": "constellation", "magnitude": "number", "ra_hours": "number"},
)
def star_info(star: str) -> dict[str, Any]:
    """A bright star's J2000 position (RA in hours, Dec in degrees), visual magnitude and constellation."""
    return _star(star)


@tool(
    "science.ephem.stars_in_constellation",
    "R",
    params={"constellation": "Constellation full name or IAU abbreviation, e.g. 'Orion' or 'Ori'."},
    examples=[{"constellation": "Orion"}, {"constellation": "UMa"}],
    bad_examples=[{"constellation": "Dragonfly"}],
    package=_PKG,
    dataset=_DATA,
    accepts={"constellation": "constellation"},
    produces={"stars": "star"},
)
def stars_in_constellation(constellation: str) -> dict[str, Any]:
    """Catalogue stars lying in a constellation, brightest first, with magnitudes."""
    stars = _stars().values()
    names = {s["constellation"] for s in stars} | {s["constellation_abbr"] for s in stars}
    key = resolve({n: n for n in names}, constellation, "constellation (with catalogue stars)")
    hits = sorted(
        (s for s in stars if key in (s["constellation"], s["constellation_abbr"])),
        key=lambda s: s["magnitude"],
    )
    return {
        "constellation": key,
        "stars": [s["star"] for s in hits],
        "magnitudes": [s["magnitude"] for s in hits],
        "count": len(hits),
    }


@tool(
    "science.ephem.brightest_stars",
    "R",
    params={
        "max_magnitude": "Faintest visual magnitude to include (smaller is brighter), e.g. 1.0.",
        "hemisphere": "Restrict to 'north', 'south' (by declination) or 'any'.",
    },
    examples=[{"max_magnitude": 1.0, "hemisphere": "any"}, {"max_magnitude": 2.0, "hemisphere": "south"}],
    bad_examples=[{"max_magnitude": -5.0, "hemisphere": "any"}],
    package=_PKG,
    dataset=_DATA,
    produces={"stars": "star"},
)
def brightest_stars(max_magnitude: float, hemisphere: str = "any") -> dict[str, Any]:
    """Catalogue stars at least as bright as a magnitude, brightest first (first 20), with the total."""
    if hemisphere not in ("north", "south", "any"):
        raise ToolError("hemisphere must be 'north', 'south' or 'any'")
    hits = [
        s
        for s in _stars().values()
        if s["magnitude"] <= max_magnitude
        and (hemisphere == "any" or (s["dec_degrees"] >= 0) == (hemisphere == "north"))
    ]
    if not hits:
        raise ToolError(f"no catalogue star is brighter than magnitude {max_magnitude}; Sirius is -1.44")
    hits.sort(key=lambda s: s["magnitude"])
    out = capped([s["star"] for s in hits], "stars")
    out["magnitudes"] = [s["magnitude"] for s in hits[:20]]
    return out


@tool(
    "science.ephem.star_separation",
    "P",
    params={"star_a": "First star, e.g. 'Betelgeuse'.", "star_b": "Second star, e.g. 'Rigel'."},
    examples=[{"star_a": "Betelgeuse", "star_b": "Rigel"}],
    bad_examples=[{"star_a": "Betelgeuse", "star_b": "Nostar"}],
    package=_PKG,
    dataset=_DATA,
    accepts={"star_a": "star", "star_b": "star"},
    produces={"separation_degrees": "number"},
)
def star_separation(star_a: str, star_b: str) -> dict[str, Any]:
    """Great-circle angular separation (degrees) between two catalogue stars at J2000."""
    import ephem

    a, b = _star(star_a), _star(star_b)
    sep = ephem.separation(
        (math.radians(a["ra_hours"] * 15), math.radians(a["dec_degrees"])),
        (math.radians(b["ra_hours"] * 15), math.radians(b["dec_degrees"])),
    )
    return {"star_a": a["star"], "star_b": b["star"], "separation_degrees": round(math.degrees(sep), 4)}


@tool(
    "science.ephem.star_visibility",
    "P",
    params={
        "star": "Catalogue star, e.g. 'Canopus'.",
        "latitude": "Observer latitude in degrees, e.g. 40.0.",
    },
    examples=[{"star": "Canopus", "latitude": 40.0}, {"star": "Polaris", "latitude": 51.5}],
    bad_examples=[{"star": "Canopus", "latitude": 95.0}],
    package=_PKG,
    dataset=_DATA,
    accepts={"star": "star"},
    produces={"max_altitude_degrees": "number"},
)
def star_visibility(star: str, latitude: float) -> dict[str, Any]:
    """Whether a star is circumpolar, rises and sets, or never rises at a latitude, and its
    altitude (degrees) at upper culmination."""
    if not -90 <= latitude <= 90:
        raise ToolError("latitude must be in -90..90 degrees")
    s = _star(star)
    dec = s["dec_degrees"]
    max_alt = 90 - abs(latitude - dec)
    if (latitude >= 0 and dec > 90 - latitude) or (latitude < 0 and dec < -90 - latitude):
        status = "circumpolar"
    elif max_alt < 0:
        status = "never rises"
    else:
        status = "rises and sets"
    return {
        "star": s["star"],
        "latitude": latitude,
        "status": status,
        "max_altitude_degrees": round(max_alt, 4),
    }


@tool(
    "science.ephem.planet_apparent",
    "R",
    params={"planet": "Planet name, e.g. 'Jupiter'.", "date": "UTC date or time, e.g. '2024-01-01'."},
    examples=[{"planet": "Jupiter", "date": "2024-01-01"}, {"planet": "Venus", "date": "2025-03-01"}],
    bad_examples=[{"planet": "Vulcan", "date": "2024-01-01"}],
    package=_PKG,
    dataset=_DATA,
    accepts={"planet": "planet", "date": "date"},
    produces={"magnitude": "number", "elongation_degrees": "number"},
)
def planet_apparent(planet: str, date: str) -> dict[str, Any]:
    """How a planet appears from Earth on a date: visual magnitude, angular diameter (arcsec),
    illuminated phase (%), elongation from the Sun (degrees), Earth and Sun distances (AU)."""
    import ephem

    key = resolve({p: p for p in _PLANETS}, planet, "planet")
    body = getattr(ephem, key)(_edate(date))
    return {
        "planet": key,
        "date": date,
        "magnitude": round(float(body.mag), 2),
        "angular_diameter_arcsec": round(float(body.size), 3),
        "phase_percent": round(float(body.phase), 2),
        "elongation_degrees": round(math.degrees(body.elong), 3),
        "earth_distance_au": round(body.earth_distance, 6),
        "sun_distance_au": round(body.sun_distance, 6),
        "constellation": ephem.constellation(body)[1],
    }


@tool(
    "science.ephem.planetary_moon",
    "R",
    params={
        "moon": "Moon of Mars, Jupiter, Saturn or Uranus, e.g. 'Titan' or 'Io'.",
        "date": "UTC date or time, e.g. '2024-01-01T22:00:00'.",
    },
    examples=[{"moon": "Io", "date": "2024-01-01T22:00:00"}, {"moon": "Titan", "date": "2024-09-08"}],
    bad_examples=[{"moon": "Charon", "date": "2024-01-01"}],
    package=_PKG,
    dataset=_DATA,
    accepts={"date": "date"},
    produces={"parent_planet": "planet"},
)
def planetary_moon(moon: str, date: str) -> dict[str, Any]:
    """Apparent offset of a planetary moon from its planet (x east, y south, in planet radii),
    whether it is in front of/behind the planet, and whether it is lit by the Sun and visible from Earth."""
    import ephem

    key = resolve({m: m for m in _MOONS}, moon, "planetary moon")
    body = getattr(ephem, key)(_edate(date))
    return {
        "moon": key,
        "parent_planet": _MOONS[key],
        "x_planet_radii": round(float(body.x), 4),
        "y_planet_radii": round(float(body.y), 4),
        "z_planet_radii": round(float(body.z), 4),
        "in_front_of_planet": bool(body.z > 0),
        "sun_visible": bool(body.sun_visible),
        "earth_visible": bool(body.earth_visible),
    }


@tool(
    "science.ephem.saturn_rings",
    "R",
    params={"date": "UTC date, e.g. '2025-03-23'."},
    examples=[{"date": "2025-03-23"}, {"date": "2017-10-16"}],
    bad_examples=[{"date": "23/03/2025"}],
    package=_PKG,
    dataset=_DATA,
    accepts={"date": "date"},
    produces={"earth_tilt_degrees": "number"},
)
def saturn_rings(date: str) -> dict[str, Any]:
    """Tilt (degrees) of Saturn's ring plane toward Earth and toward the Sun on a date; near 0
    means the rings are seen edge-on."""
    import ephem

    body = ephem.Saturn(_edate(date))
    return {
        "date": date,
        "earth_tilt_degrees": round(math.degrees(body.earth_tilt), 3),
        "sun_tilt_degrees": round(math.degrees(body.sun_tilt), 3),
    }


@tool(
    "science.ephem.moon_libration",
    "R",
    params={"date": "UTC date or time, e.g. '2024-01-01'."},
    examples=[{"date": "2024-01-01"}],
    bad_examples=[{"date": "yesterday"}],
    package=_PKG,
    dataset=_DATA,
    accepts={"date": "date"},
    produces={"colongitude_degrees": "number"},
)
def moon_libration(date: str) -> dict[str, Any]:
    """The Moon's libration in latitude and longitude (degrees), selenographic colongitude of the
    Sun and subsolar latitude, which say which limb regions are tilted toward Earth and lit."""
    import ephem

    body = ephem.Moon(_edate(date))
    return {
        "date": date,
        "libration_latitude_degrees": round(math.degrees(body.libration_lat), 4),
        "libration_longitude_degrees": round(math.degrees(body.libration_long), 4),
        "colongitude_degrees": round(math.degrees(body.colong), 4),
        "subsolar_latitude_degrees": round(math.degrees(body.subsolar_lat), 4),
    }


@tool(
    "science.ephem.city_location",
    "R",
    params={"city": "City in PyEphem's table of 122 large cities, e.g. 'Tokyo'."},
    examples=[{"city": "Tokyo"}, {"city": "London"}],
    bad_examples=[{"city": "Atlantis"}],
    package=_PKG,
    dataset=_DATA,
    accepts={"city": "city"},
    produces={"latitude": "number", "longitude": "number"},
)
def city_location(city: str) -> dict[str, Any]:
    """Latitude and longitude (degrees, east positive) and elevation (m) of a major city, for use
    as an observing site."""
    key = resolve(_cities(), city, "city (PyEphem table)")
    lat, lon, elev = _cities()[key]
    return {"city": key, "latitude": lat, "longitude": lon, "elevation_m": round(elev, 1)}


@tool(
    "science.ephem.star_rise_set",
    "R",
    params={
        "star": "Catalogue star, e.g. 'Vega'.",
        "city": "City from PyEphem's table, e.g. 'Paris'.",
        "date": "UTC date to start searching from, e.g. '2024-08-01'.",
    },
    examples=[
        {"star": "Vega", "city": "Paris", "date": "2024-08-01"},
        {"star": "Sirius", "city": "Tokyo", "date": "2024-01-01"},
    ],
    bad_examples=[{"star": "Vega", "city": "Gotham", "date": "2024-08-01"}],
    package=_PKG,
    dataset=_DATA,
    accepts={"star": "star", "city": "city", "date": "date"},
    produces={"next_rising_utc": "date", "next_transit_utc": "date"},
)
def star_rise_set(star: str, city: str, date: str) -> dict[str, Any]:
    """Next rising, upper transit and setting (UTC) of a catalogue star seen from a city after a
    date; rising/setting are null for circumpolar or never-rising stars."""
    import ephem

    s = _star(star)
    obs = ephem.city(resolve(_cities(), city, "city (PyEphem table)"))
    obs.date = _edate(parse_date(date).isoformat())
    body = ephem.star(s["star"])

    def when(fn: Any) -> str | None:
        try:
            return ephem.Date(fn(body)).datetime().strftime("%Y-%m-%dT%H:%M:%SZ")
        except (ephem.AlwaysUpError, ephem.NeverUpError):
            return None

    return {
        "star": s["star"],
        "city": obs.name,
        "next_rising_utc": when(obs.next_rising),
        "next_transit_utc": when(obs.next_transit),
        "next_setting_utc": when(obs.next_setting),
    }


@tool(
    "science.ephem.constellation_at",
    "P",
    params={
        "ra_hours": "Right ascension in hours (0..24), e.g. 5.92.",
        "dec_degrees": "Declination in degrees (-90..90), e.g. 7.41.",
    },
    examples=[{"ra_hours": 5.92, "dec_degrees": 7.41}],
    bad_examples=[{"ra_hours": 25.0, "dec_degrees": 0.0}],
    package=_PKG,
    dataset="IAU constellation boundaries (PyEphem)",
    produces={"constellation": "constellation"},
)
def constellation_at(ra_hours: float, dec_degrees: float) -> dict[str, Any]:
    """The IAU constellation containing a J2000 sky position, as full name and 3-letter abbreviation."""
    import ephem

    if not (0 <= ra_hours < 24 and -90 <= dec_degrees <= 90):
        raise ToolError("ra_hours must be in [0, 24) and dec_degrees in [-90, 90]")
    abbr, full = ephem.constellation((math.radians(ra_hours * 15), math.radians(dec_degrees)))
    return {"ra_hours": ra_hours, "dec_degrees": dec_degrees, "constellation": full, "abbreviation": abbr}


def star_names() -> list[str]:
    """Catalogue star names, for seeds."""
    return list(_stars())


def city_names() -> list[str]:
    """PyEphem city names, for seeds."""
    return list(_cities())
