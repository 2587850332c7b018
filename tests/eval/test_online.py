"""Online benchmark adapters, without a network: requirement checks, BrowseComp decryption, mocked loaders."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json

import httpx
import polars as pl
import pytest

from dive.eval import online
from dive.eval.online import (
    BROWSECOMP_URL,
    ONLINE_BENCHMARKS,
    OnlineItem,
    check_online,
    decrypt,
    derive_key,
    missing,
    summarize,
)

SECRET = "hf_sup3r-s3cret-value"
ALL_ENV = {"HF_TOKEN": SECRET, "SERPER_API_KEY": "serper-s3cret"}
CANARY = "BENCHMARK DATA SHOULD NEVER APPEAR AS PLAIN TEXT ONLINE. canary GUID browsecomp:test"


def online_ok(host: str) -> bool:
    return True


def offline(host: str) -> bool:
    return False


def encrypt(plaintext: str, password: str) -> str:
    """BrowseComp's scheme written out independently: XOR with SHA-256(password) repeated, then base64."""
    digest = hashlib.sha256(password.encode()).digest()
    data = plaintext.encode()
    key = (digest * (len(data) // 32 + 1))[: len(data)]
    return base64.b64encode(bytes(a ^ b for a, b in zip(data, key, strict=True))).decode()


def mock_client(routes: dict[str, bytes], seen: list[httpx.Request] | None = None) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        body = routes.get(str(request.url))
        return httpx.Response(200, content=body) if body is not None else httpx.Response(404)

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_unknown_name_lists_valid_choices() -> None:
    problems: list[str] = []
    check_online(["gaia", "x"], problems, env=ALL_ENV, resolve=online_ok)
    assert problems == [
        "evaluate.online = ['x'] is not a valid choice; valid: ['browsecomp', 'finsearchcomp', 'gaia']"
    ]


def test_missing_key_and_host_make_one_line_without_secrets() -> None:
    problems: list[str] = []
    env = {"SERPER_API_KEY": "serper-s3cret"}  # HF_TOKEN absent
    check_online(["gaia"], problems, env=env, resolve=lambda host: host != "huggingface.co")
    assert len(problems) == 1
    line = problems[0]
    assert line.startswith("evaluate.online: gaia cannot run here: ")
    assert "environment variable HF_TOKEN is not set (GAIA is gated on the Hugging Face Hub)" in line
    assert "host huggingface.co is not reachable" in line
    assert "google.serper.dev" not in line and "SERPER_API_KEY" not in line
    assert "remove it from evaluate.online" in line
    assert "serper-s3cret" not in line


def test_key_values_never_printed() -> None:
    problems: list[str] = []
    env = {"HF_TOKEN": SECRET}  # set, but the search key is empty
    check_online(list(ONLINE_BENCHMARKS), problems, env={**env, "SERPER_API_KEY": ""}, resolve=offline)
    assert len(problems) == len(ONLINE_BENCHMARKS)
    assert all("SERPER_API_KEY is not set" in p for p in problems)
    assert not any(SECRET in p for p in problems)


def test_all_requirements_present_is_no_problem() -> None:
    problems: list[str] = []
    check_online(list(ONLINE_BENCHMARKS), problems, env=ALL_ENV, resolve=online_ok)
    assert problems == []
    assert all(missing(b, env=ALL_ENV, resolve=online_ok) == [] for b in ONLINE_BENCHMARKS.values())


def test_shared_hosts_are_probed_once() -> None:
    probed: list[str] = []
    check_online(["gaia", "finsearchcomp"], [], env=ALL_ENV, resolve=lambda h: probed.append(h) or True)
    assert sorted(probed) == ["google.serper.dev", "huggingface.co"]


def test_browsecomp_decryption_round_trips() -> None:
    for text in ("Which 1990s film ...?", "", "Ünïcødé answer, longer than one 32-byte SHA-256 block: " * 3):
        assert decrypt(encrypt(text, CANARY), CANARY) == text
    assert len(derive_key(CANARY, 70)) == 70


def test_browsecomp_loader_decrypts_rows() -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, ["problem", "answer", "problem_topic", "canary"])
    writer.writeheader()
    writer.writerow(
        {
            "problem": encrypt("Who painted it?", CANARY),
            "answer": encrypt("Frida Kahlo", CANARY),
            "problem_topic": "Art",
            "canary": CANARY,
        }
    )
    client = mock_client({BROWSECOMP_URL: buffer.getvalue().encode()})
    items = ONLINE_BENCHMARKS["browsecomp"].load(client=client)
    assert items == [OnlineItem("browsecomp-0", "Who painted it?", "Frida Kahlo", {"topic": "Art"})]


def gaia_parquet() -> bytes:
    rows = [
        {
            "task_id": f"t{i}",
            "Question": f"Question {i}?",
            "Level": str(i % 3 + 1),
            "Final answer": str(10 * i),
            "file_name": "a.pdf" if i == 1 else "",
            "file_path": "2023/validation/a.pdf" if i == 1 else "",
            "Annotator Metadata": {"Steps": "search", "Number of steps": "2"},
        }
        for i in range(3)
    ]
    buffer = io.BytesIO()
    pl.DataFrame(rows).write_parquet(buffer)
    return buffer.getvalue()


def test_gaia_loader_parses_parquet_and_sends_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", SECRET)
    url = online.HF_RESOLVE.format(repo=online.GAIA_REPO, path=online.GAIA_FILE)
    seen: list[httpx.Request] = []
    items = ONLINE_BENCHMARKS["gaia"].load(limit=2, client=mock_client({url: gaia_parquet()}, seen))
    assert [(i.id, i.question, i.answer) for i in items] == [
        ("t0", "Question 0?", "0"),
        ("t1", "Question 1?", "10"),
    ]
    assert items[1].metadata["file_name"] == "a.pdf"
    assert items[1].metadata["file_url"].endswith("/resolve/main/2023/validation/a.pdf")
    assert items[0].metadata["annotator"]["Number of steps"] == "2"
    assert seen[0].headers["Authorization"] == f"Bearer {SECRET}"


def test_gaia_refused_token_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", SECRET)
    client = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(401)))
    with pytest.raises(PermissionError, match="terms accepted") as caught:
        ONLINE_BENCHMARKS["gaia"].load(client=client)
    assert SECRET not in str(caught.value)


def test_finsearchcomp_loader_skips_time_sensitive_items() -> None:
    records = [
        {
            "prompt_id": ["(T1)Time_Sensitive_Data_Fetching_165"],
            "prompt": "Latest close?",
            "response_reference": "Required Content: the latest close",
        },
        {
            "prompt_id": ["(T2)Simple_Historical_Lookup_537"],
            "prompt": "NVIDIA FY2022 deferred tax assets?",
            "response_reference": '"1408"',
            "source": "Form 10-K",
            "tags": "Micro-Accounting",
            "judge_system_prompt": "You are a judge.",
            "judge_prompt_template": "{prompt} {response}",
        },
    ]
    url = online.HF_RESOLVE.format(repo=online.FINSEARCHCOMP_REPO, path=online.FINSEARCHCOMP_FILE)
    items = ONLINE_BENCHMARKS["finsearchcomp"].load(client=mock_client({url: json.dumps(records).encode()}))
    assert [(i.id, i.question, i.answer) for i in items] == [
        ("(T2)Simple_Historical_Lookup_537", "NVIDIA FY2022 deferred tax assets?", "1408")
    ]
    assert items[0].metadata["task"] == "T2"
    assert items[0].metadata["judge_system_prompt"] == "You are a judge."


def test_score_uses_answers_match(monkeypatch: pytest.MonkeyPatch) -> None:
    item = OnlineItem("x", "How many?", "1,408")
    gaia = ONLINE_BENCHMARKS["gaia"]
    assert gaia.score(item, "1408") and gaia.score(item, " 1408.0 ")
    assert not gaia.score(item, "1222") and not gaia.score(item, None)
    calls: list[tuple[str | None, str]] = []
    monkeypatch.setattr(online, "answers_match", lambda p, r: calls.append((p, r)) or True)
    assert gaia.score(item, "anything")
    assert calls == [("anything", "1,408")]


def test_tools_are_openai_schemas() -> None:
    tools = ONLINE_BENCHMARKS["browsecomp"].tools()
    assert [t["function"]["name"] for t in tools] == ["web_search", "fetch_page"]
    assert all(t["type"] == "function" and t["function"]["parameters"]["required"] for t in tools)
    tools[0]["function"]["name"] = "edited"
    assert ONLINE_BENCHMARKS["browsecomp"].tools()[0]["function"]["name"] == "web_search"


def test_summarize() -> None:
    assert summarize([True, False, True, True]) == {"accuracy": 0.75, "items": 4.0}
    assert summarize([]) == {"accuracy": 0.0, "items": 0.0}
