"""What runs first inside the sandbox of ``general.python.execute``: the bootstrap and its audit hook.

Defence in depth only: the isolation boundary is bubblewrap (dive/tools/sandbox.py). The bootstrap sets
the resource limits, installs an audit hook that refuses the events and paths below, then runs the
user's code from stdin. Kept apart from the launcher so each file reads on its own.
"""

# The child's first code: load the config, set the limits, install the audit hook, run the user
# code from stdin.
# It binds everything it needs as defaults/closure so that user code cannot monkey-patch it.
BOOTSTRAP = r"""
import sys, os
def _install(cfg):
    import resource
    for which, soft, hard in cfg["limits"]:  # first: the user code must start under them
        resource.setrlimit(which, (soft, hard))
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
DENY_EVENTS = (
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "os.forkpty",
    "os.startfile",
    "subprocess.Popen",
    "pty.spawn",
    "os.kill",
    "os.killpg",
    "signal.pthread_kill",
    "os.link",
    "os.symlink",
    "sys.settrace",
    "sys.setprofile",
    "sys.remote_exec",
    "gc.get_objects",
    "gc.get_referrers",
    "gc.get_referents",
    "resource.setrlimit",
    "resource.prlimit",
    "webbrowser.open",
)
DENY_PREFIXES = (
    "socket.",
    "ctypes.",
    "ftplib.",
    "http.client.",
    "urllib.",
    "smtplib.",
    "poplib.",
    "imaplib.",
    "nntplib.",
    "telnetlib.",
    "ssl.",
)
# C extensions that can call arbitrary native code without raising an audit event.
DENY_IMPORTS = (
    "_posixsubprocess",
    "cffi",
    "_cffi_backend",
    "_testcapi",
    "_testinternalcapi",
    "_xxsubinterpreters",
    "_xxinterpchannels",
    "numba",
    "llvmlite",
)
# event -> [(path argument index, dir_fd argument index or -1, 1 if it writes)]
PATH_EVENTS: dict[str, list[tuple[int, int, int]]] = {
    "os.remove": [(0, 1, 1)],
    "os.rmdir": [(0, 1, 1)],
    "os.mkdir": [(0, 2, 1)],
    "os.rename": [(0, 2, 1), (1, 3, 1)],
    "os.chmod": [(0, 2, 1)],
    "os.chown": [(0, 3, 1)],
    "os.utime": [(0, 3, 1)],
    "os.truncate": [(0, -1, 1)],
    "os.mkfifo": [(0, 2, 1)],
    "os.mknod": [(0, 3, 1)],
    "os.setxattr": [(0, -1, 1)],
    "os.removexattr": [(0, -1, 1)],
    "os.chflags": [(0, -1, 1)],
    "os.lchflags": [(0, -1, 1)],
    "shutil.rmtree": [(0, 1, 1)],
    "shutil.copyfile": [(0, -1, 0), (1, -1, 1)],
    "shutil.copymode": [(0, -1, 0), (1, -1, 1)],
    "shutil.copystat": [(0, -1, 0), (1, -1, 1)],
    "shutil.copytree": [(0, -1, 0), (1, -1, 1)],
    "shutil.move": [(0, -1, 1), (1, -1, 1)],
    "shutil.chown": [(0, -1, 1)],
    "shutil.make_archive": [(0, -1, 1)],
    "shutil.unpack_archive": [(0, -1, 0), (1, -1, 1)],
    "os.listdir": [(0, -1, 0)],
    "os.scandir": [(0, -1, 0)],
    "os.chdir": [(0, -1, 0)],
    "os.walk": [(0, -1, 0)],
    "os.fwalk": [(0, 3, 0)],
    "glob.glob": [(0, -1, 0)],
    "os.getxattr": [(0, -1, 0)],
    "os.listxattr": [(0, -1, 0)],
}
DEVICE_FILES = ("/dev/null", "/dev/urandom", "/dev/random", "/dev/zero", "/usr/share/zoneinfo")
