"""A scripted OpenAI-compatible stand-in for tests and benchmarks (never used on the product path).

:class:`FakeLLM` decides each request's fate from a script (one :class:`Reply` per request, in order, then
the default) and records what it saw: request bodies and headers, and the most requests in flight at once.
It is served two ways:

* :meth:`FakeLLM.transport`: an ``httpx.MockTransport`` for unit tests (no sockets);
* :class:`FakeServer`: a real HTTP/1.1 socket server on 127.0.0.1 in a background thread, for benchmarks
  and any client that is not httpx (the ``openai`` package).

Replies can wait (fixed latency), answer any status with any headers (429 with or without Retry-After,
500), hang until the client gives up, drop the connection mid-response, or complete with text, tool calls
(well-formed or not) and usage.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import threading
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any

import httpx

HANG_S = 3600.0  # how long a hanging reply waits; the client's timeout ends it first


@dataclasses.dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None  # a JSON value, or a str sent as is
    headers: tuple[tuple[str, str], ...] = ()
    mode: str = "respond"  # "respond" | "hang" (until the client leaves) | "drop" (close mid-response)
    echo_auth: bool = False  # a careless server: quote the request's Authorization header in the body

    def payload(self, authorization: str) -> bytes:
        body = self.body if isinstance(self.body, str) else json.dumps(self.body)
        if self.echo_auth:
            body += f" (you sent Authorization: {authorization})"
        return body.encode()


def completion(
    content: str = "ok",
    tool_calls: Sequence[tuple[str, Any]] = (),
    *,
    usage: tuple[int, int] | None = None,
    finish_reason: str = "stop",
) -> Reply:
    """A 200 completion; ``tool_calls`` are (name, arguments) with arguments a dict or a raw JSON string."""
    calls = [
        {
            "id": f"call_fake_{n}",
            "type": "function",
            "function": {"name": name, "arguments": args if isinstance(args, str) else json.dumps(args)},
        }
        for n, (name, args) in enumerate(tool_calls)
    ]
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if calls:
        message["tool_calls"] = calls
    body: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": "fake",
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
    }
    if usage is not None:
        body["usage"] = {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)}
    return Reply(body=body)


def rate_limited(retry_after: str | None = None) -> Reply:
    headers = (("Retry-After", retry_after),) if retry_after is not None else ()
    return Reply(429, {"error": {"message": "rate limited"}}, headers)


def server_error(status: int = 500, echo_auth: bool = False) -> Reply:
    return Reply(status, {"error": {"message": "internal error"}}, echo_auth=echo_auth)


HANG = Reply(mode="hang")
DROP = Reply(mode="drop")


@dataclasses.dataclass(frozen=True)
class Seen:
    body: dict[str, Any]
    headers: dict[str, str]  # lower-case names


class FakeLLM:
    """Replies to chat requests from a script; ``latency_s`` delays every reply (hangs and drops too)."""

    def __init__(self, script: Iterable[Reply] = (), default: Reply | None = None, latency_s: float = 0.0):
        self.script = list(script)
        self.default = default or completion()
        self.latency_s = latency_s
        self.seen: list[Seen] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def reply(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        """Record the request and wait out the latency; the caller sends the reply, then calls done()."""
        self.seen.append(Seen(body, headers))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        return self.script.pop(0) if self.script else self.default

    def done(self) -> None:
        self.in_flight -= 1

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._handle)

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            reply = await self.reply(json.loads(request.content), headers)
            if reply.mode == "hang":
                await asyncio.sleep(HANG_S)
            if reply.mode == "drop":
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
            return httpx.Response(
                reply.status,
                headers=list(reply.headers),
                content=reply.payload(headers.get("authorization", "")),
            )
        finally:
            self.done()


class FakeServer:
    """``with FakeServer(FakeLLM(...)) as server:`` serves it at ``server.base_url`` until the block ends."""

    def __init__(self, llm: FakeLLM) -> None:
        self.llm = llm
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> FakeServer:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), name="fake-llm", daemon=True)
        self._thread.start()
        if not ready.wait(10) or self._error is not None:
            raise RuntimeError(f"the fake LLM server did not start: {self._error!r}")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def _run(self, ready: threading.Event) -> None:
        loop = self._loop
        asyncio.set_event_loop(loop)
        try:
            server = loop.run_until_complete(asyncio.start_server(self._connection, "127.0.0.1", 0))
            self.port = server.sockets[0].getsockname()[1]
        except OSError as exc:
            self._error = exc
            ready.set()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            server.close()
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve requests on one keep-alive connection until the client closes it or a reply drops it."""
        try:
            while await self._exchange(reader, writer):
                pass
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client went away (it timed out, or closed its pool)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        method, path = head[0].split(" ")[:2]
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:] if line)
        }
        raw = await reader.readexactly(int(headers.get("content-length", "0")))
        if method == "GET" and path == "/health":
            await _write(writer, Reply(body={"status": "ok"}), "")
            return True
        if method != "POST" or not path.endswith("/chat/completions"):
            await _write(writer, Reply(404, {"error": {"message": f"no route {method} {path}"}}), "")
            return True
        try:
            reply = await self.llm.reply(json.loads(raw), headers)
            if reply.mode == "hang":  # until the client closes the connection
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(reader.read(1), HANG_S)
                return False
            if reply.mode == "drop":  # promise a body, send part of it, hang up
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{"
                )
                await writer.drain()
                return False
            await _write(writer, reply, headers.get("authorization", ""))
            return True
        finally:
            self.llm.done()


async def _write(writer: asyncio.StreamWriter, reply: Reply, authorization: str) -> None:
    payload = reply.payload(authorization)
    lines = [f"HTTP/1.1 {reply.status} {HTTPStatus(reply.status).phrase}", "Content-Type: application/json"]
    lines += [f"Content-Length: {len(payload)}", *(f"{k}: {v}" for k, v in reply.headers)]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)
    await writer.drain()
