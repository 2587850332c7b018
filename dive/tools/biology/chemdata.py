"""Pure-compound data from the `chemicals` package (ChEDL: CRC, Yaws, DIPPR-style tables, NIOSH, IARC)."""

from __future__ import annotations

import functools
from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.biology._common import rnd

PKG = "chemicals"
DATA = "Chemical Engineering Design Library (ChEDL) databases shipped in chemicals"
CHEM = {"chemical": "Chemical name, CAS number, SMILES or InChI, e.g. 'ethanol', '64-17-5' or 'benzene'."}


@functools.cache
def _lookup(chemical: str) -> Any:
    from chemicals.identifiers import search_chemical

    key = chemical.strip()
    if not key or len(key) > 300:
        raise ToolError("give a chemical name, CAS number or SMILES, e.g. 'ethanol'")
    try:
        return search_chemical(key)
    except (ValueError, KeyError):
        raise ToolError(
            f"chemical {chemical!r} not recognised; give a common name ('acetone'), a CAS number "
            "('67-64-1') or a SMILES ('CC(C)=O')"
        ) from None


def _cas(chemical: str) -> tuple[str, str]:
    meta = _lookup(chemical)
    return meta.CASs, meta.common_name or chemical


def _get(fn: Any, cas: str) -> Any:
    try:
        return fn(cas)
    except Exception:  # a missing value in one table raises in some chemicals functions; report it as null
        return None


def _transition(chemical: str, temp_fn: Any, methods_fn: Any, what: str) -> tuple[str, str, float, Any]:
    """(CAS, name, temperature in K, source) of a phase transition; ``what`` ends the error message."""
    cas, name = _cas(chemical)
    temp = _get(temp_fn, cas)
    if temp is None:
        raise ToolError(f"no {what.format(name=name, cas=cas)}")
    methods = _get(methods_fn, cas) or []
    return cas, name, temp, methods[0] if methods else None


def _require(values: dict[str, Any], name: str, what: str) -> dict[str, Any]:
    if all(v is None for v in values.values()):
        raise ToolError(f"no {what} data for {name!r} in the shipped tables")
    return values


def _ctool(name: str, produces: dict[str, str], examples: list[dict] | None = None) -> Any:
    return tool(
        f"biology.chemdata.{name}",
        "R",
        params=CHEM,
        examples=examples or [{"chemical": "ethanol"}, {"chemical": "benzene"}],
        bad_examples=[{"chemical": "notachemicalxyz"}],
        package=PKG,
        dataset=DATA,
        accepts={"chemical": "chemical"},
        produces=produces,
    )


@_ctool(
    "chemical_identifiers",
    {
        "cas": "cas_number",
        "formula": "formula",
        "smiles": "smiles",
        "inchikey": "inchikey",
        "pubchem_cid": "number",
        "molecular_weight": "number",
    },
    examples=[{"chemical": "caffeine"}, {"chemical": "64-17-5"}],
)
def chemical_identifiers(chemical: str) -> dict:
    """Identifiers of a chemical: CAS number, common and IUPAC names, molecular formula, molecular weight
    (g/mol), SMILES, InChI, InChIKey, PubChem CID and up to 10 synonyms."""
    m = _lookup(chemical)
    return {
        "cas": m.CASs,
        "common_name": m.common_name,
        "iupac_name": m.iupac_name,
        "formula": m.formula,
        "molecular_weight": rnd(m.MW, 4),
        "smiles": m.smiles,
        "inchi": m.InChI,
        "inchikey": m.InChI_key,
        "pubchem_cid": m.pubchemid,
        "synonyms": list(m.synonyms or [])[:10],
    }


@_ctool("boiling_point", {"boiling_point_k": "number", "boiling_point_c": "number"})
def boiling_point(chemical: str) -> dict:
    """Normal boiling point of a chemical at 1 atm in K and degrees C, with the data source used."""
    import chemicals

    what = "boiling point for {name!r} (CAS {cas}); it may decompose or sublime"
    cas, name, tb, source = _transition(chemical, chemicals.Tb, chemicals.Tb_methods, what)
    return {
        "chemical": name,
        "cas": cas,
        "boiling_point_k": rnd(tb, 3),
        "boiling_point_c": rnd(tb - 273.15, 3),
        "source": source,
    }


@_ctool(
    "melting_point",
    {"melting_point_k": "number", "melting_point_c": "number", "heat_of_fusion_j_mol": "number"},
)
def melting_point(chemical: str) -> dict:
    """Melting point of a chemical in K and degrees C, and its enthalpy of fusion (J/mol) where known."""
    import chemicals

    cas, name, tm, source = _transition(
        chemical, chemicals.Tm, chemicals.Tm_methods, "melting point for {name!r} (CAS {cas})"
    )
    return {
        "chemical": name,
        "cas": cas,
        "melting_point_k": rnd(tm, 3),
        "melting_point_c": rnd(tm - 273.15, 3),
        "heat_of_fusion_j_mol": rnd(_get(chemicals.Hfus, cas), 2),
        "source": source,
    }


@_ctool(
    "triple_point",
    {"triple_point_k": "number", "triple_point_pa": "number"},
    examples=[{"chemical": "water"}, {"chemical": "carbon dioxide"}],
)
def triple_point(chemical: str) -> dict:
    """Triple point of a chemical: temperature (K) and pressure (Pa) where solid, liquid and gas coexist."""
    import chemicals

    cas, name = _cas(chemical)
    values = {
        "triple_point_k": rnd(_get(chemicals.Tt, cas), 4),
        "triple_point_pa": rnd(_get(chemicals.Pt, cas), 6),
    }
    return {"chemical": name, "cas": cas, **_require(values, name, "triple point")}


@_ctool(
    "critical_properties",
    {"tc_k": "number", "pc_pa": "number", "vc_m3_mol": "number", "acentric_factor": "number"},
)
def critical_properties(chemical: str) -> dict:
    """Critical constants of a chemical: critical temperature (K), pressure (Pa), molar volume (m3/mol),
    compressibility factor Zc and Pitzer acentric factor."""
    import chemicals

    cas, name = _cas(chemical)
    values = {
        "tc_k": rnd(_get(chemicals.Tc, cas), 4),
        "pc_pa": rnd(_get(chemicals.Pc, cas), 1),
        "vc_m3_mol": _get(chemicals.Vc, cas),
        "zc": rnd(_get(chemicals.Zc, cas), 5),
        "acentric_factor": rnd(_get(chemicals.omega, cas), 5),
    }
    return {"chemical": name, "cas": cas, **_require(values, name, "critical-point")}


@_ctool("formation_thermochemistry", {"hf_gas_j_mol": "number", "s0_gas_j_mol_k": "number"})
def formation_thermochemistry(chemical: str) -> dict:
    """Standard thermochemistry at 298.15 K: enthalpy of formation of the ideal gas and of the liquid (J/mol),
    and the ideal-gas standard absolute entropy (J/mol/K)."""
    import chemicals

    cas, name = _cas(chemical)
    values = {
        "hf_gas_j_mol": rnd(_get(chemicals.Hfg, cas), 2),
        "hf_liquid_j_mol": rnd(_get(chemicals.Hfl, cas), 2),
        "s0_gas_j_mol_k": rnd(_get(chemicals.S0g, cas), 4),
    }
    return {"chemical": name, "cas": cas, **_require(values, name, "formation")}


@_ctool("flammability", {"flash_point_k": "number", "autoignition_k": "number"})
def flammability(chemical: str) -> dict:
    """Fire-safety data: flash point and autoignition temperature (K), and lower/upper flammability limits
    (volume fraction in air)."""
    import chemicals

    cas, name = _cas(chemical)
    values = {
        "flash_point_k": rnd(_get(chemicals.T_flash, cas), 2),
        "autoignition_k": rnd(_get(chemicals.T_autoignition, cas), 2),
        "lfl_fraction": rnd(_get(lambda c: chemicals.LFL(CASRN=c), cas), 5),
        "ufl_fraction": rnd(_get(lambda c: chemicals.UFL(CASRN=c), cas), 5),
    }
    return {"chemical": name, "cas": cas, **_require(values, name, "flammability")}


def _limit(value: Any) -> Any:
    return {"value": value[0], "unit": value[1]} if isinstance(value, tuple) else value


@_ctool(
    "exposure_limits",
    {"twa": "number", "stel": "number"},
    examples=[{"chemical": "benzene"}, {"chemical": "formaldehyde"}],
)
def exposure_limits(chemical: str) -> dict:
    """Occupational exposure limits and hazard classes: time-weighted average (TWA), short-term (STEL) and
    ceiling limits with units, skin-absorption flag, and IARC / NTP carcinogen classifications."""
    import chemicals

    cas, name = _cas(chemical)
    values = {
        "twa": _limit(_get(chemicals.TWA, cas)),
        "stel": _limit(_get(chemicals.STEL, cas)),
        "ceiling": _limit(_get(chemicals.Ceiling, cas)),
        "skin": _get(chemicals.Skin, cas),
        "carcinogen": _get(chemicals.Carcinogen, cas),
    }
    return {"chemical": name, "cas": cas, **values}


@_ctool(
    "environmental_data",
    {"gwp_100yr": "number", "odp": "number", "log_p": "number"},
    examples=[{"chemical": "methane"}, {"chemical": "trichlorofluoromethane"}],
)
def environmental_data(chemical: str) -> dict:
    """Environmental data of a chemical: 100-year global warming potential (CO2 = 1), ozone depletion
    potential
    (CFC-11 = 1) and octanol-water partition coefficient log P."""
    import chemicals

    cas, name = _cas(chemical)
    values = {
        "gwp_100yr": rnd(_get(chemicals.GWP, cas), 3),
        "odp": rnd(_get(chemicals.ODP, cas), 4),
        "log_p": rnd(_get(chemicals.logP, cas), 3),
    }
    return {"chemical": name, "cas": cas, **_require(values, name, "environmental")}


@_ctool(
    "refractive_index",
    {"refractive_index": "number"},
    examples=[{"chemical": "ethanol"}, {"chemical": "toluene"}],
)
def refractive_index(chemical: str) -> dict:
    """Refractive index (sodium D line) of a chemical and the temperature (K) at which it was measured."""
    import chemicals

    cas, name = _cas(chemical)
    value = _get(chemicals.RI, cas)
    if not value or value[0] is None:
        raise ToolError(f"no refractive index for {name!r} (CAS {cas})")
    return {"chemical": name, "cas": cas, "refractive_index": rnd(value[0], 5), "temperature_k": value[1]}


@_ctool(
    "molecular_interaction",
    {"dipole_moment_debye": "number", "lj_epsilon_k": "number", "lj_sigma_angstrom": "number"},
)
def molecular_interaction(chemical: str) -> dict:
    """Molecular interaction parameters: dipole moment (debye), Lennard-Jones/Stockmayer energy epsilon/k (K)
    and molecular diameter sigma (angstrom)."""
    import chemicals

    cas, name = _cas(chemical)
    values = {
        "dipole_moment_debye": rnd(_get(chemicals.dipole_moment, cas), 4),
        "lj_epsilon_k": rnd(_get(chemicals.Stockmayer, cas), 3),
        "lj_sigma_angstrom": rnd(_get(chemicals.molecular_diameter, cas), 4),
    }
    return {"chemical": name, "cas": cas, **_require(values, name, "molecular interaction")}
