"""The Python sandbox: ordinary code runs, and every escape attempt ends as an error result, fast."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dive.stages.validate import manifest_entry
from dive.tools import sandbox
from dive.tools.base import REGISTRY, ToolResult

TOOL = REGISTRY["general.python.execute"]
ROOT = os.geteuid() == 0


# Generous: a call must finish long before this even on a loaded machine; only the timeout tests set less.
def run(code: str, timeout_s: float = 30.0) -> dict[str, Any]:
    result: ToolResult = TOOL({"code": code, "timeout_s": timeout_s})
    assert result.ok, result.error  # the tool itself never fails on bad *code*, only on bad arguments
    return result.output


def assert_blocked(out: dict[str, Any]) -> None:
    assert out["exit_code"] != 0 and out["error"], out
    assert out["timed_out"] is False, out  # blocked at once, not by running into the limit


# --- ordinary code ----------------------------------------------------------------------------


def test_print_and_math() -> None:
    out = run("import math\nprint(6 * 7)\nprint(math.factorial(20))")
    assert out == {
        "stdout": "42\n2432902008176640000\n",
        "stderr": "",
        "exit_code": 0,
        "error": None,
        "timed_out": False,
        "truncated": False,
    }


def test_scratch_directory_is_writable_and_fresh() -> None:
    code = "import os\nopen('notes.txt', 'w').write('hi')\nprint(open('notes.txt').read(), os.listdir())"
    first = run(code)
    assert first["exit_code"] == 0 and first["stdout"].startswith("hi"), first
    second = run("import os\nprint(os.path.exists('notes.txt'))")
    assert second["stdout"] == "False\n"  # nothing survives between calls


def test_exception_is_reported_with_traceback() -> None:
    out = run("x = 1\n1 / 0")
    assert out["exit_code"] == 1 and out["error"] == "ZeroDivisionError: division by zero"
    assert '"<sandbox>", line 2' in out["stderr"]


def test_long_loop_is_cut_at_timeout() -> None:
    start = time.perf_counter()
    out = run("import time\nprint('start', flush=True)\nwhile True: time.sleep(0.01)", timeout_s=4.0)
    assert time.perf_counter() - start < 30  # cut by the timeout, not hung (no speed asserted)
    assert out["timed_out"] is True and out["stdout"] == "start\n" and "timed out" in out["error"]


def test_output_is_capped() -> None:
    out = run("print('x' * 100_000)")
    assert out["truncated"] is True and len(out["stdout"]) == sandbox.STREAM_CAP_BYTES, out


def test_bad_arguments_are_tool_errors() -> None:
    for args in ({"code": ""}, {"code": "print(1)", "timeout_s": 0}, {"code": 3}, {}):
        result = TOOL(args)
        assert not result.ok and result.error, args


def test_numpy_imports_when_installed() -> None:
    pytest.importorskip("numpy")
    out = run("import numpy as np\nprint(int(np.arange(10).sum()))", timeout_s=20)
    assert out["stdout"] == "45\n", out


# --- escape attempts: each must end as an error result -----------------------------------------


@pytest.fixture
def listening_port() -> Iterator[tuple[int, list[bool]]]:
    """A TCP server on 127.0.0.1 of the host; the list records whether anyone connected."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    connected: list[bool] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            connected.append(True)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], connected
    stop.set()
    thread.join()
    server.close()


def test_socket_connect_is_blocked(listening_port: tuple[int, list[bool]]) -> None:
    port, connected = listening_port
    out = run(f"import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=1)\nprint('in')")
    assert_blocked(out)
    assert "socket" in out["error"] and not connected


def test_read_etc_passwd_is_blocked() -> None:
    out = run("print(open('/etc/passwd').read())")
    assert_blocked(out)
    assert "root:" not in out["stdout"] and "blocked" in out["error"]


def test_listing_outside_is_blocked() -> None:
    assert_blocked(run("import os\nprint(os.listdir('/'))"))


def test_write_outside_scratch_is_blocked() -> None:
    marker = Path(f"/tmp/escape_marker_{uuid.uuid4().hex}")
    out = run(f"open({str(marker)!r}, 'w').write('escaped')")
    assert_blocked(out)
    assert not marker.exists()


def test_deleting_files_in_parents_cwd_is_blocked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    monkeypatch.chdir(tmp_path)
    for code in (
        f"import os\nos.remove({str(victim)!r})",
        f"import shutil\nshutil.rmtree({str(tmp_path)!r})",
        f"import os\nos.rename({str(victim)!r}, 'stolen')",
    ):
        assert_blocked(run(code))
    assert victim.read_text() == "precious"


def test_fork_bomb_is_blocked() -> None:
    out = run("import os\nwhile True:\n    os.fork()")
    assert_blocked(out)
    assert "os.fork" in out["error"]


def test_subprocess_is_blocked() -> None:
    out = run("import subprocess\nprint(subprocess.run(['ls'], capture_output=True).stdout)")
    assert_blocked(out)
    raw = run("import _posixsubprocess\n_posixsubprocess.fork_exec()")  # the unaudited primitive
    assert_blocked(raw)
    assert_blocked(run("import os\nos.system('ls')"))


def test_huge_allocation_fails() -> None:
    out = run("x = bytearray(10 * 1024**3)\nprint(len(x))")
    assert_blocked(out)
    assert "MemoryError" in out["error"]


def test_infinite_loop_times_out() -> None:
    start = time.perf_counter()
    out = run("while True:\n    pass", timeout_s=1.0)
    assert out["timed_out"] is True and out["exit_code"] != 0
    assert time.perf_counter() - start < 30  # cut by the timeout, not hung (no speed asserted)


def test_ctypes_is_blocked() -> None:
    out = run("import ctypes\nlibc = ctypes.CDLL('libc.so.6')\nlibc.system(b'touch /tmp/ctypes_escape')")
    assert_blocked(out)
    assert "ctypes" in out["error"]
    out = run("import ctypes\nprint(ctypes.CDLL(None).getpid())")  # the main program's symbols too
    assert_blocked(out)


def test_tracing_and_gc_introspection_are_blocked() -> None:
    assert_blocked(run("import sys\nsys.settrace(lambda *a: None)"))
    assert_blocked(run("import gc\ngc.get_objects()"))


# --- the OS layer holds even when the audit hook is switched off --------------------------------


@pytest.fixture
def no_audit_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulate a bypassed hook: the bootstrap still builds it but never installs it."""
    install = "    sys.addaudithook(hook)\n"
    assert install in sandbox._BOOTSTRAP
    monkeypatch.setattr(sandbox, "_BOOTSTRAP", sandbox._BOOTSTRAP.replace(install, ""))


def test_isolation_is_available_here() -> None:
    ok, why = sandbox.isolation_available()
    assert ok, why  # install.sh installs bubblewrap; without it every test below fails with this reason


@pytest.mark.usefixtures("no_audit_hook")
def test_hook_is_really_off() -> None:
    """The fixture works: what the hook would block now runs (inside the sandbox)."""
    out = run("import os, subprocess\nprint(sorted(os.listdir('/')))\nos.system('true')")
    assert out["exit_code"] == 0 and "'usr'" in out["stdout"], out


@pytest.mark.usefixtures("no_audit_hook")
def test_network_without_hook(listening_port: tuple[int, list[bool]]) -> None:
    port, connected = listening_port
    abstract = socket.socket(socket.AF_UNIX)
    name = f"\0dive-test-{uuid.uuid4().hex}"
    abstract.bind(name)
    abstract.listen()
    try:
        out = run(f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=1)")
        assert out["exit_code"] != 0 and "Error" in out["error"], out  # refused: its own lo only
        out = run(f"import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect({name!r})")
        assert out["exit_code"] != 0 and "ConnectionRefusedError" in out["error"], out  # per-netns names
        out = run("print(sorted(l.split(':')[0].strip() for l in open('/proc/net/dev').readlines()[2:]))")
        assert out["stdout"] == "['lo']\n", out
    finally:
        abstract.close()
    assert not connected


@pytest.mark.usefixtures("no_audit_hook")
def test_host_files_without_hook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = Path(f"/tmp/escape_marker_{uuid.uuid4().hex}")
    out = run(f"open({str(marker)!r}, 'w').write('x')\nprint('wrote')")
    assert out["exit_code"] == 0 and out["stdout"] == "wrote\n", out  # into the sandbox's own /tmp
    assert not marker.exists()  # not the host's
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    secret.chmod(0o600)
    monkeypatch.chdir(tmp_path)
    for code in (
        f"print(open({str(secret)!r}).read())",
        "print(open('/etc/hostname').read())",  # world-readable on the host, but not bound in
        f"print(open({str(Path.home() / '.bashrc')!r}).read())",
        f"open({str(tmp_path / 'planted.txt')!r}, 'w').write('x')",
        "open('/etc/hostname', 'a').write('x')",
        f"open({os.path.join(sandbox._prefixes()[0], 'planted.txt')!r}, 'w').write('x')",  # read-only bind
        "open('/usr/planted.txt', 'w').write('x')",
        "open('/planted.txt', 'w').write('x')",
    ):
        out = run(code)
        assert out["exit_code"] != 0 and out["error"], (code, out)
        assert "TOP-SECRET" not in out["stdout"] + out["stderr"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.txt"]
    assert not Path(sandbox._prefixes()[0], "planted.txt").exists()
    out = run("import os\nprint(sorted(os.listdir('/')), sorted(os.listdir('/tmp')))")
    # a private /tmp: the work dir, plus the read-only bind of an interpreter that lives under /tmp (a venv)
    bound = {
        Path(p).relative_to("/tmp").parts[0] for p in sandbox._prefixes() if Path(p).is_relative_to("/tmp")
    }
    assert out["stdout"].split("] [")[1] == repr(sorted({"work", *bound}))[1:] + "\n", out


@pytest.mark.usefixtures("no_audit_hook")
def test_processes_proc_and_environment_without_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIVE_TEST_SECRET", "hunter2-" + uuid.uuid4().hex)
    secret = os.environ["DIVE_TEST_SECRET"]
    code = (
        "import os\n"
        "print(os.getpid(), sorted(p for p in os.listdir('/proc') if p.isdigit()))\n"
        "print('SECRET' in ''.join(os.environ))\n"
        "blobs = []\n"
        "for p in os.listdir('/proc'):\n"
        "    try:\n"
        "        blobs.append(open('/proc/%s/environ' % p, 'rb').read())\n"
        "    except OSError:\n"
        "        pass\n"
        f"print(any({secret.encode()!r} in b for b in blobs))\n"
        f"print(os.path.exists('/proc/{os.getpid()}'), os.path.exists('/proc/{os.getppid()}'))\n"
    )
    out = run(code)
    assert out["exit_code"] == 0, out
    assert out["stdout"].splitlines() == ["1 ['1']", "False", "False", "False False"], out
    assert secret not in out["stdout"] + out["stderr"]


@pytest.mark.usefixtures("no_audit_hook")
def test_fork_bomb_without_hook_hits_nproc_and_is_swept() -> None:
    code = (
        "import os, time\nn = 0\ntry:\n    for _ in range(200):\n        if os.fork() == 0:\n"
        "            time.sleep(60)\n            os._exit(0)\n        n += 1\nexcept OSError as e:\n"
        "    print('stopped', n, e.errno)\n"
    )
    out = run(code, timeout_s=30)
    assert out["stdout"].startswith("stopped"), out
    assert int(out["stdout"].split()[1]) < sandbox.MAX_PROCESSES
    assert not _sandbox_processes(), "sandbox processes outlived the call"


@pytest.mark.usefixtures("no_audit_hook")
def test_timeout_kills_the_whole_sandbox_without_hook() -> None:
    code = (
        "import os, time\nfor _ in range(4):\n    if os.fork() == 0:\n        break\nwhile True:\n    pass\n"
    )
    start = time.perf_counter()
    out = run(code, timeout_s=1.0)
    assert out["timed_out"] is True and time.perf_counter() - start < 30, out  # cut, not hung
    assert not _sandbox_processes(), "sandbox processes outlived the call"


@pytest.mark.usefixtures("no_audit_hook")
def test_memory_limit_without_hook() -> None:
    out = run("x = bytearray(2 * 1024**3)\nprint(len(x))")
    assert out["exit_code"] != 0 and "MemoryError" in out["error"], out
    out = run("import resource\nresource.setrlimit(resource.RLIMIT_AS, (-1, -1))")
    assert out["exit_code"] != 0 and "ValueError" in out["error"], out  # the hard limit cannot be raised


def _sandbox_processes() -> list[str]:
    """Host pids running as a sandbox uid (root runs each call under its own uid >= _UID_BASE)."""
    if not ROOT:
        return []
    return [p for p in os.listdir("/proc") if p.isdigit() and _uid(p) >= sandbox._UID_BASE]


def _uid(pid: str) -> int:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except FileNotFoundError:
        return -1


# --- no strong isolation: the tool is dropped, never run weaker ---------------------------------


@pytest.fixture
def spawn_spy(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Records every process the sandbox module starts."""
    started: list[object] = []
    real = subprocess.Popen

    def popen(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        started.append(args[0] if args else kwargs.get("args"))
        return real(*args, **kwargs)

    monkeypatch.setattr(sandbox.subprocess, "Popen", popen)
    return started


def test_machine_without_bwrap_drops_the_tool(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, spawn_spy: list[object]
) -> None:
    monkeypatch.setattr(sandbox, "BWRAP", "/nonexistent/bwrap")
    with caplog.at_level(logging.WARNING):
        entry = manifest_entry(TOOL)
    assert entry["passed"] is False
    assert entry["reason"].startswith("sandbox: strong isolation unavailable: ")
    assert "/nonexistent/bwrap" in entry["reason"] and "bubblewrap" in entry["reason"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("general.python.execute" in m and "isolation unavailable" in m for m in warnings), warnings
    result = TOOL({"code": "print('ran')"})
    assert not result.ok and result.error == entry["reason"]
    assert spawn_spy == []  # no process started at all: nothing ran, not even in a weaker mode


def test_sandbox_that_does_not_isolate_is_refused(
    monkeypatch: pytest.MonkeyPatch, spawn_spy: list[object]
) -> None:
    """A 'bwrap' (and 'setpriv') that ignores its options and just runs the command: the probe looks
    from the inside, sees the host, and the tool refuses to run code."""
    fake_dir = Path(tempfile.mkdtemp(prefix="dive-fake-bwrap-"))
    try:
        fake_dir.chmod(0o755)
        for name in ("bwrap", "setpriv"):
            fake = fake_dir / name
            fake.write_text('#!/bin/sh\nwhile [ "$1" != "--" ]; do shift; done\nshift\nexec "$@"\n')
            fake.chmod(0o755)
        monkeypatch.setattr(sandbox, "BWRAP", str(fake_dir / "bwrap"))
        monkeypatch.setattr(sandbox, "SETPRIV", str(fake_dir / "setpriv"))
        ok, why = sandbox.isolation_available()
        assert not ok and "the host's /tmp is visible" in why and "other processes are visible" in why, why
        probes = len(spawn_spy)
        assert probes == 1
        result = TOOL({"code": "open('/tmp/should_not_exist', 'w')"})
        assert not result.ok and "strong isolation unavailable" in (result.error or "")
        assert len(spawn_spy) == probes  # the probe ran once (cached); the code never did
        assert manifest_entry(TOOL)["passed"] is False
    finally:
        shutil.rmtree(fake_dir)
