"""The Python renderer and the Jinja chat template agree; tool calls and answers parse back."""

from __future__ import annotations

import json

from tokenizers import Tokenizer, models
from transformers import PreTrainedTokenizerFast

from dive import chat

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "general__x__y",
            "description": "d",
            "parameters": {"type": "object", "properties": {}},
        },
    }
]
CONVERSATION = [
    {"role": "system", "content": "sys"},
    {"role": "user", "content": "Q?"},
    {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "id": "a",
                "type": "function",
                "function": {"name": "general__x__y", "arguments": json.dumps({"k": "v"})},
            },
            {"id": "b", "type": "function", "function": {"name": "general__x__y", "arguments": "{}"}},
        ],
    },
    {"role": "tool", "tool_call_id": "a", "content": '{"r": 1}'},
    {"role": "tool", "tool_call_id": "b", "content": '{"r": 2}'},
    {"role": "assistant", "content": "The final answer is: 3."},
]


def _tokenizer() -> PreTrainedTokenizerFast:
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=Tokenizer(models.BPE()))
    tokenizer.chat_template = chat.CHAT_TEMPLATE
    return tokenizer


def test_jinja_template_matches_python_renderer() -> None:
    tokenizer = _tokenizer()
    for messages, tools in [(CONVERSATION, TOOLS), (CONVERSATION[1:2], None), (CONVERSATION[1:], TOOLS)]:
        for prompt in (False, True):
            expected = chat.render(messages, tools, add_generation_prompt=prompt)
            got = tokenizer.apply_chat_template(
                messages, tools=tools, tokenize=False, add_generation_prompt=prompt
            )
            assert got == expected


def test_only_assistant_output_is_trainable() -> None:
    trainable = "".join(text for text, flag in chat.segments(CONVERSATION, TOOLS) if flag)
    assert "The final answer is: 3." in trainable and "<tool_call>" in trainable
    assert "Q?" not in trainable and '{"r": 1}' not in trainable and "sys" not in trainable


def test_parse_calls_and_answer_round_trip() -> None:
    text = '<tool_call>\n{"name": "a__b__c", "arguments": {"x": 1}}\n</tool_call><tool_call>{bad}</tool_call>'
    assert chat.parse_tool_calls(text) == [{"name": "a__b__c", "arguments": {"x": 1}}]
    message = chat.assistant_message(text + "<|im_end|>")
    assert message["tool_calls"][0]["function"]["name"] == "a__b__c"
    assert chat.final_answer("Thinking.\nThe final answer is: 42.<|im_end|>") == "42"
    assert chat.final_answer("no answer here") is None
