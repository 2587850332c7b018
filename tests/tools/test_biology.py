"""Biology domain: real values from the shipped data, seed coverage and usability, exemplar file shape."""

from __future__ import annotations

import pytest

from dive.tools.registry import load_tools
from tests.tools import pool_checks

TOOLS = load_tools(["biology"])


def out(tool_id: str, **args: object) -> dict:
    return pool_checks.run_ok(TOOLS, tool_id, args)


def test_pool_size_and_mix() -> None:
    pool_checks.check_tool_counts(TOOLS, min_total=95, min_retrieval=38)


def test_gene_facts() -> None:
    tp53 = out("biology.genes.gene_info", symbol="TP53")
    assert (tp53["chromosome"], tp53["cytoband"], tp53["entrez_id"]) == ("17", "17p13.1", "7157")
    assert tp53["uniprot_accessions"][0] == "P04637"
    assert out("biology.genes.gene_location", symbol="TP53")["start"] == 7661778
    assert out("biology.genes.gene_location", symbol="BRCA2")["chromosome"] == "13"
    assert out("biology.genes.resolve_gene_symbol", name="HER2")["approved_symbols"] == ["ERBB2"]
    assert out("biology.genes.gene_by_id", identifier="672")["symbol"] == "BRCA1"
    assert "p16" in out("biology.genes.gene_aliases", symbol="CDKN2A")["alias_symbols"]
    assert out("biology.genes.gene_orthologs", symbol="PAX6", taxon="mouse")["ortholog_symbols"] == ["Pax6"]
    assert out("biology.genes.mouse_gene_info", symbol="Trp53")["chromosome"] == "11"
    assert out("biology.genes.transcript_info", transcript_id="NM_000546.6")["gene_symbol"] == "TP53"
    assert (
        "CFTR"
        in out("biology.genes.genes_in_region", chromosome="7", start=117400000, end=117700000)["symbols"]
    )
    assert out("biology.genes.chromosome_summary", chromosome="MT")["protein_coding_genes"] == 13
    assert out("biology.genes.longest_genes", chromosome="X", top=1)["symbols"] == ["DMD"]


def test_sequence_facts() -> None:
    assert out("biology.seq.translate", sequence="ATGGCCATTGTAATGGGCCGCTGA")["protein"] == "MAIVMGR*"
    assert out("biology.seq.reverse_complement", sequence="GAATTC")["is_palindromic"] is True
    assert out("biology.seq.gc_content", sequence="GGCCAATT")["gc_percent"] == 50.0
    assert out("biology.seq.transcribe", sequence="ATGT")["rna"] == "AUGU"
    assert (
        out("biology.seqalgo.hamming_distance", seq_a="GAGCCTACTAACGGGAT", seq_b="CATCGTAATGACGGCCT")[
            "distance"
        ]
        == 7
    )
    assert out("biology.seqalgo.edit_distance", seq_a="KITTEN", seq_b="SITTING")["distance"] == 3
    assert (
        out("biology.seq.melting_temperature", sequence="ATGCATGCATGC", method="Wallace")["tm_celsius"]
        == 36.0
    )
    assert out("biology.align.global_alignment", seq_a="HEAGAWGHEE", seq_b="PAWHEAE")["identities"] == 3


def test_protein_and_biodata_facts() -> None:
    assert out("biology.biodata.restriction_enzyme_info", enzyme="EcoRI")["site"] == "GAATTC"
    assert out("biology.biodata.enzymes_for_site", site="GGATCC")["enzymes"] == ["BamHI"]
    assert out("biology.biodata.codon_table_info", table_id=2)["stop_codons"] == ["TAA", "TAG", "AGA", "AGG"]
    assert out("biology.biodata.synonymous_codons", amino_acid="Leu")["degeneracy"] == 6
    assert (
        out("biology.biodata.substitution_score", matrix="BLOSUM62", residue_a="W", residue_b="W")["score"]
        == 11.0
    )
    assert out("biology.biodata.amino_acid_info", amino_acid="Trp")["one_letter"] == "W"
    assert (
        out("biology.codons.codon_usage", organism="Escherichia coli", amino_acid="L")["preferred_codon"]
        == "CTG"
    )
    ubq = "MQIFVKTLTGKTITLEVEPSDTIENVKAKIQDKEGIPPDQQRLIFAGKQLEDGRTLSDYNIQKESTLHLVLRLRGG"
    assert abs(out("biology.protein.molecular_weight", sequence=ubq)["molecular_weight_da"] - 8564.7) < 0.1
    assert (
        out("biology.restriction.digest", sequence="AAGAATTCAAAAGAATTCAA", enzymes=["EcoRI"])[
            "fragment_count"
        ]
        == 3
    )


def test_chemistry_facts() -> None:
    assert out("biology.elements.element_properties", element="Fe")["atomic_weight"] == 55.845
    assert out("biology.elements.electron_configuration", element="iron")["configuration"] == "[Ar] 3d6 4s2"
    assert out("biology.elements.element_discovery", element="Po")["discovery_year"] == 1898
    assert out("biology.elements.elements_in_group", group=17)["symbols"][:2] == ["F", "Cl"]
    assert out("biology.formula.formula_mass", formula="C8H10N4O2")["average_mass"] == pytest.approx(
        194.191, abs=1e-3
    )
    assert out("biology.registry.resolve_curie", curie="hgnc:1100")["iri"].startswith(
        "https://www.genenames.org"
    )
    assert out("biology.registry.normalize_prefix", prefix="EntrezGene")["prefix"] == "ncbigene"
    assert out("biology.chemdata.chemical_identifiers", chemical="caffeine")["cas"] == "58-08-2"
    assert out("biology.chemdata.boiling_point", chemical="ethanol")["boiling_point_k"] == pytest.approx(
        351.57, abs=0.01
    )
    assert out("biology.chem.molecular_descriptors", smiles="CC(=O)Oc1ccccc1C(=O)O")["formula"] == "C9H8O4"
    assert out("biology.chem.inchi_key", smiles="CCO")["inchikey"] == "LFQSCWFLJHTTHZ-UHFFFAOYSA-N"
    assert (
        out(
            "biology.labcalc.dilution", stock_concentration=10.0, final_concentration=1.0, final_volume=100.0
        )["stock_volume"]
        == 10.0
    )


@pytest.fixture(scope="module")
def seeds() -> dict[str, list[str]]:
    return pool_checks.seeds_by_kind("biology")


def test_seed_count_and_kinds(seeds: dict[str, list[str]]) -> None:
    pool_checks.check_seed_count(seeds, 5000)
    pool_checks.check_seed_kinds_accepted(TOOLS, seeds, 2)


def test_seeds_are_usable(seeds: dict[str, list[str]]) -> None:
    for kind, names in sorted(seeds.items()):
        pool_checks.check_seeds_usable(kind, names, pool_checks.accepting(TOOLS, kind, first_only=True))


def test_exemplars() -> None:
    pool_checks.check_exemplars("biology", min_rows=65, min_tag_uses=2)
