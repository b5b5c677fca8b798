"""The jailed side of CodeVerifier: imports the untrusted solution and evaluates the judge's call expressions.

Runs as pid 1 of the jail (see jail.sh), as a uid without capabilities. Reads one JSON line on stdin:
{"nonce", "solution", "calls": [source, ...], "limits": {...}} and writes records "<nonce> <json>" to the
original stdout; the solution's own stdout/stderr go to /work/.output. It never sees the expected values:
it returns each call's result as plain data, and the judge outside the jail compares. Nothing here is a
boundary (the solution shares this interpreter and may tamper with it); the audit hook and the checks below
are tripwires that name what was tried.
"""


INT_DIGITS = 100_000  # the most digits of an int result (judge.py reads the same)


class NotPlain(TypeError):
    """A result that is no plain data (a generator, the solution's own class): the test errs, nothing is flagged."""


def main():
    import builtins, collections, decimal, errno, fractions, json, os, resource, signal, sys, time
    from json.encoder import encode_basestring_ascii as esc  # the C function: not patchable afterwards

    write, dup2, _type, _repr_f, _repr_i = os.write, os.dup2, type, float.__repr__, int.__repr__
    _isinstance, _len, _id, _str, _bytes, _complex, _fspath = isinstance, len, id, str, bytes, complex, os.fspath
    realpath, monotonic = os.path.realpath, time.monotonic
    req = json.loads(sys.stdin.readline())
    sys.set_int_max_str_digits(INT_DIGITS)  # a correct answer may be a big int; the judge reads as many digits
    nonce, limits, work = req["nonce"], req["limits"], req.get("work", "/work")
    proto = os.dup(1)
    null = os.open("/dev/null", os.O_RDONLY)
    dup2(null, 0)
    out = os.open(work + "/.output", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    dup2(out, 1)
    dup2(out, 2)
    os.close(out)
    os.close(null)

    def emit(body):
        data = (nonce + " " + body + "\n").encode()
        while data:
            data = data[write(proto, data):]

    violations = []

    def violation(kind, detail):
        detail = _str(detail)[:200]
        violations.append(kind)
        emit('{"event":"violation","kind":' + esc(kind) + ',"detail":' + esc(detail) + '}')
        return PermissionError("sandbox: %s denied (%s)" % (kind, detail))

    for name, soft, hard in (("RLIMIT_AS", limits["memory"], limits["memory"]),
                             ("RLIMIT_CPU", limits["cpu"], limits["cpu"] + 1),
                             ("RLIMIT_NPROC", limits["nproc"], limits["nproc"]),
                             ("RLIMIT_FSIZE", limits["fsize"], limits["fsize"]),
                             ("RLIMIT_CORE", 0, 0), ("RLIMIT_NOFILE", limits["nofile"], limits["nofile"])):
        resource.setrlimit(getattr(resource, name), (soft, hard))

    # ---- tripwires: the OS already confines all of this; the hook names the attempt and refuses it.
    writable = (realpath(work),)
    readable = tuple(realpath(p) for p in req["readable"]) + writable + ("/dev",)
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def inside(path, roots):
        for r in roots:
            if path == r or path.startswith(r + "/"):
                return True
        return path == "/dev/null"

    def check_path(p, writing):
        if _isinstance(p, int) or p is None:
            return
        p = _fspath(p)
        p = realpath(p.decode("utf-8", "replace") if _isinstance(p, _bytes) else p)
        if not inside(p, writable if writing else readable):
            raise violation("filesystem", ("write " if writing else "read ") + p)

    PROCESS = {"os.fork", "os.forkpty", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "subprocess.Popen",
               "os.kill", "os.killpg", "pty.spawn", "os.startfile"}
    # (not sys._getframe: enum, and so re and socket, call it on import)
    TAMPER = {"gc.get_objects", "gc.get_referrers", "gc.get_referents", "sys._current_frames",
              "sys.settrace", "sys.setprofile", "resource.setrlimit", "resource.prlimit"}
    MODIFY = {"os.remove", "os.rmdir", "os.mkdir", "os.rename", "os.chmod", "os.chown", "os.link", "os.symlink",
              "os.truncate", "os.utime", "shutil.rmtree", "shutil.copyfile", "shutil.move", "shutil.chown"}
    BLOCKED_IMPORTS = {"ctypes", "_ctypes", "cffi", "_posixsubprocess", "multiprocessing", "_multiprocessing"}

    def hook(event, args):
        if event == "open":
            path, mode, flags = args
            writing = any(c in mode for c in "wax+") if _isinstance(mode, _str) else bool((flags or 0) & write_flags)
            check_path(path, writing)
        elif event in MODIFY:
            for a in args[:2]:
                if _isinstance(a, (_str, _bytes)) or hasattr(a, "__fspath__"):
                    check_path(a, True)
        elif event in ("os.listdir", "os.scandir", "os.chdir"):
            check_path(args[0] if args else ".", False)
        elif event.startswith("socket."):
            raise violation("network", event)
        elif event in PROCESS:
            raise violation("process", event)
        elif event.startswith("ctypes."):
            raise violation("ctypes", event)
        elif event in TAMPER:
            raise violation("tamper", event)
        elif event == "import" and args[0].split(".")[0] in BLOCKED_IMPORTS:
            raise violation("import", args[0])

    # ---- plain data only. A subclass of a plain type is sent as its plain content, read with the base type's own
    # methods (so no override can change it); one that overrides comparison, hashing or truth is a rigging attempt,
    # except the standard library's Counter, OrderedDict and defaultdict. Any other object is not a result a test can
    # compare outside the jail: an error, not a flag.
    plain_bases = (bool, int, float, complex, _str, _bytes, list, tuple, dict, set, frozenset)
    trusted = (collections.Counter, collections.OrderedDict, collections.defaultdict)
    _fraction, _decimal = fractions.Fraction, decimal.Decimal  # sent as numerator/denominator and as text
    rigging = ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__", "__bool__")

    def as_plain(v):
        """(v's plain content, or v itself if it is exactly plain); TypeError for any other object."""
        t = _type(v)
        if v is None or t in plain_bases or t is _fraction or t is _decimal:
            return v
        base = next((b for b in t.__mro__ if b in plain_bases), object)
        if t not in trusted and any(name in vars(c) for c in t.__mro__[:t.__mro__.index(base)] for name in rigging):
            raise TypeError("not plain data: " + t.__module__ + "." + t.__qualname__ + " overrides comparison")
        if base is object:
            raise NotPlain("not plain data: " + t.__module__ + "." + t.__qualname__)
        if base is int:
            return int.__index__(v)
        if base is float:
            return float.__float__(v)
        if base is complex:
            return complex(complex.real.__get__(v), complex.imag.__get__(v))
        if base is _str:
            return _str.__str__(v)
        if base is _bytes:
            return _bytes(memoryview(v))
        if base is dict:
            return {k: x for k, x in dict.items(v)}
        return base(base.__iter__(v))

    def encode(v, depth, budget):
        budget[0] -= 1
        if budget[0] < 0 or depth > 50:
            raise NotPlain("value too large or too deep for a result")
        v = as_plain(v)
        t = _type(v)
        if v is None: return '["n"]'
        if t is bool: return '["b",' + ("true" if v else "false") + ']'
        if t is int: return '["i","' + _repr_i(v) + '"]'
        if t is float: return '["f","' + _repr_f(v) + '"]'
        if t is _str: return '["s",' + esc(v) + ']'
        if t is _bytes: return '["y","' + _bytes.hex(v) + '"]'
        if t is _fraction: return '["q","' + _repr_i(v.numerator) + '","' + _repr_i(v.denominator) + '"]'
        if t is _decimal: return '["D",' + esc(_decimal.__str__(v)) + ']'
        if t is _complex: return '["c","' + _repr_f(v.real) + '","' + _repr_f(v.imag) + '"]'
        if t in (list, tuple, set, frozenset):
            tag = {list: "l", tuple: "t", set: "S", frozenset: "F"}[t]
            return '["' + tag + '",[' + ",".join([encode(x, depth + 1, budget) for x in v]) + ']]'
        if t is dict:
            return '["d",[' + ",".join(["[" + encode(k, depth + 1, budget) + "," + encode(x, depth + 1, budget) + "]"
                                       for k, x in v.items()]) + ']]'
        raise TypeError("not plain data: " + t.__module__ + "." + t.__qualname__)

    def describe(e):
        return "%s: %s" % (_type(e).__name__, _str(e)[:300])

    def run(code_obj, scope):
        try:
            return "ok", eval(code_obj, scope)
        except MemoryError:
            violation("memory", "MemoryError")
            return "error", "MemoryError (memory limit)"
        except OSError as e:
            if e.errno in (errno.EFBIG, errno.ENOSPC):
                violation("file_size_limit", describe(e))
            return "error", describe(e)
        except SystemExit as e:
            violation("exit", "SystemExit(%r) before the checks" % (e.code,))
            return "error", "SystemExit"
        except BaseException as e:
            return "error", describe(e)

    builtins_before = dict(builtins.__dict__)
    plain_conversions = {"__plain_" + name: builtins_before[name] for name in req["conversions"]}
    runner_globals = globals()
    runner_before = dict(runner_globals)

    def on_xcpu(signum, frame):
        violation("cpu_limit", "CPU time limit of %d s" % limits["cpu"])
        os._exit(3)
    signal.signal(signal.SIGXCPU, on_xcpu)

    def builtins_changed():
        now = builtins.__dict__
        return [k for k in builtins_before if now.get(k, None) is not builtins_before[k]] + \
               [k for k in now if k not in builtins_before]

    try:
        solution_code = compile(req["solution"], "solution.py", "exec")
        calls = [compile(c, "test_%d" % i, "eval") for i, c in enumerate(req["calls"])]
    except SyntaxError as e:
        emit('{"event":"solution","status":"error","message":' + esc(describe(e)) + '}')
        emit('{"event":"done"}')
        os._exit(0)
    # The judge's names a test's arguments may use (half(math.pi), total(Counter("aab"))), imported before the solution
    # runs: in a call they mean these, whatever the solution defines under those names.
    judge_names = {}
    for name in {name for code in calls for name in code.co_names if name in req["judge_imports"]}:
        module, attr = req["judge_imports"][name]
        judge_names[name] = __import__(module) if attr is None else getattr(__import__(module), attr)
    sys.addaudithook(hook)
    scope = {"__name__": "__main__", "__builtins__": builtins}
    status, value = run(solution_code, scope)
    emit('{"event":"solution","status":' + esc("pass" if status == "ok" else "error") + ',"message":'
         + esc("" if status == "ok" else value) + '}')
    if status == "ok":
        for i, call in enumerate(calls):
            start = monotonic()
            # A copy of the solution's namespace with the untouched conversions the judge applies here (__plain_list,
            # ...): what the solution does to its own globals while it runs cannot reach them.
            status, value = run(call, dict(scope, **judge_names, **plain_conversions))
            if status == "ok":
                try:
                    body = '"value":' + encode(value, 0, [100000])
                except NotPlain as e:
                    body = '"error":' + esc(describe(e))
                except (TypeError, ValueError, RecursionError) as e:
                    violation("non_plain_value", "test %d returned %s" % (i, e))
                    body = '"error":' + esc(describe(e))
            else:
                body = '"error":' + esc(value)
            emit('{"event":"call","index":' + _repr_i(i) + "," + body + ',"seconds":' + _repr_f(monotonic() - start) + '}')
    if [k for k in set(runner_before) | set(runner_globals) if runner_globals.get(k) is not runner_before.get(k)]:
        violation("harness_tampered", "the runner's module was modified")
    patched = builtins_changed()
    if patched:
        violation("builtins_patched", ",".join(patched))
    try:
        with open(work + "/.output", "rb") as f:  # the solution's prints, for the row's details only
            emit('{"event":"output","text":' + esc(f.read(4000).decode("utf-8", "replace")) + '}')
    except Exception:
        pass
    emit('{"event":"done"}')
    os._exit(0)


main()
