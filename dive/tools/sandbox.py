"""``general.python.execute``: run untrusted Python in a throw-away, locked-down child process.

Threat model
------------
The code comes from a language model, so it may be buggy (infinite loops, huge allocations,
runaway output) or, by prompt injection, hostile. The sandbox must keep the *host* safe (its
files, its network, its other processes, its secrets) and always return a result: a blocked
action is an error *in the result*, never an exception in the caller and never a hang.

Defence in depth, three layers, each meant to hold when the one above it fails:

1. OS isolation (the real boundary; only when we run as root and ``setpriv`` exists, which is
   the case in our containers). In ``preexec_fn`` the child enters a new network namespace
   (shared by all sandboxes of this process; no interface is up, so there is no route even to
   127.0.0.1, and abstract unix sockets are per-namespace too), a private mount namespace in
   which fresh small tmpfs instances hide the host's /tmp, /var/tmp and /dev/shm, and, through
   ``unshare --pid --fork``, a new pid namespace whose init is the sandboxed interpreter, so
   every process it leaves behind dies (and is reaped) with it. ``setpriv`` then drops to a uid
   used by no one else (one per call), with no capabilities, an empty bounding set and
   ``no_new_privs`` (setuid binaries cannot regain root). As that uid the child cannot write
   or delete any host file (all are root-owned), cannot signal or ptrace other processes and
   cannot raise its limits. Because /root is mode 700, the interpreter's prefix is bind-mounted
   inside the working directory so the unprivileged child can still run and import from it.
2. Resource limits (``setrlimit``): CPU seconds, 1 GiB address space, 16 processes/threads
   for that uid (a fork bomb stops at 16; only meaningful for a non-root uid), 16 MiB per
   file, 64 open files, no core dumps. A wall-clock timeout kills the whole process group
   (and with it the pid namespace).
3. An audit hook (``sys.addaudithook``) installed by a bootstrap before the user code runs.
   It blocks sockets, subprocesses (``os.system``, ``os.exec*``, ``os.fork``,
   ``os.posix_spawn``, ``subprocess.Popen`` and the unaudited ``_posixsubprocess.fork_exec``),
   ``ctypes`` (loading a library or calling a foreign function), links, tracing, ``gc``
   introspection and ``setrlimit``; opening a file for writing (or deleting, renaming,
   chmod-ing) anywhere but the working directory; reading or listing anything outside the
   working directory, the interpreter's prefix (stdlib, site-packages) and a few device files.
   The standard library and installed packages (numpy, scipy, sympy, ...) stay importable:
   ``-I -S`` drops user site, environment variables and ``.pth`` processing, and the bootstrap
   puts the interpreter's site-packages directories back on ``sys.path`` explicitly.

What it does *not* stop: the audit hook alone is not a security boundary (CPython says so).
Code that reaches C (a third-party extension module, or a ``PathLike`` whose ``__fspath__``
answers differently to the interpreter and to the hook) can get past it; then layer 1 still
confines it to no network, no host writes and reading only world-readable files. Without
root (a developer laptop) layer 1 shrinks to an unprivileged network namespace when the kernel
allows one, and only the hook guards the file system. ``os.stat``-style existence probes are
not audited. CPU-time side channels and Spectre-class attacks are out of scope.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import itertools
import math
import os
import resource
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

from dive.tools.base import ToolError, tool

STREAM_CAP_BYTES = 8_192  # per stream; a tool message must stay small (see gate.OUTPUT_CAP_BYTES)
MAX_CODE_CHARS = 100_000
MAX_TIMEOUT_S = 60.0
MEMORY_BYTES = 1 << 30
FILE_BYTES = 16 << 20
TMPFS_OPTIONS = "size=64m,nr_inodes=4096"  # the private /tmp: bounded disk use, freed with the namespace
MAX_PROCESSES = 16  # per sandbox uid, threads included
MAX_OPEN_FILES = 64

# Linux constants that the os module of Python 3.11 does not export.
_CLONE_NEWNS, _CLONE_NEWUSER, _CLONE_NEWNET = 0x00020000, 0x10000000, 0x40000000
_MS_NOSUID, _MS_NODEV, _MS_BIND, _MS_REC, _MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18

# One uid per call, disjoint across processes (pid) and calls (counter), far above real users.
_UID_BASE = 3_000_000_000
_uid_counter = itertools.count()
_privileged_broken = threading.Event()  # set once if namespaces/setpriv fail here: stop trying

_LIBC = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
_LIBC.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
_LIBC.unshare.argtypes = [ctypes.c_int]
_LIBC.setns.argtypes = [ctypes.c_int, ctypes.c_int]

# One empty network namespace, kept alive by an open descriptor and joined by every privileged
# child: creating a namespace per call costs ~20 ms, joining one costs nothing. Its loopback stays
# down and the unprivileged child cannot bring it up, so sandboxes cannot reach each other by IP.
_netns_fd: int | None = None
_netns_lock = threading.Lock()


def _shared_netns() -> int:
    global _netns_fd
    with _netns_lock:
        if _netns_fd is None:
            def enter() -> None:
                if _LIBC.unshare(_CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET)")

            cat = shutil.which("cat") or "/bin/cat"
            holder = subprocess.Popen([cat], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                      preexec_fn=enter)
            try:
                _netns_fd = os.open(f"/proc/{holder.pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)
            finally:
                holder.communicate()
        return _netns_fd

# The child's first code: load the config, install the audit hook, run the user code from stdin.
# It binds everything it needs as defaults/closure so that user code cannot monkey-patch it.
_BOOTSTRAP = r"""
import sys, os
def _install(cfg):
    sys.path.extend(cfg["site"])
    import _posixsubprocess
    def _no_spawn(*args, **kwargs):
        raise PermissionError("sandbox: starting processes is blocked")
    _posixsubprocess.fork_exec = _no_spawn  # subprocess.Popen audits, but fork_exec itself does not
    tmp = cfg["tmp"]
    write_roots = (tmp,)
    read_roots = tuple(cfg["read"]) + write_roots
    deny = frozenset(cfg["deny"])
    deny_prefixes = tuple(cfg["deny_prefixes"])
    deny_imports = frozenset(cfg["deny_imports"])
    path_events = {k: tuple(tuple(v) for v in vs) for k, vs in cfg["path_events"].items()}
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    me = os.getpid()
    fspath, fsdecode, isabs, join, realpath, readlink = (
        os.fspath, os.fsdecode, os.path.isabs, os.path.join, os.path.realpath, os.readlink)

    def inside(path, roots):
        return any(path == r or path.startswith(r + "/") for r in roots)

    def check(event, path, dir_fd, write):
        if isinstance(path, int):
            return  # an open descriptor was checked when it was opened
        try:
            p = fsdecode(fspath(path))
            if not isabs(p) and type(dir_fd) is int and dir_fd >= 0:
                p = join(readlink("/proc/self/fd/%d" % dir_fd), p)
            p = realpath(p)
        except Exception:
            raise PermissionError("sandbox: %s on an unresolvable path is blocked" % event) from None
        if not inside(p, write_roots if write else read_roots):
            what = "writing" if write else "reading"
            raise PermissionError("sandbox: %s %r (%s) is blocked" % (what, p, event))

    def hook(event, args):
        if event in deny or event.startswith(deny_prefixes):
            if event == "ctypes.dlopen" and args and args[0] is None:
                return  # `import ctypes` opens the main program; every symbol lookup stays blocked
            if event in ("os.kill", "os.killpg") and args and args[0] == me:
                return
            raise PermissionError("sandbox: %s is blocked" % event)
        if event == "import":
            if args[0].partition(".")[0] in deny_imports:
                raise PermissionError("sandbox: importing %s is blocked" % args[0])
        elif event == "open":
            path, mode, flags = args
            check(event, path, None, bool((flags or 0) & write_flags) or (mode is not None and
                  any(c in mode for c in "wax+")))
        elif event in path_events:
            for index, fd_index, write in path_events[event]:
                if index < len(args) and args[index] is not None:
                    dir_fd = args[fd_index] if 0 <= fd_index < len(args) else None
                    check(event, args[index], dir_fd, bool(write))

    sys.addaudithook(hook)

# argv[1] is our own repr() of plain literals: json would pull in re and enum (tens of ms).
_install(eval(sys.argv[1], {"__builtins__": {}}))
del _install
sys.argv = ["<sandbox>"]
_code = sys.stdin.buffer.read().decode("utf-8", "replace")
try:
    exec(compile(_code, "<sandbox>", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
except SystemExit:
    raise
except BaseException as _exc:
    import linecache, traceback
    linecache.cache["<sandbox>"] = (len(_code), None, _code.splitlines(True), "<sandbox>")
    traceback.print_exception(type(_exc), _exc, _exc.__traceback__.tb_next)
    sys.stderr.flush()
    os._exit(1)
"""

# Events the hook refuses outright (names from the CPython audit events table).
_DENY_EVENTS = (
    "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "os.startfile",
    "subprocess.Popen", "pty.spawn", "os.kill", "os.killpg", "signal.pthread_kill",
    "os.link", "os.symlink", "sys.settrace", "sys.setprofile", "sys.remote_exec",
    "gc.get_objects", "gc.get_referrers", "gc.get_referents",
    "resource.setrlimit", "resource.prlimit", "webbrowser.open",
)
_DENY_PREFIXES = ("socket.", "ctypes.", "ftplib.", "http.client.", "urllib.", "smtplib.", "poplib.",
                  "imaplib.", "nntplib.", "telnetlib.", "ssl.")
# C extensions that can call arbitrary native code without raising an audit event.
_DENY_IMPORTS = ("_posixsubprocess", "cffi", "_cffi_backend", "_testcapi", "_testinternalcapi",
                 "_xxsubinterpreters", "_xxinterpchannels", "numba", "llvmlite")
# event -> [(path argument index, dir_fd argument index or -1, 1 if it writes)]
_PATH_EVENTS: dict[str, list[tuple[int, int, int]]] = {
    "os.remove": [(0, 1, 1)], "os.rmdir": [(0, 1, 1)], "os.mkdir": [(0, 2, 1)],
    "os.rename": [(0, 2, 1), (1, 3, 1)], "os.chmod": [(0, 2, 1)], "os.chown": [(0, 3, 1)],
    "os.utime": [(0, 3, 1)], "os.truncate": [(0, -1, 1)], "os.mkfifo": [(0, 2, 1)],
    "os.mknod": [(0, 3, 1)], "os.setxattr": [(0, -1, 1)], "os.removexattr": [(0, -1, 1)],
    "os.chflags": [(0, -1, 1)], "os.lchflags": [(0, -1, 1)],
    "shutil.rmtree": [(0, 1, 1)], "shutil.copyfile": [(0, -1, 0), (1, -1, 1)],
    "shutil.copymode": [(0, -1, 0), (1, -1, 1)], "shutil.copystat": [(0, -1, 0), (1, -1, 1)],
    "shutil.copytree": [(0, -1, 0), (1, -1, 1)], "shutil.move": [(0, -1, 1), (1, -1, 1)],
    "shutil.chown": [(0, -1, 1)], "shutil.make_archive": [(0, -1, 1)],
    "shutil.unpack_archive": [(0, -1, 0), (1, -1, 1)],
    "os.listdir": [(0, -1, 0)], "os.scandir": [(0, -1, 0)], "os.chdir": [(0, -1, 0)],
    "os.walk": [(0, -1, 0)], "os.fwalk": [(0, 3, 0)], "glob.glob": [(0, -1, 0)],
    "os.getxattr": [(0, -1, 0)], "os.listxattr": [(0, -1, 0)],
}
_DEVICE_FILES = ("/dev/null", "/dev/urandom", "/dev/random", "/dev/zero", "/usr/share/zoneinfo")


def _prefixes() -> list[str]:
    """The interpreter trees the child must read: base install (stdlib) and, in a venv, the venv."""
    return sorted({os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)})


def _site_dirs() -> list[str]:
    paths = sysconfig.get_paths()
    return list(dict.fromkeys(os.path.realpath(paths[k]) for k in ("purelib", "platlib")))


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = [None if s is None else s.encode() for s in (source, target, fstype, data)]
    if _LIBC.mount(enc[0], enc[1], enc[2], flags, enc[3]) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def _limits(timeout_s: float, nproc: bool) -> list[tuple[int, tuple[int, int]]]:
    cpu = math.ceil(timeout_s) + 1  # SIGXCPU at soft, SIGKILL at hard: a backstop for the wall clock
    limits = [
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),
        (resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES)),
        (resource.RLIMIT_FSIZE, (FILE_BYTES, FILE_BYTES)),
        (resource.RLIMIT_NOFILE, (MAX_OPEN_FILES, MAX_OPEN_FILES)),
        (resource.RLIMIT_CORE, (0, 0)),
    ]
    if nproc:  # counts every process of the uid; only sensible for a uid no one else uses
        limits.append((resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES)))
    return limits


def _privileged_preexec(tmp: str, uid: int, binds: list[tuple[str, str]],
                        limits: list[tuple[int, tuple[int, int]]], netns: int) -> Callable[[], None]:
    """Runs in the forked child, as root, just before exec: namespaces, private tmpfs, limits.

    Everything is precomputed by the parent so the child only makes system calls.
    """
    prefixes = [src for src, _ in binds]
    hide = [d for d in dict.fromkeys((os.path.dirname(tmp), "/tmp", "/var/tmp", "/dev/shm"))
            if os.path.isdir(d) and not any(p == d or p.startswith(d + "/") for p in prefixes)]

    def preexec() -> None:
        if _LIBC.setns(netns, _CLONE_NEWNET) != 0 or _LIBC.unshare(_CLONE_NEWNS) != 0:
            raise OSError(ctypes.get_errno(), "setns/unshare")
        _mount(None, "/", None, _MS_REC | _MS_PRIVATE)  # our mounts must not leak to the host
        for directory in hide:
            _mount("tmpfs", directory, "tmpfs", _MS_NOSUID | _MS_NODEV, f"{TMPFS_OPTIONS},mode=1777")
        if not os.path.isdir(tmp):  # its parent was just hidden by a tmpfs: recreate it there
            os.mkdir(tmp, 0o700)
        os.chown(tmp, uid, uid)
        for src, dst in binds:
            os.mkdir(dst, 0o755)
            _mount(src, dst, None, _MS_BIND | _MS_REC)
        os.chdir(tmp)  # Popen chdir'ed before preexec, into the host inode that the tmpfs now hides
        for which, value in limits:
            resource.setrlimit(which, value)

    return preexec


def _basic_preexec(limits: list[tuple[int, tuple[int, int]]]) -> Callable[[], None]:
    """Unprivileged fallback: a user+network namespace if the kernel allows one, and the limits."""

    def preexec() -> None:
        _LIBC.unshare(_CLONE_NEWUSER | _CLONE_NEWNET)  # best effort; the audit hook still blocks sockets
        for which, value in limits:
            resource.setrlimit(which, value)

    return preexec


def _child_config(tmp: str, read: list[str], site: list[str]) -> str:
    return repr({
        "tmp": tmp, "read": read + list(_DEVICE_FILES), "site": site,
        "deny": _DENY_EVENTS, "deny_prefixes": _DENY_PREFIXES, "deny_imports": _DENY_IMPORTS,
        "path_events": _PATH_EVENTS,
    })


def _read_capped(stream: Any) -> tuple[str, bool]:
    stream.seek(0)
    data = stream.read(STREAM_CAP_BYTES + 1)
    truncated = len(data) > STREAM_CAP_BYTES
    return data[:STREAM_CAP_BYTES].decode("utf-8", "replace"), truncated


def _wait_until_gone(uid: int, limit_s: float = 5.0) -> None:
    """Return once no process of ``uid`` is left. The kernel kills a pid namespace's members when its
    init exits, but their exit is asynchronous: without this wait a caller could briefly see them."""
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


def _run(code: str, timeout_s: float, privileged: bool) -> dict[str, Any]:
    tmp = os.path.realpath(tempfile.mkdtemp(prefix="dive-sbx-"))
    setpriv, unshare = shutil.which("setpriv"), shutil.which("unshare")
    uid = _UID_BASE + (os.getpid() % 1_000_000) * 1_000 + next(_uid_counter) % 1_000
    prefixes = _prefixes()
    site = _site_dirs()
    if privileged and setpriv and unshare:
        # The child sees each prefix at <tmp>/.python<i>: /root (mode 700) is not traversable by it.
        binds = [(src, os.path.join(tmp, f".python{i}")) for i, src in enumerate(prefixes)]

        def remap(path: str) -> str:
            for src, dst in binds:
                if path == src or path.startswith(src + "/"):
                    return dst + path[len(src):]
            return path

        exe = remap(os.path.realpath(sys.executable))
        site = [remap(s) for s in site if remap(s) != s]
        read = [dst for _, dst in binds]
        preexec = _privileged_preexec(tmp, uid, binds, _limits(timeout_s, nproc=True), _shared_netns())
        # unshare: the child is init of a new pid namespace, so when it dies the kernel kills (and
        # reaps) every process it left behind, including ones that escaped the process group.
        argv = [unshare, "--pid", "--fork", "--kill-child", "--",
                setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs",
                "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--", exe]
    else:
        privileged = False
        read = prefixes
        preexec = _basic_preexec(_limits(timeout_s, nproc=False))
        argv = [sys.executable]
    argv += ["-I", "-S", "-B", "-u", "-c", _BOOTSTRAP, _child_config(tmp, read, site)]
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": tmp, "TMPDIR": tmp, "PYTHONHASHSEED": "0",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    timed_out = False
    try:
        with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as out, \
                tempfile.TemporaryFile() as err:
            stdin.write(code.encode("utf-8", "replace"))
            stdin.seek(0)
            # Files, not pipes: no reader threads, and a flood of output is bounded by RLIMIT_FSIZE.
            proc = subprocess.Popen(argv, stdin=stdin, stdout=out, stderr=err, cwd=tmp, env=env,
                                    preexec_fn=preexec, start_new_session=True, close_fds=True)
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)  # the group, not just the child
                proc.wait()
                if privileged:
                    _wait_until_gone(uid)
            stdout, out_cut = _read_capped(out)
            stderr, err_cut = _read_capped(err)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    status = proc.returncode
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
    return {"stdout": stdout, "stderr": stderr, "exit_code": status, "error": error,
            "timed_out": timed_out, "truncated": out_cut or err_cut}


@tool(
    "general.python.execute", "P",
    params={
        "code": "Python 3.11 source to run as a script; print() what you want to see, e.g. 'print(2**10)'.",
        "timeout_s": f"Wall-clock limit in seconds (0 < t <= {MAX_TIMEOUT_S:g}); the process is then killed.",
    },
    examples=[{"code": "print(6 * 7)"}, {"code": "import math\nprint(math.comb(10, 3))", "timeout_s": 5.0}],
    bad_examples=[{"code": ""}, {"code": "print(1)", "timeout_s": -1.0}],
    package="dive", dataset="", requires=[],
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
    privileged = os.geteuid() == 0 and not _privileged_broken.is_set()
    try:
        return _run(code, timeout_s, privileged)
    except subprocess.SubprocessError:
        if not privileged:
            raise
        # Namespaces or mounts refused (e.g. a container without CAP_SYS_ADMIN): degrade, once.
        _privileged_broken.set()
        return _run(code, timeout_s, privileged=False)
