"""One async OpenAI-compatible chat client for every role (synthesizer, teacher, judge) and endpoint.

The same code talks to a managed ``transformers serve`` or ``vllm serve`` (dive/llm/server.py) and to any
provider. It bounds requests in flight, retries what is transient (429, 5xx, timeouts, dropped
connections) with backoff that honours ``Retry-After``, reads tool calls whether the server parsed them or
left Hermes-style ``<tool_call>`` blocks in the text (small models under ``transformers serve`` do), and
counts everything in :class:`ClientStats` for MLflow.

The API key is read from the environment per request and never kept on an object, so it cannot leak
through a repr, a pickled error or a log line; error text from the server is scrubbed of it too.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import json
import logging
import os
import random
import re
import time
from collections import Counter
from datetime import UTC
from typing import Any

import httpx

log = logging.getLogger("dive.llm")
logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request would drown the run's log

BODY_EXCERPT = 300  # characters of a server's error body quoted in an EndpointError
_TOOL_CALL = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)  # as dive.chat reads them
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)
_BEARER = re.compile(r"(Bearer\s+)\S+", re.IGNORECASE)
_DROPPED = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """Where and how to ask: an OpenAI-compatible base URL (``/chat/completions`` is appended) and model."""

    base_url: str
    model: str
    api_key_env: str | None = None  # the NAME of the variable holding the key, read per request
    temperature: float = 0.7
    max_tokens: int = 512
    concurrency: int = 4  # requests in flight at most
    timeout_s: float = 120.0  # per attempt, connect to last byte
    max_retries: int = 5  # attempts after the first, on 429, 5xx, timeouts and connection failures
    backoff_s: float = 1.0  # exponential backoff base (full jitter) when the server names no delay
    max_backoff_s: float = 30.0  # cap on any wait, Retry-After included


@dataclasses.dataclass
class ToolCallRequest:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclasses.dataclass
class Completion:
    content: str  # text, with any <tool_call> blocks that were parsed out of it removed
    tool_calls: list[ToolCallRequest]
    malformed: list[str]  # raw text of calls whose arguments were not a JSON object
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    raw_content: str = ""  # the text as the model wrote it (what a benchmark's own decoder reads)
    structured: bool = False  # the server parsed the calls itself (``message.tool_calls``)

    def message(self) -> dict[str, Any]:
        """The assistant message in OpenAI format, ready to append to the conversation."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content}
        if self.tool_calls:
            message["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {
                        "name": call.name,
                        "arguments": _dumps(call.arguments),
                    },
                }
                for call in self.tool_calls
            ]
        return message


class EndpointError(RuntimeError):
    """The endpoint failed after all retries, or refused the request (a 4xx other than 429)."""

    def __init__(
        self, message: str, *, base_url: str = "", model: str = "", attempts: int = 0, reason: str = ""
    ) -> None:
        super().__init__(message)
        self.base_url = base_url
        self.model = model
        self.attempts = attempts
        self.reason = reason  # the last failure: an HTTP status ("429", "404") or "timeout", "connect", ...

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross process boundaries (submitit pickles a job's exception); keep the fields.
        return (self.__class__, (self.args[0],), self.__dict__)


@dataclasses.dataclass
class ClientStats:
    """What a client did. ``requests`` counts chat() calls; ``retries`` the extra attempts they needed."""

    requests: int = 0
    retries: int = 0
    failures: Counter[str] = dataclasses.field(default_factory=Counter)  # failed attempts by reason
    malformed_tool_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    max_in_flight: int = 0  # HTTP attempts in flight at once, at most
    busy_seconds: float = 0.0  # integral over time of the attempts in flight
    wall_seconds: float = 0.0  # first attempt's start to the last one's end
    backoff_seconds: float = 0.0  # time spent waiting before retries
    in_flight: int = dataclasses.field(default=0, repr=False)
    _first_start: float | None = dataclasses.field(default=None, repr=False)
    _last_change: float = dataclasses.field(default=0.0, repr=False)

    def started(self, now: float) -> None:
        if self._first_start is None:
            self._first_start = self._last_change = now
        self._advance(now)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def finished(self, now: float) -> None:
        self._advance(now)
        self.in_flight -= 1
        if self._first_start is not None:
            self.wall_seconds = now - self._first_start

    def _advance(self, now: float) -> None:
        self.busy_seconds += self.in_flight * (now - self._last_change)
        self._last_change = now

    def mean_in_flight(self) -> float:
        return self.busy_seconds / self.wall_seconds if self.wall_seconds > 0 else 0.0


@dataclasses.dataclass(frozen=True)
class _Failure:
    reason: str  # counted in ClientStats.failures
    detail: str  # an exception type or a body excerpt (not yet scrubbed)
    retryable: bool
    retry_after: float | None = None


class LLMClient:
    """Chat with one endpoint; share one client per endpoint so its concurrency bound holds."""

    def __init__(self, endpoint: Endpoint, transport: httpx.AsyncBaseTransport | None = None) -> None:
        if endpoint.concurrency < 1 or endpoint.max_retries < 0:
            raise ValueError(f"concurrency must be >= 1 and max_retries >= 0: {endpoint}")
        self.endpoint = endpoint
        self.stats = ClientStats()
        self._url = endpoint.base_url.rstrip("/") + "/chat/completions"
        self._semaphore = asyncio.Semaphore(endpoint.concurrency)
        self._rng = random.Random()  # jitter only: spreading retries needs no reproducibility
        n = endpoint.concurrency
        limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
        self._http = httpx.AsyncClient(transport=transport, timeout=endpoint.timeout_s, limits=limits)

    def __repr__(self) -> str:
        return f"LLMClient({self.endpoint!r})"

    async def __aenter__(self) -> LLMClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def chat(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]] | None = None,
        *,
        temperature: float | None = None,
        max_tokens: int | None = None,
        top_p: float | None = None,
    ) -> Completion:
        """One completion; raises EndpointError when the endpoint refuses or keeps failing."""
        e = self.endpoint
        key = self._key()
        body: dict[str, Any] = {
            "model": e.model,
            "messages": messages,
            "temperature": e.temperature if temperature is None else temperature,
            "max_tokens": e.max_tokens if max_tokens is None else max_tokens,
            "stream": False,
        }
        if top_p is not None:
            body["top_p"] = top_p
        if tools:
            body["tools"] = tools
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.stats.requests += 1
        async with self._semaphore:
            data = await self._send(body, headers, key)
        completion = parse_completion(data)
        self.stats.malformed_tool_calls += len(completion.malformed)
        self.stats.prompt_tokens += completion.prompt_tokens
        self.stats.completion_tokens += completion.completion_tokens
        return completion

    def metrics(self, prefix: str) -> dict[str, float]:
        s = self.stats
        return {
            f"{prefix}/requests": float(s.requests),
            f"{prefix}/retries": float(s.retries),
            **{f"{prefix}/failures/{reason}": float(n) for reason, n in sorted(s.failures.items())},
            f"{prefix}/malformed_tool_calls": float(s.malformed_tool_calls),
            f"{prefix}/prompt_tokens": float(s.prompt_tokens),
            f"{prefix}/completion_tokens": float(s.completion_tokens),
            f"{prefix}/max_in_flight": float(s.max_in_flight),
            f"{prefix}/mean_in_flight": s.mean_in_flight(),
            f"{prefix}/backoff_seconds": s.backoff_seconds,
        }

    def _key(self) -> str | None:
        name = self.endpoint.api_key_env
        if name is None:
            return None
        key = os.environ.get(name)
        if not key:
            raise EndpointError(
                f"{self._where()}: the API key variable {name} is not set in the environment",
                base_url=self.endpoint.base_url,
                model=self.endpoint.model,
                reason="no_key",
            )
        return key

    def _where(self) -> str:
        return f"{self.endpoint.base_url} (model {self.endpoint.model})"

    async def _send(self, body: dict[str, Any], headers: dict[str, str], key: str | None) -> dict[str, Any]:
        attempts = self.endpoint.max_retries + 1
        for attempt in range(1, attempts + 1):
            result = await self._attempt(body, headers)
            if not isinstance(result, _Failure):
                return result
            self.stats.failures[result.reason] += 1
            if not result.retryable or attempt == attempts:
                raise self._error(result, attempt, key)
            delay = self._delay(result, attempt)
            self.stats.retries += 1
            self.stats.backoff_seconds += delay
            what = f"attempt {attempt} of {attempts} failed ({result.reason})"
            log.warning("%s: %s; retrying in %.2f s", self._where(), what, delay)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _attempt(self, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any] | _Failure:
        self.stats.started(time.perf_counter())
        try:
            # httpx's timeout bounds each read; this bounds the whole attempt (a server trickling bytes).
            async with asyncio.timeout(self.endpoint.timeout_s):
                response = await self._http.post(self._url, json=body, headers=headers)
        except (TimeoutError, httpx.TimeoutException) as exc:
            return _Failure("timeout", type(exc).__name__, retryable=True)
        except httpx.ConnectError as exc:
            return _Failure("connect", type(exc).__name__, retryable=True)
        except _DROPPED as exc:
            return _Failure("dropped", type(exc).__name__, retryable=True)
        except httpx.HTTPError as exc:  # a bad URL or protocol: retrying cannot help
            return _Failure("transport", f"{type(exc).__name__}: {exc}", retryable=False)
        finally:
            self.stats.finished(time.perf_counter())
        return _judge(response)

    def _delay(self, failure: _Failure, attempt: int) -> float:
        e = self.endpoint
        if failure.retry_after is not None:
            return min(failure.retry_after, e.max_backoff_s)
        return self._rng.uniform(0.0, min(e.max_backoff_s, e.backoff_s * 2 ** (attempt - 1)))

    def _error(self, failure: _Failure, attempts: int, key: str | None) -> EndpointError:
        if failure.retryable:
            what = f"failed after {attempts} attempt(s); last: {failure.reason}"
        else:
            what = f"refused the request on attempt {attempts} ({failure.reason}, not retried)"
        detail = f": {failure.detail}" if failure.detail else ""
        return EndpointError(
            scrub(f"{self._where()} {what}{detail}", key),
            base_url=self.endpoint.base_url,
            model=self.endpoint.model,
            attempts=attempts,
            reason=failure.reason,
        )


def _judge(response: httpx.Response) -> dict[str, Any] | _Failure:
    """The parsed body of a good answer, or why the attempt failed and whether to retry."""
    status = response.status_code
    excerpt = " ".join(response.text.split())[:BODY_EXCERPT]
    if status == 429 or status >= 500:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        return _Failure(str(status), excerpt, retryable=True, retry_after=retry_after)
    if not 200 <= status < 300:
        return _Failure(str(status), excerpt, retryable=False)
    try:
        data = response.json()
        data["choices"][0]["message"]
    except (ValueError, KeyError, IndexError, TypeError):
        # A 200 without a completion (a proxy's error page, a cut body): transient as far as we can tell.
        return _Failure("bad_response", excerpt, retryable=True)
    return data


def scrub(text: str, key: str | None) -> str:
    """``text`` without the key (a server may echo the request's headers) or any bearer token."""
    if key:
        text = text.replace(key, "***")
    return _BEARER.sub(r"\1***", text)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def parse_completion(data: dict[str, Any]) -> Completion:
    """A Completion from a chat/completions response body."""
    choice = data["choices"][0]
    message = choice["message"]
    content = message.get("content") or ""
    if isinstance(content, list):  # content parts: keep the text ones
        content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
    raw_content = content
    structured = message.get("tool_calls") or []
    if structured:
        calls, malformed = _structured_calls(structured)
    elif "<tool_call>" in content:
        calls, malformed = _text_calls(content)
        content = _TOOL_CALL.sub("", content).strip()
    else:
        calls, malformed = [], []
    usage = data.get("usage") or {}
    return Completion(
        content=content,
        tool_calls=calls,
        malformed=malformed,
        finish_reason=choice.get("finish_reason") or "",
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
        raw_content=raw_content,
        structured=bool(structured),
    )


def _arguments(value: Any) -> dict[str, Any] | None:
    """Arguments as a dict (some servers send a dict, OpenAI a JSON string), or None if not an object."""
    if value is None or value == "":
        return {}  # a call without arguments
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None
    return value if isinstance(value, dict) else None


def _as_call(call_id: str, item: Any) -> ToolCallRequest | None:
    """A call from ``{"name", "arguments"}`` (Llama-3 templates say "parameters"), or None if malformed."""
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        return None
    arguments = _arguments(item.get("arguments", item.get("parameters")))
    return None if arguments is None else ToolCallRequest(call_id, item["name"], arguments)


def _structured_calls(raw_calls: list[Any]) -> tuple[list[ToolCallRequest], list[str]]:
    calls: list[ToolCallRequest] = []
    malformed: list[str] = []
    for n, raw in enumerate(raw_calls):
        found = raw if isinstance(raw, dict) else {}
        call = _as_call(found.get("id") or f"call_{n}", found.get("function"))
        if call is None:
            malformed.append(_dumps(raw))
        else:
            calls.append(call)
    return calls, malformed


def _text_calls(content: str) -> tuple[list[ToolCallRequest], list[str]]:
    """Hermes-style blocks (dive/chat.py's format); an unclosed last block (cut generation) is read too."""
    calls: list[ToolCallRequest] = []
    malformed: list[str] = []
    for blob in _TOOL_CALL.findall(content):
        fenced = _FENCE.match(blob)
        try:
            item = json.loads(fenced.group(1) if fenced else blob)
        except json.JSONDecodeError:
            item = None
        if isinstance(item, dict) and isinstance(item.get("function"), dict):
            item = item["function"]  # an OpenAI-shaped call written inside the tags
        elif isinstance(item, dict) and "name" not in item and isinstance(item.get("function"), str):
            item = {**item, "name": item["function"]}
        call = _as_call(f"call_{len(calls)}", item)
        if call is None:
            malformed.append(blob)
        else:
            calls.append(call)
    return calls, malformed
