"""The Python sandbox: ordinary code runs, and every escape attempt ends as an error result, fast."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dive.tools import sandbox
from dive.tools.base import REGISTRY, ToolResult

TOOL = REGISTRY["general.python.execute"]
ROOT = os.geteuid() == 0


def run(code: str, timeout_s: float = 5.0) -> dict[str, Any]:
    result: ToolResult = TOOL({"code": code, "timeout_s": timeout_s})
    assert result.ok, result.error  # the tool itself never fails on bad *code*, only on bad arguments
    return result.output


def assert_blocked(out: dict[str, Any]) -> None:
    assert out["exit_code"] != 0 and out["error"], out
    assert out["timed_out"] is False, out  # blocked at once, not by running into the limit


# --- ordinary code ----------------------------------------------------------------------------


def test_print_and_math() -> None:
    out = run("import math\nprint(6 * 7)\nprint(math.factorial(20))")
    assert out == {"stdout": "42\n2432902008176640000\n", "stderr": "", "exit_code": 0, "error": None,
                   "timed_out": False, "truncated": False}


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
    out = run("import time\nprint('start', flush=True)\nwhile True: time.sleep(0.01)", timeout_s=1.0)
    assert time.perf_counter() - start < 4
    assert out["timed_out"] is True and out["stdout"] == "start\n" and "timed out" in out["error"]


def test_output_is_capped() -> None:
    out = run("print('x' * 100_000)")
    assert out["truncated"] is True and len(out["stdout"]) == sandbox.STREAM_CAP_BYTES


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
    for code in (f"import os\nos.remove({str(victim)!r})", f"import shutil\nshutil.rmtree({str(tmp_path)!r})",
                 f"import os\nos.rename({str(victim)!r}, 'stolen')"):
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
    assert time.perf_counter() - start < 4


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


@pytest.mark.skipif(not ROOT, reason="namespaces and a uid drop need root")
@pytest.mark.usefixtures("no_audit_hook")
def test_network_namespace_without_hook(listening_port: tuple[int, list[bool]]) -> None:
    port, connected = listening_port
    out = run(f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=1)")
    assert out["exit_code"] != 0 and "OSError" in out["error"], out  # network unreachable
    assert not connected


@pytest.mark.skipif(not ROOT, reason="namespaces and a uid drop need root")
@pytest.mark.usefixtures("no_audit_hook")
def test_host_files_without_hook(tmp_path: Path) -> None:
    marker = Path(f"/tmp/escape_marker_{uuid.uuid4().hex}")
    out = run(f"open({str(marker)!r}, 'w').write('x')\nprint('wrote')")
    assert not marker.exists()  # it went to the child's private /tmp, gone with its namespace
    assert_blocked(run("open('/etc/hostname', 'a').write('x')"))  # root-owned: the sandbox uid may not
    assert out["exit_code"] == 0


@pytest.mark.skipif(not ROOT, reason="RLIMIT_NPROC only binds a non-root uid")
@pytest.mark.usefixtures("no_audit_hook")
def test_fork_bomb_without_hook_hits_nproc_and_is_swept() -> None:
    code = (
        "import os, time\nn = 0\ntry:\n    for _ in range(200):\n        if os.fork() == 0:\n"
        "            time.sleep(60)\n            os._exit(0)\n        n += 1\nexcept OSError as e:\n"
        "    print('stopped', n, e.errno)\n"
    )
    out = run(code, timeout_s=5)
    assert out["stdout"].startswith("stopped"), out
    assert int(out["stdout"].split()[1]) < sandbox.MAX_PROCESSES
    leftovers = [p for p in os.listdir("/proc") if p.isdigit() and _uid(p) >= sandbox._UID_BASE]
    assert not leftovers, "sandbox processes outlived the call"


def _uid(pid: str) -> int:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except FileNotFoundError:
        return -1
