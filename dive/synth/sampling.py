"""What every synthesizer samples per task (paper §2): a toolset, a seed entity and query-only exemplars.

Shared by the scripted and the LLM synthesizers so that, for one config, both draw the same toolsets,
seeds and exemplars for the same task index; only evidence collection and derivation differ.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping, Sequence
from typing import Any

from dive.pools.seeds import Seed
from dive.tools.base import Tool


@dataclasses.dataclass(frozen=True)
class SynthSettings:
    quantity: int
    variety: int | None
    toolset_min: int
    toolset_max: int
    exemplars_min: int
    exemplars_max: int
    rounds: int
    calls_per_round: int
    seed: int
    split: str


@dataclasses.dataclass(frozen=True)
class Draw:
    """One task index's samples: its RNG (for the synthesizer's own choices), toolset and exemplars."""

    index: int
    rng: random.Random
    toolset: list[Tool]
    exemplars: list[Mapping[str, Any]]


def seeds_by_kind(seeds: Sequence[Seed]) -> dict[str, list[Seed]]:
    found: dict[str, list[Seed]] = {}
    for seed in seeds:
        found.setdefault(seed.kind, []).append(seed)
    return found


def entry_tools(tools: Mapping[str, Tool], by_kind: Mapping[str, Sequence[Seed]]) -> list[str]:
    """Tools that can take some seed: every toolset holds one, so every task can start."""
    return [t for t in sorted(tools) if any(kind in by_kind for kind in tools[t].accepts.values())]


def sample_toolsets(pool: Sequence[str], entry: Sequence[str], s: SynthSettings) -> list[list[str]] | None:
    """The V toolsets of the variety axis (None: each task samples its own)."""
    if s.variety is None:
        return None
    rng = random.Random(f"{s.seed}:toolsets")
    return [sample_toolset(pool, entry, s, rng) for _ in range(s.variety)]


def sample_toolset(
    pool: Sequence[str], entry: Sequence[str], s: SynthSettings, rng: random.Random
) -> list[str]:
    """A uniform random toolset, except that one member is an entry tool (one that can take some seed).

    The paper's toolsets always hold tools that accept any seed (web search); ours are typed, and a
    toolset no seed can enter yields no task at all.
    """
    size = min(len(pool), rng.randint(s.toolset_min, s.toolset_max))
    first = entry[rng.randrange(len(entry))] if entry else pool[rng.randrange(len(pool))]
    rest = rng.sample([t for t in pool if t != first], size - 1)
    return sorted([first, *rest])


def sample_seed(
    seeds_by_kind: Mapping[str, Sequence[Seed]], accepted: set[str], rng: random.Random
) -> Seed | None:
    """A seed some tool of the toolset can start from: a kind the toolset accepts, then a seed of that kind.

    The paper samples seeds independently of toolsets because its search/browse tools accept anything;
    our tools are typed, so the seed is drawn among the kinds the toolset can take (uniform over kinds,
    so a kind with 19k genes does not drown one with 118 elements).
    """
    kinds = sorted(k for k in accepted if seeds_by_kind.get(k))
    if not kinds:
        return None
    pool = seeds_by_kind[kinds[rng.randrange(len(kinds))]]
    return pool[rng.randrange(len(pool))]


def draws(
    tools: Mapping[str, Tool],
    by_kind: Mapping[str, Sequence[Seed]],
    exemplars: Sequence[Mapping[str, Any]],
    s: SynthSettings,
    indices: Sequence[int],
) -> list[Draw]:
    """The toolset and exemplars of each task index. Each index has its own RNG, so a resumed or
    sharded run draws exactly what an unbroken one would."""
    pool = sorted(tools)
    entry = entry_tools(tools, by_kind)
    toolsets = sample_toolsets(pool, entry, s)
    found = []
    for index in indices:
        rng = random.Random(f"{s.seed}:{s.split}:task:{index}")
        ids = toolsets[index % len(toolsets)] if toolsets else sample_toolset(pool, entry, s, rng)
        count = min(len(exemplars), rng.randint(s.exemplars_min, s.exemplars_max))
        shots = rng.sample(list(exemplars), count)
        found.append(Draw(index, rng, [tools[t] for t in ids], shots))
    return found
