"""How far a running stage is, from the lines it has appended so far."""

from __future__ import annotations

import json
from pathlib import Path

from dive.progress import how_far


def _artifact(tmp_path: Path, config: dict, files: dict[str, int]) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.json").write_text(json.dumps(config))
    for name, lines in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("".join(json.dumps({"i": i}) + "\n" for i in range(lines)))
    return tmp_path


def test_synthesis_counts_tasks_over_every_shard(tmp_path: Path) -> None:
    path = _artifact(
        tmp_path, {"quantity": 400}, {"shards/shard-0000.jsonl": 30, "shards/shard-0001.jsonl": 7}
    )
    assert how_far("synth", path) == "37/400 tasks"


def test_training_counts_optimizer_steps(tmp_path: Path) -> None:
    assert how_far("grpo", _artifact(tmp_path / "g", {"steps": 50}, {"progress.jsonl": 12})) == "step 12/50"
    sft = _artifact(tmp_path / "s", {"max_steps": None}, {"progress.jsonl": 3})
    assert how_far("sft", sft) == "step 3"  # the steps follow from the data: no total in the config
    rows = [{"step": n, "sft/loss": 1.0, "sft/epoch": n / 37.5} for n in range(1, 17)]
    (sft / "progress.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (sft / "config.json").write_text(json.dumps({"max_steps": None, "epochs": 1}))
    assert how_far("sft", sft) == "step 16 · epoch 0.43/1"  # ... but how far through its epochs it is


def test_evaluation_counts_scored_items(tmp_path: Path) -> None:
    path = _artifact(tmp_path, {}, {"dive_eval.jsonl": 12, "bfcl.jsonl": 108})
    assert how_far("evaluate", path) == "120 items scored"


def test_nothing_written_yet_says_nothing(tmp_path: Path) -> None:
    assert how_far("synth", tmp_path) == "" and how_far("validate", tmp_path) == ""
