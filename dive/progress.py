"""How far a running stage is, read from the files it already appends as it works (no stage reports it).

A stage writes its ``config.json`` when it starts (dive/artifacts.py) and appends its work as it goes:
synthesis one record per attempted task to ``shards/*.jsonl``, the LLM teacher ``partial.jsonl``, SFT and
GRPO one row per optimizer step to ``progress.jsonl``, evaluation one row per scored item. Counting those
lines is cheap, works for every launcher and for a job on another node that shares the filesystem, and
stays right across a requeue (the files are what the resumed stage continues from).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def how_far(stage: str, path: Path) -> str:
    """``"37/400 tasks"``, ``"step 12/50"``, ``"step 16 · epoch 0.43/1"``, ``"120 items scored"``, or ""
    when nothing is known yet."""
    path = Path(path)
    config = _config(path)
    if stage == "synth":
        return _of(sum(_lines(p) for p in path.glob("shards/*.jsonl")), config.get("quantity"), "tasks")
    if stage == "solve":
        return _of(_lines(path / "partial.jsonl"), None, "trajectories")
    if stage in ("sft", "grpo"):
        steps = _lines(path / "progress.jsonl")
        total = config.get("steps") if stage == "grpo" else config.get("max_steps")
        if not steps:
            return ""
        if total:
            return f"step {steps}/{total}"
        epoch = _last_row(path / "progress.jsonl").get("sft/epoch")  # SFT's steps follow from its data
        epochs = config.get("epochs")
        if epoch is None or not epochs:
            return f"step {steps}"
        return f"step {steps} · epoch {epoch:.2f}/{epochs:g}"
    if stage == "evaluate":
        scored = _lines(path / "bfcl.jsonl") + _lines(path / "dive_eval.jsonl")
        return _of(scored, None, "items scored")
    return ""


def _of(done: int, total: Any, unit: str) -> str:
    if not done:
        return ""
    return f"{done}/{total} {unit}" if total else f"{done} {unit}"


def _lines(path: Path) -> int:
    try:
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    except FileNotFoundError:
        return 0


def _last_row(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, handle.seek(0, 2) - 4096))  # a row is short: the file's tail holds the last
            tail = handle.read().decode("utf-8", errors="replace").strip().splitlines()
        found = json.loads(tail[-1]) if tail else {}
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return found if isinstance(found, dict) else {}


def _config(path: Path) -> dict[str, Any]:
    try:
        found = json.loads((path / "config.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return found if isinstance(found, dict) else {}
