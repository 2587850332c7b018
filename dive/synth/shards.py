"""Sharded synthesis: task indices split into shards, each appending one record per index to its own file.

A shard file is append-only, one JSON line per finished task index, flushed as written. A shard that is
killed (``kill -9``, preemption) and run again first drops a torn last line, then skips every index
already in its file: nothing is lost and nothing is written twice. :func:`merge` takes the first record
of each index over all shard files, in index order, so records.jsonl is the same however the work was
split or interrupted (for the scripted backend, byte for byte the unsharded run's).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from dive.records import Task, write_tasks

SHARD_DIR = "shards"


def plan(quantity: int, shards: int) -> list[list[int]]:
    """Contiguous index ranges, as even as possible (empty shards are dropped)."""
    shards = max(1, min(shards, quantity))
    bounds = [quantity * k // shards for k in range(shards + 1)]
    return [list(range(bounds[k], bounds[k + 1])) for k in range(shards) if bounds[k] < bounds[k + 1]]


def shard_path(out: Path, shard: int) -> Path:
    return out / SHARD_DIR / f"shard-{shard:04d}.jsonl"


def done_indices(path: Path) -> set[int]:
    """Indices already recorded in a shard file, after cutting a torn last line (a kill mid-write)."""
    if not path.exists():
        return set()
    data = path.read_bytes()
    good = data.rfind(b"\n") + 1  # a line is complete only with its newline
    done: set[int] = set()
    lines = data[:good].splitlines()
    for n, line in enumerate(lines):
        try:
            done.add(int(json.loads(line)["index"]))
        except (ValueError, KeyError):  # a torn line that happens to end in a newline: cut it and all after
            good = sum(len(x) + 1 for x in lines[:n])
            break
    if good < len(data):
        with path.open("r+b") as handle:
            handle.truncate(good)
            os.fsync(handle.fileno())
    return done


def append(path: Path, tasks: Iterable[Task]) -> int:
    """Write each record as it comes (one line, flushed); returns how many were written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    for task in tasks:
        write_tasks(path, [task], append=True)
        written += 1
    return written


def merge(paths: Sequence[Path]) -> list[Task]:
    """The first record of each index over ``paths``, sorted by index."""
    found: dict[int, Task] = {}
    for path in paths:
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            if line.strip():
                task = Task.from_json(json.loads(line))
                found.setdefault(task.index, task)
    return [found[i] for i in sorted(found)]
