"""The in-process ChatModel: its prompt is the chat template, its KV-cache reuse changes no output, a
conversation longer than the context is an overflow, and a served reply keeps the model's own text."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from dive.eval.chat_model import Decoding, InProcessModel, Reply, ServedModel
from dive.llm.client import Endpoint
from dive.llm.fake import FakeLLM
from dive.llm.fake import Reply as FakeReply
from dive.model import load_policy

GREEDY = Decoding(temperature=0.0, max_new_tokens=12)
QUESTION = [{"role": "user", "content": "What is the capital of Kenya?"}]
TOOLS = [{"type": "function", "function": {"name": "capital_of", "description": "x", "parameters": {}}}]


@pytest.fixture(scope="module")
def tiny(tiny_dir: Path) -> tuple[object, object]:
    return load_policy(tiny_dir)


def _model(tiny: tuple[object, object], batch_size: int = 8) -> InProcessModel:
    model, tokenizer = tiny
    return InProcessModel(model, tokenizer, "tiny", batch_size=batch_size)


def test_prompt_is_the_chat_template_with_tools(tiny: tuple[object, object]) -> None:
    from dive.chat import render

    chat = _model(tiny)
    ids = chat.encode((QUESTION, TOOLS))
    assert chat.tokenizer.decode(ids) == render(QUESTION, TOOLS, add_generation_prompt=True)


def test_reused_cache_gives_the_same_reply_as_a_fresh_model(tiny: tuple[object, object]) -> None:
    chat = _model(tiny)
    first = chat.reply([(QUESTION, TOOLS)], GREEDY)[0]
    longer = [
        *QUESTION,
        {"role": "assistant", "content": first.text},
        {"role": "user", "content": "And Peru?"},
    ]
    reused = chat.reply([(longer, TOOLS)], GREEDY)[0]  # the cache holds the first conversation's prefix
    assert len(chat._cached_ids) > 0 and chat._cached_ids[:10] == chat.encode((longer, TOOLS))[:10]
    fresh = _model(tiny).reply([(longer, TOOLS)], GREEDY)[0]
    assert reused.text == fresh.text and reused.completion_tokens == fresh.completion_tokens > 0


def test_batched_and_single_replies_agree(tiny: tuple[object, object]) -> None:
    conversations = [([{"role": "user", "content": f"Question {n}: {'why ' * n}?"}], None) for n in range(3)]
    batched = _model(tiny, batch_size=3).reply(conversations, GREEDY)
    single = [_model(tiny).reply([c], GREEDY)[0] for c in conversations]
    assert [r.text for r in batched] == [r.text for r in single]


def test_a_conversation_beyond_the_context_is_an_overflow(tiny: tuple[object, object]) -> None:
    chat = _model(tiny)
    chat.max_context = 150  # the short question fits (~90 tokens with the system prompt)
    long_one = [{"role": "user", "content": "word " * 200}]
    replies = chat.reply([(long_one, None), (QUESTION, None)], GREEDY)
    assert replies[0] == Reply("", overflow=True, prompt_tokens=replies[0].prompt_tokens)
    assert not replies[1].overflow


def test_served_reply_keeps_the_raw_text_and_the_servers_own_calls() -> None:
    raw = '<tool_call>\n{"name": "capital_of", "arguments": {"country": "Kenya"}}\n</tool_call>'
    structured = {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}],
    }
    fake = FakeLLM(
        [
            FakeReply(body=_completion({"role": "assistant", "content": raw})),
            FakeReply(body=_completion(structured)),
        ]
    )
    served = _served(fake.transport())
    text_reply, structured_reply = (
        served.reply([(QUESTION, TOOLS)], GREEDY),
        served.reply([(QUESTION, TOOLS)], GREEDY),
    )
    assert text_reply[0].text == raw and text_reply[0].tool_calls is None  # the decoder reads the text
    assert structured_reply[0].tool_calls == [{"name": "f", "arguments": {"a": 1}}]
    assert fake.seen[0].body["temperature"] == 0.0 and "top_p" not in fake.seen[0].body


def test_served_prompt_too_long_is_an_overflow() -> None:
    fake = FakeLLM([FakeReply(status=400, body={"error": "This model's maximum context length is 8192"})])
    assert _served(fake.transport()).reply([(QUESTION, None)], GREEDY)[0].overflow


def _completion(message: dict[str, object]) -> dict[str, object]:
    return {"choices": [{"message": message, "finish_reason": "stop"}], "usage": {}}


def _served(transport: httpx.AsyncBaseTransport) -> ServedModel:
    endpoint = Endpoint("http://fake/v1", "m", max_retries=0)
    return ServedModel(endpoint, "fake", transport)


def test_served_model_runs_inside_a_running_event_loop_thread() -> None:
    # BFCL's multi-turn driver calls reply() from worker threads; asyncio.run needs no loop there.
    fake = FakeLLM([FakeReply(body=_completion({"role": "assistant", "content": "hi"}))])
    served = _served(fake.transport())

    async def in_thread() -> list[Reply]:
        return await asyncio.to_thread(served.reply, [(QUESTION, None)], GREEDY)

    assert asyncio.run(in_thread())[0].text == "hi"


def test_served_model_finds_an_overflow_before_sending(tiny: tuple[object, object]) -> None:
    _, tokenizer = tiny
    fake = FakeLLM([FakeReply(body=_completion({"role": "assistant", "content": "hi"}))])
    endpoint = Endpoint("http://fake/v1", "m", max_retries=0)
    served = ServedModel(endpoint, "fake", fake.transport(), tokenizer=tokenizer, max_context=150)
    long_one = [{"role": "user", "content": "word " * 200}]
    replies = served.reply([(long_one, None), (QUESTION, None)], GREEDY)
    assert replies[0].overflow and replies[1].text == "hi" and len(fake.seen) == 1
