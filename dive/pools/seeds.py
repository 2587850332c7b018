"""The seed pool: real entities per domain from shipped data, with a stable train/eval split.

A domain registers its sources with :func:`seed_source`; :func:`load_seeds` collects them. The
split hashes each seed's name, so it never changes when sources are added or reordered, a name is
held out in every domain and kind at once, and a seed is in the eval split for every stage (DIVE-Eval
uses held-out seeds).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib
from collections.abc import Callable, Iterable

EVAL_BUCKETS = 1  # of 8: 12.5% of seeds are held out for DIVE-Eval


@dataclasses.dataclass(frozen=True)
class Seed:
    domain: str
    kind: str  # the entity kind, matching the tools' ``accepts`` kinds (e.g. "country", "gene_symbol")
    name: str

    @property
    def split(self) -> str:
        """By the entity's name alone: "Kenya" is held out for every domain and kind or for none, so an
        eval entity can never reach training data under another kind (country vs. economy)."""
        digest = hashlib.sha256(" ".join(self.name.lower().split()).encode()).digest()
        return "eval" if digest[0] % 8 < EVAL_BUCKETS else "train"


SeedFn = Callable[[], Iterable[str]]
SEED_SOURCES: list[tuple[str, str, SeedFn]] = []


def seed_source(domain: str, kind: str) -> Callable[[SeedFn], SeedFn]:
    """Register a function returning entity names of ``kind`` for ``domain``."""

    def register(fn: SeedFn) -> SeedFn:
        SEED_SOURCES.append((domain, kind, fn))
        return fn

    return register


def load_seeds(domains: Iterable[str], split: str | None = None) -> list[Seed]:
    """Every seed of ``domains`` (optionally one split), deduplicated and sorted."""
    return [s for s in _all_seeds(tuple(sorted(set(domains)))) if split is None or s.split == split]


@functools.cache
def _all_seeds(domains: tuple[str, ...]) -> tuple[Seed, ...]:
    """Seed sources read their packages' data: run them once per process, whatever the splits asked."""
    for domain in domains:
        importlib.import_module(f"dive.tools.{domain}")
    seeds = {
        Seed(domain, kind, str(name).strip())
        for domain, kind, fn in SEED_SOURCES
        if domain in domains
        for name in fn()
        if str(name).strip()
    }
    return tuple(sorted(seeds, key=lambda s: (s.domain, s.kind, s.name)))
