"""The tool-calling chat format: rendering, its Jinja twin, loss masks and parsing of model output.

ChatML with Qwen2.5-style tool calls, because SmolLM2's own template ignores ``tools``:

* the system turn lists the tools as JSON inside ``<tools></tools>``;
* an assistant tool call is ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>``;
* tool results go back in a user turn as ``<tool_response>...</tool_response>``.

:func:`render` (Python) and :data:`CHAT_TEMPLATE` (Jinja, saved with the tokenizer so ``transformers
serve`` / ``vllm serve`` format requests identically) must agree; a test checks that they do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

SYSTEM_PROMPT = (
    "You are a research assistant that answers questions by calling tools. Call tools to gather evidence, "
    "use their results, and finish with: The final answer is: <answer>."
)
TOOLS_PREAMBLE = (
    "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>"
)
TOOLS_POSTAMBLE = (
    "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
    "<tool_call></tool_call> XML tags:\n<tool_call>\n"
    '{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call>'
)
FINAL_ANSWER = re.compile(r"final answer is\s*:?\s*(.+?)\s*\.?\s*$", re.IGNORECASE | re.DOTALL)
_TOOL_CALL = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)

Message = Mapping[str, Any]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _system_text(messages: Sequence[Message], tools: Sequence[Mapping[str, Any]] | None) -> str:
    system = messages[0]["content"] if messages and messages[0]["role"] == "system" else SYSTEM_PROMPT
    if not tools:
        return system
    listed = "".join("\n" + _dumps(t) for t in tools)
    return system + TOOLS_PREAMBLE + listed + TOOLS_POSTAMBLE


def _assistant_body(message: Message) -> str:
    body = message.get("content") or ""
    for call in message.get("tool_calls") or []:
        function = call["function"]
        arguments = function["arguments"]
        if isinstance(arguments, str):
            arguments = json.loads(arguments)
        body += (
            "\n<tool_call>\n" + _dumps({"name": function["name"], "arguments": arguments}) + "\n</tool_call>"
        )
    return body


def segments(
    messages: Sequence[Message], tools: Sequence[Mapping[str, Any]] | None = None
) -> list[tuple[str, bool]]:
    """The rendered conversation as (text, is_assistant_output) pieces, for loss masks on assistant tokens."""
    pieces: list[tuple[str, bool]] = [
        ("<|im_start|>system\n" + _system_text(messages, tools) + "<|im_end|>\n", False)
    ]
    rest = messages[1:] if messages and messages[0]["role"] == "system" else messages
    i = 0
    while i < len(rest):
        message = rest[i]
        if message["role"] == "assistant":
            pieces.append(("<|im_start|>assistant\n", False))
            pieces.append((_assistant_body(message) + "<|im_end|>", True))
            pieces.append(("\n", False))
        elif message["role"] == "tool":
            block = ""
            while i < len(rest) and rest[i]["role"] == "tool":
                block += "\n<tool_response>\n" + str(rest[i]["content"]) + "\n</tool_response>"
                i += 1
            pieces.append(("<|im_start|>user" + block + "<|im_end|>\n", False))
            continue
        else:
            pieces.append((f"<|im_start|>{message['role']}\n{message['content']}<|im_end|>\n", False))
        i += 1
    return pieces


def render(
    messages: Sequence[Message],
    tools: Sequence[Mapping[str, Any]] | None = None,
    add_generation_prompt: bool = False,
) -> str:
    text = "".join(piece for piece, _ in segments(messages, tools))
    return text + ("<|im_start|>assistant\n" if add_generation_prompt else "")


def _lit(text: str) -> str:
    """A Jinja expression printing ``text``: no literal text in the template, so the trim_blocks and
    lstrip_blocks settings of the serving library cannot change whitespace."""
    return "{{ " + json.dumps(text) + " }}"


# The same format for servers; keep in step with segments() (tests/test_chat.py compares them).
CHAT_TEMPLATE = "".join(
    [
        "{%- if messages[0].role == 'system' %}{%- set system = messages[0].content %}",
        "{%- set rest = messages[1:] %}{%- else %}{%- set system = " + json.dumps(SYSTEM_PROMPT) + " %}",
        "{%- set rest = messages %}{%- endif %}",
        _lit("<|im_start|>system\n") + "{{ system }}",
        "{%- if tools %}" + _lit(TOOLS_PREAMBLE),
        "{%- for tool in tools %}" + _lit("\n") + "{{ tool | tojson }}{%- endfor %}",
        _lit(TOOLS_POSTAMBLE) + "{%- endif %}" + _lit("<|im_end|>\n"),
        "{%- for m in rest %}",
        "{%- if m.role == 'assistant' %}" + _lit("<|im_start|>assistant\n") + "{{ m.content or '' }}",
        "{%- for call in (m.tool_calls or []) %}" + _lit('\n<tool_call>\n{"name": '),
        "{{ call.function.name | tojson }}" + _lit(', "arguments": '),
        "{%- if call.function.arguments is string %}{{ call.function.arguments }}",
        "{%- else %}{{ call.function.arguments | tojson }}{%- endif %}" + _lit("}\n</tool_call>"),
        "{%- endfor %}" + _lit("<|im_end|>\n"),
        "{%- elif m.role == 'tool' %}",
        "{%- if loop.first or rest[loop.index0 - 1].role != 'tool' %}"
        + _lit("<|im_start|>user")
        + "{%- endif %}",
        _lit("\n<tool_response>\n") + "{{ m.content }}" + _lit("\n</tool_response>"),
        "{%- if loop.last or rest[loop.index0 + 1].role != 'tool' %}" + _lit("<|im_end|>\n") + "{%- endif %}",
        "{%- else %}" + _lit("<|im_start|>") + "{{ m.role }}" + _lit("\n") + "{{ m.content }}",
        _lit("<|im_end|>\n") + "{%- endif %}",
        "{%- endfor %}",
        "{%- if add_generation_prompt %}" + _lit("<|im_start|>assistant\n") + "{%- endif %}",
    ]
)


def _as_calls(obj: Any) -> list[dict[str, Any]]:
    calls = []
    for item in obj if isinstance(obj, list) else [obj]:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        arguments = item.get("arguments", item.get("parameters", {}))  # Llama-3 templates say "parameters"
        if isinstance(arguments, str):
            try:
                arguments = json.loads(arguments)
            except json.JSONDecodeError:
                continue
        if isinstance(arguments, dict):
            calls.append({"name": item["name"], "arguments": arguments})
    return calls


def parse_tool_calls(text: str, bare_json: bool = False) -> list[dict[str, Any]]:
    """``{"name", "arguments"}`` for every well-formed ``<tool_call>`` block in ``text``.

    Malformed blocks are skipped; an unclosed last block (generation cut at a stop token) is still read.
    With ``bare_json`` a text without blocks is read as one JSON call or a list of them (possibly in a
    json code fence), as evaluation harnesses like BFCL accept.
    """
    blobs = _TOOL_CALL.findall(text) if "<tool_call>" in text else ([text.strip()] if bare_json else [])
    calls: list[dict[str, Any]] = []
    for blob in blobs:
        fenced = _FENCE.match(blob)
        try:
            calls.extend(_as_calls(json.loads(fenced.group(1) if fenced else blob)))
        except json.JSONDecodeError:
            continue
    return calls


def final_answer(text: str) -> str | None:
    """The answer after 'The final answer is:' in a model's last message, or None."""
    visible = _TOOL_CALL.sub("", text).replace("<|im_end|>", "").strip()
    match = FINAL_ANSWER.search(visible)
    return match.group(1).strip() if match else None


def assistant_message(text: str) -> dict[str, Any]:
    """An OpenAI-format assistant message from generated text (tool calls become ``tool_calls``)."""
    calls = parse_tool_calls(text)
    content = _TOOL_CALL.sub("", text).replace("<|im_end|>", "").strip()
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if calls:
        message["tool_calls"] = [
            {
                "id": f"call_{i}",
                "type": "function",
                "function": {"name": c["name"], "arguments": _dumps(c["arguments"])},
            }
            for i, c in enumerate(calls)
        ]
    return message
