"""Stage ``solve``: teacher trajectories in OpenAI chat format, kept by rejection sampling -> sft.jsonl.

The scripted teacher replays each task's evidence chain: the calls that lead to the answer (and to the
comparison value, if asked), each re-executed for real, then the final answer. A trajectory is kept
only when every re-executed call returns what the synthesizer recorded and the judge accepts the final
answer, so sft.jsonl holds verified trajectories only (paper: 48k).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig

from dive.artifacts import Artifact
from dive.chat import final_answer
from dive.episodes import task_prompt
from dive.records import TRAJECTORIES, Task, Trajectory, Verdict, read_tasks, write_jsonl, write_trajectories
from dive.rewards import answers_match
from dive.synth.scripted import call_chain
from dive.tools.base import Tool
from dive.tools.registry import load_tools

if TYPE_CHECKING:
    from dive.graph import Runtime


def config(cfg: DictConfig) -> dict[str, Any]:
    return {
        "teacher": "scripted",
        "domains": list(cfg.tools.domains),  # the tools trajectories are replayed with
        "max_output_chars": cfg.tools.max_output_chars,
    }


def label(config: dict[str, Any]) -> str:
    return str(config["teacher"])


def compute(
    config: dict[str, Any], inputs: dict[str, Artifact], out: Path, runtime: Runtime
) -> dict[str, float]:
    return _solve(config, inputs["synth"], out)


def _replayed_calls(task: Task) -> list[int]:
    calls = task.calls
    needed = set(call_chain(calls, task.answer_call))
    if "comparison" in task.structure:
        for i, call in enumerate(calls):  # the comparison partner: the other call the question names
            if i not in needed and call.ok and task.answer in json.dumps(call.output):
                needed |= set(call_chain(calls, i))
                break
        else:
            needed |= {i for i, c in enumerate(calls) if c.ok}
    return sorted(needed)


def scripted_trajectory(task: Task, tools: dict[str, Tool], max_chars: int) -> Trajectory:
    """Replay the evidence chain for real; the verdict says whether it reproduced and answered right.

    The answer must also be visible: tool results are cut to ``max_chars`` in the conversation, and a
    trajectory whose answer lies beyond the cut would teach the model to guess.
    """
    messages, schemas = task_prompt(task, tools)
    reproduced, visible = True, False
    for n, index in enumerate(_replayed_calls(task)):
        call = task.calls[index]
        tool = tools[call.tool]
        result = tool(call.arguments)
        reproduced &= result.ok and json.loads(result.content()) == call.output
        call_id = f"call_{n}"
        messages.append(
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {
                            "name": tool.name,
                            "arguments": json.dumps(call.arguments, ensure_ascii=False),
                        },
                    }
                ],
            }
        )
        content = result.content(max_chars)
        visible |= index == task.answer_call and _shows(content, task)
        messages.append({"role": "tool", "tool_call_id": call_id, "content": content})
    messages.append({"role": "assistant", "content": f"The final answer is: {task.answer}."})
    # judge what the trajectory states, as a model would read it back, not the value we put in
    stated = final_answer(messages[-1]["content"])
    correct = reproduced and visible and answers_match(stated, task.answer)
    if correct:
        reason = "ok"
    elif not reproduced:
        reason = "tool output changed on replay"
    elif not visible:
        reason = "answer cut from the tool result"
    else:
        reason = "wrong answer"
    return Trajectory(task.id, messages, schemas, Verdict(correct, reason))


def _shows(content: str, task: Task) -> bool:
    value = task.calls[task.answer_call].output
    key = task.answer_key
    raw = value.get(key) if isinstance(value, dict) and key else task.answer
    return json.dumps(raw, ensure_ascii=False) in content or str(raw) in content


def _solve(config: dict[str, Any], tasks_artifact: Artifact, out: Path) -> dict[str, float]:
    tasks = read_tasks(tasks_artifact)
    tools = load_tools(tuple(config["domains"]))
    trajectories = [scripted_trajectory(task, tools, config["max_output_chars"]) for task in tasks]
    write_trajectories(out / TRAJECTORIES, trajectories)
    kept = [t.sft_row() for t in trajectories if t.verdict.correct]
    write_jsonl(out / "sft.jsonl", kept, sort_keys=False)  # the SFT data format: {"messages", "tools"}
    return {
        "solve/trajectories": float(len(tasks)),
        "solve/kept": float(len(kept)),
        "solve/pass_rate": len(kept) / max(1, len(tasks)),
    }
