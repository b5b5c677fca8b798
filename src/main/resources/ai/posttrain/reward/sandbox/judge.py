"""The trusted side of CodeVerifier: runs on the host and never runs untrusted code.

Reads one JSON request on stdin: {"solution", "tests", "limits", "slot", "resources"}. Splits each test
("assert sorted(f(2)) == [1, 5] and g(3)") into the solution's calls ("f(2)", "g(3)") and the judgement
around them (parse_test); starts a jail (user, mount, PID, network, IPC and UTS namespaces; see jail.sh)
whose runner imports the solution and returns each call's result as plain data; judges here, on that data;
prints one JSON verdict line on stdout.
"""
import ast, json, math, os, select, secrets, signal, subprocess, sys, tempfile, time

JAIL_UID = 1000          # the runner's uid inside the jail
HOST_UID_BASE = 1900000000  # root mode: jail slot i runs as this host uid + i, so RLIMIT_NPROC counts it alone
MAX_PROTOCOL = 1 << 20
INT_DIGITS = 100_000  # the most digits of an int result (runner.py writes no more); far below a second to parse

STAGE1 = 'echo ready $$; read go || exit 1; exec unshare --mount --pid --net --ipc --uts --fork --kill-child --mount-proc -- /bin/sh "$@"'


def RUNNER_SOURCE(res):
    with open(os.path.join(res, "runner.py"), encoding="utf-8") as f:
        return f.read()


# What a test may do outside the jail with the values the jail returns: the builtins and math functions a test
# uses to judge a result, resolved here (a solution that defines its own `all` or patches math.isclose in the jail
# changes nothing), and the type names isinstance/type checks compare with.
JUDGE_FUNCTIONS = {f.__name__: f for f in (abs, len, sorted, min, max, sum, round, all, any, isinstance, type)}
JUDGE_TYPES = {t.__name__: t for t in (int, float, str, bool, list, tuple, dict, set, frozenset)}
JUDGE_MATH = {f.__name__: f for f in (math.isclose, math.fabs, math.floor, math.ceil)}
# Arithmetic a test may apply to a result; *, / and % on numbers only (a sequence times a returned int is no test).
JUDGE_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod)
# Syntax no test may hold: a closure or a loop over the solution's objects would have to run where those objects live.
NOT_JUDGEABLE = (ast.Lambda, ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp, ast.NamedExpr, ast.Starred,
                 ast.Await, ast.Yield, ast.YieldFrom)
# Inside a jailed expression, logic that would let the solution's objects judge themselves.
JUDGING = (ast.Compare, ast.BoolOp, ast.IfExp)


class Unsupported(Exception):
    pass


def parse_test(index, src):
    """{"judge": code, "calls": [source, ...], "message"} or {"unsupported": why}.

    The assert's expression is split: each computation of the solution (a call of its function, with the call's
    arguments) is evaluated in the jail and comes back as plain data; everything else a test does with those values,
    comparisons, and/or/not, arithmetic, indexing, builtins such as sorted, all or isinstance, and math.isclose, is
    evaluated here, on that data, with the real builtins. So no test form lets the solution's objects decide a verdict.
    """
    try:
        tree = ast.parse(src)
    except SyntaxError as e:
        return {"unsupported": "not valid Python (%s)" % e.msg}
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assert):
        return {"unsupported": "not a single assert statement"}
    node = tree.body[0]
    message = ""
    if node.msg is not None:
        try:
            message = str(ast.literal_eval(node.msg))
        except ValueError:
            message = ast.unparse(node.msg)
    calls = []
    try:
        judged = lift(node.test, calls)
    except Unsupported as e:
        return {"unsupported": str(e)}
    except RecursionError:
        return {"unsupported": "nested too deeply"}
    if not calls:
        return {"unsupported": "it never calls the solution (%s)" % ast.unparse(node.test)}
    expr = ast.fix_missing_locations(ast.Expression(judged))
    return {"judge": compile(expr, "test_%d" % index, "eval"), "calls": calls, "message": message}


def is_literal(node):
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


def lift(node, calls):
    """node for evaluation here, each of the solution's computations replaced by __value(i) (i: its place in calls)."""
    if isinstance(node, NOT_JUDGEABLE):
        raise Unsupported("%s is not a supported test form (%s)" % (type(node).__name__, ast.unparse(node)))
    if is_literal(node):
        return node
    lifted = lambda n: lift(n, calls)
    if isinstance(node, ast.BoolOp):
        return ast.BoolOp(node.op, [lifted(v) for v in node.values])
    if isinstance(node, ast.UnaryOp):
        return ast.UnaryOp(node.op, lifted(node.operand))
    if isinstance(node, ast.Compare):
        return ast.Compare(lifted(node.left), node.ops, [lifted(c) for c in node.comparators])
    if isinstance(node, ast.IfExp):
        return ast.IfExp(lifted(node.test), lifted(node.body), lifted(node.orelse))
    if isinstance(node, ast.BinOp) and isinstance(node.op, JUDGE_OPERATORS):
        if isinstance(node.op, (ast.Add, ast.Sub)):
            return ast.BinOp(lifted(node.left), node.op, lifted(node.right))
        return ast.Call(ast.Name("__numeric", ast.Load()), [lifted(node.left), lifted(node.right),
                                                              ast.Constant(type(node.op).__name__)], [])
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return type(node)([lifted(e) for e in node.elts], *([ast.Load()] if not isinstance(node, ast.Set) else []))
    if isinstance(node, ast.Dict):
        return ast.Dict([None if k is None else lifted(k) for k in node.keys], [lifted(v) for v in node.values])
    if isinstance(node, ast.Subscript):
        return ast.Subscript(lifted(node.value), lift_slice(node.slice, calls), ast.Load())
    if isinstance(node, ast.Name) and node.id in JUDGE_TYPES:
        return ast.Name(node.id, ast.Load())
    if isinstance(node, ast.Call) and judge_function(node.func) is not None:
        if any(k.arg is None for k in node.keywords):
            raise Unsupported("**keywords in %s" % ast.unparse(node))
        return ast.Call(ast.Name(judge_function(node.func), ast.Load()), [lifted(a) for a in node.args],
                        [ast.keyword(k.arg, lifted(k.value)) for k in node.keywords])
    # Anything else is the solution's own computation: it runs in the jail, and must not carry the test's judgement.
    for inner in ast.walk(node):
        if isinstance(inner, JUDGING + NOT_JUDGEABLE):
            raise Unsupported("a comparison or closure inside a call of the solution (%s)" % ast.unparse(node))
        if isinstance(inner, ast.Attribute) and inner.attr.startswith("__"):
            raise Unsupported("a dunder attribute (%s)" % ast.unparse(node))
    calls.append(ast.unparse(node))
    return ast.Call(ast.Name("__value", ast.Load()), [ast.Constant(len(calls) - 1)], [])


def lift_slice(node, calls):
    if isinstance(node, ast.Slice):
        part = lambda n: None if n is None else lift(n, calls)
        return ast.Slice(part(node.lower), part(node.upper), part(node.step))
    return lift(node, calls)


def judge_function(func):
    """The judge-side name of a builtin or math function a test calls, or None."""
    if isinstance(func, ast.Name) and func.id in JUDGE_FUNCTIONS:
        return func.id
    if isinstance(func, ast.Name) and func.id in JUDGE_TYPES:
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "math" \
            and func.attr in JUDGE_MATH:
        return "math_" + func.attr
    return None


def numeric(a, b, op):
    """a op b for *, /, // and %: numbers only, so a returned value cannot make the judge build a huge sequence."""
    for v in (a, b):
        if type(v) not in (int, float, bool):
            raise TypeError("%s on %s" % (op, type(v).__name__))
    return {"Mult": lambda: a * b, "Div": lambda: a / b, "FloorDiv": lambda: a // b, "Mod": lambda: a % b}[op]()


JUDGE_SCOPE = dict(JUDGE_FUNCTIONS, **JUDGE_TYPES, **{"math_" + k: f for k, f in JUDGE_MATH.items()}, __numeric=numeric)


def decode(v):
    """Tagged plain data from the jail -> a value of exact built-in types; ValueError if malformed."""
    if not isinstance(v, list) or not v or not isinstance(v[0], str):
        raise ValueError("malformed value")
    tag = v[0]
    if tag == "n": return None
    if tag == "b" and isinstance(v[1], bool): return v[1]
    if tag == "i" and isinstance(v[1], str): return int(v[1])
    if tag == "f" and isinstance(v[1], str): return float(v[1])
    if tag == "s" and isinstance(v[1], str): return v[1]
    if tag == "y" and isinstance(v[1], str): return bytes.fromhex(v[1])
    if tag == "c" and len(v) == 3 and isinstance(v[1], str) and isinstance(v[2], str): return complex(float(v[1]), float(v[2]))
    if tag in "ltSF" and len(tag) == 1 and isinstance(v[1], list):
        items = [decode(x) for x in v[1]]
        return {"l": list, "t": tuple, "S": set, "F": frozenset}[tag](items)
    if tag == "d" and isinstance(v[1], list):
        return {decode(k): decode(x) for k, x in v[1]}
    raise ValueError("malformed value")


def verdict(spec, values):
    """(passed, message) of a test, from its calls' values (each a value, or an error message from the jail)."""
    def value(i):
        v = values[i]
        if isinstance(v, JailError):
            raise v
        return v
    try:
        ok = bool(eval(spec["judge"], {"__builtins__": {}, "__value": value, **JUDGE_SCOPE}))
    except JailError as e:
        return None, str(e)
    except Exception as e:
        return False, "%s: %s" % (type(e).__name__, str(e)[:200])
    if ok:
        return True, ""
    got = ", ".join("%s -> %s" % (c, repr(v)[:200]) for c, v in zip(spec["calls"], values))
    return False, spec["message"] or "AssertionError: got " + got


class JailError(Exception):
    """A call that raised in the jail: the test errs if its verdict needs that value (and/or may not)."""


def launch(req, root, nonce, calls):
    res = req["resources"]
    limits = req["limits"]
    root_mode = os.geteuid() == 0
    juid = JAIL_UID if root_mode else 0
    nproc = limits["processes"] if root_mode else user_tasks(os.geteuid()) + limits["processes"]
    prefix = os.path.realpath(sys.base_prefix)
    py = os.path.realpath(sys.executable)
    user = ["unshare", "--user"] + ([] if root_mode else ["--map-root-user"])
    # timeout: the jail ends at its deadline even if this judge and the JVM are killed first.
    secs = max(1, int(limits["wall_millis"] / 1000 + 2))
    cmd = ["setpriv", "--pdeathsig=KILL", "--", "timeout", "-s", "KILL", str(secs)] + user + [
        "--", "/bin/sh", "-c", STAGE1, "sh", os.path.join(res, "jail.sh"), root, prefix, py, str(juid),
        str(limits["work_bytes"]), RUNNER_SOURCE(res)]
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/work", "TMPDIR": "/work",
           "PYTHONHASHSEED": "0"}
    if not req["isolated"]:  # allow-unisolated: the runner straight on the host, in a private temp dir
        cmd = ["setpriv", "--pdeathsig=KILL", "--", py, "-I", "-S", "-B", os.path.join(res, "runner.py")]
        env["HOME"] = env["TMPDIR"] = root
        root_mode, nproc = False, user_tasks(os.geteuid()) + limits["processes"]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=root)
    return p, root_mode, juid, nproc, prefix


def user_tasks(uid):
    """Tasks (threads included) of uid now: without root, the jail runs as the JVM's own user."""
    n = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.stat("/proc/" + pid).st_uid == uid:
                    n += len(os.listdir("/proc/%s/task" % pid))
            except OSError:
                pass
    return n


def main():
    req = json.load(sys.stdin)
    sys.set_int_max_str_digits(INT_DIGITS)
    os.setpgrp()  # the JVM kills this group at the end
    start = time.monotonic()
    limits = req["limits"]
    specs = [parse_test(i, t) for i, t in enumerate(req["tests"])]
    supported = [i for i, s in enumerate(specs) if "calls" in s]
    result = {"solution_status": "not_run", "solution_message": "", "flags": [], "violations": [],
              "killed_by": None, "output": "", "stderr": ""}
    outcomes = {}
    if supported:
        run_jail(req, specs, supported, result, outcomes)
    tests = []
    for i, s in enumerate(specs):
        if "unsupported" in s:
            tests.append({"index": i, "status": "unsupported", "message": "test form not supported: " + s["unsupported"], "seconds": 0})
        else:
            tests.append(outcomes.get(i) or {"index": i, "status": "not_run" if result["killed_by"] is None else "error",
                                             "message": result["killed_by"] or "", "seconds": 0})
    result["tests"] = tests
    result["millis"] = int((time.monotonic() - start) * 1000)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def run_jail(req, specs, supported, result, outcomes):
    limits = req["limits"]
    nonce = secrets.token_hex(16)
    root = tempfile.mkdtemp(prefix="posttrain-jail-")
    flags = []
    try:
        p, root_mode, juid, nproc, prefix = launch(req, root, nonce, supported)
        deadline = time.monotonic() + limits["wall_millis"] / 1000.0
        first = p.stdout.readline() if req["isolated"] else b"ready 0"
        if not first.startswith(b"ready "):
            raise RuntimeError("jail did not start: " + p.stderr.read().decode(errors="replace")[-300:])
        if root_mode:
            host = HOST_UID_BASE + int(req["slot"])
            for f, m in (("uid_map", "0 0 1\n%d %d 1\n" % (juid, host)), ("gid_map", "0 0 1\n%d %d 1\n" % (juid, host))):
                with open("/proc/%d/%s" % (int(first.split()[1]), f), "w") as fh:  # the shell in the new user namespace
                    fh.write(m)
        request = {"nonce": nonce, "solution": req["solution"], "calls": [c for i in supported for c in specs[i]["calls"]],
                   "readable": [prefix, "/usr/lib", "/usr/lib64", "/lib", "/lib64"],
                   "work": "/work" if req["isolated"] else root,
                   "limits": {"memory": limits["memory_bytes"], "cpu": limits["cpu_seconds"], "nproc": nproc,
                              "fsize": limits["file_bytes"]}}
        try:
            p.stdin.write(b"go\n" + json.dumps(request).encode() + b"\n")
            p.stdin.close()
        except BrokenPipeError:
            pass
        data, err, timed_out, flood = read_all(p, deadline)
        if timed_out or flood:
            kill_tree(p)
        code = p.wait()
        result["stderr"] = err.decode(errors="replace")[-2000:]
        parse_records(data, nonce, specs, supported, result, outcomes, flags)
        if flood:
            flags.append("protocol_flood")
            result["killed_by"] = "protocol flood"
        elif timed_out:
            flags.append("timeout")
            result["killed_by"] = "timeout"
        elif code != 0 or not result.get("done"):
            why = signal_name(code)
            result["killed_by"] = why or "exited early"
            flags.append({"SIGXCPU": "cpu_limit", "SIGXFSZ": "file_size_limit"}.get(why, "exited_early" if not why else "killed"))
    finally:
        import shutil
        shutil.rmtree(root, ignore_errors=True)
    for f in result["violations"]:
        k = f.split(":")[0]
        if k not in flags:
            flags.append(k)
    result["flags"] = list(dict.fromkeys(flags))


def read_all(p, deadline):
    out, err = bytearray(), bytearray()
    streams = {p.stdout.fileno(): out, p.stderr.fileno(): err}
    while streams:
        left = deadline - time.monotonic()
        if left <= 0:
            return bytes(out), bytes(err), True, False
        ready, _, _ = select.select(list(streams), [], [], left)
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                del streams[fd]
            else:
                buf = streams[fd]
                if buf is err:
                    if len(err) < 65536:
                        err.extend(chunk)
                else:
                    buf.extend(chunk)
                    if len(buf) > MAX_PROTOCOL:
                        return bytes(out), bytes(err), False, True
    return bytes(out), bytes(err), False, False


def kill_tree(p):
    """The jail's chain: timeout -> unshare --user -> unshare --pid...; killing every descendant ends the PID namespace."""
    pids, frontier = [p.pid], [p.pid]
    while frontier:
        parent = frontier.pop()
        try:
            with open("/proc/%d/task/%d/children" % (parent, parent)) as f:
                kids = [int(x) for x in f.read().split()]
        except OSError:
            kids = []
        pids += kids
        frontier += kids
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def signal_name(code):
    sig = -code if code < 0 else code - 128 if code > 128 else 0
    if code == 0:
        return None
    names = {24: "SIGXCPU", 25: "SIGXFSZ", 9: "SIGKILL", 11: "SIGSEGV", 6: "SIGABRT"}
    return names.get(sig, "exit status %d" % code)


def parse_records(data, nonce, specs, supported, result, outcomes, flags):
    """Reads the runner's records; each supported test whose calls all came back gets its verdict, judged here."""
    prefix = nonce + " "
    forged = 0
    owner = [(i, k) for i in supported for k in range(len(specs[i]["calls"]))]   # jail call -> (test, its k-th call)
    values, seconds = {}, {}
    for line in data.decode("utf-8", "replace").split("\n"):
        if not line:
            continue
        if not line.startswith(prefix):
            forged += 1
            continue
        try:
            r = json.loads(line[len(prefix):])
            ev = r["event"]
        except (ValueError, KeyError, TypeError):
            forged += 1
            continue
        if ev == "violation":
            result["violations"].append("%s: %s" % (r.get("kind"), r.get("detail")))
        elif ev == "solution":
            result["solution_status"], result["solution_message"] = r.get("status"), r.get("message", "")
        elif ev == "call":
            pos = r.get("index")
            if not isinstance(pos, int) or pos < 0 or pos >= len(owner) or owner[pos] in values:
                forged += 1
                continue
            if "error" in r:
                value = JailError(str(r["error"])[:300])
            else:
                try:
                    value = decode(r["value"])
                except (ValueError, KeyError, TypeError, IndexError, OverflowError, RecursionError):
                    forged += 1
                    continue
            values[owner[pos]] = value
            seconds[owner[pos]] = r.get("seconds", 0) if isinstance(r.get("seconds"), float) else 0
        elif ev == "output":
            result["output"] = str(r.get("text", ""))[:4000]
        elif ev == "done":
            result["done"] = True
        else:
            forged += 1
    for i in supported:
        keys = [(i, k) for k in range(len(specs[i]["calls"]))]
        if all(key in values for key in keys):
            ok, msg = verdict(specs[i], [values[key] for key in keys])
            outcomes[i] = {"index": i, "status": "error" if ok is None else "pass" if ok else "fail", "message": msg,
                           "seconds": sum(seconds[key] for key in keys)}
    if forged:
        flags.append("forged_output")
        result["violations"].append("forged_output: %d records that the runner did not write" % forged)


if __name__ == "__main__":
    main()
