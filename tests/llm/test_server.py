"""ManagedServer: command lines, install checks, startup failures, and stopping every process it started.

The lifecycle tests serve a stub (a few lines of Python answering /health) in place of a model server, so
they run in seconds; the slow test starts a real ``transformers serve`` on the tiny model.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from dive.llm import server as server_module
from dive.llm.client import Endpoint, LLMClient
from dive.llm.server import ManagedServer, ServerError, ServerSpec, server_command

# Answers GET /health with 200, starts a child that would outlive it, ignores SIGTERM, records both pids.
STUB = """
import http.server, signal, subprocess, sys
signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
open(sys.argv[2], "w").write(f"{child.pid}\\n")
class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Health).serve_forever()
"""


def _alive(pid: int) -> bool:
    """Running (a zombie, killed and waiting for its parent to read its status, does not count)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _gone(pids: list[int], within_s: float = 10.0) -> bool:
    deadline = time.monotonic() + within_s
    while any(_alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _fake_command(monkeypatch: pytest.MonkeyPatch, *argv: str) -> None:
    """Serve ``python -c <argv...>`` instead of a model server; the port is appended as an argument."""
    monkeypatch.setattr(server_module, "check_installed", lambda kind: None)
    monkeypatch.setattr(server_module, "server_command", lambda spec, port: [*argv, str(port)])


def test_transformers_command_line() -> None:
    command = server_command(ServerSpec("transformers", "/models/tiny"), 8123)
    assert Path(command[0]).name == "transformers"
    assert command[1:] == [
        "serve",
        "/models/tiny",
        "--device",
        "cpu",
        "--host",
        "127.0.0.1",
        "--port",
        "8123",
        "--dtype",
        "float32",
    ]
    gpu = server_command(ServerSpec("transformers", "/m", device="cuda:0", extra_args=("--dtype", "bf16")), 1)
    assert gpu[-2:] == ["--dtype", "bf16"] and gpu.count("--dtype") == 1 and "cuda:0" in gpu


def test_vllm_command_line() -> None:
    command = server_command(ServerSpec("vllm", "/models/qwen", extra_args=("--max-model-len", "8192")), 9000)
    assert command == [
        sys.executable,
        "-m",
        "vllm.entrypoints.openai.api_server",
        "--model",
        "/models/qwen",
        "--served-model-name",
        "/models/qwen",
        "--host",
        "127.0.0.1",
        "--port",
        "9000",
        "--enable-auto-tool-choice",
        "--tool-call-parser",
        "hermes",
        "--max-model-len",
        "8192",
    ]


def test_unknown_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ServerError, match="'llamacpp' is not one of"):
        ManagedServer(ServerSpec("llamacpp", "/m"), tmp_path / "log").__enter__()


def test_missing_vllm_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(server_module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ServerError, match="GPU-only.*pip install"):
        ManagedServer(ServerSpec("vllm", "/m"), tmp_path / "log").__enter__()


def test_missing_serving_extras_fail_before_starting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import transformers.utils.import_utils as import_utils

    def no_process(*args: object, **kwargs: object) -> None:
        raise AssertionError("a process was started")

    monkeypatch.setattr(import_utils, "is_serve_available", lambda: False)
    monkeypatch.setattr(server_module.subprocess, "Popen", no_process)
    with pytest.raises(ServerError, match=r"pip install 'transformers\[serving\]'"):
        ManagedServer(ServerSpec("transformers", "/m"), tmp_path / "log").__enter__()


def test_base_url_needs_a_started_server(tmp_path: Path) -> None:
    with pytest.raises(ServerError, match="not been started"):
        _ = ManagedServer(ServerSpec("transformers", "/m"), tmp_path / "log").base_url


def test_server_that_exits_reports_its_log_and_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = "import sys; print('loading weights'); print('CUDA out of memory', file=sys.stderr); sys.exit(3)"
    _fake_command(monkeypatch, sys.executable, "-c", script)
    with pytest.raises(ServerError) as caught:
        ManagedServer(ServerSpec("transformers", "/m"), tmp_path / "server.log").__enter__()
    message = str(caught.value)
    assert (
        "exited with code 3" in message and "CUDA out of memory" in message and "loading weights" in message
    )
    assert script in message  # the command


def test_startup_timeout_kills_the_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    script = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(600)"
    _fake_command(monkeypatch, sys.executable, "-c", script)
    spec = ServerSpec("transformers", "/m", startup_timeout_s=1.0)
    with pytest.raises(ServerError, match="not healthy after 1 s"):
        ManagedServer(spec, tmp_path / "server.log").__enter__()
    assert _gone([int(pid_file.read_text())])


def test_stop_kills_the_whole_group_even_if_sigterm_is_ignored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(server_module, "STOP_GRACE_S", 0.5)
    pid_file = tmp_path / "child"
    stub = tmp_path / "stub.py"
    stub.write_text(STUB)
    monkeypatch.setattr(server_module, "check_installed", lambda kind: None)
    monkeypatch.setattr(
        server_module,
        "server_command",
        lambda spec, port: [sys.executable, str(stub), str(port), str(pid_file)],
    )
    with ManagedServer(ServerSpec("transformers", "/models/tiny"), tmp_path / "server.log") as server:
        assert server.base_url == f"http://127.0.0.1:{server.port}/v1" and server.model == "/models/tiny"
        assert httpx.get(f"http://127.0.0.1:{server.port}/health").status_code == 200
        leader = server.pid
        assert leader is not None
        child = int(pid_file.read_text())
        assert _alive(leader) and _alive(child)
    assert server.pid is None and _gone([leader, child])


def test_taken_port_is_refused(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(ServerError, match=f"port {port}"):
            ManagedServer(ServerSpec("transformers", "/m", port=port), tmp_path / "log").__enter__()


@pytest.mark.slow
def test_transformers_serve_answers_a_chat(
    tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transformers.utils.import_utils import is_serve_available

    if not is_serve_available():
        pytest.skip("transformers serve needs its serving extras: pip install 'transformers[serving]'")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    spec = ServerSpec("transformers", str(tiny_dir), startup_timeout_s=180.0)
    log_path = tmp_path / "server.log"

    async def ask(server: ManagedServer) -> tuple[str, int]:
        endpoint = Endpoint(server.base_url, server.model, max_tokens=8, timeout_s=120.0, max_retries=1)
        async with LLMClient(endpoint) as client:
            completion = await client.chat([{"role": "user", "content": "Name a country."}])
        return completion.finish_reason, completion.completion_tokens

    with ManagedServer(spec, log_path) as server:
        leader = server.pid
        assert leader is not None
        finish_reason, tokens = asyncio.run(ask(server))
    assert finish_reason in {"stop", "length"} and tokens > 0, log_path.read_text()[-2000:]
    assert _gone([leader])
    with pytest.raises(ProcessLookupError):  # nothing of its process group is left either
        server_module.os.killpg(leader, 0)


def test_a_killed_stage_leaves_no_server_behind(tmp_path: Path) -> None:
    """kill -9 of the process that started the server (no __exit__ runs) still ends the server."""
    stub = tmp_path / "stub.py"
    stub.write_text(STUB)
    pids = tmp_path / "pids"
    parent = f"""
import sys, time
import dive.llm.server as s
s.check_installed = lambda kind: None
s.server_command = lambda spec, port: [sys.executable, {str(stub)!r}, str(port), {str(tmp_path / "child")!r}]
spec = s.ServerSpec("transformers", "/models/tiny")
with s.ManagedServer(spec, s.Path({str(tmp_path / "log")!r})) as server:
    open({str(pids)!r}, "w").write(str(server.pid))
    time.sleep(600)
"""
    process = subprocess.Popen([sys.executable, "-c", parent])
    deadline = time.monotonic() + 60
    while not pids.exists() or not pids.read_text():
        assert process.poll() is None and time.monotonic() < deadline, "the parent did not start its server"
        time.sleep(0.05)
    leader = int(pids.read_text())
    assert _alive(leader)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert _gone([leader])
