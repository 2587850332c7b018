"""The scripted teacher: replays a task's solution path with the real tools, then states the answer.

The judge never compares the stated answer with itself: it recomputes the answer from the *replayed*
outputs (dive/synth/verify.py ``recompute_task``, by the derivation's operation and operands) and
compares the teacher's stated final answer with that. A trajectory is kept only when the replay
reproduces the recorded evidence, the answer is visible in what the model is shown (tool results are
cut to ``max_chars``), and the stated answer matches the recomputed one.
"""

from __future__ import annotations

import json
from typing import Any

from dive.chat import final_answer
from dive.episodes import task_prompt
from dive.records import Task, Trajectory, Verdict
from dive.rewards import answers_match
from dive.synth.verify import entailment, output_value, recompute_task
from dive.tools.base import Tool


def scripted_trajectory(task: Task, tools: dict[str, Tool], max_chars: int) -> Trajectory:
    messages, schemas = task_prompt(task, tools)
    solution = entailment(task).solution
    outputs: list[Any] = [None] * len(task.calls)
    reproduced, shown = True, {}
    for n, index in enumerate(solution):
        call = task.calls[index]
        result = tools[call.tool](call.arguments)
        outputs[index] = result.output if result.ok else None
        reproduced &= result.ok and json.loads(result.content()) == call.output
        call_id = f"call_{n}"
        arguments = json.dumps(call.arguments, ensure_ascii=False)
        function = {"name": tools[call.tool].name, "arguments": arguments}
        messages.append(
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [{"id": call_id, "type": "function", "function": function}],
            }
        )
        shown[index] = result.content(max_chars)
        messages.append({"role": "tool", "tool_call_id": call_id, "content": shown[index]})
    messages.append({"role": "assistant", "content": f"The final answer is: {task.answer}."})
    expected = recompute_task(task, outputs)
    stated = final_answer(messages[-1]["content"])  # as a model would read it back
    visible = _visible(task, shown)
    if not reproduced:
        reason = "tool output changed on replay"
    elif expected is None:
        reason = "answer not recomputable from the replayed calls"
    elif not visible:
        reason = "answer cut from the tool result"
    elif not answers_match(stated, expected):
        reason = "wrong answer"
    else:
        reason = "ok"
    return Trajectory(task.id, messages, schemas, Verdict(reason == "ok", reason))


def _visible(task: Task, shown: dict[int, str]) -> bool:
    """Every operand the answer is computed from appears in the (cut) tool message the model reads."""
    derivation = task.derivation[-1] if task.derivation else None
    operands = list(derivation.operands) if derivation and derivation.operands else []
    if not operands and derivation is not None and derivation.answer_call >= 0:
        operands = [(derivation.answer_call, derivation.answer_key)]
    for index, key in operands:
        content = shown.get(index)
        output = task.calls[index].output
        raw = output_value(output, key) if key else output
        if content is None or (
            json.dumps(raw, ensure_ascii=False) not in content and str(raw) not in content
        ):
            return False
    return True
