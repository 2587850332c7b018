"""Near-duplicate questions: word 3-gram shingles, Jaccard similarity, exact prefix filtering.

Two questions are near-duplicates when the Jaccard similarity of their word 3-gram sets reaches the
threshold. Comparing all pairs is quadratic (48k questions: a billion pairs); prefix filtering
(Bayardo et al., "Scaling up all pairs similarity search", 2007) finds exactly the same pairs: order
shingles rarest first; two sets with Jaccard >= t must share a shingle among the first
``n - ceil(t * n) + 1`` of each, so only questions sharing such a (rare) shingle are compared. Unlike
MinHash/LSH it never misses a pair, and it needs no hashing seeds.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

SHINGLE_WORDS = 3


def shingles(question: str) -> frozenset[str]:
    """The question's word 3-grams (lower-cased words); a shorter question is one shingle."""
    words = re.findall(r"\w+", question.casefold())
    if len(words) <= SHINGLE_WORDS:
        return frozenset({" ".join(words)})
    return frozenset(" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def near_duplicates(questions: Sequence[str], threshold: float = 0.9) -> list[int]:
    """Indices of questions to drop, ascending: each is a near-duplicate (Jaccard >= ``threshold``) of
    an earlier question that is kept. Exact duplicates are the case Jaccard = 1."""
    sets = [shingles(q) for q in questions]
    frequency = Counter(s for shingle_set in sets for s in shingle_set)
    index: defaultdict[str, list[int]] = defaultdict(list)  # prefix shingle -> kept questions
    dropped = []
    for i, shingle_set in enumerate(sets):
        ordered = sorted(shingle_set, key=lambda s: (frequency[s], s))
        prefix = ordered[: _prefix_length(len(ordered), threshold)]
        candidates = {j for s in prefix for j in index[s]}
        if any(_similar(shingle_set, sets[j], threshold) for j in sorted(candidates)):
            dropped.append(i)
            continue
        for s in prefix:
            index[s].append(i)
    return dropped


def _prefix_length(size: int, threshold: float) -> int:
    # 1e-9: 0.9 * 10 must give 9, not 9.000000000000002 rounded up to 10
    return size - math.ceil(threshold * size - 1e-9) + 1


def _similar(a: frozenset[str], b: frozenset[str], threshold: float) -> bool:
    small, large = sorted((len(a), len(b)))
    if small < threshold * large - 1e-9:  # even a subset would fall short
        return False
    return jaccard(a, b) >= threshold - 1e-12
