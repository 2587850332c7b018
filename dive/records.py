"""Readers of the records stages hand each other, so no stage imports another to read its artifact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dive.artifacts import Artifact


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w") as handle:
        for row in rows:
            handle.write(json.dumps(row, sort_keys=True, ensure_ascii=False, default=str) + "\n")


def read_manifest(artifact: Artifact, passing_only: bool = True) -> list[dict[str, Any]]:
    """The validate stage's tool entries (schema, type, verdict), the passing ones by default."""
    entries = read_jsonl(artifact.path / "manifest.jsonl")
    return [e for e in entries if e["passed"] or not passing_only]


def read_tasks(artifact: Artifact) -> list[dict[str, Any]]:
    """The kept tasks of a synth (or eval_tasks) artifact."""
    return read_jsonl(artifact.path / "tasks.jsonl")


def read_frontier(artifact: Artifact) -> list[dict[str, Any]]:
    """The select stage's frontier tasks, each with its pass rate."""
    return read_jsonl(artifact.path / "frontier.jsonl")


def model_dir(artifact: Artifact) -> Path:
    """Where the HF files of a model artifact (base, SFT or GRPO) are."""
    pointer = artifact.path / "pointer.json"
    if pointer.exists():
        return Path(json.loads(pointer.read_text())["path"])
    return artifact.path / "hf" if (artifact.path / "hf").exists() else artifact.path
