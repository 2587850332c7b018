"""Model servers a stage starts, health-checks and stops itself.

``transformers serve`` is the CPU default (any HF directory, no extra install beyond
``transformers[serving]``); ``vllm serve`` is the GPU one. Either way the stage talks to it through
:class:`dive.llm.client.LLMClient` like any provider, at :attr:`ManagedServer.base_url` naming
:attr:`ManagedServer.model`.

The server runs in its own session (process group), so stopping it also stops whatever it spawned
(vLLM's engine processes, tokenizer workers): no process outlives the ``with`` block.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx

KINDS = ("transformers", "vllm")
STOP_GRACE_S = 15.0  # SIGTERM, then this long before SIGKILL
POLL_S = 0.5  # between health checks
LOG_TAIL_LINES = 30


@dataclasses.dataclass(frozen=True)
class ServerSpec:
    kind: str  # "transformers" (CPU default: `transformers serve`) | "vllm" (`vllm serve`, GPU)
    model_path: str  # a local HF model directory
    device: str = "cpu"  # transformers' --device; vLLM picks its GPUs itself
    port: int | None = None  # None: a free port
    startup_timeout_s: float = 600.0
    extra_args: tuple[str, ...] = ()


class ServerError(RuntimeError):
    """The server could not be started (missing package, crash, no health within the timeout)."""


def _transformers_executable() -> str:
    # The CLI of the interpreter running dive, not whichever `transformers` comes first on PATH.
    beside = Path(sys.executable).parent / "transformers"
    if beside.exists():
        return str(beside)
    found = shutil.which("transformers")
    if found is None:
        raise ServerError(f"no `transformers` executable next to {sys.executable} or on PATH")
    return found


def server_command(spec: ServerSpec, port: int) -> list[str]:
    """The command line that serves ``spec`` on 127.0.0.1:``port``."""
    if spec.kind == "transformers":
        # float32 on CPU: half-precision matmuls there are slow or unsupported; a GPU takes the weights' own.
        dtype = (
            [] if "--dtype" in spec.extra_args else ["--dtype", "float32" if spec.device == "cpu" else "auto"]
        )
        return [
            _transformers_executable(),
            "serve",
            spec.model_path,
            "--device",
            spec.device,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *dtype,
            *spec.extra_args,
        ]
    if spec.kind == "vllm":
        return [
            sys.executable,
            "-m",
            "vllm.entrypoints.openai.api_server",
            "--model",
            spec.model_path,
            "--served-model-name",
            spec.model_path,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--enable-auto-tool-choice",
            "--tool-call-parser",
            "hermes",  # dive/chat.py's <tool_call> format
            *spec.extra_args,
        ]
    raise ServerError(f"server kind {spec.kind!r} is not one of {list(KINDS)}")


def check_installed(kind: str) -> None:
    """Raise ServerError saying what to install when ``kind`` cannot be served from this environment."""
    if kind == "transformers":
        from transformers.utils.import_utils import is_serve_available

        if not is_serve_available():
            raise ServerError(
                "`transformers serve` needs its serving extras (fastapi, uvicorn, pydantic, openai): "
                "pip install 'transformers[serving]'"
            )
    elif kind == "vllm":
        if importlib.util.find_spec("vllm") is None:
            raise ServerError(
                "vllm is not installed; it is GPU-only (a CUDA wheel pinned to its own torch): on a GPU "
                "machine run `pip install 'dive[gpu]'`, or serve with kind=transformers on CPU"
            )
    else:
        raise ServerError(f"server kind {kind!r} is not one of {list(KINDS)}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_taken(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


class ManagedServer:
    """``with ManagedServer(spec, log_path) as server:`` a healthy server at ``server.base_url``."""

    def __init__(self, spec: ServerSpec, log_path: Path) -> None:
        self.spec = spec
        self.log_path = Path(log_path)
        self.port: int | None = None
        self.command: list[str] = []
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise ServerError("the server has not been started (use it as a context manager)")
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def pid(self) -> int | None:
        """The server's process id, which is also its process group's id; None when not running."""
        return self._process.pid if self._process is not None else None

    @property
    def model(self) -> str:
        """The model id requests must name: the path, for both kinds (vLLM is told to serve it so)."""
        return self.spec.model_path

    def __enter__(self) -> ManagedServer:
        check_installed(self.spec.kind)
        port = self.spec.port if self.spec.port is not None else free_port()
        if self.spec.port is not None and _port_taken(port):
            # Another process answering /health there would pass for ours.
            raise ServerError(f"port {port} on 127.0.0.1 is already in use")
        self.command = server_command(self.spec, port)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            self.command,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() signals everything it spawned
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        self.port = port
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _wait_healthy(self) -> None:
        assert self._process is not None
        url = f"http://127.0.0.1:{self.port}/health"
        deadline = time.monotonic() + self.spec.startup_timeout_s
        while True:
            code = self._process.poll()
            if code is not None:
                raise ServerError(self._failure(f"exited with code {code} before it was healthy"))
            try:
                if httpx.get(url, timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass  # not listening yet
            if time.monotonic() > deadline:
                raise ServerError(self._failure(f"not healthy after {self.spec.startup_timeout_s:.0f} s"))
            time.sleep(POLL_S)

    def _failure(self, what: str) -> str:
        if self._log is not None:
            self._log.flush()
        try:
            tail = self.log_path.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
        except OSError:
            tail = []
        return (
            f"{self.spec.kind} server for {self.spec.model_path} {what}\ncommand: {' '.join(self.command)}\n"
            f"last lines of {self.log_path}:\n" + "\n".join(tail)
        )

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it after STOP_GRACE_S; safe to call twice."""
        process, self._process = self._process, None
        if process is not None:
            pgid = process.pid  # start_new_session: the server leads its own group
            _signal_group(pgid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(STOP_GRACE_S)
            # Also when the leader exited on SIGTERM: children it left in the group must not survive it.
            _signal_group(pgid, signal.SIGKILL)
            process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group is gone already
        os.killpg(pgid, sig)


def _die_with_parent() -> None:
    """In the server's process, before exec: the kernel kills it when the process that started it dies,
    even by SIGKILL or a job's time limit, so a killed stage never leaves a server holding the cores.
    (Linux ties this to the starting *thread*: stages start servers from their main thread.)"""
    PR_SET_PDEATHSIG = 1  # noqa: N806 (the kernel's name)
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
