"""The online-benchmark runner without a network: web tools against httpx.MockTransport, a scripted model."""

from __future__ import annotations

import http.server
import io
import json
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from dive.chat import SYSTEM_PROMPT
from dive.eval import online_run
from dive.eval.chat_model import ChatModel, Conversation, Decoding, Reply
from dive.eval.online import SERPER_URL, OnlineBenchmark, OnlineItem
from dive.eval.online_run import Executors, attempt, html_text, run

KEY = "serper-s3cret-key"
SERPER_BODY = {
    "organic": [
        {"title": "Paris - Wikipedia", "link": "https://en.wikipedia.org/wiki/Paris", "snippet": "Capital."},
        {"title": "France", "link": "https://example.org/france", "snippet": "A country."},
    ]
}
PAGE = (
    "<html><head><style>body { color: red }</style><script>var secret = 1;</script></head>"
    "<body><h1>Title</h1>\n<p>Hello   <b>world</b> &amp; friends</p></body></html>"
)


HOSTS = {  # a fake DNS: names the tests fetch, and what a hostile page might point at
    "example.org": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "en.wikipedia.org": ["185.15.59.224"],
    "localhost": ["127.0.0.1", "::1"],
    "metadata.internal": ["169.254.169.254"],
    "mixed.example": ["93.184.215.14", "10.0.0.5"],
}


def fake_resolve(host: str) -> list[str]:
    if host not in HOSTS:
        raise OSError(f"[Errno -2] Name or service not known: {host}")
    return HOSTS[host]


def executors(handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any) -> Executors:
    return Executors(api_key=KEY, transport=httpx.MockTransport(handler), resolve=fake_resolve, **kwargs)


def test_web_search_sends_key_and_lists_results() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=SERPER_BODY)

    result = executors(handler)("web_search", {"query": "capital of France"})
    (request,) = seen
    assert request.method == "POST" and str(request.url) == SERPER_URL
    assert request.headers["X-API-KEY"] == KEY
    assert json.loads(request.content) == {"q": "capital of France", "num": 10}
    assert "Paris - Wikipedia" in result and "https://en.wikipedia.org/wiki/Paris" in result
    assert result.index("Paris - Wikipedia") < result.index("https://example.org/france")


def test_web_search_error_never_shows_the_key() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"message": f"bad key {KEY}"})

    result = executors(handler)("web_search", {"query": "x"})
    assert result.startswith("error:") and "401" in result and KEY not in result


def test_transport_errors_become_scrubbed_strings() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"refused while sending {request.headers['X-API-KEY']}")

    result = executors(handler)("web_search", {"query": "x"})
    assert result.startswith("error:") and KEY not in result


def test_web_search_without_key_and_unknown_tool_and_missing_argument() -> None:
    tools = Executors(
        api_key="", transport=httpx.MockTransport(lambda r: httpx.Response(500)), resolve=fake_resolve
    )
    assert tools("web_search", {"query": "x"}).startswith("error:")
    assert tools("calculator", {}).startswith("error: unknown tool 'calculator'")
    assert tools("fetch_page", {}).startswith("error:")


def test_fetch_page_strips_script_style_and_tags() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text=PAGE, headers={"content-type": "text/html; charset=utf-8"})

    result = executors(handler)("fetch_page", {"url": "https://example.org/page"})
    assert result == "Title Hello world & friends"


def test_fetch_page_follows_redirects() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(301, headers={"location": "https://example.org/new"})
        return httpx.Response(200, text="<p>moved here</p>", headers={"content-type": "text/html"})

    assert executors(handler)("fetch_page", {"url": "https://example.org/old"}) == "moved here"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5000/api/2.0/mlflow/experiments/list",
        "http://localhost:8000/v1/models",
        "http://169.254.169.254/latest/meta-data/",
        "http://metadata.internal/computeMetadata/v1/",
        "http://10.1.2.3/",
        "http://192.168.0.1/admin",
        "http://100.64.0.1/",  # carrier-grade NAT (shared address space)
        "http://0.0.0.0:8080/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://224.0.0.1/",
        "http://mixed.example/",  # one private address among public ones is enough to refuse
        "http://no-such-host.invalid/",  # cannot be resolved: refused, not sent
    ],
)
def test_fetch_page_refuses_hosts_off_the_public_internet(url: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"no request may be sent, got {request.url}")

    result = executors(handler)("fetch_page", {"url": url})
    assert result.startswith("error: fetch_page refused"), result


@pytest.mark.parametrize(
    "location", ["http://127.0.0.1/secret", "http://169.254.169.254/", "file:///etc/passwd"]
)
def test_fetch_page_checks_every_redirect_hop(location: str) -> None:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(f"{request.headers['host']}{request.url.path}")
        if request.headers["host"] != "example.org":
            raise AssertionError(f"the redirect to {request.url} must not be followed")
        return httpx.Response(302, headers={"location": location})

    result = executors(handler)("fetch_page", {"url": "https://example.org/go"})
    assert result.startswith("error: fetch_page"), result
    assert sent == ["example.org/go"]


def test_fetch_page_connects_to_the_address_it_checked() -> None:
    """DNS rebinding: the name resolves to a public address for the check, then to 127.0.0.1. The request
    must go to the checked address, with the name kept for the Host header and TLS."""
    answers = iter([["93.184.215.14"], ["127.0.0.1"]])
    sent: list[tuple[str, str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append((request.url.host, request.headers["host"], request.extensions.get("sni_hostname")))
        return httpx.Response(200, text="<p>public</p>", headers={"content-type": "text/html"})

    tools = Executors(transport=httpx.MockTransport(handler), resolve=lambda host: next(answers))
    assert tools("fetch_page", {"url": "https://rebind.example:8443/page"}) == "public"
    assert sent == [("93.184.215.14", "rebind.example:8443", "rebind.example")]


def test_fetch_page_relative_redirects_stay_on_the_named_host() -> None:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(f"{request.url.host} {request.headers['host']}{request.url.path}")
        if request.url.path == "/old":
            return httpx.Response(301, headers={"location": "/new"})
        return httpx.Response(200, text="moved", headers={"content-type": "text/plain"})

    assert executors(handler)("fetch_page", {"url": "https://example.org/old"}) == "moved"
    assert sent == ["93.184.215.14 example.org/old", "93.184.215.14 example.org/new"]


def test_fetch_page_stops_a_redirect_loop() -> None:
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return httpx.Response(302, headers={"location": "https://example.org/again"})

    result = executors(handler)("fetch_page", {"url": "https://example.org/start"})
    assert "after 10 redirects" in result and len(sent) == online_run.MAX_REDIRECTS + 1


def test_public_hosts_pass_the_address_check() -> None:
    assert online_run.public_address("93.184.215.14") == "93.184.215.14"
    assert online_run.public_address("2606:4700:4700::1111") == "2606:4700:4700::1111"
    assert online_run.public_address("example.org", fake_resolve) == "93.184.215.14"


@pytest.mark.parametrize("url", ["ftp://example.org/file", "file:///etc/passwd", "example.org", "http://"])
def test_fetch_page_refuses_non_http_urls(url: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request may be sent")

    assert executors(handler)("fetch_page", {"url": url}).startswith("error:")


def test_fetch_page_truncates_and_reports_status() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/missing":
            return httpx.Response(404)
        return httpx.Response(
            200, text="<p>" + "word " * 5000 + "</p>", headers={"content-type": "text/html"}
        )

    tools = executors(handler, max_chars=100)
    assert len(tools("fetch_page", {"url": "http://example.org/long"})) == 100
    assert tools("fetch_page", {"url": "http://example.org/missing"}).startswith("error:")


def test_fetch_page_caps_the_body_and_refuses_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(online_run, "MAX_BODY_BYTES", 10)

    def handler(request: httpx.Request) -> httpx.Response:
        kind = "application/pdf" if request.url.path.endswith(".pdf") else "text/plain"
        return httpx.Response(200, content=b"abcdefghij" * 100, headers={"content-type": kind})

    tools = executors(handler)
    assert tools("fetch_page", {"url": "https://example.org/a.txt"}) == "abcdefghij"
    assert tools("fetch_page", {"url": "https://example.org/a.pdf"}).startswith("error:")


def test_fetch_page_timeout_is_an_error_string() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    assert "timed out" in executors(handler)("fetch_page", {"url": "https://example.org/"})


def test_html_text_ignores_nested_markup() -> None:
    assert html_text("<div>a<script>if (x < 1) {}</script><style>p{}</style>b</div>") == "a b"


class FakeBench(OnlineBenchmark):
    name = "fakebench"
    title = "FakeBench"

    def load(self, limit: int | None = None, client: httpx.Client | None = None) -> list[OnlineItem]:
        items = [OnlineItem("q1", "Capital of France?", "Paris"), OnlineItem("q2", "Mute question", "Rome")]
        return items if limit is None else items[:limit]


class Scripted(ChatModel):
    """Searches on its first turn and answers Paris on its second; never answers the 'Mute' question."""

    label = "scripted"

    def __init__(self) -> None:
        self.seen: list[Conversation] = []

    def reply(self, conversations: Sequence[Conversation], decoding: Decoding) -> list[Reply]:
        self.seen += conversations
        return [self._one(messages) for messages, _ in conversations]

    @staticmethod
    def _one(messages: list[dict[str, Any]]) -> Reply:
        searched = any(m["role"] == "tool" for m in messages)
        if "Mute" in messages[1]["content"] or not searched:
            return Reply('<tool_call>{"name": "web_search", "arguments": {"query": "capital"}}</tool_call>')
        return Reply("The final answer is: Paris")


RESULT = "1. Paris - Wikipedia\n   https://en.wikipedia.org/wiki/Paris"


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, name: str, arguments: Mapping[str, Any]) -> str:
        self.calls.append((name, dict(arguments)))
        return RESULT


def test_run_scores_the_answered_item_and_writes_lines() -> None:
    chat, tools, out = Scripted(), Recorder(), io.StringIO()
    metrics = run(chat, FakeBench(), None, Decoding(), max_turns=3, out=out, prefix="eval", executors=tools)
    assert metrics == {
        "eval/fakebench/all/accuracy": 0.5,
        "eval/fakebench/all/items": 2.0,
        "eval/fakebench/all/tool_calls_per_task": 1.5,  # q1 searched once; q2 on turns 1 and 2 (3 is last)
    }
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["id"], r["final"], r["correct"]) for r in rows] == [("q1", "Paris", True), ("q2", None, False)]
    assert rows[0]["reference"] == "Paris" and rows[0]["question"] == "Capital of France?"
    assert rows[0]["calls"] == [
        {"name": "web_search", "arguments": {"query": "capital"}, "result_chars": len(RESULT), "error": False}
    ]
    assert tools.calls == [("web_search", {"query": "capital"})] * 3
    first_messages, first_tools = chat.seen[0]
    assert first_messages[0] == {"role": "system", "content": SYSTEM_PROMPT}
    assert [t["function"]["name"] for t in first_tools or []] == ["web_search", "fetch_page"]


def test_attempt_appends_tool_results_and_uses_server_parsed_calls() -> None:
    class Structured(ChatModel):
        label = "structured"

        def reply(self, conversations: Sequence[Conversation], decoding: Decoding) -> list[Reply]:
            done = any(m["role"] == "tool" for m in conversations[0][0])
            call = {"name": "fetch_page", "arguments": {"url": "https://example.org"}}
            return [Reply("The final answer is: Paris.") if done else Reply("", tool_calls=[call])]

    (episode,) = attempt(
        Structured(), FakeBench(), FakeBench().load(1), Decoding(), 4, lambda name, args: f"{name} ok"
    )
    assert episode.final == "Paris" and episode.done
    assistant, tool = episode.messages[2], episode.messages[3]
    assert assistant["tool_calls"][0]["function"]["name"] == "fetch_page"
    assert tool == {"role": "tool", "tool_call_id": "call_0", "content": "fetch_page ok"}


def test_overflow_ends_the_episode_without_an_answer() -> None:
    class Overflowing(ChatModel):
        label = "overflowing"

        def reply(self, conversations: Sequence[Conversation], decoding: Decoding) -> list[Reply]:
            return [Reply("", overflow=True) for _ in conversations]

    episodes = attempt(Overflowing(), FakeBench(), FakeBench().load(), Decoding(), 5, lambda n, a: "")
    assert [(e.final, e.done, len(e.turn_texts)) for e in episodes] == [(None, True, 1)] * 2


def test_evaluate_stage_runs_a_listed_online_benchmark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``evaluate.online`` is not only validated: the stage runs each listed benchmark (its web tools
    fail here without a key, as strings the model reads) and logs ``<prefix>/<name>/all/...``."""
    from dive.eval import online
    from dive.stages import evaluate

    monkeypatch.setitem(online.ONLINE_BENCHMARKS, "fake", FakeBench())
    monkeypatch.delenv(online.SEARCH_KEY, raising=False)
    config = {"online": ["fake"], "online_limit": None, "max_turns": 3}
    metrics = evaluate._online(config, Scripted(), "fake", Decoding(), tmp_path, "eval_base")
    assert metrics["eval_base/fakebench/all/items"] == 2.0
    assert metrics["eval_base/fakebench/all/accuracy"] == 0.5
    assert len((tmp_path / "online_fake.jsonl").read_text().splitlines()) == 2


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, Path, list[str]]]:
    """An HTTPS server on 127.0.0.1 whose certificate names only ``pinned.test``.

    Yields its port, the certificate, and the Host header of every request it served."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", str(key)]
        + ["-out", str(cert), "-subj", "/CN=pinned.test", "-addext", "subjectAltName=DNS:pinned.test"],
        check=True,
        capture_output=True,
    )
    hosts: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the http.server hook's name)
            hosts.append(self.headers["Host"])
            body = b"hello over TLS"
            self.send_response(200)
            self.send_header("content-type", "text/plain")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass  # keep the test output clean

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], cert, hosts
    server.shutdown()
    server.server_close()


def test_pinned_get_verifies_tls_against_the_url_host_not_the_address(
    tls_server: tuple[int, Path, list[str]],
) -> None:
    """A real TLS handshake to 127.0.0.1: the certificate is checked against the URL's name, so pinning
    the address neither weakens verification nor breaks it."""
    port, cert, hosts = tls_server
    with httpx.Client(verify=ssl.create_default_context(cafile=str(cert))) as client:
        with online_run.pinned_get(
            client, httpx.URL(f"https://pinned.test:{port}/"), "127.0.0.1"
        ) as response:
            assert response.read() == b"hello over TLS"
        assert hosts == [f"pinned.test:{port}"]
        other = httpx.URL(f"https://other.test:{port}/")
        with pytest.raises(httpx.ConnectError, match="(?i)certificate|hostname"):
            online_run.pinned_get(client, other, "127.0.0.1").__enter__()
