"""A toy "model" behind the fake OpenAI server: it plays synthesizer, teacher and judge by reading the
request, so the LLM protocol (collection, derivation, solving, judging) runs end to end without weights.

* collection (tools offered, system = COLLECT_SYSTEM): calls one offered tool with its first example
  arguments, then stops calling;
* derivation (DERIVE_SYSTEM): asks for the first scalar of the first result, stating every argument;
* teacher (tools offered, the task system prompt): calls the tool the question was derived from, then
  answers with the value the result holds;
* judge (JUDGE_SYSTEM): "correct" when the model answer matches the ground truth, else "incorrect".

Faults are scripted before any of that: ``FakeLLM(script=[rate_limited(), ...])`` replies from the
script first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from dive.llm.fake import FakeLLM, Reply, completion
from dive.rewards import answers_match
from dive.synth.llm import COLLECT_SYSTEM, DERIVE_SYSTEM
from dive.teacher.llm import JUDGE_SYSTEM
from dive.tools.base import Tool

_INFO = re.compile(r"^INFO: (\S+) (\{.*?\}) -> (.*)$", re.MULTILINE)


class ToyModel(FakeLLM):
    def __init__(self, tools: Mapping[str, Tool], script: Iterable[Reply] = (), latency_s: float = 0.0):
        super().__init__(script, latency_s=latency_s)
        self.by_name = {t.name: t for t in tools.values()}
        self.derived: dict[str, tuple[str, dict[str, Any], str]] = {}  # question -> (tool, args, key)
        self.roles: list[str] = []

    async def reply(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        scripted = bool(self.script)
        reply = await super().reply(body, headers)  # records the request; pops the script first
        if scripted:
            return reply
        system = body["messages"][0]["content"]
        if system == COLLECT_SYSTEM:
            return self._collect(body)
        if system == DERIVE_SYSTEM:
            return self._derive(body)
        if system == JUDGE_SYSTEM:
            return self._judge(body)
        return self._teach(body)

    def _collect(self, body: dict[str, Any]) -> Reply:
        self.roles.append("collect")
        if body["messages"][-1]["role"] == "tool":
            return completion("I have collected enough.", usage=(50, 5))
        for schema in body["tools"]:
            tool = self.by_name.get(schema["function"]["name"])
            if tool is not None and tool.examples:
                return completion("", [(tool.name, dict(tool.examples[0]))], usage=(100, 20))
        return completion("no tool fits", usage=(100, 3))

    def _derive(self, body: dict[str, Any]) -> Reply:
        self.roles.append("derive")
        for tool_id, arguments, output in _INFO.findall(body["messages"][-1]["content"]):
            try:
                result = json.loads(output)
            except json.JSONDecodeError:
                continue
            args = json.loads(arguments)
            echoed = {str(v) for v in args.values()}
            for key, value in result.items() if isinstance(result, dict) else []:
                scalar = isinstance(value, str | int | float) and not isinstance(value, bool)
                if scalar and str(value).strip() and str(value) not in echoed:
                    given = " and ".join(f"{k.replace('_', ' ')} {v}" for k, v in args.items())
                    question = f"What is the {key.replace('_', ' ')} for {given}?"
                    self.derived[question] = (tool_id.replace(".", "__"), args, key)
                    return completion(f"QUERY: {question}\nANSWER: {value}\nREASONING: the result says so")
        return completion("I cannot find anything.")

    def _teach(self, body: dict[str, Any]) -> Reply:
        self.roles.append("teach")
        messages = body["messages"]
        question = next(m["content"] for m in messages if m["role"] == "user")
        name, args, key = self.derived.get(question, ("", {}, ""))
        if messages[-1]["role"] == "tool":
            result = json.loads(messages[-1]["content"])
            value = result.get(key) if isinstance(result, dict) else None
            return completion(f"The final answer is: {value}.")
        if not name:
            return completion("The final answer is: unknown.")
        return completion("", [(name, args)])

    def _judge(self, body: dict[str, Any]) -> Reply:
        self.roles.append("judge")
        text = body["messages"][-1]["content"]
        truth = re.search(r"Ground truth answer: (.*)", text)
        stated = re.search(r"Model answer: (.*)", text)
        same = truth is not None and stated is not None and answers_match(stated.group(1), truth.group(1))
        return completion(f"JUDGEMENT: {'correct' if same else 'incorrect'}")
