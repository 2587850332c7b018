"""Geodesy on the WGS84 ellipsoid with ``geographiclib`` (Karney's algorithms) and hexagonal grid
indexing with ``h3`` (Uber H3)."""

from __future__ import annotations

from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.general._util import check_latlon

PACKAGE = "geographiclib"
REQ = ["geographiclib"]
_P = {
    "lat1": "Start latitude in decimal degrees, e.g. -1.29.",
    "lon1": "Start longitude, e.g. 36.82.",
    "lat2": "End latitude in decimal degrees, e.g. 51.51.",
    "lon2": "End longitude, e.g. -0.13.",
}
_EX = {"lat1": -1.29, "lon1": 36.82, "lat2": 51.51, "lon2": -0.13}


def _geod() -> Any:
    from geographiclib.geodesic import Geodesic

    return Geodesic.WGS84


def _pair(lat1: float, lon1: float, lat2: float, lon2: float) -> dict[str, Any]:
    check_latlon(lat1, lon1)
    check_latlon(lat2, lon2)
    return _geod().Inverse(lat1, lon1, lat2, lon2)


@tool(
    "general.geodesy.distance",
    "P",
    params=_P,
    examples=[_EX],
    bad_examples=[{**_EX, "lat1": 95.0}],
    package=PACKAGE,
    requires=REQ,
    accepts={"lat1": "number", "lon1": "number", "lat2": "number", "lon2": "number"},
    produces={"distance_km": "number"},
)
def distance(lat1: float, lon1: float, lat2: float, lon2: float) -> dict:
    """Shortest distance between two points on the WGS84 ellipsoid in km, miles and nautical miles, with
    the initial and final bearings (degrees clockwise from north)."""
    g = _pair(lat1, lon1, lat2, lon2)
    km = g["s12"] / 1000
    return {
        "distance_km": round(km, 3),
        "distance_mi": round(km / 1.609344, 3),
        "distance_nmi": round(km / 1.852, 3),
        "initial_bearing_deg": round(g["azi1"] % 360, 3),
        "final_bearing_deg": round(g["azi2"] % 360, 3),
    }


@tool(
    "general.geodesy.destination",
    "P",
    params={
        "latitude": "Start latitude in decimal degrees, e.g. 48.85.",
        "longitude": "Start longitude in decimal degrees, e.g. 2.35.",
        "bearing_deg": "Initial bearing in degrees clockwise from north, 0-360, e.g. 90.",
        "distance_km": "Distance to travel in km, 0-20,000, e.g. 500.",
    },
    examples=[{"latitude": 48.85, "longitude": 2.35, "bearing_deg": 90, "distance_km": 500}],
    bad_examples=[{"latitude": 48.85, "longitude": 2.35, "bearing_deg": 90, "distance_km": -5}],
    package=PACKAGE,
    requires=REQ,
)
def destination(latitude: float, longitude: float, bearing_deg: float, distance_km: float) -> dict:
    """Point reached by travelling a distance along a geodesic from a start point at an initial bearing:
    its latitude/longitude and the bearing on arrival."""
    check_latlon(latitude, longitude)
    if not 0 <= distance_km <= 20_000 or not 0 <= bearing_deg <= 360:
        raise ToolError("distance_km must be 0-20000 and bearing_deg 0-360")
    g = _geod().Direct(latitude, longitude, bearing_deg, distance_km * 1000)
    return {
        "latitude": round(g["lat2"], 6),
        "longitude": round(g["lon2"], 6),
        "final_bearing_deg": round(g["azi2"] % 360, 3),
    }


@tool(
    "general.geodesy.midpoint",
    "P",
    params=_P,
    examples=[_EX],
    bad_examples=[{**_EX, "lon2": 190.0}],
    package=PACKAGE,
    requires=REQ,
)
def midpoint(lat1: float, lon1: float, lat2: float, lon2: float) -> dict:
    """Point halfway along the geodesic between two points (latitude/longitude) and the half distance
    in km."""
    g = _pair(lat1, lon1, lat2, lon2)
    line = _geod().InverseLine(lat1, lon1, lat2, lon2)
    mid = line.Position(line.s13 / 2)
    return {
        "latitude": round(mid["lat2"], 6),
        "longitude": round(mid["lon2"], 6),
        "half_distance_km": round(g["s12"] / 2000, 3),
    }


@tool(
    "general.geodesy.waypoints",
    "P",
    params={**_P, "n": "Number of intermediate points, 1-20, e.g. 4."},
    examples=[{**_EX, "n": 4}],
    bad_examples=[{**_EX, "n": 0}],
    package=PACKAGE,
    requires=REQ,
)
def waypoints(lat1: float, lon1: float, lat2: float, lon2: float, n: int = 4) -> dict:
    """Evenly spaced intermediate points along the great-circle (geodesic) route between two points, as
    used for flight-path maps, with their distance from the start in km."""
    if not 1 <= n <= 20:
        raise ToolError(f"n must be between 1 and 20, got {n}")
    _pair(lat1, lon1, lat2, lon2)
    line = _geod().InverseLine(lat1, lon1, lat2, lon2)
    pts = []
    for i in range(1, n + 1):
        p = line.Position(line.s13 * i / (n + 1))
        pts.append(
            {
                "latitude": round(p["lat2"], 5),
                "longitude": round(p["lon2"], 5),
                "from_start_km": round(p["s12"] / 1000, 2),
            }
        )
    return {"total_km": round(line.s13 / 1000, 3), "waypoints": pts}


@tool(
    "general.geodesy.polygon_area",
    "P",
    params={
        "points": "Polygon vertices as [[lat, lon], ...] (3-200 points, not closed), "
        "e.g. [[0,0],[0,1],[1,1],[1,0]]."
    },
    examples=[{"points": [[0, 0], [0, 1], [1, 1], [1, 0]]}],
    bad_examples=[{"points": [[0, 0], [0, 1]]}],
    package=PACKAGE,
    requires=REQ,
)
def polygon_area(points: list[list[float]]) -> dict:
    """Area (km2 and hectares) and perimeter (km) of a polygon on the WGS84 ellipsoid given its vertices."""
    if not 3 <= len(points) <= 200 or any(len(p) != 2 for p in points):
        raise ToolError("points must be 3-200 [lat, lon] pairs")
    poly = _geod().Polygon()
    for lat, lon in points:
        check_latlon(lat, lon)
        poly.AddPoint(lat, lon)
    _, perimeter, area = poly.Compute(False, True)
    return {
        "vertices": len(points),
        "area_km2": round(abs(area) / 1e6, 4),
        "area_hectares": round(abs(area) / 1e4, 2),
        "perimeter_km": round(perimeter / 1000, 4),
    }


@tool(
    "general.geodesy.h3_cell",
    "P",
    params={
        "latitude": "Latitude in decimal degrees, e.g. 37.7749.",
        "longitude": "Longitude in decimal degrees, e.g. -122.4194.",
        "resolution": "H3 resolution 0 (coarsest, ~4.3M km2) to 15 (finest, ~1 m2), e.g. 9.",
    },
    examples=[{"latitude": 37.7749, "longitude": -122.4194, "resolution": 9}],
    bad_examples=[{"latitude": 37.7749, "longitude": -122.4194, "resolution": 16}],
    package="h3",
    requires=["h3"],
    produces={"cell": "h3_cell"},
)
def h3_cell(latitude: float, longitude: float, resolution: int = 9) -> dict:
    """H3 hexagonal cell containing a point at a resolution: cell id, cell centre, cell area (km2),
    average edge length (km) and whether it is a pentagon."""
    import h3

    check_latlon(latitude, longitude)
    if not 0 <= resolution <= 15:
        raise ToolError(f"resolution must be between 0 and 15, got {resolution}")
    cell = h3.latlng_to_cell(latitude, longitude, resolution)
    lat, lon = h3.cell_to_latlng(cell)
    return {
        "cell": cell,
        "resolution": resolution,
        "center_latitude": round(lat, 6),
        "center_longitude": round(lon, 6),
        "area_km2": round(h3.cell_area(cell, "km^2"), 6),
        "avg_edge_km": round(h3.average_hexagon_edge_length(resolution, "km"), 6),
        "is_pentagon": h3.is_pentagon(cell),
    }


@tool(
    "general.geodesy.h3_grid_distance",
    "P",
    params={
        "cell_a": "First H3 cell id, e.g. '89283082803ffff'.",
        "cell_b": "Second H3 cell id of the same resolution, e.g. '89283082877ffff'.",
    },
    examples=[{"cell_a": "89283082803ffff", "cell_b": "89283082877ffff"}],
    bad_examples=[{"cell_a": "zzz", "cell_b": "89283082877ffff"}],
    package="h3",
    requires=["h3"],
    accepts={"cell_a": "h3_cell", "cell_b": "h3_cell"},
)
def h3_grid_distance(cell_a: str, cell_b: str) -> dict:
    """Number of H3 grid steps between two cells of the same resolution, and their shared parent at the
    finest common resolution."""
    import h3

    for c in (cell_a, cell_b):
        if not h3.is_valid_cell(c):
            raise ToolError(f"{c!r} is not a valid H3 cell id")
    ra, rb = h3.get_resolution(cell_a), h3.get_resolution(cell_b)
    if ra != rb:
        raise ToolError(f"cells have different resolutions ({ra} vs {rb})")
    try:
        steps = h3.grid_distance(cell_a, cell_b)
    except Exception as exc:  # h3 raises its own error types when cells are too far apart
        raise ToolError(f"cells are too far apart for a grid distance ({type(exc).__name__})") from exc
    parent = next(
        (
            h3.cell_to_parent(cell_a, r)
            for r in range(ra, -1, -1)
            if h3.cell_to_parent(cell_a, r) == h3.cell_to_parent(cell_b, r)
        ),
        None,
    )
    return {
        "cell_a": cell_a,
        "cell_b": cell_b,
        "resolution": ra,
        "grid_distance": steps,
        "common_parent": parent,
    }
