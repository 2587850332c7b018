"""Stage ``solve``: teacher trajectories in OpenAI chat format, kept by rejection sampling -> sft.jsonl.

``solve.backend`` picks the teacher: ``scripted`` replays each task's solution path with the real tools
and is judged by recomputing the answer from the replayed outputs (dive/teacher/scripted.py); ``llm``
lets ``llm.teacher`` solve each task with only its toolset, graded by ``llm.judge``
(dive/teacher/llm.py). Writes every trajectory with its verdict (trajectories.jsonl), the kept ones in
the SFT format (sft.jsonl: ``{"messages", "tools"}``) and the R/P type of every tool they may call
(tool_types.json, for diversity metrics downstream). The LLM teacher appends each trajectory to
partial.jsonl as it finishes, so a killed solve resumes with the tasks it had not finished.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig

from dive.artifacts import Artifact
from dive.llm.endpoints import needs_policy_model, role_identity
from dive.records import (
    TOOL_TYPES,
    TRAJECTORIES,
    Task,
    Trajectory,
    model_dir,
    read_jsonl,
    read_tasks,
    write_jsonl,
    write_trajectories,
)
from dive.synth import shards
from dive.tools.registry import load_tools

if TYPE_CHECKING:
    from dive.graph import Runtime
    from dive.tools.base import Tool

PARTIAL = "partial.jsonl"  # llm: finished trajectories, appended as they come (resume)


def config(cfg: DictConfig) -> dict[str, Any]:
    values: dict[str, Any] = {
        "backend": cfg.solve.backend,
        "domains": list(cfg.tools.domains),  # the tools trajectories run with
        "max_output_chars": cfg.tools.max_output_chars,
    }
    if cfg.solve.backend == "llm":
        values.update(
            attempts=cfg.solve.attempts,
            max_rounds=cfg.solve.max_rounds,
            teacher=role_identity(cfg, "teacher"),
            judge=role_identity(cfg, "judge"),
        )
    return values


def needs(config: dict[str, Any]) -> tuple[str, ...]:
    if config["backend"] != "llm":
        return ()
    return ("model",) if needs_policy_model({r: config[r] for r in ("teacher", "judge")}) else ()


def label(config: dict[str, Any]) -> str:
    return str(config["backend"])


def compute(
    config: dict[str, Any], inputs: dict[str, Artifact], out: Path, runtime: Runtime
) -> dict[str, float]:
    tasks = read_tasks(inputs["synth"])
    tools = load_tools(tuple(config["domains"]))
    if config["backend"] == "llm" and tasks:  # no tasks: no server to start
        policy = model_dir(inputs["model"]) if "model" in inputs else None
        trajectories, counts = asyncio.run(_solve_llm(config, tasks, tools, runtime.llm, policy, out))
    else:
        from dive.teacher.scripted import scripted_trajectory

        trajectories = [scripted_trajectory(t, tools, config["max_output_chars"]) for t in tasks]
        counts = {}
    write_trajectories(out / TRAJECTORIES, trajectories)
    kept = [t.sft_row() for t in trajectories if t.verdict.correct]
    write_jsonl(out / "sft.jsonl", kept, sort_keys=False)  # the SFT data format: {"messages", "tools"}
    used = sorted({tid for task in tasks for tid in task.toolset if tid in tools})
    (out / TOOL_TYPES).write_text(json.dumps({tid: tools[tid].type for tid in used}, indent=1))
    reasons = Counter(t.verdict.reason for t in trajectories if not t.verdict.correct)
    return {
        "solve/trajectories": float(len(trajectories)),
        "solve/kept": float(len(kept)),
        "solve/pass_rate": len(kept) / max(1, len(trajectories)),
        **{f"solve/rejected/{reason}": float(n) for reason, n in sorted(reasons.items())},
        **counts,
    }


async def _solve_llm(
    config: dict[str, Any],
    tasks: list[Task],
    tools: dict[str, Tool],
    transport: dict[str, Any],
    policy: Path | None,
    out: Path,
) -> tuple[list[Trajectory], dict[str, float]]:
    """Every task solved and judged; trajectories in task order.

    Each finished trajectory is appended to ``partial.jsonl`` at once, so a killed solve resumes with
    the tasks it had not finished (a torn last line is cut, as in synthesis shards).
    """
    partial = out / PARTIAL
    done = shards.done_indices(partial)
    todo = [(i, task) for i, task in enumerate(tasks) if i not in done]
    counts = await _teach(config, todo, tools, transport, policy, out) if todo else {}
    rows = {row["index"]: row for row in read_jsonl(partial)}
    return [Trajectory.from_json(rows[i]) for i in range(len(tasks))], counts


async def _teach(
    config: dict[str, Any],
    todo: list[tuple[int, Task]],
    tools: dict[str, Tool],
    transport: dict[str, Any],
    policy: Path | None,
    out: Path,
) -> dict[str, float]:
    """Solve and judge ``todo``, ``llm.concurrency`` tasks at once, appending each trajectory as it ends."""
    from dive.llm.client import LLMClient
    from dive.llm.endpoints import open_endpoints
    from dive.llm.tool_runner import ToolRunner
    from dive.synth.llm import Tally
    from dive.teacher.llm import solve_task

    roles = {"teacher": config["teacher"], "judge": config["judge"]}
    tally = Tally()
    runner = ToolRunner(transport["tool_timeout_s"], workers=max(4, 2 * transport["concurrency"]))
    limit = asyncio.Semaphore(transport["concurrency"])
    try:
        with open_endpoints(roles, transport, policy, out / "servers") as endpoints:
            async with LLMClient(endpoints["teacher"]) as teacher, LLMClient(endpoints["judge"]) as judge:

                async def one(index: int, task: Task) -> None:
                    async with limit:
                        trajectory = await solve_task(
                            task,
                            tools,
                            teacher,
                            judge,
                            config["attempts"],
                            config["max_rounds"],
                            config["max_output_chars"],
                            runner,
                            tally,
                        )
                    row = {"index": index, **trajectory.to_json()}
                    write_jsonl(out / PARTIAL, [row], append=True, sort_keys=False)

                await asyncio.gather(*(one(i, t) for i, t in todo))
                usage = {**teacher.metrics("solve/llm/teacher"), **judge.metrics("solve/llm/judge")}
    finally:
        runner.close()
    return {**tally.metrics("solve/llm"), **usage}
