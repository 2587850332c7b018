"""The exemplar pool: query-only questions tagged with their structure, written for this project.

They steer task derivation (which structure to ask for) and are shown to LLM synthesizers as style
priors. None comes from an evaluation benchmark (tests/pools/test_exemplars.py checks n-gram overlap).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXEMPLAR_DIR = Path(__file__).resolve().parent / "exemplars"
STRUCTURES = (
    "lookup",
    "multi-hop",
    "comparison",
    "aggregation",
    "temporal",
    "computation",
    "filtering",
    "ranking",
    "conversion",
    "validation",
)


def load_exemplars(domains: list[str] | None = None) -> list[dict[str, Any]]:
    """Every exemplar (of ``domains`` if given), in file order."""
    found = []
    for path in sorted(EXEMPLAR_DIR.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                item = json.loads(line)
                if domains is None or item["domain"] in domains:
                    found.append(item)
    return found
