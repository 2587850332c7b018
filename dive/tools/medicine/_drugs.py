"""Shared helpers of the drug dictionary tools: the pickled ``drug-named-entity-recognition``
dictionary, its matcher module and drug-name resolution, used by drugs and drugs_chemistry."""

from __future__ import annotations

import bz2
import functools
import importlib.util
import pickle
from pathlib import Path
from types import ModuleType
from typing import Any

from dive.tools.base import ToolError
from dive.tools.medicine._common import close

PKG = "drug-named-entity-recognition"
DATASET = "Drug NER dictionary (DrugBank open vocabulary, MeSH, MedlinePlus, NHS, Wikipedia)"
REQ = ["drug_named_entity_recognition"]


@functools.cache
def data() -> dict[str, Any]:
    """The package's pickled dictionary, read directly: importing its finder module also sets up
    on-line helpers (OMOP, PubChem) that these tools never use."""
    spec = importlib.util.find_spec("drug_named_entity_recognition")
    if spec is None or spec.origin is None:
        raise ToolError("drug-named-entity-recognition is not installed")
    path = Path(spec.origin).parent / "drug_ner_dictionary.pkl.bz2"
    with bz2.open(path, "rb") as f:
        return pickle.load(f)


@functools.cache
def canon() -> dict[str, dict[str, Any]]:
    return data()["drug_canonical_to_data"]


@functools.cache
def variants_of() -> dict[str, list[str]]:
    """Canonical name -> every name variant that resolves to it."""
    out: dict[str, list[str]] = {}
    for variant, canonicals in data()["drug_variant_to_canonical"].items():
        for c in canonicals:
            out.setdefault(c, []).append(variant)
    return out


@functools.cache
def finder() -> ModuleType:
    """The package's matcher module (tokens -> drug matches), imported on first use."""
    from drug_named_entity_recognition import drugs_finder

    return drugs_finder


def resolve(name: str) -> str:
    """Canonical key of a drug given its generic name or any variant (brand, synonym), else ToolError."""
    key = name.strip().lower()
    if key in canon():
        return key
    hits = data()["drug_variant_to_canonical"].get(key)
    if hits:
        return hits[0]
    raise ToolError(
        f"unknown drug {name!r}"
        + (
            f"; close matches: {close(key, canon())}"
            if close(key, canon())
            else "; give a generic name such as 'metformin'"
        )
    )


def record(key: str) -> dict[str, Any]:
    return canon()[key]


def display(key: str) -> str:
    return record(key).get("name") or key


DRUG_PARAM = "Drug generic name (or a brand name / synonym), e.g. 'metformin'."
BAD_DRUG = [{"drug": "notadrugatall"}]
