"""Chemical elements and isotopes from mendeleev (SQLite data) and periodictable (neutron data)."""

from __future__ import annotations

import functools
import re
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.biology._common import LIST_CAP, rnd, unknown

PKG = "mendeleev"
DATA = "mendeleev element database (NIST, CODATA, IUPAC, Wikipedia-sourced fields)"
EL = {"element": "Element symbol, name or atomic number, e.g. 'Fe', 'iron' or '26'."}


@functools.cache
def _table() -> Any:
    from mendeleev.fetch import fetch_table

    return fetch_table("elements").set_index("symbol", drop=False)


def _symbol(element: str) -> str:
    t = _table()
    key = element.strip()
    if key.isdigit() and 1 <= int(key) <= 118:
        return str(t.index[t["atomic_number"] == int(key)][0])
    by = {s.lower(): s for s in t.index} | {n.lower(): s for n, s in zip(t["name"], t.index, strict=True)}
    hit = by.get(key.lower())
    if hit is None:
        raise unknown("element", element, list(t.index) + list(t["name"]), "give a symbol, name or 1-118")
    return hit


@functools.cache
def _fetch(name: str) -> Any:
    # mendeleev's ORM element() costs ~1 s per element; whole tables come from SQLite in one query
    from mendeleev.fetch import fetch_table

    return fetch_table(name)


def _rows(name: str, symbol: str) -> Any:
    t = _fetch(name)
    return t[t["atomic_number"] == int(_table().loc[symbol, "atomic_number"])]


def _config(symbol: str) -> Any:
    from mendeleev.econf import ElectronicConfiguration

    return ElectronicConfiguration(_table().loc[symbol, "electronic_configuration"])


def _num(value: Any, digits: int = 6) -> Any:
    try:
        return None if value is None or value != value else rnd(float(value), digits)
    except (TypeError, ValueError):
        return value


def _etool(
    name: str,
    produces: dict[str, str],
    examples: list[dict] | None = None,
    dataset: str = DATA,
    package: str = PKG,
) -> Any:
    return tool(
        f"biology.elements.{name}",
        "R",
        params=EL,
        examples=examples or [{"element": "Fe"}, {"element": "carbon"}],
        bad_examples=[{"element": "Xx"}, {"element": "200"}],
        package=package,
        dataset=dataset,
        accepts={"element": "element"},
        produces=produces,
        requires=sorted({package, "mendeleev"}),
    )


@_etool(
    "element_properties",
    {
        "symbol": "element",
        "atomic_weight": "number",
        "melting_point_k": "number",
        "boiling_point_k": "number",
        "density_g_cm3": "number",
    },
)
def element_properties(element: str) -> dict:
    """Core data of a chemical element: name, atomic number, standard atomic weight, group, period, block,
    series, density (g/cm3), melting and boiling points (K), lattice structure and radioactivity."""
    sym = _symbol(element)
    row = _table().loc[sym]
    series = _fetch("series").set_index("id")["name"].get(row["series_id"])
    phase = _rows("phasetransitions", sym)
    phase = phase.iloc[0] if len(phase) else {}
    group = row["group_id"]
    return {
        "symbol": sym,
        "name": row["name"],
        "atomic_number": int(row["atomic_number"]),
        "atomic_weight": _num(row["atomic_weight"]),
        "group": None if group != group else int(group),
        "period": int(row["period"]),
        "block": row["block"],
        "series": series,
        "density_g_cm3": _num(row["density"]),
        "melting_point_k": _num(phase.get("melting_point")),
        "boiling_point_k": _num(phase.get("boiling_point")),
        "lattice_structure": row["lattice_structure"],
        "radioactive": bool(row["is_radioactive"]),
        "cas": row["cas"],
    }


def _oxidation_states(sym: str) -> list[int]:
    ox = _rows("oxidationstates", sym)
    return sorted(int(v) for v in ox.loc[ox["category"] == "main", "oxidation_state"])


@_etool(
    "electron_configuration",
    {"configuration": "electron_configuration", "valence_electrons": "number", "oxidation_states": "number"},
)
def electron_configuration(element: str) -> dict:
    """Ground-state electron configuration of an element (noble-gas core and full form), unpaired electrons,
    valence electrons and common oxidation states."""
    sym = _symbol(element)
    ec = _config(sym)
    return {
        "symbol": sym,
        "configuration": _table().loc[sym, "electronic_configuration"],
        "full_configuration": ec.to_str(),
        "unpaired_electrons": ec.unpaired_electrons(),
        "valence_electrons": ec.get_valence().ne(),
        "oxidation_states": _oxidation_states(sym),
    }


@_etool(
    "element_discovery",
    {"discovery_year": "year", "discoverers": "person"},
    examples=[{"element": "Po"}, {"element": "oxygen"}],
)
def element_discovery(element: str) -> dict:
    """Discovery history of an element: discoverers, year, place, and the origin of its name."""
    row = _table().loc[_symbol(element)]
    year = row["discovery_year"]
    return {
        "symbol": row["symbol"],
        "name": row["name"],
        "discoverers": row["discoverers"],
        "discovery_year": None if year != year or year is None else int(year),
        "discovery_location": row["discovery_location"],
        "name_origin": row["name_origin"],
    }


def _ionization(sym: str) -> dict[int, float]:
    ie = _rows("ionizationenergies", sym)
    return {
        int(c) + 1: _num(e, 4) for c, e in sorted(zip(ie["ion_charge"], ie["ionization_energy"], strict=True))
    }


@_etool("ionization_energies", {"first_ionization_ev": "number"})
def ionization_energies(element: str) -> dict:
    """Successive ionization energies of an element in eV (first 10), and the first ionization energy."""
    sym = _symbol(element)
    ies = _ionization(sym)
    return {
        "symbol": sym,
        "first_ionization_ev": ies.get(1),
        "ionization_energies_ev": dict(list(ies.items())[:10]),
        "total_known": len(ies),
    }


@_etool(
    "atomic_radii", {"atomic_radius_pm": "number", "covalent_radius_pm": "number", "vdw_radius_pm": "number"}
)
def atomic_radii(element: str) -> dict:
    """Radii of an element in picometres: empirical atomic, covalent (Cordero), van der Waals, metallic, and
    up
    to 20 ionic radii with charge and coordination (Shannon)."""
    sym = _symbol(element)
    row = _table().loc[sym]
    ir = _rows("ionicradii", sym).sort_values(["charge", "coordination"])
    ionic = [
        {"charge": int(c), "coordination": k, "ionic_radius_pm": _num(r), "spin": sp or None}
        for c, k, r, sp in zip(ir["charge"], ir["coordination"], ir["ionic_radius"], ir["spin"], strict=True)
    ]
    return {
        "symbol": sym,
        "atomic_radius_pm": _num(row["atomic_radius"]),
        "covalent_radius_pm": _num(row["covalent_radius_cordero"]),
        "vdw_radius_pm": _num(row["vdw_radius"]),
        "metallic_radius_pm": _num(row["metallic_radius"]),
        "ionic_radii": ionic[:LIST_CAP],
    }


@_etool("electronegativity", {"pauling": "number", "allen": "number"})
def electronegativity(element: str) -> dict:
    """Electronegativity of an element on several scales: Pauling, Allen (eV), Ghosh, Miedema, Mullay and
    Mulliken ((IE1 + EA) / 2, eV); null where a scale has no value."""
    sym = _symbol(element)
    row = _table().loc[sym]
    ie1, ea = _ionization(sym).get(1), _num(row["electron_affinity"])
    out: dict[str, Any] = {"symbol": sym}
    for scale in ("pauling", "allen", "ghosh", "miedema", "mullay"):
        out[scale] = _num(row[f"en_{scale}"], 4)
    out["mulliken"] = rnd((ie1 + ea) / 2, 4) if ie1 is not None and ea is not None else None
    return out


@_etool(
    "element_supply_risk",
    {"relative_supply_risk": "number", "top_3_producers": "country"},
    examples=[{"element": "Co"}, {"element": "Nd"}],
)
def element_supply_risk(element: str) -> dict:
    """Economic data on an element (British Geological Survey risk list, via mendeleev): relative supply risk
    (1-10), production concentration, top producing and reserve-holding countries, recycling rate and
    substitutability, and abundance in the crust (mg/kg)."""
    row = _table().loc[_symbol(element)]

    def split(value: Any) -> list[str]:
        # the BGS list is written "1) DRC  2) China  3) Zambia"
        return [p.strip() for p in re.split(r"\d\)", value) if p.strip()] if isinstance(value, str) else []

    return {
        "symbol": row["symbol"],
        "relative_supply_risk": _num(row["relative_supply_risk"]),
        "production_concentration_pct": _num(row["production_concentration"]),
        "top_3_producers": split(row["top_3_producers"]),
        "top_3_reserve_holders": split(row["top_3_reserve_holders"]),
        "recycling_rate": row["recycling_rate"],
        "substitutability": row["substitutability"],
        "abundance_crust_mg_kg": _num(row["abundance_crust"]),
    }


@_etool("element_isotopes", {"most_abundant_mass_number": "number", "stable_count": "number"})
def element_isotopes(element: str) -> dict:
    """Isotopes of an element: naturally occurring ones with mass (u) and abundance (percent), the count of
    stable and known isotopes, and the most abundant mass number."""
    sym = _symbol(element)
    iso = _rows("isotopes", sym).sort_values("mass_number")
    natural = iso[iso["abundance"].fillna(0) > 0]
    items = [
        {"mass_number": int(m), "mass_u": _num(mass), "abundance": _num(a)}
        for m, mass, a in zip(natural["mass_number"], natural["mass"], natural["abundance"], strict=True)
    ]
    top = max(items, key=lambda x: x["abundance"])["mass_number"] if items else None
    return {
        "symbol": sym,
        "known_isotopes": len(iso),
        "stable_count": int((~iso["is_radioactive"].astype(bool)).sum()),
        "natural_isotopes": items[:LIST_CAP],
        "most_abundant_mass_number": top,
    }


@tool(
    "biology.elements.isotope_info",
    "R",
    params={
        "isotope": "Isotope as 'Symbol-MassNumber' or 'MassNumberSymbol', e.g. 'C-14', 'U-235' or '99Tc'."
    },
    examples=[{"isotope": "C-14"}, {"isotope": "U-235"}],
    bad_examples=[{"isotope": "C-99"}, {"isotope": "Qq-3"}],
    package=PKG,
    dataset=DATA,
    accepts={"isotope": "isotope"},
    produces={"half_life": "number", "mass_u": "number", "decay_modes": "decay_mode"},
)
def isotope_info(isotope: str) -> dict:
    """One isotope: atomic mass (u), natural abundance, stability, half-life with unit, decay modes with
    intensities (%), nuclear spin and parity, and discovery year."""
    m = re.fullmatch(
        r"\s*([A-Za-z]{1,3})\s*-?\s*(\d{1,3})\s*|\s*(\d{1,3})\s*-?\s*([A-Za-z]{1,3})\s*", isotope
    )
    if not m:
        raise ToolError(f"cannot parse isotope {isotope!r}; write it like 'C-14' or '235U'")
    sym, num = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    symbol = _symbol(sym)
    iso = _rows("isotopes", symbol)
    hits = iso[iso["mass_number"] == int(num)]
    if hits.empty:
        raise ToolError(
            f"{symbol}-{num} is not a known isotope; known mass numbers: "
            f"{sorted(int(m) for m in iso['mass_number'])}"
        )
    i = hits.iloc[0]
    modes = _fetch("isotopedecaymodes")
    modes = modes[modes["isotope_id"] == i["id"]]
    year = i["discovery_year"]
    return {
        "isotope": f"{symbol}-{int(i['mass_number'])}",
        "mass_u": _num(i["mass"], 8),
        "abundance": _num(i["abundance"]),
        "stable": not bool(i["is_radioactive"]),
        "half_life": _num(i["half_life"]),
        "half_life_unit": i["half_life_unit"],
        "decay_modes": list(modes["mode"]),
        "decay_intensities_pct": [_num(v) for v in modes["intensity"]],
        "spin": i["spin"],
        "parity": i["parity"],
        "discovery_year": None if year != year else int(year),
    }


@tool(
    "biology.elements.elements_in_group",
    "R",
    params={
        "group": "Periodic-table group number 1-18, e.g. 17 for the halogens.",
        "period": "Optional period (row) 1-7 to intersect with, e.g. 4.",
    },
    examples=[{"group": 17}, {"group": 8, "period": 4}],
    bad_examples=[{"group": 19}, {"group": 1, "period": 9}],
    package=PKG,
    dataset=DATA,
    accepts={"group": "number", "period": "number"},
    produces={"symbols": "element"},
)
def elements_in_group(group: int, period: int | None = None) -> dict:
    """Elements of a periodic-table group (optionally only one period), in atomic-number order, with their
    names and atomic numbers."""
    if not 1 <= group <= 18 or (period is not None and not 1 <= period <= 7):
        raise ToolError("group must be 1-18 and period 1-7")
    t = _table()
    t = t[t["group_id"] == group]
    if period is not None:
        t = t[t["period"] == period]
    t = t.sort_values("atomic_number")
    return {
        "group": group,
        "period": period,
        "symbols": list(t["symbol"]),
        "names": list(t["name"]),
        "atomic_numbers": [int(n) for n in t["atomic_number"]],
    }


@_etool(
    "neutron_scattering",
    {"coherent_length_fm": "number", "absorption_barn": "number"},
    dataset="NIST neutron scattering lengths and cross sections (periodictable)",
    package="periodictable",
)
def neutron_scattering(element: str) -> dict:
    """Neutron scattering data of an element (natural abundance): bound coherent scattering length b_c (fm),
    coherent, incoherent and total scattering cross sections and 2200 m/s absorption cross section (barn)."""
    import periodictable

    el = getattr(periodictable, _symbol(element))
    n = el.neutron
    if n.b_c is None:
        raise ToolError(f"no neutron data for {el.symbol}")
    return {
        "symbol": el.symbol,
        "coherent_length_fm": _num(n.b_c),
        "coherent_xs_barn": _num(n.coherent),
        "incoherent_xs_barn": _num(n.incoherent),
        "total_xs_barn": _num(n.total),
        "absorption_barn": _num(n.absorption),
    }
