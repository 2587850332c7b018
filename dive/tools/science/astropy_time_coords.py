"""Astronomical time scales and celestial coordinate transforms with astropy (offline IERS tables)."""

from __future__ import annotations

import functools
from typing import Any, Literal

from dive.tools.base import ToolError, tool
from dive.tools.science._common import parse_date, parse_datetime

_PKG = "astropy"
_REQ = ["astropy", "astropy_iers_data"]
_DATA = "astropy + astropy-iers-data (IERS-B, leap-second table)"
_FRAMES = Literal["icrs", "fk5", "fk4", "galactic", "supergalactic", "barycentrictrueecliptic"]


@functools.cache
def _setup() -> Any:
    from astropy.utils import iers

    # Never reach for the network: astropy falls back to the IERS-B table shipped in astropy-iers-data.
    iers.conf.auto_download = False
    iers.conf.auto_max_age = None
    import astropy.units as u

    return u


def _t(value: str) -> Any:
    _setup()
    from astropy.time import Time

    when = parse_datetime(value)
    if not 1900 <= when.year <= 2100:
        raise ToolError(f"time must be within years 1900..2100, got {value!r}")
    return Time(when.replace(tzinfo=None), scale="utc")


def _radec(ra: float, dec: float) -> None:
    if not (0 <= ra < 360 and -90 <= dec <= 90):
        raise ToolError("ra must be in [0, 360) degrees and dec in [-90, 90] degrees")


@tool(
    "science.astropy.julian_date",
    "P",
    params={"time": "UTC date or time, e.g. '2024-04-08T18:00:00'."},
    examples=[{"time": "2024-04-08T18:00:00"}, {"time": "2000-01-01T12:00:00"}],
    bad_examples=[{"time": "08/04/2024"}],
    package=_PKG,
    requires=_REQ,
    accepts={"time": "date"},
    produces={"jd": "number", "mjd": "number"},
)
def julian_date(time: str) -> dict[str, Any]:
    """Julian Date, Modified Julian Date, decimal (Julian epoch) year and day of year of a UTC time."""
    t = _t(time)
    return {
        "time": t.isot,
        "jd": round(float(t.jd), 6),
        "mjd": round(float(t.mjd), 6),
        "julian_epoch": round(float(t.jyear), 6),
        "day_of_year": int(t.datetime.timetuple().tm_yday),
    }


@tool(
    "science.astropy.from_julian_date",
    "P",
    params={"jd": "Julian Date (UTC), e.g. 2460409.25; values below 100000 are read as MJD."},
    examples=[{"jd": 2460409.25}, {"jd": 51544.5}],
    bad_examples=[{"jd": 1e9}],
    package=_PKG,
    requires=_REQ,
    accepts={"jd": "number"},
    produces={"time": "date"},
)
def from_julian_date(jd: float) -> dict[str, Any]:
    """The UTC calendar date-time (ISO) of a Julian Date or Modified Julian Date, and the weekday."""
    _setup()
    from astropy.time import Time

    fmt = "mjd" if jd < 100000 else "jd"
    if not (15020 <= jd <= 88069 or 2415020.5 <= jd <= 2488069.5):
        raise ToolError(
            "jd must be a Julian Date within 1900..2100 (2415020.5..2488069.5) or the matching MJD"
        )
    t = Time(jd, format=fmt, scale="utc")
    return {
        "input_format": fmt,
        "time": t.isot + "Z",
        "date": t.isot[:10],
        "weekday": t.datetime.strftime("%A"),
    }


@tool(
    "science.astropy.time_scales",
    "P",
    params={"time": "UTC date or time, e.g. '2024-04-08T18:00:00'."},
    examples=[{"time": "2024-04-08T18:00:00"}],
    bad_examples=[{"time": "3024-01-01"}],
    package=_PKG,
    dataset=_DATA,
    requires=_REQ,
    accepts={"time": "date"},
    produces={"tai_minus_utc_s": "number"},
)
def time_scales(time: str) -> dict[str, Any]:
    """The same instant in TAI, TT, TDB, UT1 and GPS time, with TAI-UTC and UT1-UTC offsets (s)."""
    t = _t(time)
    try:
        ut1 = t.ut1.isot
        dut1 = round(float((t.ut1.mjd - t.mjd) * 86400), 4)
    except Exception:  # IERS-B does not reach the most recent months; report UT1 as unknown
        ut1, dut1 = None, None
    return {
        "utc": t.isot,
        "tai": t.tai.isot,
        "tt": t.tt.isot,
        "tdb": t.tdb.isot,
        "ut1": ut1,
        "gps_seconds": round(float(t.gps), 3),
        "tai_minus_utc_s": round(float((t.tai.mjd - t.mjd) * 86400)),
        "ut1_minus_utc_s": dut1,
    }


@tool(
    "science.astropy.leap_seconds",
    "R",
    params={"date": "UTC date, e.g. '2016-12-31'."},
    examples=[{"date": "2016-12-31"}, {"date": "1990-06-01"}],
    bad_examples=[{"date": "1960-01-01"}],
    package=_PKG,
    dataset="IERS leap-second table (astropy-iers-data)",
    requires=_REQ,
    accepts={"date": "date"},
    produces={"tai_minus_utc_s": "number", "last_leap_second": "date"},
)
def leap_seconds(date: str) -> dict[str, Any]:
    """TAI-UTC (s) in force on a date, the date the last leap second took effect, and the total
    number of leap seconds inserted since 1972 up to that date."""
    _setup()
    import astropy_iers_data
    from astropy.utils.iers import LeapSeconds

    day = parse_date(date)
    if day.year < 1972:
        raise ToolError("leap seconds start on 1972-01-01; give a later date")
    table = LeapSeconds.from_iers_leap_seconds(astropy_iers_data.IERS_LEAP_SECOND_FILE)
    rows = [(int(r["year"]), int(r["month"]), int(r["day"]), int(r["tai_utc"])) for r in table]
    past = [r for r in rows if (r[0], r[1], r[2]) <= (day.year, day.month, day.day)]
    y, m, d, tai = past[-1]
    return {
        "date": date,
        "tai_minus_utc_s": tai,
        "last_leap_second": f"{y:04d}-{m:02d}-{d:02d}",
        "leap_seconds_since_1972": tai - 10,
    }


@tool(
    "science.astropy.sidereal_time",
    "P",
    params={
        "time": "UTC time, e.g. '2024-04-08T18:00:00'.",
        "longitude": "Observer longitude in degrees east, e.g. -71.06 (0 gives Greenwich).",
    },
    examples=[
        {"time": "2024-04-08T18:00:00", "longitude": 0.0},
        {"time": "2024-01-01T00:00:00", "longitude": -71.06},
    ],
    bad_examples=[{"time": "2024-04-08T18:00:00", "longitude": 400.0}],
    package=_PKG,
    requires=_REQ,
    accepts={"time": "date"},
    produces={"local_mean_sidereal_hours": "number"},
)
def sidereal_time(time: str, longitude: float) -> dict[str, Any]:
    """Greenwich and local mean/apparent sidereal time (hours) at a UTC time and longitude."""
    u = _setup()
    if not -180 <= longitude <= 360:
        raise ToolError("longitude must be in -180..360 degrees east")
    t = _t(time)
    return {
        "time": t.isot,
        "greenwich_mean_sidereal_hours": round(float(t.sidereal_time("mean", "greenwich").hour), 6),
        "local_mean_sidereal_hours": round(float(t.sidereal_time("mean", longitude * u.deg).hour), 6),
        "local_apparent_sidereal_hours": round(float(t.sidereal_time("apparent", longitude * u.deg).hour), 6),
    }


@tool(
    "science.astropy.transform_coordinates",
    "P",
    params={
        "lon": "Longitude-like coordinate in degrees (RA for icrs/fk5/fk4, l for galactic), e.g. 83.82.",
        "lat": "Latitude-like coordinate in degrees (Dec, or b), e.g. -5.39.",
        "from_frame": "Frame of the input: icrs, fk5 (J2000), fk4 (B1950), galactic, supergalactic, "
        "barycentrictrueecliptic.",
        "to_frame": "Frame to convert into, same choices, e.g. 'galactic'.",
    },
    examples=[
        {"lon": 83.82, "lat": -5.39, "from_frame": "icrs", "to_frame": "galactic"},
        {"lon": 0.0, "lat": 0.0, "from_frame": "galactic", "to_frame": "icrs"},
    ],
    bad_examples=[{"lon": 83.82, "lat": 95.0, "from_frame": "icrs", "to_frame": "galactic"}],
    package=_PKG,
    requires=_REQ,
    produces={"lon": "number", "lat": "number"},
)
def transform_coordinates(lon: float, lat: float, from_frame: _FRAMES, to_frame: _FRAMES) -> dict[str, Any]:
    """Convert a sky position between celestial frames; returns the new longitude and latitude in degrees."""
    u = _setup()
    from astropy.coordinates import SkyCoord

    if not (-360 <= lon <= 360 and -90 <= lat <= 90):
        raise ToolError("lon must be in -360..360 and lat in -90..90 degrees")
    c = SkyCoord(lon * u.deg, lat * u.deg, frame=from_frame).transform_to(to_frame)
    sph = c.spherical
    return {
        "from_frame": from_frame,
        "to_frame": to_frame,
        "lon": round(float(sph.lon.deg), 6),
        "lat": round(float(sph.lat.deg), 6),
    }


@tool(
    "science.astropy.angular_separation",
    "P",
    params={
        "ra1": "RA of the first object in degrees, e.g. 88.79.",
        "dec1": "Dec of the first object, e.g. 7.41.",
        "ra2": "RA of the second object in degrees, e.g. 78.63.",
        "dec2": "Dec of the second object, e.g. -8.20.",
    },
    examples=[{"ra1": 88.79, "dec1": 7.41, "ra2": 78.63, "dec2": -8.20}],
    bad_examples=[{"ra1": 400.0, "dec1": 0.0, "ra2": 0.0, "dec2": 0.0}],
    package=_PKG,
    requires=_REQ,
    produces={"separation_degrees": "number"},
)
def angular_separation(ra1: float, dec1: float, ra2: float, dec2: float) -> dict[str, Any]:
    """Angular separation (degrees and arcminutes) between two ICRS positions and the position angle
    of the second seen from the first (degrees east of north)."""
    u = _setup()
    from astropy.coordinates import SkyCoord

    _radec(ra1, dec1)
    _radec(ra2, dec2)
    a, b = SkyCoord(ra1 * u.deg, dec1 * u.deg), SkyCoord(ra2 * u.deg, dec2 * u.deg)
    sep = a.separation(b).deg
    return {
        "separation_degrees": round(float(sep), 6),
        "separation_arcmin": round(float(sep) * 60, 4),
        "position_angle_degrees": round(float(a.position_angle(b).deg), 4),
    }


@tool(
    "science.astropy.sky_altaz",
    "P",
    params={
        "ra": "ICRS right ascension in degrees, e.g. 279.23.",
        "dec": "ICRS declination in degrees, e.g. 38.78.",
        "latitude": "Observer latitude in degrees, e.g. 19.82.",
        "longitude": "Observer longitude in degrees east, e.g. -155.47.",
        "time": "UTC time, e.g. '2024-07-01T08:00:00'.",
    },
    examples=[
        {"ra": 279.23, "dec": 38.78, "latitude": 19.82, "longitude": -155.47, "time": "2024-07-01T08:00:00"}
    ],
    bad_examples=[{"ra": 279.23, "dec": 38.78, "latitude": 99.0, "longitude": 0.0, "time": "2024-07-01"}],
    package=_PKG,
    requires=_REQ,
    accepts={"time": "date"},
    produces={"altitude_degrees": "number", "airmass": "number"},
)
def sky_altaz(ra: float, dec: float, latitude: float, longitude: float, time: str) -> dict[str, Any]:
    """Altitude, azimuth (degrees), hour angle (hours) and airmass (sec z; null below the horizon)
    of a fixed sky position seen from a place at a UTC time."""
    u = _setup()
    from astropy.coordinates import AltAz, EarthLocation, SkyCoord

    _radec(ra, dec)
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 360):
        raise ToolError("latitude must be in -90..90 and longitude in -180..360 degrees")
    t = _t(time)
    loc = EarthLocation(lat=latitude * u.deg, lon=longitude * u.deg, height=0 * u.m)
    aa = SkyCoord(ra * u.deg, dec * u.deg).transform_to(AltAz(obstime=t, location=loc))
    alt = float(aa.alt.deg)
    lst = float(t.sidereal_time("apparent", longitude * u.deg).hour)
    return {
        "time": t.isot,
        "altitude_degrees": round(alt, 4),
        "azimuth_degrees": round(float(aa.az.deg), 4),
        "hour_angle_hours": round((lst - ra / 15) % 24, 4),
        "airmass": round(float(aa.secz), 4) if alt > 0 else None,
    }


@tool(
    "science.astropy.parse_angle",
    "P",
    params={
        "text": "An angle in sexagesimal or unit form, e.g. '05h35m17.3s', '-05d23m28s' or '12.5 arcmin'."
    },
    examples=[{"text": "05h35m17.3s"}, {"text": "-05d23m28s"}],
    bad_examples=[{"text": "five hours"}],
    package=_PKG,
    requires=_REQ,
    produces={"degrees": "number"},
)
def parse_angle(text: str) -> dict[str, Any]:
    """An angle string converted to decimal degrees, hours, radians and arcseconds, plus the
    normalised sexagesimal forms."""
    _setup()
    from astropy.coordinates import Angle

    try:
        a = Angle(text)
    except Exception as exc:
        raise ToolError(
            f"cannot parse angle {text!r}; use e.g. '05h35m17s', '-05d23m28s' or '1.5 deg'"
        ) from exc
    return {
        "text": text,
        "degrees": round(float(a.deg), 8),
        "hours": round(float(a.hour), 8),
        "radians": round(float(a.rad), 10),
        "arcsec": round(float(a.arcsec), 4),
        "dms": a.to_string(unit="deg", sep=":", precision=2),
        "hms": a.to_string(unit="hourangle", sep=":", precision=2),
    }


@tool(
    "science.astropy.precess",
    "P",
    params={
        "ra": "J2000 (FK5) right ascension in degrees, e.g. 37.95.",
        "dec": "J2000 declination in degrees, e.g. 89.26.",
        "equinox_year": "Target equinox as a Julian year, e.g. 2050.0.",
    },
    examples=[{"ra": 37.95, "dec": 89.26, "equinox_year": 2050.0}],
    bad_examples=[{"ra": 37.95, "dec": 89.26, "equinox_year": 9000.0}],
    package=_PKG,
    requires=_REQ,
    produces={"ra": "number", "dec": "number"},
)
def precess(ra: float, dec: float, equinox_year: float) -> dict[str, Any]:
    """RA/Dec (degrees) of a J2000 position precessed to the mean equinox of another epoch (FK5)."""
    u = _setup()
    from astropy.coordinates import FK5, SkyCoord
    from astropy.time import Time

    _radec(ra, dec)
    if not 1000 <= equinox_year <= 3000:
        raise ToolError("equinox_year must be within 1000..3000")
    c = SkyCoord(ra * u.deg, dec * u.deg, frame=FK5(equinox="J2000"))
    p = c.transform_to(FK5(equinox=Time(equinox_year, format="jyear")))
    return {
        "equinox": f"J{equinox_year}",
        "ra": round(float(p.ra.deg), 6),
        "dec": round(float(p.dec.deg), 6),
        "shift_arcsec": round(
            float(
                SkyCoord(ra * u.deg, dec * u.deg)
                .separation(SkyCoord(p.ra.deg * u.deg, p.dec.deg * u.deg))
                .arcsec
            ),
            3,
        ),
    }
