"""Near-duplicate removal: near-duplicates of a kept question go, distinct ones stay, order decides."""

from __future__ import annotations

import itertools
import random

from dive.synth.dedup import jaccard, near_duplicates, shingles

BASE = (
    "For which country, Kenya or France, is the population of the capital larger, given the 2024 census "
    "figures published by the national statistics office of each country and rounded to the nearest "
    "thousand?"
)


def test_near_duplicates_dropped_distinct_kept() -> None:
    questions = [
        BASE,
        "What is the UTC offset of the time zone of the capital of Kenya?",
        BASE.replace("nearest thousand?", "nearest thousand ?"),  # same words: exact after normalising
        BASE.replace("thousand?", "thousands?"),  # one word differs, at the end of a long question
        "What is the UTC offset of the time zone of the capital of Peru?",  # short: one word is a lot
        BASE,
    ]
    assert jaccard(shingles(questions[0]), shingles(questions[3])) >= 0.9
    assert jaccard(shingles(questions[1]), shingles(questions[4])) < 0.9
    assert near_duplicates(questions) == [2, 3, 5]


def test_order_decides_which_copy_stays() -> None:
    a, b = BASE, BASE.replace("thousand?", "thousands?")
    assert near_duplicates([a, b]) == [1]
    assert near_duplicates([b, a]) == [1]
    assert near_duplicates([a, "Something else entirely, with its own words.", b]) == [2]


def test_threshold_and_edge_cases() -> None:
    a, b = BASE, BASE.replace("thousand?", "thousands?")
    assert near_duplicates([a, b], threshold=1.0) == []
    assert near_duplicates([a, a], threshold=1.0) == [1]
    assert near_duplicates([]) == []
    assert near_duplicates(["", "", "Why?", "why"]) == [1, 3]


def test_matches_all_pairs_on_random_questions() -> None:
    """Prefix filtering finds exactly what comparing with every kept question finds."""
    rng = random.Random(0)
    words = ["what", "is", "the", "of", "capital", "population", "which", "has", "larger", "sum", "among"]
    questions = [" ".join(rng.choices(words, k=rng.randint(4, 14))) for _ in range(300)]
    questions += [q + " now" for q in questions[:40]]  # near copies of earlier ones
    sets = [shingles(q) for q in questions]
    kept: list[int] = []
    expected = []
    for i, s in enumerate(sets):
        if any(jaccard(s, sets[j]) >= 0.8 for j in kept):
            expected.append(i)
        else:
            kept.append(i)
    assert near_duplicates(questions, threshold=0.8) == expected
    assert any(i >= 300 for i in expected)
    assert list(itertools.islice(expected, 1))  # something was dropped
