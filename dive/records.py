"""The records stages hand each other (tool calls, tasks, trajectories) with their readers and writers,
so no stage imports another to read its artifact and every module reads the same typed fields.

On disk each record is one JSON object per line, with the same keys as the dataclass fields; readers
also accept lines written before these types existed (see :meth:`Call.from_json`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from dive.artifacts import Artifact
from dive.pools.seeds import Seed
from dive.tools.base import ToolResult

TASKS = "tasks.jsonl"  # synth: the kept tasks
RECORDS = "records.jsonl"  # synth: every attempt, rejected ones included
FRONTIER = "frontier.jsonl"  # select: the frontier tasks, each with its pass rate
TRAJECTORIES = "trajectories.jsonl"  # solve: every teacher trajectory with its verdict
TOOL_TYPES = "tool_types.json"  # solve: {tool id: "R" | "P"} of every tool its conversations may call


def _known(cls: type, row: Mapping[str, Any]) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in row.items() if k in names}


@dataclasses.dataclass
class Call:
    """One tool call, whether the synthesizer made it (evidence) or a policy did (an episode).

    ``output`` is the raw JSON value the tool returned, kept whole; the (possibly cut) text a model sees
    is derived from it by :meth:`shown`. The provenance fields after ``valid`` are the synthesizer's
    (how a call chains to earlier ones); an episode's calls keep their defaults.
    """

    tool: str  # tool id (for a policy call naming no tool of the toolset: the name it used)
    arguments: dict[str, Any]
    ok: bool
    output: Any = None  # None when the call failed
    error: str | None = None  # why it failed
    turn: int = 0  # synthesis: the call's index; episode: the assistant turn that made it
    valid: bool = True  # named a tool of the toolset, with arguments its schema accepts
    type: str = ""  # the tool's type, R (retrieval) or P (processing); "" for an unknown tool
    round: int = 0  # synthesis round that made the call
    input_from: int = -1  # index of the call whose output gave the chained argument; -1: the seed
    input_key: str = ""  # the output key it came from ("" for the seed)
    input_value: Any = None  # the chained argument's value
    produces: list[str] = dataclasses.field(default_factory=list)  # output keys the tool declares

    @classmethod
    def from_result(cls, tool: str, arguments: dict[str, Any], result: ToolResult, **fields: Any) -> Call:
        return cls(tool, arguments, result.ok, result.output if result.ok else None, result.error, **fields)

    def shown(self, max_chars: int | None = None) -> str:
        """The tool message a model gets for this call: exactly :meth:`ToolResult.content`."""
        return ToolResult(self.ok, self.output, self.error, 0.0).content(max_chars)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Call:
        row = _known(cls, row)
        if not row.get("ok", True) and "error" not in row and isinstance(row.get("output"), dict):
            row["error"] = row.pop("output").get("error")  # older synthesis kept {"error": ...} as output
        return cls(**row)


@dataclasses.dataclass
class Derivation:
    """One round's (question, answer) over the evidence so far; a task keeps the last."""

    round: int
    question: str
    answer: str
    structure: list[str]  # lookup | multi-hop, plus computation, comparison
    answer_call: int  # index of the call whose output holds the answer (the first operand)
    answer_key: str  # the key of that output holding it
    # How the answer follows from recorded outputs, so a judge can recompute it from replayed calls:
    # an operation of dive.synth.verify.OPERATIONS over (call index, output key) operands.
    operation: str = "value"
    operands: list[tuple[int, str]] = dataclasses.field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Derivation:
        row = _known(cls, row)
        row["operands"] = [(int(i), str(k)) for i, k in row.get("operands", [])]
        return cls(**row)


@dataclasses.dataclass
class Task:
    """A synthesized task (a line of tasks.jsonl), or a rejected attempt (``rejected`` set: a line of
    records.jsonl with only ``index``, ``toolset`` and possibly ``calls`` filled); frontier tasks carry
    their ``pass_rate``."""

    index: int  # position in the synthesis run
    toolset: list[str]  # tool ids the task may use
    id: str = ""
    question: str = ""
    answer: str = ""
    answer_call: int = -1  # index into ``calls``
    structure: list[str] = dataclasses.field(default_factory=list)
    domain: str = ""
    seed: Seed | None = None
    exemplars: list[str] = dataclasses.field(default_factory=list)  # questions that shaped the structure
    calls: list[Call] = dataclasses.field(default_factory=list)  # the evidence, in call order
    evidence: list[str] = dataclasses.field(default_factory=list)  # one line per successful call
    derivation: list[Derivation] = dataclasses.field(default_factory=list)  # one per round
    rejected: str | None = None  # why synthesis gave up on this index
    pass_rate: float | None = None  # select: share of the SFT policy's attempts that were right

    @property
    def answer_key(self) -> str | None:
        return self.derivation[-1].answer_key if self.derivation else None

    def to_json(self) -> dict[str, Any]:
        """A dict with one key per field (``seed`` and ``pass_rate`` only when set); a rejected attempt
        has only ``index``, ``toolset``, ``calls`` and ``rejected``."""
        row = dataclasses.asdict(self)
        if self.rejected is not None:
            return {k: row[k] for k in ("index", "toolset", "calls", "rejected")}
        return {k: v for k, v in row.items() if v is not None or k not in ("seed", "rejected", "pass_rate")}

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Task:
        row = _known(cls, row)
        row["calls"] = [Call.from_json(c) for c in row.get("calls", [])]
        row["derivation"] = [Derivation.from_json(d) for d in row.get("derivation", [])]
        if row.get("seed") is not None:
            row["seed"] = Seed(**row["seed"])
        return cls(**row)


@dataclasses.dataclass(frozen=True)
class Verdict:
    correct: bool
    reason: str  # "ok", or why the trajectory was rejected


@dataclasses.dataclass
class Trajectory:
    """A teacher trajectory on one task (a line of trajectories.jsonl), in OpenAI chat format."""

    task_id: str
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]]  # the OpenAI tool schemas the conversation offers
    verdict: Verdict

    def sft_row(self) -> dict[str, Any]:
        """The SFT data format (a line of sft.jsonl)."""
        return {"messages": self.messages, "tools": self.tools}

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Trajectory:
        return cls(row["task_id"], row["messages"], row["tools"], Verdict(**row["verdict"]))


# ---------------------------------------------------------------------------------------------
# readers and writers


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def write_jsonl(
    path: Path, rows: Iterable[Mapping[str, Any]], append: bool = False, sort_keys: bool = True
) -> None:
    """One JSON object per line, flushed as it goes (so an appended file is complete up to a crash).

    Conversations keep their key order (``sort_keys=False``): the chat format renders tool schemas as
    they are, so sorting them would change the text a model is trained on.
    """
    with path.open("a" if append else "w") as handle:
        for row in rows:
            handle.write(json.dumps(row, sort_keys=sort_keys, ensure_ascii=False, default=str) + "\n")
            handle.flush()


def load_tasks(path: Path) -> list[Task]:
    return [Task.from_json(row) for row in read_jsonl(path)]


def write_tasks(path: Path, tasks: Iterable[Task], append: bool = False) -> None:
    """Tasks as lines of ``path`` (tasks.jsonl, records.jsonl, frontier.jsonl)."""
    write_jsonl(path, (task.to_json() for task in tasks), append=append)


def read_tasks(artifact: Artifact, name: str = TASKS) -> list[Task]:
    """The tasks of an artifact: a synth (or eval_tasks) artifact's kept tasks, or (``name=FRONTIER``)
    a select artifact's frontier."""
    return load_tasks(artifact.path / name)


def write_trajectories(path: Path, trajectories: Iterable[Trajectory]) -> None:
    write_jsonl(path, (t.to_json() for t in trajectories), sort_keys=False)


def read_trajectories(artifact: Artifact) -> list[Trajectory]:
    """The solve stage's trajectories, kept or not."""
    return [Trajectory.from_json(row) for row in read_jsonl(artifact.path / TRAJECTORIES)]


def read_manifest(artifact: Artifact, passing_only: bool = True) -> list[dict[str, Any]]:
    """The validate stage's tool entries (schema, type, verdict), the passing ones by default."""
    entries = read_jsonl(artifact.path / "manifest.jsonl")
    return [e for e in entries if e["passed"] or not passing_only]


def model_dir(artifact: Artifact) -> Path:
    """Where the HF files of a model artifact (base, SFT or GRPO) are."""
    pointer = artifact.path / "pointer.json"
    if pointer.exists():
        return Path(json.loads(pointer.read_text())["path"])
    return artifact.path / "hf" if (artifact.path / "hf").exists() else artifact.path
