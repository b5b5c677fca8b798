"""Runs untrusted solution code and its tests for CodeVerifier, one process per verification.

Usage: python3 -I harness.py WORKDIR MEM_BYTES CPU_SECONDS NPROC FSIZE_BYTES   (nonce on stdin)
Reads WORKDIR/solution.py and WORKDIR/tests.json; writes protocol records "<nonce> <json>" to the original
stdout and sends the user's own stdout/stderr to WORKDIR/output.txt, so printed text cannot pose as results.

Enforced here: rlimits (address space, CPU time, process count, file size, no core dumps, open files) and
Python-level guards that refuse and record network use, process creation/signalling, file access outside
WORKDIR (reads of the Python installation are allowed) and imports of ctypes-like escape hatches.
The guards stop ordinary code, not a determined attacker in the same interpreter (e.g. the C FileIO class is
still reachable as type(sys.stdout.buffer.raw), and gc can reach the harness's frames); the JVM's wall-clock
kill of the whole process group, the rlimits, the scrubbed environment and a network namespace where
available are the boundaries that hold regardless. RLIMIT_NPROC is not enforced by the kernel for root.
"""
import builtins, io, json, os, posix, resource, socket, sys, time, traceback

WORK = os.path.realpath(sys.argv[1])
MEM, CPU, NPROC, FSIZE = (int(v) for v in sys.argv[2:6])
NONCE = sys.stdin.readline().strip()
os.setpgrp()  # the JVM kills this group on timeout

proto = os.fdopen(os.dup(1), "w", buffering=1)
out = os.open(os.path.join(WORK, "output.txt"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.dup2(out, 1); os.dup2(out, 2); os.close(out)
os.close(0)
sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), line_buffering=True)
sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), line_buffering=True)


def emit(record):
    proto.write(NONCE + " " + json.dumps(record) + "\n")


def violation(kind, detail):
    emit({"event": "violation", "kind": kind, "detail": str(detail)[:200]})
    return PermissionError("sandbox: %s denied (%s)" % (kind, detail))


# CPU: the soft limit sends SIGXCPU (reported as such), the hard limit one second later SIGKILL.
for limit, soft, hard in ((resource.RLIMIT_AS, MEM, MEM), (resource.RLIMIT_CPU, CPU, CPU + 1),
                          (resource.RLIMIT_NPROC, NPROC, NPROC), (resource.RLIMIT_FSIZE, FSIZE, FSIZE),
                          (resource.RLIMIT_CORE, 0, 0), (resource.RLIMIT_NOFILE, 64, 64)):
    try:
        resource.setrlimit(limit, (soft, hard))
    except (ValueError, OSError) as e:
        emit({"event": "warning", "detail": "rlimit %s not set: %s" % (limit, e)})

# ---- file guard: everything inside WORK; reading the Python installation; nothing else.
READABLE = [WORK] + sorted({os.path.realpath(p) for p in
                            (sys.prefix, sys.base_prefix, sys.exec_prefix, *[p for p in sys.path if p])})


def inside(path, roots):
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def checked(path, writing):
    if isinstance(path, int):
        return path  # an already-open descriptor
    real = os.path.realpath(os.path.join(WORK, os.fsdecode(path)))
    if not inside(real, [WORK] if writing else READABLE) and real != "/dev/null":
        raise violation("filesystem", ("write " if writing else "read ") + real)
    return path


real_open, real_os_open = builtins.open, os.open


def guarded_open(file, mode="r", *args, **kwargs):
    return real_open(checked(file, any(c in mode for c in "wax+")), mode, *args, **kwargs)


WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def guarded_os_open(path, flags, *args, **kwargs):
    return real_os_open(checked(path, bool(flags & WRITE_FLAGS)), flags, *args, **kwargs)


builtins.open = io.open = guarded_open


class GuardedFileIO(io.FileIO):
    """io.FileIO opened by name goes through the same check (open() itself uses the C class, not this one)."""
    def __init__(self, file, mode="r", *args, **kwargs):
        super().__init__(checked(file, any(c in mode for c in "wax+")), mode, *args, **kwargs)


io.FileIO = GuardedFileIO
os.open = posix.open = guarded_os_open


def guard_path_fn(name, writing):
    real = getattr(os, name)

    def guarded(path, *args, **kwargs):
        return real(checked(path, writing), *args, **kwargs)
    setattr(os, name, guarded)
    if hasattr(posix, name):
        setattr(posix, name, guarded)


for fn in ("remove", "unlink", "rmdir", "mkdir", "chmod", "chown", "truncate", "utime", "symlink", "link"):
    if hasattr(os, fn):
        guard_path_fn(fn, True)
for fn in ("rename", "replace"):
    real_two = getattr(os, fn)
    setattr(os, fn, lambda src, dst, *a, _f=real_two, **k: _f(checked(src, True), checked(dst, True), *a, **k))
for fn in ("listdir", "scandir"):
    real_list = getattr(os, fn)
    setattr(os, fn, lambda path=".", _f=real_list: _f(checked(path, False)))


# ---- process guard: no new processes, no signals to others, no leaving the process group.
def deny(kind, what):
    def denied(*args, **kwargs):
        raise violation(kind, what)
    return denied


for fn in ("fork", "forkpty", "system", "popen", "execv", "execve", "execl", "execle", "execlp", "execlpe",
           "execvp", "execvpe", "spawnv", "spawnve", "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnvp",
           "spawnvpe", "posix_spawn", "posix_spawnp", "kill", "killpg", "setsid", "setpgrp", "setpgid",
           "setuid", "setgid", "chroot"):
    if hasattr(os, fn):
        setattr(os, fn, deny("process", "os." + fn))
    if hasattr(posix, fn):
        setattr(posix, fn, deny("process", "posix." + fn))
import signal, subprocess
subprocess.Popen = deny("process", "subprocess")
signal.pthread_kill = deny("process", "signal.pthread_kill")

# ---- network guard: sockets refused (the JVM adds a network namespace where the OS allows it).
for fn in ("socket", "SocketType", "create_connection", "create_server", "socketpair", "fromfd", "getaddrinfo",
           "gethostbyname"):
    setattr(socket, fn, deny("network", "socket." + fn))


class BlockedImports:
    """Refuses modules that reach around the guards (C calls, raw sockets, raw process spawning)."""
    BLOCKED = {"ctypes", "_ctypes", "cffi", "_socket", "_posixsubprocess", "multiprocessing", "_multiprocessing",
               "pty", "resource"}

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.BLOCKED:
            raise violation("import", name)
        return None


for name in list(sys.modules):
    if name.split(".")[0] in BlockedImports.BLOCKED:
        del sys.modules[name]
sys.meta_path.insert(0, BlockedImports())


def describe(e):
    return "%s: %s" % (type(e).__name__, str(e)[:300])


def run(code, name, scope):
    """Returns (status, message): status is pass, fail (AssertionError) or error."""
    try:
        exec(compile(code, name, "exec"), scope)
        return "pass", ""
    except AssertionError as e:
        return "fail", describe(e) if str(e) else "AssertionError"
    except MemoryError as e:
        emit({"event": "violation", "kind": "memory", "detail": name})
        return "error", "MemoryError (memory limit)"
    except RecursionError as e:
        return "error", describe(e)
    except BaseException as e:  # SystemExit and KeyboardInterrupt included: a test must run to its end
        return "error", describe(e)


with real_open(os.path.join(WORK, "solution.py"), encoding="utf-8") as f:
    solution = f.read()
with real_open(os.path.join(WORK, "tests.json"), encoding="utf-8") as f:
    tests = json.load(f)

scope = {"__name__": "__main__", "__builtins__": builtins}
start = time.monotonic()
status, message = run(solution, "solution.py", scope)
emit({"event": "solution", "status": status, "message": message, "seconds": round(time.monotonic() - start, 4)})
for i, test in enumerate(tests):
    start = time.monotonic()
    if status == "pass":
        t_status, t_message = run(test, "test_%d" % i, scope)
    else:
        t_status, t_message = "error", "solution failed to load: " + message
    emit({"event": "test", "index": i, "status": t_status, "message": t_message,
          "seconds": round(time.monotonic() - start, 4)})
emit({"event": "done"})
proto.flush()
os._exit(0)
