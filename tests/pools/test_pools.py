"""The pools meet the issue's sizes: tools and gate passes, seeds and a stable split, clean exemplars."""

from __future__ import annotations

import collections
import importlib.metadata
import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest

from dive.pools.exemplars import STRUCTURES, load_exemplars
from dive.pools.seeds import Seed, load_seeds
from dive.tools.base import DOMAINS, Tool
from dive.tools.gate import Verdict, check_tool
from dive.tools.registry import load_tools

TOOLS_DIR = Path(__file__).resolve().parents[2] / "dive" / "tools"

# The targets.
MIN_TOOLS = 450
MIN_PASSING = 450
MIN_PASSING_PER_DOMAIN = 60
MIN_RETRIEVAL_SHARE = 0.40
MIN_SEEDS_PER_DOMAIN = 5_000
MIN_EVAL_SHARE = 0.10
MIN_EXEMPLARS = 300
NGRAM = 8


# ---------------------------------------------------------------------------------------------
# Tools


@pytest.fixture(scope="module")
def tools() -> dict[str, Tool]:
    return load_tools(DOMAINS)


def _missing_default_packages() -> list[str]:
    """Distributions pinned in a domain's requirements.txt (the default extras) that are not installed."""
    missing = []
    for path in sorted(TOOLS_DIR.glob("*/requirements.txt")):
        for line in path.read_text().splitlines():
            spec = line.split("#", 1)[0].strip()
            if not spec:
                continue
            name = re.split(r"[=<>!~\[; ]", spec, maxsplit=1)[0]
            try:
                importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                missing.append(f"{path.parent.name}:{name}")
    return missing


@pytest.fixture(scope="module")
def verdicts(tools: dict[str, Tool]) -> dict[str, Verdict]:
    """The gate's verdict on every tool, computed once for the module (about a minute: data loads)."""
    missing = _missing_default_packages()
    if missing:
        pytest.skip(f"default tool extras are not all installed (missing {missing}); run install.sh")
    return {tid: check_tool(tool) for tid, tool in tools.items()}


def test_pool_loads_enough_tools(tools: dict[str, Tool]) -> None:
    assert len(tools) >= MIN_TOOLS, f"{len(tools)} tools load, want >= {MIN_TOOLS}"


@pytest.mark.slow
def test_gate_passing_tools_meet_the_counts(tools: dict[str, Tool], verdicts: dict[str, Verdict]) -> None:
    passing = [tools[tid] for tid, v in verdicts.items() if v.passed]
    per_domain = collections.Counter(t.domain for t in passing)
    retrieval = sum(t.type == "R" for t in passing)
    failed = {tid: v.reason for tid, v in verdicts.items() if not v.passed}
    assert len(passing) >= MIN_PASSING, f"{len(passing)} tools pass the gate; failures: {failed}"
    short = {d: per_domain[d] for d in DOMAINS if per_domain[d] < MIN_PASSING_PER_DOMAIN}
    assert not short, f"domains under {MIN_PASSING_PER_DOMAIN} passing tools: {short}"
    share = retrieval / len(passing)
    assert share >= MIN_RETRIEVAL_SHARE, f"retrieval (R) share {share:.1%} < {MIN_RETRIEVAL_SHARE:.0%}"


def test_tool_ids_and_names_are_unique_and_valid(tools: dict[str, Tool]) -> None:
    ids = [t.id for t in tools.values()]
    assert len(ids) == len(set(ids))
    assert all(tid == t.id for tid, t in tools.items())
    names = collections.Counter(t.id.replace(".", "__") for t in tools.values())
    assert all(t.name == t.id.replace(".", "__") for t in tools.values())
    clashes = [n for n, c in names.items() if c > 1]
    assert not clashes, f"function names used twice: {clashes}"
    too_long = [n for n in names if len(n) > 64]
    assert not too_long, f"function names over 64 chars (OpenAI's limit): {too_long}"
    assert all(re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", n) for n in names)


def test_every_domain_has_tools(tools: dict[str, Tool]) -> None:
    per_domain = collections.Counter(t.domain for t in tools.values())
    assert set(per_domain) == set(DOMAINS)
    assert all(per_domain[d] > 0 for d in DOMAINS), per_domain


# ---------------------------------------------------------------------------------------------
# Seeds


@pytest.fixture(scope="module")
def seeds() -> list[Seed]:
    """Every seed of every domain, loaded once for the module (reads every seed source: ~20 s)."""
    return load_seeds(DOMAINS)


@pytest.mark.slow  # loading every seed source takes ~20-50 s
def test_seed_pool_is_large_enough(seeds: list[Seed]) -> None:
    assert len(seeds) == len(set(seeds)), "load_seeds must deduplicate"
    per_domain = collections.Counter(s.domain for s in seeds)
    short = {d: per_domain[d] for d in DOMAINS if per_domain[d] < MIN_SEEDS_PER_DOMAIN}
    assert not short, f"domains under {MIN_SEEDS_PER_DOMAIN} distinct seeds: {short}"


@pytest.mark.slow  # loading every seed source takes ~20-50 s
def test_seed_split_is_disjoint_complete_and_stable(seeds: list[Seed]) -> None:
    train = load_seeds(DOMAINS, split="train")
    evals = load_seeds(DOMAINS, split="eval")
    assert not set(train) & set(evals)
    assert set(train) | set(evals) == set(seeds)
    # Computing the split again (from the same seeds, or by reloading) gives the same sets.
    assert set(evals) == {s for s in seeds if s.split == "eval"}
    assert {s for s in seeds if s.split == "eval"} == {s for s in seeds if s.split == "eval"}
    assert train == sorted(train, key=lambda s: (s.domain, s.kind, s.name))


@pytest.mark.slow  # loading every seed source takes ~20-50 s
def test_eval_share_per_domain(seeds: list[Seed]) -> None:
    total = collections.Counter(s.domain for s in seeds)
    held_out = collections.Counter(s.domain for s in seeds if s.split == "eval")
    shares = {d: held_out[d] / total[d] for d in DOMAINS if total[d]}
    low = {d: round(share, 4) for d, share in shares.items() if share < MIN_EVAL_SHARE}
    assert not low, f"eval share under {MIN_EVAL_SHARE:.0%}: {low}"


# (domain, kind, name) -> split, computed once with Seed(...).split and pasted here: a change to the split
# function (or to its salt, buckets or encoding) would silently move seeds between train and eval. The
# split depends on the name only, so "Ag" is in one split as a biology and as a science element.
KNOWN_SPLITS = {
    ("general", "country", "Kenya"): "train",
    ("general", "country", "Germany"): "train",
    ("general", "country", "Afghanistan"): "eval",
    ("general", "country", "Belgium"): "eval",
    ("general", "country", "France"): "train",
    ("general", "country", "India"): "train",
    ("finance", "currency_code", "JPY"): "train",
    ("finance", "currency_code", "NZD"): "train",
    ("finance", "currency_code", "AED"): "train",
    ("finance", "ticker", "ABT"): "eval",
    ("finance", "ticker", "A"): "train",
    ("biology", "gene_symbol", "TP53"): "train",
    ("biology", "gene_symbol", "BRCA1"): "train",
    ("biology", "gene_symbol", "AAAS"): "train",
    ("biology", "element", "Au"): "train",
    ("biology", "element", "Ag"): "train",
    ("medicine", "icd10cm_code", "E11.9"): "train",
    ("medicine", "icd10cm_code", "A00.0"): "train",
    ("medicine", "icd10cm_code", "A00.9"): "train",
    ("science", "element", "Mn"): "train",
    ("science", "element", "W"): "eval",
    ("science", "element", "Ag"): "train",
    ("science", "planet", "Mars"): "train",
    ("science", "planet", "Jupiter"): "train",
}


@pytest.mark.parametrize(("domain", "kind", "name"), sorted(KNOWN_SPLITS))
def test_seed_split_is_stable(domain: str, kind: str, name: str) -> None:
    seed = Seed(domain, kind, name)
    assert seed.split == KNOWN_SPLITS[(domain, kind, name)]
    assert Seed(domain, kind, name).split == seed.split  # a fresh object, the same answer


def test_a_name_is_in_one_split_across_domains_and_kinds() -> None:
    for name in ("Kenya", "Ag", "Mars", "JPY", "Paris"):
        splits = {Seed(d, k, name).split for d in DOMAINS for k in ("country", "element", "topic", "city")}
        assert len(splits) == 1, name


# ---------------------------------------------------------------------------------------------
# Exemplars


def _words(text: str) -> list[str]:
    """Lowercased words with punctuation stripped."""
    return re.sub(r"[^\w\s]", "", text.lower()).split()


def _ngrams(words: list[str], n: int = NGRAM) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


@pytest.fixture(scope="module")
def exemplars() -> list[dict[str, Any]]:
    return load_exemplars()


@pytest.fixture(scope="module")
def bfcl_questions() -> list[str]:
    """Every message text of every BFCL item in every category dive.eval.bfcl can load."""
    if importlib.util.find_spec("bfcl_eval") is None:
        pytest.skip("bfcl-eval is not installed")
    from dive.eval import bfcl

    categories = tuple(bfcl.CATEGORIES) + tuple(getattr(bfcl, "LIVE_CATEGORIES", ()))
    texts = [
        m["content"]
        for category in categories
        for item in bfcl.load_items(category)
        for m in item.messages
        if isinstance(m.get("content"), str) and m["content"].strip()
    ]
    assert texts
    return texts


def test_exemplar_pool_size_domains_structures(exemplars: list[dict[str, Any]]) -> None:
    assert len(exemplars) >= MIN_EXEMPLARS, f"{len(exemplars)} exemplars, want >= {MIN_EXEMPLARS}"
    assert {e["domain"] for e in exemplars} == set(DOMAINS)
    used = collections.Counter(tag for e in exemplars for tag in e["structure"])
    assert not set(used) - set(STRUCTURES), f"unknown structure tags: {sorted(set(used) - set(STRUCTURES))}"
    unused = [tag for tag in STRUCTURES if not used[tag]]
    assert not unused, f"structure tags no exemplar uses: {unused}"
    assert all(e["structure"] and e["question"].strip() for e in exemplars)


def test_exemplars_have_no_duplicates(exemplars: list[dict[str, Any]]) -> None:
    normalised = collections.Counter(" ".join(_words(e["question"])) for e in exemplars)
    duplicates = [q for q, c in normalised.items() if c > 1]
    assert not duplicates, f"duplicate exemplars: {duplicates}"


def test_exemplars_do_not_overlap_bfcl(exemplars: list[dict[str, Any]], bfcl_questions: list[str]) -> None:
    bfcl_ngrams: set[tuple[str, ...]] = set()
    for text in bfcl_questions:
        bfcl_ngrams |= _ngrams(_words(text))
    overlap = {
        " ".join(gram): e["question"]
        for e in exemplars
        for gram in _ngrams(_words(e["question"])) & bfcl_ngrams
    }
    assert overlap == {}, f"exemplar word {NGRAM}-grams found in BFCL questions: {overlap}"
    bfcl_normalised = {" ".join(_words(text)) for text in bfcl_questions}
    equal = [e["question"] for e in exemplars if " ".join(_words(e["question"])) in bfcl_normalised]
    assert equal == [], f"exemplars equal to a BFCL question: {equal}"
