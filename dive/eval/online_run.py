"""Run an online benchmark (GAIA, BrowseComp, FinSearchComp) end to end: real web tools, a model, a score.

:mod:`dive.eval.online` only describes these benchmarks and the tools their agents get; this module
executes those tools against the live web (``web_search`` through Serper, ``fetch_page`` with a plain GET)
and drives the model with the same lock-step multi-turn loop as DIVE-Eval (:func:`dive.eval.dive_eval.
attempt`), so online and offline accuracies come from one protocol. A tool failure (HTTP error, timeout,
bad URL) is shown to the model as an ``error: ...`` string, as a real agent would see it, and never stops
the run; the Serper key is scrubbed from every string that leaves :class:`Executors`.

``fetch_page`` reads the public web only. The model chooses its URLs, and the run may sit on a cluster
node that can reach a cloud metadata service (169.254.169.254), an internal dashboard or a server on
localhost, so a host that is, or resolves to, an address that is not globally routable is refused, on
the first URL and on every redirect hop. A host that cannot be resolved is refused too (fail closed).
The request then goes to the address that was checked, never to a second DNS answer: a name that
resolves to a public address for the check and to 127.0.0.1 for the connection (DNS rebinding) cannot
slip through.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import os
import socket
import statistics
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, closing
from html.parser import HTMLParser
from typing import IO, Any

import httpx

from dive.chat import SYSTEM_PROMPT, assistant_message, final_answer, parse_tool_calls
from dive.eval.chat_model import ChatModel, Decoding, assistant_turn
from dive.eval.online import SEARCH_KEY, SERPER_URL, OnlineBenchmark, OnlineItem

FETCH_TIMEOUT_S = 20.0
MAX_BODY_BYTES = 2_000_000  # a page larger than this is cut: the model sees 8k chars of it anyway
MAX_SEARCH_CHARS = 4000
MAX_PAGE_CHARS = 8000
MAX_REDIRECTS = 10
TOOL_WORKERS = 8  # tool calls of one turn run concurrently: web latency, not CPU, bounds a turn
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template"})
_TEXT_TYPES = ("text/", "application/json", "application/xml")


class _TextParser(HTMLParser):
    """Collects the text of an HTML page outside script/style (what a reader of the page sees)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skipping += tag in _SKIPPED_TAGS

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_text(html: str) -> str:
    """Readable text of ``html``: tags, scripts and styles dropped, whitespace collapsed."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def resolve_host(host: str) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6), as the connection would pick from."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, None)]


class NotPublic(ValueError):
    """A host ``fetch_page`` must not reach; the message says why."""


def public_address(host: str, resolve: Callable[[str], list[str]] = resolve_host) -> str:
    """The address to connect to for ``host``, once it and every address it resolves to are public.

    Not public: loopback, private (RFC 1918, unique-local), link-local (cloud metadata), shared
    (carrier NAT), reserved, unspecified and multicast addresses, IPv4-mapped IPv6 forms included.
    Raises :class:`NotPublic` otherwise, and for a name that does not resolve.
    """
    addresses = [host] if _is_literal_address(host) else _resolved(host, resolve)
    for text in addresses:
        address = ipaddress.ip_address(text.split("%")[0])  # drop an IPv6 zone (fe80::1%eth0)
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise NotPublic(f"{host!r} is not a public address ({address})")
    return addresses[0]


def _is_literal_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:  # a name
        return False
    return True


def _resolved(host: str, resolve: Callable[[str], list[str]]) -> list[str]:
    try:
        addresses = resolve(host)
    except OSError as error:
        raise NotPublic(f"cannot resolve {host!r} ({error})") from None
    if not addresses:
        raise NotPublic(f"cannot resolve {host!r}")
    return addresses


def pinned_get(client: httpx.Client, url: httpx.URL, address: str) -> AbstractContextManager[httpx.Response]:
    """``client.stream("GET", url)``, connected to ``address`` rather than to what ``url``'s host resolves
    to now. The Host header and TLS (SNI and the certificate's name check) still use ``url``'s host."""
    if address == url.host:  # a literal address: nothing to resolve
        return client.stream("GET", url)
    return client.stream(
        "GET",
        url.copy_with(host=address),
        headers={"Host": url.netloc.decode("ascii")},
        extensions={"sni_hostname": url.raw_host.decode("ascii")},  # IDNA (xn--) form
    )


class Executors:
    """The web tools of :data:`dive.eval.online.WEB_TOOLS`, called as ``executors(name, arguments)``.

    One ``httpx.Client`` serves every call (pass ``transport`` and ``resolve`` to test without a
    network); the API key is read from ``SERPER_API_KEY`` unless given.
    """

    def __init__(
        self,
        api_key: str | None = None,
        transport: httpx.BaseTransport | None = None,
        max_chars: int = MAX_PAGE_CHARS,
        resolve: Callable[[str], list[str]] = resolve_host,
    ) -> None:
        self.api_key = os.environ.get(SEARCH_KEY, "") if api_key is None else api_key
        self.max_chars, self.resolve = max_chars, resolve
        # Redirects are followed by hand in fetch_page, so every hop's host is checked before it is sent.
        # No kept-alive connections: pinned_get connects by address, and a pool keyed by address would
        # reuse one host's TLS connection for another host on the same address.
        self.client = httpx.Client(
            transport=transport,
            timeout=FETCH_TIMEOUT_S,
            follow_redirects=False,
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        self.tools: dict[str, Callable[[Mapping[str, Any]], str]] = {
            "web_search": lambda a: self.web_search(str(a["query"]), int(a.get("num", 10))),
            "fetch_page": lambda a: self.fetch_page(str(a["url"])),
        }

    def __call__(self, name: str, arguments: Mapping[str, Any]) -> str:
        tool = self.tools.get(name)
        if tool is None:
            return f"error: unknown tool {name!r}; available: {sorted(self.tools)}"
        try:
            return self._scrub(tool(arguments))
        except KeyError as error:  # the model left out a required argument
            return f"error: {name} needs the argument {error}"
        except httpx.TimeoutException:
            return f"error: {name} timed out after {FETCH_TIMEOUT_S:.0f} s"
        # Anything else (a bad URL or argument, a refused connection, a non-JSON reply) is the model's to
        # read: one broken page must not end a run of hundreds of items.
        except Exception as error:
            return self._scrub(f"error: {name} failed: {type(error).__name__}: {error}")

    def web_search(self, query: str, num: int = 10) -> str:
        """Google's organic results for ``query`` via Serper, numbered title/link/snippet entries."""
        if not self.api_key:
            return f"error: web_search is unavailable ({SEARCH_KEY} is not set)"
        response = self.client.post(
            SERPER_URL, headers={"X-API-KEY": self.api_key}, json={"q": query, "num": num}
        )
        if response.is_error:  # a status and the host only: Serper's error body may echo the request
            return f"error: web_search got HTTP {response.status_code} from {response.url.host}"
        results = response.json().get("organic") or []
        entries = [
            f"{n}. {r.get('title', '')}\n   {r.get('link', '')}\n   {r.get('snippet', '')}"
            for n, r in enumerate(results, 1)
        ]
        return "\n\n".join(entries)[:MAX_SEARCH_CHARS] or f"no results for {query!r}"

    def fetch_page(self, url: str) -> str:
        """The readable text of the public page at ``url`` (http or https only), at most ``max_chars``."""
        target = httpx.URL(url)
        for _ in range(MAX_REDIRECTS + 1):
            if target.scheme not in ("http", "https") or not target.host:
                return f"error: fetch_page only reads http(s) URLs, not {str(target)!r}"
            try:
                address = public_address(target.host, self.resolve)
            except NotPublic as refusal:
                return f"error: fetch_page refused {str(target)!r}: {refusal}"
            with pinned_get(self.client, target, address) as response:
                if response.is_redirect:  # check the next hop's host before following it
                    target = target.join(response.headers["location"])
                    continue
                return self._page_text(response, url)
        return f"error: fetch_page gave up on {url!r} after {MAX_REDIRECTS} redirects"

    def _page_text(self, response: httpx.Response, url: str) -> str:
        if response.is_error:
            return f"error: fetch_page got HTTP {response.status_code} for {url}"
        kind = response.headers.get("content-type", "text/html").lower()
        if not kind.startswith(_TEXT_TYPES):
            return f"error: fetch_page cannot read {kind.split(';')[0]} content"
        body = _read_capped(response, MAX_BODY_BYTES)
        charset = response.charset_encoding or "utf-8"
        try:
            text = body.decode(charset, errors="replace")
        except LookupError:  # a charset Python does not know: UTF-8 is the web's usual truth
            text = body.decode("utf-8", errors="replace")
        readable = html_text(text) if "html" in kind else " ".join(text.split())
        return readable[: self.max_chars] or "(the page has no text)"

    def _scrub(self, text: str) -> str:
        return text.replace(self.api_key, "***") if self.api_key else text

    def close(self) -> None:
        self.client.close()


def _read_capped(response: httpx.Response, limit: int) -> bytes:
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) >= limit:  # stop downloading: a huge page costs time and memory for text never shown
            break
    return bytes(body[:limit])


@dataclasses.dataclass
class OnlineEpisode:
    item: OnlineItem
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]]
    calls: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # {"name", "arguments", ...}
    turn_texts: list[str] = dataclasses.field(default_factory=list)
    final: str | None = None
    done: bool = False


def attempt(
    chat: ChatModel,
    benchmark: OnlineBenchmark,
    items: Sequence[OnlineItem],
    decoding: Decoding,
    max_turns: int,
    executors: Callable[[str, Mapping[str, Any]], str],
) -> list[OnlineEpisode]:
    """One episode per item, advanced in lock-step as in DIVE-Eval: one ``chat.reply`` per turn for every
    unfinished episode. An episode ends on a reply without calls, an overflow, or the last turn."""
    episodes = [_episode(item, benchmark.tools()) for item in items]
    with ThreadPoolExecutor(max_workers=TOOL_WORKERS) as pool:
        for turn in range(max_turns):
            active = [e for e in episodes if not e.done]
            if not active:
                break
            replies = chat.reply([(e.messages, e.tools) for e in active], decoding)
            pending: list[tuple[OnlineEpisode, list[dict[str, Any]]]] = []
            for episode, reply in zip(active, replies, strict=True):
                calls = reply.tool_calls if reply.tool_calls is not None else parse_tool_calls(reply.text)
                episode.turn_texts.append(reply.text)
                episode.messages.append(assistant_turn(reply))
                if reply.overflow or not calls or turn == max_turns - 1:
                    episode.final, episode.done = _final(reply.text), True
                else:
                    pending.append((episode, calls))
            # Every call of this turn, across episodes, goes out at once; results are kept in call order.
            futures = [
                (e, [(c, pool.submit(executors, c["name"], c["arguments"])) for c in calls])
                for e, calls in pending
            ]
            for episode, submitted in futures:
                for n, (call, future) in enumerate(submitted):
                    _record(episode, n, call, future.result())
    return episodes


def _episode(item: OnlineItem, tools: list[dict[str, Any]]) -> OnlineEpisode:
    messages = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": item.question}]
    return OnlineEpisode(item, messages, tools)


def _final(text: str) -> str | None:
    """The stated final answer, else the reply's visible text (tool-call markup never counts as one)."""
    return final_answer(text) or assistant_message(text)["content"] or None


def _record(episode: OnlineEpisode, n: int, call: Mapping[str, Any], result: str) -> None:
    outcome = {"result_chars": len(result), "error": result.startswith("error:")}
    episode.calls.append({"name": call["name"], "arguments": call["arguments"], **outcome})
    episode.messages.append({"role": "tool", "tool_call_id": f"call_{n}", "content": result})


def run(
    chat: ChatModel,
    benchmark: OnlineBenchmark,
    limit: int | None,
    decoding: Decoding,
    max_turns: int,
    out: IO[str],
    prefix: str,
    executors: Callable[[str, Mapping[str, Any]], str] | None = None,
) -> dict[str, float]:
    """Evaluate ``chat`` on the first ``limit`` items of ``benchmark`` (all when None); one JSON line per
    item goes to ``out``. Executors are created (and closed) here unless given."""
    if executors is None:
        with closing(Executors()) as owned:
            return run(chat, benchmark, limit, decoding, max_turns, out, prefix, owned)
    episodes = attempt(chat, benchmark, benchmark.load(limit), decoding, max_turns, executors)
    correct = [benchmark.score(e.item, e.final) for e in episodes]
    for e, ok in zip(episodes, correct, strict=True):
        row = {"id": e.item.id, "question": e.item.question, "reference": e.item.answer, "final": e.final}
        row |= {"correct": ok, "calls": e.calls, "turns": e.turn_texts}
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    out.flush()
    key = f"{prefix}/{benchmark.name}/all"
    return {
        f"{key}/accuracy": statistics.fmean(correct) if correct else 0.0,
        f"{key}/items": float(len(episodes)),
        f"{key}/tool_calls_per_task": statistics.fmean(len(e.calls) for e in episodes) if episodes else 0.0,
    }
