"""``general.python.execute``: run untrusted Python in a throw-away, locked-down child process.

Threat model
------------
The code comes from a language model, so it may be buggy (infinite loops, huge allocations,
runaway output) or, by prompt injection, hostile. The sandbox must keep the *host* safe (its
files, its network, its other processes, its secrets) and always return a result: a blocked
action is an error *in the result*, never an exception in the caller and never a hang.

The boundary is bubblewrap (``bwrap``, Debian package ``bubblewrap``), and it fails closed.
We used to hand-code the namespace setup (ctypes ``unshare``/``mount`` in ``preexec_fn``) and
fell back, silently, to a weaker mode where only the audit hook guarded the file system. bwrap
does that mount/pid/net/ipc/uts/cgroup/user namespace setup for us; it is small, audited and
well kept (it is the sandbox of Flatpak and of GNOME's thumbnailers), needs no setuid bit on a
kernel with unprivileged user namespaces, and keeps no state. There is no fallback any more:
:func:`isolation_available` starts one real sandbox and checks from the inside that it is
isolated; if it is not (no ``bwrap``, user namespaces disabled, ...), :func:`execute` refuses
to run anything and the validate gate drops the tool with the reason (see ``dive.tools.gate``).

Defence in depth, three layers; the first is the boundary and holds without the other two:

1. OS isolation. Every call runs ``bwrap --unshare-all --unshare-user --disable-userns`` with
   ``--die-with-parent --new-session --clearenv --as-pid-1``: the child is pid 1 of its own pid
   namespace (the parent's and the host's ``/proc`` are invisible; when it exits, the kernel kills
   every process it left behind, and bwrap reaps it), has its own network namespace (only its own
   ``lo``: 127.0.0.1 of the host is unreachable, and so are abstract unix sockets), and sees a
   root file system that bwrap builds from nothing: read-only binds of ``/usr`` (and the ``/lib*``
   links), ``/etc/ld.so.cache`` and the interpreter's prefix(es), a private ``/proc``, a minimal
   ``/dev`` and two small fresh tmpfs, ``/tmp`` (64 MiB; the working directory is ``/tmp/work``)
   and ``/dev/shm`` (16 MiB); the rest of ``/`` is read-only. No other host path exists in there:
   no ``/root``, ``/home``, ``/etc/passwd``, no sockets in ``/run``. The environment is a fixed
   minimal set (the parent's secrets are not passed, not even to bwrap itself), only stdin, stdout
   and stderr are inherited, all capabilities are dropped, ``no_new_privs`` is set and the child
   cannot create further user namespaces. Under root we first drop to a uid used by no one else
   (``setpriv``, one uid per call, no capabilities, empty bounding set), so the sandbox's kernel
   uid is unprivileged and owns nothing on the host; bwrap then runs exactly as it would for an
   ordinary user. Only when the interpreter lives below a directory that uid cannot enter
   (``/root/.pyenv``, mode 700) does a second, outer bwrap (still root, mount namespace only,
   keeping just the capabilities setpriv needs) bind the prefix read-only behind a
   world-traversable tmpfs, so that the inner one can reach it.
2. Resource limits, set by the bootstrap before the user code runs (so before it could do
   anything): CPU seconds, 1 GiB address space, 16 processes/threads (counted per user
   namespace: a fork bomb stops at 16), 16 MiB per file, 64 open files, no core dumps. A
   wall-clock timeout SIGKILLs the sandbox's pid 1, which takes the whole pid namespace down.
3. An audit hook (``sys.addaudithook``) installed by a bootstrap before the user code runs.
   It blocks sockets, subprocesses (``os.system``, ``os.exec*``, ``os.fork``,
   ``os.posix_spawn``, ``subprocess.Popen`` and the unaudited ``_posixsubprocess.fork_exec``),
   ``ctypes`` (loading a library or calling a foreign function), links, tracing, ``gc``
   introspection and ``setrlimit``; opening a file for writing (or deleting, renaming,
   chmod-ing) anywhere but the working directory; reading or listing anything outside the
   working directory, the interpreter's prefix (stdlib, site-packages) and a few device files.
   It turns most escape attempts into a clear error message. The standard library and
   installed packages (numpy, scipy, sympy, ...) stay importable: ``-I -S`` drops user site,
   environment variables and ``.pth`` processing, and the bootstrap puts the interpreter's
   site-packages directories back on ``sys.path`` explicitly.

What it does *not* stop: the audit hook alone is not a security boundary (CPython says so), so
the tests check layer 1 with the hook switched off. The child can read what is bound in
(``/usr``, the interpreter prefix), stat paths there, and use CPU, 1 GiB of memory and 80 MiB of
tmpfs until its limits stop it. A kernel bug reachable from an unprivileged user namespace is
out of scope (there is no seccomp filter), and so are CPU-time side channels and Spectre-class
attacks.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import math
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from typing import IO, Any

from dive.tools.base import ToolError, tool
from dive.tools.gate import register_probe
from dive.tools.sandbox_hook import BOOTSTRAP as _BOOTSTRAP
from dive.tools.sandbox_hook import DENY_EVENTS, DENY_IMPORTS, DENY_PREFIXES, DEVICE_FILES, PATH_EVENTS

log = logging.getLogger(__name__)

STREAM_CAP_BYTES = 8_192  # per stream; a tool message must stay small (see gate.OUTPUT_CAP_BYTES)
MAX_CODE_CHARS = 100_000
MAX_TIMEOUT_S = 60.0
MEMORY_BYTES = 1 << 30
FILE_BYTES = 16 << 20
TMP_BYTES = 64 << 20  # the private /tmp (a tmpfs): bounded memory use, freed with the namespace
SHM_BYTES = 16 << 20  # the private /dev/shm
MAX_PROCESSES = 16  # per sandbox, threads included
MAX_OPEN_FILES = 64

# The isolation tool. Names are looked up on PATH; a test points BWRAP at a missing binary to
# simulate a machine without it.
BWRAP = "bwrap"
SETPRIV = "setpriv"
WORK_DIR = "/tmp/work"  # the child's working directory, inside its private /tmp
_SANDBOX_ID = "1000"  # uid and gid *inside* the user namespace; no host user maps to it
_GRACE_S = 5.0  # after SIGKILL, how long the sandbox may take to be gone

# One uid per call under root, disjoint across processes (pid) and calls (counter), far above real
# users and below 2**31 (bwrap rejects larger uids in its uid map).
_UID_BASE = 1_000_000_000
_uid_counter = itertools.count()

# The child's environment: all of it (bwrap --clearenv, then these).
_CHILD_ENV = {
    "PATH": "/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "HOME": WORK_DIR,
    "TMPDIR": WORK_DIR,
    "PYTHONHASHSEED": "0",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
_UNAVAILABLE = "sandbox: strong isolation unavailable: "


def _prefixes() -> list[str]:
    """The interpreter trees the child must read: base install (stdlib) and, in a venv, the venv."""
    return sorted({os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)})


def _site_dirs() -> list[str]:
    paths = sysconfig.get_paths()
    return list(dict.fromkeys(os.path.realpath(paths[k]) for k in ("purelib", "platlib")))


def _limits(timeout_s: float) -> list[tuple[int, int, int]]:
    cpu = math.ceil(timeout_s) + 1  # SIGXCPU at soft, SIGKILL at hard: a backstop for the wall clock
    return [
        (resource.RLIMIT_CPU, cpu, cpu + 1),
        (resource.RLIMIT_AS, MEMORY_BYTES, MEMORY_BYTES),
        (resource.RLIMIT_FSIZE, FILE_BYTES, FILE_BYTES),
        (resource.RLIMIT_NOFILE, MAX_OPEN_FILES, MAX_OPEN_FILES),
        (resource.RLIMIT_CORE, 0, 0),
        (resource.RLIMIT_NPROC, MAX_PROCESSES, MAX_PROCESSES),  # per (user namespace, uid)
    ]


def _child_config(timeout_s: float) -> str:
    return repr(
        {
            "tmp": WORK_DIR,
            "read": _prefixes() + list(DEVICE_FILES),
            "site": _site_dirs(),
            "limits": _limits(timeout_s),
            "deny": DENY_EVENTS,
            "deny_prefixes": DENY_PREFIXES,
            "deny_imports": DENY_IMPORTS,
            "path_events": PATH_EVENTS,
        }
    )


def _binaries() -> tuple[str | None, str | None]:
    return shutil.which(BWRAP), shutil.which(SETPRIV)


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _sandbox_argv(bwrap: str, info_fd: int) -> list[str]:
    """The bwrap command line that builds the sandbox (the same for root and for other users)."""
    argv = [bwrap, "--unshare-all", "--unshare-user", "--disable-userns", "--uid", _SANDBOX_ID,
            "--gid", _SANDBOX_ID, "--hostname", "sandbox", "--die-with-parent", "--new-session",
            "--as-pid-1", "--clearenv"]  # fmt: skip
    for name, value in _CHILD_ENV.items():
        argv += ["--setenv", name, value]
    # Order matters: bwrap applies these in turn, so the private /tmp comes before the binds (an
    # interpreter in a venv under the host's /tmp must not be hidden by it).
    argv += ["--proc", "/proc", "--dev", "/dev",
             "--size", str(SHM_BYTES), "--perms", "1777", "--tmpfs", "/dev/shm",
             "--size", str(TMP_BYTES), "--perms", "1777", "--tmpfs", "/tmp", "--dir", WORK_DIR,
             "--ro-bind", "/usr", "/usr"]  # fmt: skip
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):  # merged /usr: /lib -> usr/lib
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
    argv += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    for prefix in _prefixes():
        if not _under(prefix, "/usr"):
            argv += ["--ro-bind", prefix, prefix]
    argv += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", WORK_DIR, "--info-fd", str(info_fd),
             "--", os.path.realpath(sys.executable)]  # fmt: skip
    return argv


def _reveal_prefixes() -> list[str]:
    """Outer-bwrap arguments that make each interpreter prefix reachable by an unprivileged uid:
    a world-traversable tmpfs over the first ancestor it cannot enter, the directories down to the
    prefix, and the prefix itself, read-only. Empty when every prefix is reachable already."""
    blocked: dict[str, str] = {}
    for prefix in _prefixes():
        parts = prefix.strip("/").split("/")
        ancestors = ["/" + "/".join(parts[:i]) for i in range(1, len(parts))]
        for directory in ancestors:
            if not os.stat(directory).st_mode & 0o001:
                blocked[prefix] = directory
                break
    hidden = sorted(
        {d for d in blocked.values() if not any(_under(d, o) and d != o for o in blocked.values())}
    )
    args: list[str] = []
    for directory in hidden:
        args += ["--perms", "0755", "--tmpfs", directory]
    made: set[str] = set()
    for prefix in blocked:
        top = next(h for h in hidden if _under(prefix, h))
        parts = prefix[len(top) :].strip("/").split("/")
        for i in range(1, len(parts)):
            directory = os.path.join(top, *parts[:i])
            if directory not in made:
                made.add(directory)
                args += ["--perms", "0755", "--dir", directory]
        args += ["--ro-bind", prefix, prefix]
    return args


def _command(info_fd: int, uid: int) -> list[str]:
    bwrap, setpriv = _binaries()
    if bwrap is None or (os.geteuid() == 0 and setpriv is None):
        raise ToolError(_UNAVAILABLE + "bwrap or setpriv is missing")
    sandbox = _sandbox_argv(bwrap, info_fd)
    if os.geteuid() != 0:
        return sandbox
    drop = [setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs",
            "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--"]  # fmt: skip
    reveal = _reveal_prefixes()
    if not reveal:
        return drop + sandbox
    outer = [bwrap, "--bind", "/", "/", "--die-with-parent",
             "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]  # fmt: skip
    return outer + reveal + ["--"] + drop + sandbox


def _kill_sandbox(info_fd: int) -> None:
    """SIGKILL the sandbox's pid 1 (bwrap reports its host pid on ``info_fd``): the kernel then
    kills every process in the pid namespace before pid 1 is reaped and bwrap exits."""
    if not select.select([info_fd], [], [], 1.0)[0]:
        return
    try:
        info = json.loads(os.read(info_fd, 65_536))
        pid, namespace = int(info["child-pid"]), int(info["pid-namespace"])
        pidfd = os.pidfd_open(pid)  # pins the process: no pid-reuse race from here on
    except (OSError, ValueError, KeyError, TypeError):
        return
    try:
        if os.stat(f"/proc/{pid}/ns/pid").st_ino == namespace:
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)
    except OSError:
        pass
    finally:
        os.close(pidfd)


def _wait_until_gone(uid: int, limit_s: float = _GRACE_S) -> None:
    """Return once no process of ``uid`` is left (a backstop after a kill; normally none is)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        alive = False
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                with contextlib.suppress(OSError):
                    if os.stat(f"/proc/{pid}").st_uid == uid:
                        alive = True
                        break
        if not alive:
            return
        time.sleep(0.01)


def _spawn(
    python_args: list[str], stdin: IO[bytes], stdout: IO[bytes], stderr: IO[bytes], timeout_s: float
) -> tuple[int, bool]:
    """Run the interpreter with ``python_args`` in a fresh sandbox; (exit status, timed out)."""
    uid = _UID_BASE + (os.getpid() % 1_000_000) * 1_000 + next(_uid_counter) % 1_000
    info_r, info_w = os.pipe()
    try:
        # env={}: bwrap and setpriv get no secrets either (the child's env is rebuilt by --clearenv).
        proc = subprocess.Popen(
            _command(info_w, uid) + python_args,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            cwd="/",
            env={},
            pass_fds=(info_w,),
            start_new_session=True,
            close_fds=True,
        )
    except BaseException:
        os.close(info_r)
        raise
    finally:
        os.close(info_w)
    timed_out = False
    try:
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_sandbox(info_r)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=_GRACE_S)
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # bwrap itself, if the sandbox did not go down
        proc.wait()
        os.close(info_r)
    if timed_out and os.geteuid() == 0:
        _wait_until_gone(uid)
    status = proc.returncode
    if 128 < status < 128 + signal.NSIG:  # bwrap reports a child killed by signal N as 128 + N
        status = 128 - status
    return status, timed_out


# --- the probe: is strong isolation really there? -----------------------------------------------

# Runs inside a real sandbox, without the bootstrap, and reports what is *not* isolated.
_PROBE = r"""
import ctypes, os, sys
bad = []
def check(ok, what):
    if not ok:
        bad.append(what)
check(not os.path.exists(sys.argv[1]), "the host's /tmp is visible")
for path in ("/", "/usr", "/dev", sys.prefix):
    try:
        open(os.path.join(path, ".dive-probe"), "x").close()
        bad.append(path + " is writable")
    except OSError:
        pass
try:
    open("probe", "w").write("x")
except OSError as e:
    bad.append("the working directory is not writable (%s)" % e)
lines = open("/proc/net/dev").read().splitlines()[2:]
ifaces = sorted(line.split(":")[0].strip() for line in lines)
check(ifaces == ["lo"], "network interfaces %s are visible" % ifaces)
pids = [p for p in os.listdir("/proc") if p.isdigit()]
check(os.getpid() == 1 and pids == ["1"], "other processes are visible (%d)" % len(pids))
status = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines() if ":" in l)
caps = [k for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb") if int(status[k], 16)]
check(not caps, "capabilities are left (%s)" % caps)
check(status["NoNewPrivs"].strip() == "1", "no_new_privs is not set")
check(os.stat("/usr").st_uid not in (0, os.getuid()), "the host's root is mapped into the sandbox")
check(ctypes.CDLL(None, use_errno=True).unshare(0x10000000) != 0, "it can create user namespaces")
check(set(os.environ) <= set(sys.argv[2].split(",")) | {"PWD", "LC_CTYPE"},
      "the environment leaks (%s)" % sorted(os.environ))
leaked = []
for fd in range(3, 1024):
    try:
        os.fstat(fd)
        leaked.append(fd)
    except OSError:
        pass
check(not leaked, "descriptors %s are inherited" % leaked)
print("ok" if not bad else "; ".join(bad))
"""

_probe_results: dict[tuple[Any, ...], tuple[bool, str]] = {}
_probe_lock = threading.Lock()


def isolation_available() -> tuple[bool, str]:
    """Whether strong isolation works here, and why not. Starts one real sandbox and checks from
    the inside that it is isolated; the answer is cached (per bwrap/setpriv path, uid, interpreter)."""
    key = (*_binaries(), os.geteuid(), os.path.realpath(sys.executable))
    with _probe_lock:
        if key not in _probe_results:
            _probe_results[key] = _probe()
            if not _probe_results[key][0]:
                log.warning(
                    "%s%s; general.python.execute will refuse to run", _UNAVAILABLE, _probe_results[key][1]
                )
        return _probe_results[key]


def _probe() -> tuple[bool, str]:
    bwrap, setpriv = _binaries()
    if bwrap is None:
        return (
            False,
            f"{BWRAP!r} not found (install the Debian package bubblewrap: apt-get install bubblewrap)",
        )
    if os.geteuid() == 0 and setpriv is None:
        return False, f"{SETPRIV!r} not found (util-linux); it drops root before bwrap"
    marker_dir = "/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir()
    handle, marker = tempfile.mkstemp(prefix="dive-sbx-probe-", dir=marker_dir)
    os.close(handle)
    try:
        with (
            tempfile.TemporaryFile() as stdin,
            tempfile.TemporaryFile() as out,
            tempfile.TemporaryFile() as err,
        ):
            args = ["-I", "-S", "-B", "-c", _PROBE, marker, ",".join(_CHILD_ENV)]
            try:
                status, timed_out = _spawn(args, stdin, out, err, timeout_s=30.0)
            except (OSError, subprocess.SubprocessError, ToolError) as exc:
                return False, f"cannot start {bwrap}: {exc}"
            report, _ = _read_capped(out)
            problem, _ = _read_capped(err)
    finally:
        os.unlink(marker)
    report = report.strip()
    if status == 0 and report == "ok":
        return True, f"ok ({bwrap})"
    if timed_out:
        return False, f"the probe sandbox ({bwrap}) timed out"
    if report:  # the probe ran and saw the host
        return False, f"the probe sandbox ({bwrap}) is not isolated: {report}"
    lines = [line.strip() for line in problem.splitlines() if line.strip()]
    return False, f"the probe sandbox ({bwrap}) failed (exit {status}): {lines[-1] if lines else 'no output'}"


def unavailable_reason() -> str | None:
    """None when the sandbox can run here, else why not (the validate gate's probe)."""
    ok, why = isolation_available()
    return None if ok else _UNAVAILABLE + why


# --- running code ---------------------------------------------------------------------------------


def _read_capped(stream: Any) -> tuple[str, bool]:
    stream.seek(0)
    data = stream.read(STREAM_CAP_BYTES + 1)
    truncated = len(data) > STREAM_CAP_BYTES
    return data[:STREAM_CAP_BYTES].decode("utf-8", "replace"), truncated


def _run(code: str, timeout_s: float) -> dict[str, Any]:
    with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        stdin.write(code.encode("utf-8", "replace"))
        stdin.seek(0)
        # Files, not pipes: no reader threads, and a flood of output is bounded by RLIMIT_FSIZE.
        args = ["-I", "-S", "-B", "-u", "-c", _BOOTSTRAP, _child_config(timeout_s)]
        status, timed_out = _spawn(args, stdin, out, err, timeout_s)
        stdout, out_cut = _read_capped(out)
        stderr, err_cut = _read_capped(err)
    cpu_killed = status in (-signal.SIGXCPU, -signal.SIGKILL) and not timed_out
    timed_out = timed_out or cpu_killed
    if timed_out:
        error: str | None = f"timed out after {timeout_s:g} s (process killed)"
    elif status < 0:
        error = f"killed by signal {signal.Signals(-status).name}"
    elif status != 0:
        lines = [line for line in stderr.strip().splitlines() if line.strip()]
        error = lines[-1].strip() if lines else f"exit code {status}"
    else:
        error = None
    return {
        "stdout": stdout,
        "stderr": stderr,
        "exit_code": status,
        "error": error,
        "timed_out": timed_out,
        "truncated": out_cut or err_cut,
    }


@tool(
    "general.python.execute",
    "P",
    params={
        "code": "Python 3.11 source to run as a script; print() what you want to see, e.g. 'print(2**10)'.",
        "timeout_s": f"Wall-clock limit in seconds (0 < t <= {MAX_TIMEOUT_S:g}); the process is then killed.",
    },
    examples=[{"code": "print(6 * 7)"}, {"code": "import math\nprint(math.comb(10, 3))", "timeout_s": 5.0}],
    bad_examples=[{"code": ""}, {"code": "print(1)", "timeout_s": -1.0}],
    package="dive",
    dataset="",
    requires=[],
)
def execute(code: str, timeout_s: float = 5.0) -> dict:
    """Run Python code in an isolated sandbox (no network, no files outside a scratch directory, 1 GiB
    memory) and return its stdout, stderr and exit code.

    The standard library is available, and numpy, scipy and sympy when installed. Each call starts
    a fresh interpreter in an empty working directory, so no state survives between calls. Output
    is capped at 8 kB per stream.
    """
    if not code.strip():
        raise ToolError("code is empty")
    if len(code) > MAX_CODE_CHARS:
        raise ToolError(f"code is {len(code)} characters; the limit is {MAX_CODE_CHARS}")
    if not 0 < timeout_s <= MAX_TIMEOUT_S:
        raise ToolError(f"timeout_s must be in (0, {MAX_TIMEOUT_S:g}], got {timeout_s}")
    reason = unavailable_reason()
    if reason is not None:
        raise ToolError(reason)  # fail closed: never run in a weaker mode
    return _run(code, timeout_s)


register_probe("general.python.execute", unavailable_reason)
