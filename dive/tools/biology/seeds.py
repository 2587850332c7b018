"""Seed entities for the biology domain, all read from the shipped data the tools use.

Each source returns [] when its package is absent, so the light install still yields >= 5,000 seeds
(gene symbols alone give ~19,000).
"""

from __future__ import annotations

from dive.pools.seeds import seed_source


@seed_source("biology", "gene_symbol")
def gene_symbols() -> list[str]:
    """HGNC-approved protein-coding human genes on the primary GRCh38 assembly."""
    try:
        from dive.tools.biology import _genedata as gd

        table = gd.human()
    except ImportError:
        return []
    coding = table[(table["gene_biotype"] == "protein_coding") & (table["Status"] == "Approved")]
    return sorted(set(coding["symbol"]))


@seed_source("biology", "chemical")
def chemicals_with_boiling_point() -> list[str]:
    """CRC organic compounds with a boiling point whose name the chemicals identifier index resolves."""
    try:
        import chemicals
        import chemicals.phase_change as pc
        from chemicals import identifiers
    except ImportError:
        return []
    chemicals.Tb("64-17-5")  # loads the phase-change tables lazily
    db = identifiers.pubchem_db
    db.autoload_main_db()
    crc = pc.Tb_sources["CRC_ORG"]
    names = {n.lower() for n in crc.loc[crc["Tb"].notna(), "Name"] if isinstance(n, str)}
    return sorted(n for n in names if n in db.name_index)


@seed_source("biology", "element")
def element_symbols() -> list[str]:
    try:
        import periodictable
    except ImportError:
        return []
    return [el.symbol for el in periodictable.elements if 1 <= el.number <= 118]


@seed_source("biology", "restriction_enzyme")
def restriction_enzymes() -> list[str]:
    """REBASE enzymes shipped in Bio.Restriction (commercial and non-commercial)."""
    try:
        from Bio import Restriction
    except ImportError:
        return []
    return sorted(str(e) for e in Restriction.AllEnzymes)


@seed_source("biology", "bioregistry_prefix")
def bioregistry_prefixes() -> list[str]:
    """Non-deprecated identifier resources of the Bioregistry."""
    try:
        import bioregistry
    except ImportError:
        return []
    return sorted(p for p, r in bioregistry.read_registry().items() if not r.is_deprecated())


@seed_source("biology", "taxon")
def taxa() -> list[str]:
    """Species with HomoloGene orthologs or a Kazusa codon usage table."""
    from dive.tools.biology.codons import ORGANISMS

    names = set(ORGANISMS)
    try:
        from dive.tools.biology import _genedata as gd

        names |= set(gd.homology()["tax_name"].unique())
    except ImportError:
        pass
    return sorted(names)


@seed_source("biology", "amino_acid")
def amino_acids() -> list[str]:
    return [
        "alanine",
        "arginine",
        "asparagine",
        "aspartic acid",
        "cysteine",
        "glutamine",
        "glutamic acid",
        "glycine",
        "histidine",
        "isoleucine",
        "leucine",
        "lysine",
        "methionine",
        "phenylalanine",
        "proline",
        "serine",
        "threonine",
        "tryptophan",
        "tyrosine",
        "valine",
    ]
