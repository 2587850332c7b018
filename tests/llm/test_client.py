"""LLMClient against the scripted fake endpoint: retries, backoff, parsing, bounds, a key that never leaks.

No wall-clock asserts: waits are read from ``stats.backoff_seconds`` (what the client chose to sleep), and
elapsed time is only bounded from above ("did not hang"). Fault tests run twice, against the in-process
mock transport and against the real socket server, so the fake's own socket path is exercised too.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import logging
import pickle
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dive.llm import fake
from dive.llm.client import Completion, Endpoint, EndpointError, LLMClient, parse_retry_after
from dive.llm.server import free_port

HANG_BOUND_S = 20.0  # a test that takes this long has hung
MESSAGES = [{"role": "user", "content": "What is the capital of Kenya?"}]
KEY = "sk-test-0123456789abcdef"


@contextlib.contextmanager
def served(llm: fake.FakeLLM, kind: str) -> Iterator[tuple[str, httpx.AsyncBaseTransport | None]]:
    """(base_url, transport) reaching ``llm`` in-process ("mock") or over a socket ("socket")."""
    if kind == "mock":
        yield "http://fake.test/v1", llm.transport()
    else:
        with fake.FakeServer(llm) as server:
            yield server.base_url, None


def run(
    llm: fake.FakeLLM, kind: str = "mock", n: int = 1, tools: list[dict[str, Any]] | None = None, **kw: Any
) -> tuple[list[Completion], LLMClient]:
    """``n`` concurrent chats with an endpoint over ``llm``; small backoff unless ``kw`` says otherwise."""
    settings = {"backoff_s": 0.01, "max_backoff_s": 0.05, "timeout_s": 5.0, **kw}

    async def go() -> tuple[list[Completion], LLMClient]:
        with served(llm, kind) as (base_url, transport):
            async with LLMClient(Endpoint(base_url, "fake-model", **settings), transport) as client:
                chats = [client.chat(MESSAGES, tools) for _ in range(n)]
                done = await asyncio.wait_for(asyncio.gather(*chats), HANG_BOUND_S)
                return done, client

    return asyncio.run(go())


def fail(llm: fake.FakeLLM, kind: str = "mock", **kw: Any) -> tuple[EndpointError, LLMClient]:
    """The EndpointError one chat raises, and the client that raised it."""
    settings = {"backoff_s": 0.01, "max_backoff_s": 0.05, "timeout_s": 5.0, **kw}

    async def go() -> tuple[EndpointError, LLMClient]:
        with served(llm, kind) as (base_url, transport):
            async with LLMClient(Endpoint(base_url, "fake-model", **settings), transport) as client:
                with pytest.raises(EndpointError) as caught:
                    await asyncio.wait_for(client.chat(MESSAGES), HANG_BOUND_S)
                return caught.value, client

    return asyncio.run(go())


both = pytest.mark.parametrize("kind", ["mock", "socket"])


# ---------------------------------------------------------------------------------------------
# retries


def test_429_retry_after_is_honoured_instead_of_backoff() -> None:
    # Jittered backoff would pick anything in [0, 30) s; the server asked for 0.05 s.
    llm = fake.FakeLLM([fake.rate_limited("0.05"), fake.completion("done")])
    (completion,), client = run(llm, backoff_s=30.0, max_backoff_s=60.0)
    assert completion.content == "done"
    assert client.stats.backoff_seconds == pytest.approx(0.05)
    assert client.stats.failures == {"429": 1} and client.stats.retries == 1 and len(llm.seen) == 2


def test_429_retry_after_is_capped_at_max_backoff() -> None:
    (completion,), client = run(fake.FakeLLM([fake.rate_limited("3600")]), max_backoff_s=0.02)
    assert completion.content == "ok" and client.stats.backoff_seconds == pytest.approx(0.02)


def test_retry_after_parses_seconds_and_http_dates() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after("1.5", now) == 1.5
    assert parse_retry_after(email.utils.formatdate(now + 30, usegmt=True), now) == pytest.approx(30.0)
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now) == 0.0  # already past
    assert parse_retry_after(None, now) is None and parse_retry_after("soon", now) is None


def test_429_without_retry_after_backs_off_exponentially_with_jitter() -> None:
    llm = fake.FakeLLM([fake.rate_limited(), fake.rate_limited(), fake.rate_limited()])
    (completion,), client = run(llm, backoff_s=0.01, max_backoff_s=1.0)
    assert completion.content == "ok" and client.stats.failures == {"429": 3} and client.stats.retries == 3
    assert 0.0 <= client.stats.backoff_seconds <= 0.01 + 0.02 + 0.04  # full jitter under each doubling cap


@both
def test_server_errors_then_success(kind: str) -> None:
    llm = fake.FakeLLM([fake.server_error(500), fake.server_error(503), fake.completion("fine")])
    (completion,), client = run(llm, kind)
    assert completion.content == "fine"
    assert client.stats.failures == {"500": 1, "503": 1} and client.stats.retries == 2


@both
def test_timeouts_then_success(kind: str) -> None:
    llm = fake.FakeLLM([fake.HANG, fake.HANG, fake.completion("late")])
    (completion,), client = run(llm, kind, timeout_s=0.5)
    assert completion.content == "late" and client.stats.failures == {"timeout": 2}
    assert llm.in_flight == 0  # the hanging replies ended when the client gave up on them


@both
def test_dropped_connection_then_success(kind: str) -> None:
    (completion,), client = run(fake.FakeLLM([fake.DROP, fake.completion("again")]), kind)
    assert completion.content == "again" and client.stats.failures == {"dropped": 1}


@both
def test_endpoint_that_stays_down_raises_with_where_and_attempts(kind: str) -> None:
    llm = fake.FakeLLM(default=fake.server_error(503))
    error, client = fail(llm, kind, max_retries=3)
    message = str(error)
    assert client.endpoint.base_url in message and "fake-model" in message
    assert "4 attempt(s)" in message and "503" in message and "internal error" in message
    assert (error.attempts, error.reason, error.model) == (4, "503", "fake-model")
    assert client.stats.failures == {"503": 4} and client.stats.retries == 3 and len(llm.seen) == 4
    again = pickle.loads(pickle.dumps(error))  # errors cross process boundaries (submitit)
    assert (str(again), again.attempts, again.reason, again.base_url) == (
        message,
        4,
        "503",
        client.endpoint.base_url,
    )


def test_unreachable_endpoint_counts_connect_failures() -> None:
    async def go() -> tuple[EndpointError, LLMClient]:
        endpoint = Endpoint(f"http://127.0.0.1:{free_port()}/v1", "m", max_retries=2, backoff_s=0.01)
        async with LLMClient(endpoint) as client:
            with pytest.raises(EndpointError) as caught:
                await asyncio.wait_for(client.chat(MESSAGES), HANG_BOUND_S)
            return caught.value, client

    error, client = asyncio.run(go())
    assert error.reason == "connect" and client.stats.failures == {"connect": 3}


@pytest.mark.parametrize("status", [400, 401, 404])
def test_client_errors_are_not_retried(status: int) -> None:
    llm = fake.FakeLLM([fake.Reply(status, {"error": {"message": "no such model"}})])
    error, client = fail(llm)
    assert error.attempts == 1 and error.reason == str(status) and "no such model" in str(error)
    assert len(llm.seen) == 1 and client.stats.retries == 0


def test_garbage_200_is_retried_as_bad_response() -> None:
    (completion,), client = run(fake.FakeLLM([fake.Reply(body="<html>proxy</html>"), fake.completion()]))
    assert completion.content == "ok" and client.stats.failures == {"bad_response": 1}


# ---------------------------------------------------------------------------------------------
# the API key


def test_key_is_sent_but_never_leaks(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DIVE_TEST_KEY", KEY)
    caplog.set_level(logging.DEBUG, logger="dive.llm")
    # A careless server quotes the Authorization header in its error bodies, retried and final.
    llm = fake.FakeLLM(
        [fake.server_error(500, echo_auth=True)], default=fake.server_error(401, echo_auth=True)
    )
    error, client = fail(llm, api_key_env="DIVE_TEST_KEY")
    assert llm.seen[0].headers["authorization"] == f"Bearer {KEY}"
    assert "401" in str(error) and "Authorization: Bearer ***" in str(error)
    leaks = [str(error), repr(error), caplog.text, repr(client.endpoint), repr(client), repr(client.stats)]
    leaks.append(repr(pickle.loads(pickle.dumps(error)).__dict__))
    assert caplog.records and all(KEY not in text for text in leaks)


def test_unset_key_variable_fails_before_sending(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIVE_UNSET_KEY", raising=False)
    llm = fake.FakeLLM()
    error, _ = fail(llm, api_key_env="DIVE_UNSET_KEY")
    assert "DIVE_UNSET_KEY" in str(error) and "not set" in str(error) and not llm.seen


# ---------------------------------------------------------------------------------------------
# parsing


def test_structured_tool_calls_and_malformed_arguments() -> None:
    calls = [("lookup", {"country": "Kenya"}), ("broken", '{"country": "Ken'), ("listy", "[1, 2]")]
    (completion,), client = run(fake.FakeLLM([fake.completion("", calls, finish_reason="tool_calls")]))
    assert [(c.id, c.name, c.arguments) for c in completion.tool_calls] == [
        ("call_fake_0", "lookup", {"country": "Kenya"})
    ]
    assert len(completion.malformed) == 2 and '{\\"country\\": \\"Ken' in completion.malformed[0]
    assert client.stats.malformed_tool_calls == 2 and completion.finish_reason == "tool_calls"


def test_dict_arguments_and_missing_ids_are_accepted() -> None:
    message = {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"function": {"name": "f", "arguments": {}}}],
    }
    body = {"choices": [{"message": message, "finish_reason": "tool_calls"}]}
    (completion,), _ = run(fake.FakeLLM([fake.Reply(body=body)]))
    assert completion.content == "" and [(c.id, c.name, c.arguments) for c in completion.tool_calls] == [
        ("call_0", "f", {})
    ]


def test_hermes_blocks_in_text_are_parsed_out_and_malformed_ones_counted() -> None:
    text = (
        "Let me look.\n<tool_call>\n"
        '{"name": "lookup", "arguments": {"country": "Kenya"}}\n</tool_call>\n'
        '<tool_call>{"name": "broken", "arguments": {country: Kenya}}</tool_call>\n'
        '<tool_call>{"name": "cut", "arguments": {"q": "unclosed at the stop token"}}'
    )
    (completion,), client = run(fake.FakeLLM([fake.completion(text)]))
    assert completion.content == "Let me look."
    assert [(c.id, c.name, c.arguments) for c in completion.tool_calls] == [
        ("call_0", "lookup", {"country": "Kenya"}),
        ("call_1", "cut", {"q": "unclosed at the stop token"}),
    ]
    assert completion.malformed == ['{"name": "broken", "arguments": {country: Kenya}}']
    assert client.stats.malformed_tool_calls == 1


def test_openai_shaped_calls_inside_the_tags_are_read() -> None:
    call = '{"type": "function", "function": {"name": "lookup", "arguments": {"q": "x"}}}'
    text = f"<tool_call>\n{call}\n</tool_call>"
    (completion,), _ = run(fake.FakeLLM([fake.completion(text)]))
    assert [(c.name, c.arguments) for c in completion.tool_calls] == [("lookup", {"q": "x"})]


def test_message_is_openai_format() -> None:
    (completion,), _ = run(fake.FakeLLM([fake.completion("hm", [("lookup", {"country": "Kenya"})])]))
    assert completion.message() == {
        "role": "assistant",
        "content": "hm",
        "tool_calls": [
            {
                "id": "call_fake_0",
                "type": "function",
                "function": {"name": "lookup", "arguments": '{"country": "Kenya"}'},
            }
        ],
    }
    (plain,), _ = run(fake.FakeLLM([fake.completion("just text")]))
    assert plain.message() == {"role": "assistant", "content": "just text"}


def test_usage_is_read_and_summed() -> None:
    llm = fake.FakeLLM([fake.completion(usage=(10, 3)), fake.completion(usage=(20, 4)), fake.completion()])
    completions, client = run(llm, n=3)
    assert sorted((c.prompt_tokens, c.completion_tokens) for c in completions) == [(0, 0), (10, 3), (20, 4)]
    assert (client.stats.prompt_tokens, client.stats.completion_tokens) == (30, 7)
    metrics = client.metrics("llm/teacher")
    assert metrics["llm/teacher/requests"] == 3.0 and metrics["llm/teacher/prompt_tokens"] == 30.0
    assert {"llm/teacher/retries", "llm/teacher/malformed_tool_calls", "llm/teacher/mean_in_flight"} <= set(
        metrics
    )


def test_request_body() -> None:
    tools = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
    llm = fake.FakeLLM()
    run(llm, tools=tools, temperature=0.3, max_tokens=64)
    run(llm)
    with_tools, without = llm.seen[0].body, llm.seen[1].body
    assert with_tools == {
        "model": "fake-model",
        "messages": MESSAGES,
        "temperature": 0.3,
        "max_tokens": 64,
        "tools": tools,
        "stream": False,
    }
    assert "tools" not in without and "authorization" not in llm.seen[1].headers


def test_per_call_settings_override_the_endpoint() -> None:
    llm = fake.FakeLLM()

    async def go() -> None:
        async with LLMClient(
            Endpoint("http://fake.test/v1", "m", temperature=0.7), llm.transport()
        ) as client:
            await client.chat(MESSAGES, temperature=0.0, max_tokens=7)

    asyncio.run(go())
    assert (llm.seen[0].body["temperature"], llm.seen[0].body["max_tokens"]) == (0.0, 7)


# ---------------------------------------------------------------------------------------------
# concurrency


@both
def test_concurrency_bound_is_reached_and_never_exceeded(kind: str) -> None:
    llm = fake.FakeLLM(latency_s=0.02)
    completions, client = run(llm, kind, n=40, concurrency=4)
    assert len(completions) == 40 and len(llm.seen) == 40
    assert llm.max_in_flight == 4 and client.stats.max_in_flight == 4
    assert 0.0 < client.stats.mean_in_flight() <= 4.0


def test_retries_hold_their_slot() -> None:
    # A request backing off keeps its slot: a rate-limited endpoint sees less load, not more.
    llm = fake.FakeLLM([fake.rate_limited("0.02")] * 4, latency_s=0.01)
    completions, client = run(llm, n=8, concurrency=2)
    assert len(completions) == 8 and llm.max_in_flight <= 2 and client.stats.retries == 4
