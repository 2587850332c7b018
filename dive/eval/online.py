"""Online benchmarks (GAIA, BrowseComp, FinSearchComp): adapters that need the network, hub datasets and keys.

DIVE-Eval and BFCL run offline; these benchmarks cannot: their data sit behind hubs (some gated) and their
agents search and browse the live web. This module only describes and loads them; evaluation drivers live
elsewhere. Config validation calls :func:`check_online` first, so a run that lists a benchmark this machine
cannot reach fails before any work starts, with one line naming every missing key and host.

Adding a benchmark: subclass :class:`OnlineBenchmark` and register an instance in ``ONLINE_BENCHMARKS``::

    class MyBench(OnlineBenchmark):
        name = "mybench"                                   # the value users put in evaluate.online
        title = "MyBench"                                  # human-readable name, for reports
        needs_env = ("HF_TOKEN", SEARCH_KEY)               # variables holding keys (values are never printed)
        needs_hosts = ("huggingface.co", SEARCH_HOST)      # hosts that must accept a connection
        reasons = {"HF_TOKEN": "MyBench is gated on the Hugging Face Hub"}  # optional: why each is needed

        def load(self, limit=None, client=None):           # -> list[OnlineItem]; fetch with _download()
            ...

``tools()`` (OpenAI tool schemas the agent gets; default: web_search + fetch_page) and ``score()``
(default: :func:`dive.rewards.answers_match`) may be overridden. Loaders take an optional ``httpx.Client``
so tests can pass one built on ``httpx.MockTransport``; :func:`missing` and :func:`check_online` take
``env`` and ``resolve`` so tests need neither keys nor a network.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import socket
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

from dive.rewards import answers_match

# Every URL the adapters fetch, in one place.
HF_RESOLVE = "https://huggingface.co/datasets/{repo}/resolve/main/{path}"
GAIA_REPO = "gaia-benchmark/GAIA"
GAIA_FILE = "2023/validation/metadata.parquet"  # 2023_all config, validation split (answers are public)
BROWSECOMP_URL = "https://openaipublic.blob.core.windows.net/simple-evals/browse_comp_test_set.csv"
FINSEARCHCOMP_REPO = "ByteSeedXpert/FinSearchComp"
FINSEARCHCOMP_FILE = "finsearchcomp_data.json"
SERPER_URL = "https://google.serper.dev/search"  # what a web_search tool executor calls (POST, X-API-KEY)

HF_HOST = "huggingface.co"
BROWSECOMP_HOST = "openaipublic.blob.core.windows.net"
SEARCH_HOST = "google.serper.dev"
SEARCH_KEY = "SERPER_API_KEY"

TIMEOUT_S = 60.0  # one dataset download
RESOLVE_TIMEOUT_S = 3.0  # one reachability probe: validation must stay quick when offline

# Why a requirement exists, for messages; an adapter's ``reasons`` overrides these.
_REASONS = {
    "HF_TOKEN": "an access token for the Hugging Face Hub",
    SEARCH_KEY: "the web_search tool calls the Serper Google Search API",
}

# What the agent of a browsing benchmark may call; a driver executes them (web_search against SERPER_URL).
WEB_TOOLS: tuple[dict[str, Any], ...] = (
    {
        "type": "function",
        "function": {
            "name": "web_search",
            "description": "Search the web with Google; returns the top results' titles, URLs and snippets.",
            "parameters": {
                "type": "object",
                "properties": {"query": {"type": "string", "description": "The search query."}},
                "required": ["query"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "fetch_page",
            "description": "Fetch a web page and return its main text.",
            "parameters": {
                "type": "object",
                "properties": {"url": {"type": "string", "description": "An http(s) URL."}},
                "required": ["url"],
            },
        },
    },
)


@dataclass(frozen=True)
class OnlineItem:
    """One question and its reference answer; ``metadata`` keeps what a driver or judge may need."""

    id: str
    question: str
    answer: str
    metadata: dict[str, Any] = field(default_factory=dict)


class OnlineBenchmark(ABC):
    """A benchmark that needs the network; see the module docstring for how to add one."""

    name: ClassVar[str]
    title: ClassVar[str]
    needs_env: ClassVar[tuple[str, ...]] = ()
    needs_hosts: ClassVar[tuple[str, ...]] = ()
    reasons: ClassVar[Mapping[str, str]] = {}

    @abstractmethod
    def load(self, limit: int | None = None, client: httpx.Client | None = None) -> list[OnlineItem]:
        """The first ``limit`` items (all when None), downloaded now."""

    def tools(self) -> list[dict[str, Any]]:
        """OpenAI tool schemas the benchmark's agent gets (copies: callers may edit them)."""
        return json.loads(json.dumps(WEB_TOOLS))

    def score(self, item: OnlineItem, predicted: str | None) -> bool:
        """Whether ``predicted`` states the item's answer (rule-based; override to use an LLM judge)."""
        return answers_match(predicted, item.answer)


def _download(url: str, client: httpx.Client | None, headers: Mapping[str, str] | None = None) -> bytes:
    """GET ``url`` (following the Hub's CDN redirects); errors name the URL and status, never a header."""
    owned = client is None
    client = client or httpx.Client(timeout=TIMEOUT_S, follow_redirects=True)
    try:
        response = client.get(url, headers=dict(headers or {}), follow_redirects=True)
        if response.status_code in (401, 403):  # gated or wrong token: say what to do, not the raw error
            raise PermissionError(
                f"{url}: HTTP {response.status_code} (access refused); a gated Hub dataset needs HF_TOKEN "
                "set and the dataset's terms accepted on its Hub page by that token's account"
            )
        response.raise_for_status()
        return response.content
    finally:
        if owned:
            client.close()


def _head(items: list[OnlineItem], limit: int | None) -> list[OnlineItem]:
    return items if limit is None else items[:limit]


class Gaia(OnlineBenchmark):
    """GAIA validation split (2023, all levels): 165 questions with public final answers."""

    name = "gaia"
    title = "GAIA"
    needs_env = ("HF_TOKEN", SEARCH_KEY)
    needs_hosts = (HF_HOST, SEARCH_HOST)
    reasons = {"HF_TOKEN": "GAIA is gated on the Hugging Face Hub"}

    def load(self, limit: int | None = None, client: httpx.Client | None = None) -> list[OnlineItem]:
        import polars as pl  # the Hub now ships GAIA as parquet; polars is a dependency already

        token = os.environ.get("HF_TOKEN", "")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        data = _download(HF_RESOLVE.format(repo=GAIA_REPO, path=GAIA_FILE), client, headers)
        rows = pl.read_parquet(io.BytesIO(data)).to_dicts()
        return _head([self._item(row) for row in rows], limit)

    @staticmethod
    def _item(row: Mapping[str, Any]) -> OnlineItem:
        file_path = row.get("file_path") or ""
        metadata = {
            "level": row.get("Level"),
            "file_name": row.get("file_name") or "",  # an attachment the question refers to ("" if none)
            "file_url": HF_RESOLVE.format(repo=GAIA_REPO, path=file_path) if file_path else "",
            "annotator": row.get("Annotator Metadata"),
        }
        return OnlineItem(str(row["task_id"]), str(row["Question"]), str(row["Final answer"]), metadata)


def derive_key(password: str, length: int) -> bytes:
    """BrowseComp's key: SHA-256 of the row's canary, repeated to ``length`` bytes (as simple-evals does)."""
    digest = hashlib.sha256(password.encode()).digest()
    return digest * (length // len(digest)) + digest[: length % len(digest)]


def decrypt(ciphertext_b64: str, password: str) -> str:
    """Undo BrowseComp's XOR encryption (kept so the questions never appear as plain text online)."""
    encrypted = base64.b64decode(ciphertext_b64)
    key = derive_key(password, len(encrypted))
    return bytes(a ^ b for a, b in zip(encrypted, key, strict=True)).decode()


class BrowseComp(OnlineBenchmark):
    """OpenAI's BrowseComp test set: 1,266 hard-to-find facts, each row encrypted with its own canary."""

    name = "browsecomp"
    title = "BrowseComp"
    needs_env = (SEARCH_KEY,)
    needs_hosts = (BROWSECOMP_HOST, SEARCH_HOST)

    def load(self, limit: int | None = None, client: httpx.Client | None = None) -> list[OnlineItem]:
        text = _download(BROWSECOMP_URL, client).decode("utf-8")
        rows = list(csv.DictReader(io.StringIO(text)))
        return _head([self._item(i, row) for i, row in enumerate(rows)], limit)

    @staticmethod
    def _item(index: int, row: Mapping[str, str]) -> OnlineItem:
        canary = row["canary"]
        metadata = {"topic": row.get("problem_topic", "")}
        question, answer = decrypt(row["problem"], canary), decrypt(row["answer"], canary)
        return OnlineItem(f"browsecomp-{index}", question, answer, metadata)


class FinSearchComp(OnlineBenchmark):
    """FinSearchComp's historical tasks (T2 simple lookup, T3 complex investigation).

    T1 (time-sensitive fetching) is left out: its answer is live market data fetched when judging, so no
    reference exists at load time. References are free text graded by an LLM judge in the original; the
    judge prompts are kept in ``metadata`` for a driver that overrides :meth:`score`.
    """

    name = "finsearchcomp"
    title = "FinSearchComp"
    needs_env = (SEARCH_KEY,)
    needs_hosts = (HF_HOST, SEARCH_HOST)

    def load(self, limit: int | None = None, client: httpx.Client | None = None) -> list[OnlineItem]:
        data = _download(HF_RESOLVE.format(repo=FINSEARCHCOMP_REPO, path=FINSEARCHCOMP_FILE), client)
        items = [self._item(record) for record in json.loads(data)]
        return _head([item for item in items if item.metadata["task"] != "T1"], limit)

    @staticmethod
    def _item(record: Mapping[str, Any]) -> OnlineItem:
        prompt_id = record["prompt_id"]
        item_id = str(prompt_id[0] if isinstance(prompt_id, list) else prompt_id)  # a list in the release
        metadata = {
            "task": item_id[1:3] if item_id.startswith("(T") else "",  # "(T2)Simple_Historical_Lookup_537"
            "source": record.get("source", ""),
            "tags": record.get("tags", ""),
            "judge_system_prompt": record.get("judge_system_prompt", ""),
            "judge_prompt_template": record.get("judge_prompt_template", ""),
        }
        answer = (
            str(record["response_reference"]).strip().strip('"')
        )  # stored JSON-quoted, e.g. "\"$1408 m\""
        return OnlineItem(item_id, str(record["prompt"]), answer, metadata)


ONLINE_BENCHMARKS: dict[str, OnlineBenchmark] = {b.name: b for b in (Gaia(), BrowseComp(), FinSearchComp())}


def reachable(host: str, timeout_s: float = RESOLVE_TIMEOUT_S) -> bool:
    """Whether ``host`` resolves and accepts a TCP connection on 443 within ``timeout_s``."""
    try:
        with socket.create_connection((host, 443), timeout=timeout_s):
            return True
    except OSError:  # DNS failure, refused, unreachable or timed out: all mean "cannot use it from here"
        return False


def missing(
    benchmark: OnlineBenchmark,
    env: Mapping[str, str] = os.environ,
    resolve: Callable[[str], bool] = reachable,
) -> list[str]:
    """Every requirement of ``benchmark`` this machine lacks, one sentence each (names only, never values)."""
    problems = []
    for var in benchmark.needs_env:
        if not env.get(var):  # an empty value is as good as unset: every request would be refused
            why = benchmark.reasons.get(var) or _REASONS.get(var)
            problems.append(f"environment variable {var} is not set" + (f" ({why})" if why else ""))
    problems += [
        f"host {h} is not reachable from this machine" for h in benchmark.needs_hosts if not resolve(h)
    ]
    return problems


def check_online(
    names: Sequence[str],
    problems: list[str],
    env: Mapping[str, str] = os.environ,
    resolve: Callable[[str], bool] = reachable,
) -> None:
    """Append to ``problems`` one line per unusable ``evaluate.online`` entry (config validation)."""
    names = [names] if isinstance(names, str) else list(names)
    unknown = [n for n in names if n not in ONLINE_BENCHMARKS]
    if unknown:
        problems.append(
            f"evaluate.online = {unknown!r} is not a valid choice; valid: {sorted(ONLINE_BENCHMARKS)}"
        )
    seen: dict[str, bool] = {}  # benchmarks share hosts: probe each once, since offline each probe may wait

    def probe(host: str) -> bool:
        if host not in seen:
            seen[host] = resolve(host)
        return seen[host]

    for name in dict.fromkeys(n for n in names if n in ONLINE_BENCHMARKS):
        lacking = missing(ONLINE_BENCHMARKS[name], env, probe)
        if lacking:
            problems.append(
                f"evaluate.online: {name} cannot run here: {'; '.join(lacking)}. Online benchmarks need "
                "network access and keys; remove it from evaluate.online to evaluate offline only."
            )


def summarize(results: Sequence[bool]) -> dict[str, float]:
    """``{"accuracy": share correct, "items": count}``; accuracy is 0.0, not NaN, for no items."""
    items = len(results)
    return {"accuracy": sum(map(bool, results)) / items if items else 0.0, "items": float(items)}
