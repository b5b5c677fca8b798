"""The trusted side of CodeVerifier: runs on the host and never runs untrusted code.

Reads one JSON request on stdin: {"solution", "tests", "limits", "slot", "resources"}. Splits each test
("assert sorted(f(2)) == [1, 5] and g(3)") into the solution's calls ("f(2)", "g(3)") and the judgement
around them (parse_test); starts a jail (user, mount, PID, network, IPC and UTS namespaces; see jail.sh)
whose runner imports the solution and returns each call's result as plain data; judges here, on that data;
prints one JSON verdict line on stdout.
"""
import ast, bisect, builtins, cmath, collections, copy, decimal, fractions, functools, heapq, itertools, json, math, \
    operator, os, re, resource, select, secrets, signal, statistics, string, subprocess, sys, tempfile, time

JAIL_UID = 1000          # the runner's uid inside the jail
HOST_UID_BASE = 1900000000  # root mode: jail slot i runs as this host uid + i, so RLIMIT_NPROC counts it alone
MAX_PROTOCOL = 1 << 20
INT_DIGITS = 100_000  # the most digits of an int result (runner.py writes no more); far below a second to parse

STAGE1 = 'echo ready $$; read go || exit 1; exec unshare --mount --pid --net --ipc --uts --fork --kill-child --mount-proc -- /bin/sh "$@"'


def RUNNER_SOURCE(res):
    with open(os.path.join(res, "runner.py"), encoding="utf-8") as f:
        return f.read()


# The names a test may use outside the jail: pure builtins and the math module, the judge's own (a solution that defines
# its own `all`, `range` or `sorted`, or patches math.pi in the jail, changes nothing here). Every other name is the
# solution's, and an expression that uses one is the solution's computation: it runs in the jail.
JUDGE_BUILTINS = ("abs", "all", "any", "ascii", "bin", "bool", "bytes", "chr", "complex", "dict", "divmod", "enumerate",
                  "filter", "float", "format", "frozenset", "hex", "int", "isinstance", "iter", "len", "list", "map", "max",
                  "min", "next", "oct", "ord", "pow", "range", "repr", "reversed", "round", "set", "slice", "sorted", "str",
                  "sum", "tuple", "type", "zip")
# The standard library a test may judge with, likewise the judge's own: a test's sys.maxsize, statistics.mean(...) or
# cmath.isclose means these, whatever the solution defines under those names.
JUDGE_SCOPE = dict({name: getattr(builtins, name) for name in JUDGE_BUILTINS},
                   **{m.__name__: m for m in (math, cmath, string, re, operator, itertools, functools, collections, heapq,
                                              bisect, statistics, json, fractions, decimal, sys)},
                   Fraction=fractions.Fraction, Decimal=decimal.Decimal, Counter=collections.Counter,
                   OrderedDict=collections.OrderedDict, defaultdict=collections.defaultdict)
# The judge's standard-library names as (module, attribute or None), for the runner to bind in the jail when a test's
# arguments use them (half(math.pi)).
JUDGE_IMPORTS = {name: (v.__name__, None) if isinstance(v, type(math)) else (v.__module__, v.__name__)
                 for name, v in JUDGE_SCOPE.items() if name not in JUDGE_BUILTINS}
# Conversions that need the solution's objects where they live (a generator, a dict view): applied to a single
# computation of the solution they run in the jail as the runner's untouched builtins (__plain_<name>), and their result
# comes back as plain data (len(f(x)) there; len(f(x) & {2, 3}) is the test's operation, judged here).
CONVERSIONS = ("list", "tuple", "set", "frozenset", "dict", "sorted", "len", "str", "repr", "int", "float", "bool", "bytes",
               "sum", "min", "max", "any", "all", "next")
# Methods and attributes of plain data (str.startswith, list.count, dict.get, int.real, ...): on a result of the
# solution they are applied here, to its plain value, so an object of the solution's own cannot answer them.
PLAIN_MEMBERS = {m for t in (str, bytes, list, tuple, dict, set, frozenset, int, float, complex) for m in dir(t)
                 if not m.startswith("_")}
# Closures and loops over the solution's objects would have to run where those objects live.
CLOSURES = (ast.Lambda, ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)
NOT_JUDGEABLE = (ast.NamedExpr, ast.Starred, ast.Await, ast.Yield, ast.YieldFrom)
# Nodes of the test's own that may hold results of the solution: rebuilt here around them.
STRUCTURE = (ast.BoolOp, ast.UnaryOp, ast.BinOp, ast.Compare, ast.IfExp, ast.Subscript, ast.Slice, ast.List, ast.Tuple,
             ast.Set, ast.Dict, ast.JoinedStr, ast.FormattedValue, ast.Call)
# Outside the jail the judgement runs in a child under these limits: what a returned value can make it cost (a
# hash-colliding set, 2 ** a huge int, a long repeat) ends as an error, not a stuck or swollen judge.
JUDGE_CPU_SECONDS = 2
JUDGE_MEMORY = 1 << 30


class Unsupported(Exception):
    pass


def solution_defines(solution):
    """The solution's top-level names (def, class, assignment, import) and, of them, its classes: parsed, never run.
    None if it does not parse (the jail then reports why)."""
    try:
        tree = ast.parse(solution)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None
    defined, classes = set(), set()
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
            if isinstance(node, ast.ClassDef):
                classes.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                defined.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                todo.extend(getattr(node, field, []))
        elif isinstance(node, ast.ExceptHandler):
            todo.extend(node.body)
    return defined, classes


class Names:
    """Who owns each name of a test: the judge (JUDGE_SCOPE) first, then the solution's one subject."""
    def __init__(self, defined, classes):
        self.defined, self.classes = defined - set(JUDGE_SCOPE), classes - set(JUDGE_SCOPE)


def parse_test(index, src, names):
    """{"judge": code, "calls": [source, ...], "message"} or {"unsupported": why}.

    The assert's expression is split: each computation of the solution's subject (the one name of the solution's the
    test uses: a call of its function, or of its class and that object's members, with the test's arguments) is
    evaluated in the jail and comes back as plain data; everything else, the expected values and what the test does with
    the results (comparisons, and/or/not, arithmetic, indexing, formatting, builtins, the standard library, methods of
    plain data), is evaluated here, on that data, with the judge's own names. A test that uses two of the solution's
    names (the second could compute the expected value), or names neither side defines, is unsupported. So no test form
    lets the solution's objects or names decide a verdict.
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
    try:
        free = free_names(node.test)
        unknown = sorted(free - set(JUDGE_SCOPE) - names.defined)
        if unknown:  # as Python would say it; a solution that does not parse gets its own SyntaxError from the jail
            return {"error": "NameError: name '%s' is not defined (the solution defines no such name)" % unknown[0]}
        subject = free & names.defined
        if not subject:
            return {"unsupported": "it never calls the solution (%s)" % ast.unparse(node.test)}
        if len(subject) > 1:
            return {"unsupported": "it uses more than one of the solution's names (%s)" % ", ".join(sorted(subject))}
        calls = []
        judged = lift(node.test, calls, names)
        code = compile(ast.fix_missing_locations(ast.Expression(judged)), "test_%d" % index, "eval")
    except Unsupported as e:
        return {"unsupported": str(e)}
    except (RecursionError, MemoryError):
        return {"unsupported": "nested too deeply"}
    return {"judge": code, "calls": calls, "message": message}


def free_names(node):
    """Names node reads that a lambda or comprehension inside it does not bind."""
    bound = set()
    for n in ast.walk(node):
        if isinstance(n, ast.arg):
            bound.add(n.arg)
        elif isinstance(n, ast.comprehension):
            bound.update(t.id for t in ast.walk(n.target) if isinstance(t, ast.Name))
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id not in bound}


def uses_solution(nodes, names):
    """Whether any of nodes reads a name of the solution's."""
    return any(free_names(n) & names.defined for n in nodes)


def is_literal(node):
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False


def lift(node, calls, names):
    """node for evaluation here, each computation of the solution replaced by __value(i) (i: its place in calls)."""
    if isinstance(node, NOT_JUDGEABLE):
        raise Unsupported("%s is not a supported test form (%s)" % (type(node).__name__, ast.unparse(node)))
    if not uses_solution([node], names):
        return node  # the test's own values and functions
    if isinstance(node, CLOSURES):
        raise Unsupported("a closure or comprehension over the solution (%s)" % ast.unparse(node))
    if computation(node, names):
        return jailed(node, calls)
    lifted = lambda n: lift(n, calls, names)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CONVERSIONS \
            and len(node.args) == 1 and computation(node.args[0], names) and all(is_literal(k.value) for k in node.keywords):
        return jailed(ast.Call(ast.Name("__plain_" + node.func.id, ast.Load()), node.args, node.keywords), calls)
    member = node.func if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else node
    if isinstance(member, ast.Attribute) and uses_solution([member.value], names):
        if member.attr not in PLAIN_MEMBERS:
            raise Unsupported("a member plain data does not have, on a result of the solution (%s)" % ast.unparse(node))
        receiver = ast.Attribute(lifted(member.value), member.attr, ast.Load())
        if member is node:
            return receiver
        return ast.Call(receiver, [lifted(a) for a in node.args], [lift_keyword(k, calls, names) for k in node.keywords])
    if not isinstance(node, STRUCTURE):
        raise Unsupported("%s over the solution (%s)" % (type(node).__name__, ast.unparse(node)))
    if isinstance(node, ast.Call) and uses_solution([node.func], names):
        raise Unsupported("the solution's result given to another of its functions (%s)" % ast.unparse(node))
    # The test's own operation on the solution's results: the same node, its operands lifted.
    out = copy.copy(node)
    for field, value in ast.iter_fields(node):
        if isinstance(value, ast.keyword):
            setattr(out, field, lift_keyword(value, calls, names))
        elif isinstance(value, ast.expr):
            setattr(out, field, lifted(value))
        elif isinstance(value, list):
            setattr(out, field, [lift_keyword(v, calls, names) if isinstance(v, ast.keyword)
                                 else lifted(v) if isinstance(v, ast.expr) else v for v in value])
    return out


def computation(node, names):
    """A computation of the solution's subject with the test's own arguments: its name, a call of it, a member of the
    object it names or that a call of its class builds (LRUCache(2).get(1): the class under test), and calls of those
    members. A plain-data member on any other result is the test's (see lift)."""
    if isinstance(node, ast.Name):
        return node.id in names.defined
    if isinstance(node, ast.Call):
        args = node.args + [k.value for k in node.keywords]
        if uses_solution(args, names) or any(k.arg is None for k in node.keywords):
            return False
        f = node.func
        if isinstance(f, ast.Name):
            return f.id in names.defined
        return isinstance(f, ast.Attribute) and member_of_object(f, names)
    return isinstance(node, ast.Attribute) and member_of_object(node, names)


def member_of_object(node, names):
    """node is obj.attr where obj is a name of the solution's or an object built by calling its class."""
    if node.attr.startswith("__"):
        return False
    obj = node.value
    if isinstance(obj, ast.Name):
        return obj.id in names.defined
    return isinstance(obj, ast.Call) and isinstance(obj.func, ast.Name) and obj.func.id in names.classes \
        and not uses_solution(obj.args + [k.value for k in obj.keywords], names)


def lift_keyword(k, calls, names):
    if k.arg is None:
        raise Unsupported("**keywords over the solution")
    return ast.keyword(k.arg, lift(k.value, calls, names))


def jailed(node, calls):
    """The solution's computation, sent to the jail (its arguments are the test's own: no result of the solution's,
    so nothing of the test's judgement goes in with it)."""
    for inner in ast.walk(node):
        if isinstance(inner, CLOSURES + NOT_JUDGEABLE):
            raise Unsupported("a closure inside a call of the solution (%s)" % ast.unparse(node))
        if isinstance(inner, ast.Attribute) and inner.attr.startswith("__"):
            raise Unsupported("a dunder attribute (%s)" % ast.unparse(node))
    calls.append(ast.unparse(node))
    return ast.Call(ast.Name("__value", ast.Load()), [ast.Constant(len(calls) - 1)], [])


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
    if tag == "q" and len(v) == 3 and isinstance(v[1], str) and isinstance(v[2], str):
        return fractions.Fraction(int(v[1]), int(v[2]))
    if tag == "D" and isinstance(v[1], str): return decimal.Decimal(v[1])
    if tag == "c" and len(v) == 3 and isinstance(v[1], str) and isinstance(v[2], str): return complex(float(v[1]), float(v[2]))
    if tag in "ltSF" and len(tag) == 1 and isinstance(v[1], list):
        items = [decode(x) for x in v[1]]
        return {"l": list, "t": tuple, "S": set, "F": frozenset}[tag](items)
    if tag == "d" and isinstance(v[1], list):
        return {decode(k): decode(x) for k, x in v[1]}
    raise ValueError("malformed value")


def verdict(spec, values):
    """(passed, message) of a test from its calls' values (each a value, or the JailError of a call that raised):
    passed is None when the verdict needed a call that raised."""
    def value(i):
        v = values[i]
        if isinstance(v, JailError):
            raise v
        return v
    try:
        ok = bool(eval(spec["judge"], {"__builtins__": {}, "__value": value, **JUDGE_SCOPE}))
    except JailError as e:
        return None, str(e)
    except MemoryError:
        return None, "MemoryError: the verdict needed more than %d MiB" % (JUDGE_MEMORY >> 20)
    except Exception as e:
        return False, "%s: %s" % (type(e).__name__, str(e)[:200])
    if ok:
        return True, ""
    got = ", ".join("%s -> %s" % (c, repr(v)[:200]) for c, v in zip(spec["calls"], values))
    return False, spec["message"] or "AssertionError: got " + got


class JailError(Exception):
    """A call that raised in the jail: the test errs if its verdict needs that value (and/or may not)."""


def launch(req, root, nonce):
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
        str(limits["work_bytes"]), RUNNER_SOURCE(res)] + image_entries(req.get("image"))
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/work", "TMPDIR": "/work",
           "PYTHONHASHSEED": "0"}
    if not req["isolated"]:  # allow-unisolated: the runner straight on the host, in a private temp dir
        cmd = ["setpriv", "--pdeathsig=KILL", "--", py, "-I", "-S", "-B", os.path.join(res, "runner.py")]
        env["HOME"] = env["TMPDIR"] = root
        root_mode, nproc = False, user_tasks(os.geteuid()) + limits["processes"]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=root)
    return p, root_mode, juid, nproc, prefix


def image_entries(image):
    """jail.sh's IMAGE ENTRY... arguments: the image (see image.py) and its top level, symlinks as NAME=TARGET."""
    if not image:
        return []
    return [image] + sorted(n + "=" + os.readlink(os.path.join(image, n)) if os.path.islink(os.path.join(image, n))
                            else n for n in os.listdir(image))


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
    defined = solution_defines(req["solution"])
    if defined is None:  # the import-only jail below reports its SyntaxError; the tests never run
        specs = [{"calls": []} for _ in req["tests"]]
    else:
        specs = [parse_test(i, t, Names(*defined)) for i, t in enumerate(req["tests"])]
    supported = [i for i, s in enumerate(specs) if "calls" in s]
    result = {"solution_status": "not_run", "solution_message": "", "flags": [], "violations": [],
              "killed_by": None, "output": "", "stderr": ""}
    # One jail per call, in turn, within the one wall clock: a call's arguments are never where another call runs (in
    # one process the solution could read every call, and a round trip's or an inverse pair's arguments are each
    # other's answers). A solution with no call to run still gets one jail: its import, and what it tries there, count.
    deadline = time.monotonic() + limits["wall_millis"] / 1000.0
    flags, values, seconds, forged = [], {}, {}, 0
    jails = [[(i, k)] for i in supported for k in range(len(specs[i]["calls"]))] or [[]]
    for pairs in jails:
        result.pop("done", None)
        forged += run_jail(req, specs, pairs, result, values, seconds, deadline, flags)
        if result["killed_by"] is not None or result["solution_status"] == "error":
            break  # the rest would end the same way: not run
    outcomes = judge_outcomes(specs, supported, values, seconds, flags)
    if forged:
        flags.append("forged_output")
        result["violations"].append("forged_output: %d records that the runner did not write" % forged)
    result["flags"] = list(dict.fromkeys(flags + [v.split(":")[0] for v in result["violations"]]))
    tests = []
    for i, s in enumerate(specs):
        if "unsupported" in s:
            tests.append({"index": i, "status": "unsupported", "message": "test form not supported: " + s["unsupported"], "seconds": 0})
        elif "error" in s:
            tests.append({"index": i, "status": "error", "message": s["error"], "seconds": 0})
        else:
            tests.append(outcomes.get(i) or {"index": i, "status": "not_run" if result["killed_by"] is None else "error",
                                             "message": result["killed_by"] or "", "seconds": 0})
    result["tests"] = tests
    result["millis"] = int((time.monotonic() - start) * 1000)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def run_jail(req, specs, pairs, result, values, seconds, deadline, flags):
    """One jail for the calls pairs ((test, k): test's k-th call); their values land in values. Returns the records
    the runner did not write."""
    limits = req["limits"]
    nonce = secrets.token_hex(16)
    root = tempfile.mkdtemp(prefix="posttrain-jail-")
    forged = 0
    try:
        p, root_mode, juid, nproc, prefix = launch(req, root, nonce)
        first = p.stdout.readline() if req["isolated"] else b"ready 0"
        if not first.startswith(b"ready "):
            raise RuntimeError("jail did not start: " + p.stderr.read().decode(errors="replace")[-300:])
        if root_mode:
            host = HOST_UID_BASE + int(req["slot"])
            for f, m in (("uid_map", "0 0 1\n%d %d 1\n" % (juid, host)), ("gid_map", "0 0 1\n%d %d 1\n" % (juid, host))):
                with open("/proc/%d/%s" % (int(first.split()[1]), f), "w") as fh:  # the shell in the new user namespace
                    fh.write(m)
        request = {"nonce": nonce, "solution": req["solution"], "calls": [specs[i]["calls"][k] for i, k in pairs],
                   "conversions": CONVERSIONS, "judge_imports": JUDGE_IMPORTS,
                   "readable": [prefix, "/usr/lib", "/usr/lib64", "/lib", "/lib64"],
                   "work": "/work" if req["isolated"] else root,
                   "limits": {"memory": limits["memory_bytes"], "cpu": limits["cpu_seconds"], "nproc": nproc,
                              "fsize": limits["file_bytes"], "nofile": limits["open_files"]}}
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
        forged = parse_records(data, nonce, pairs, result, values, seconds)
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
    return forged


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


def parse_records(data, nonce, pairs, result, values, seconds):
    """Reads the runner's records of one jail into result, values and seconds; returns those it did not write."""
    prefix = nonce + " "
    forged = 0
    for line in data.decode("utf-8", "replace").split("\n"):
        if not line:
            continue
        if not line.startswith(prefix):
            forged += 1
            continue
        try:
            r = json.loads(line[len(prefix):])
            ev = r["event"]
        except (ValueError, KeyError, TypeError, RecursionError):
            forged += 1
            continue
        if ev == "violation":
            result["violations"].append("%s: %s" % (r.get("kind"), r.get("detail")))
        elif ev == "solution":
            result["solution_status"], result["solution_message"] = r.get("status"), r.get("message", "")
        elif ev == "call":
            pos = r.get("index")
            if not isinstance(pos, int) or pos < 0 or pos >= len(pairs) or pairs[pos] in values or \
                    ("error" not in r and "value" not in r):
                forged += 1
                continue
            values[pairs[pos]] = {"error": str(r["error"])[:300]} if "error" in r else {"value": r["value"]}
            seconds[pairs[pos]] = r.get("seconds", 0) if isinstance(r.get("seconds"), float) else 0
        elif ev == "output":
            result["output"] = str(r.get("text", ""))[:4000]
        elif ev == "done":
            result["done"] = True
        else:
            forged += 1
    return forged


def judge_outcomes(specs, supported, values, seconds, flags):
    """{test: outcome} for each supported test whose calls all came back, judged by judge_all."""
    complete = [i for i in supported if specs[i]["calls"] and all((i, k) in values for k in range(len(specs[i]["calls"])))]
    judged, malformed = judge_all(specs, complete, values)
    outcomes = {}
    for i in complete:
        ok, msg = judged.get(i, (None, "judge limit: the verdict took more than %d s of CPU or %d MiB"
                                 % (JUDGE_CPU_SECONDS, JUDGE_MEMORY >> 20)))
        outcomes[i] = {"index": i, "status": "error" if ok is None else "pass" if ok else "fail", "message": msg,
                       "seconds": sum(seconds[(i, k)] for k in range(len(specs[i]["calls"])))}
    if malformed is None:
        flags.append("judge_limit")
    elif malformed:
        flags.append("forged_output")
    return outcomes


def judge_all(specs, tests, values):
    """({test: (passed or None for an error, message)}, malformed values) from a child of this judge that decodes the
    values and evaluates the verdicts under CPU and memory limits; ({}, None) if the child hit them."""
    if not tests:
        return {}, 0
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.close(r)
            resource.setrlimit(resource.RLIMIT_CPU, (JUDGE_CPU_SECONDS, JUDGE_CPU_SECONDS + 1))
            resource.setrlimit(resource.RLIMIT_AS, (JUDGE_MEMORY, JUDGE_MEMORY))
            judged, malformed = {}, 0
            for i in tests:
                decoded = []
                for k in range(len(specs[i]["calls"])):
                    v = values[(i, k)]
                    if "error" in v:
                        decoded.append(JailError(v["error"]))
                        continue
                    try:
                        decoded.append(decode(v["value"]))
                    except (ValueError, KeyError, TypeError, IndexError, OverflowError, RecursionError, ZeroDivisionError,
                            ArithmeticError):
                        malformed += 1
                        judged[str(i)] = (None, "a result the runner did not write")
                        break
                else:
                    judged[str(i)] = verdict(specs[i], decoded)
            data = json.dumps({"judged": judged, "malformed": malformed}).encode()
            while data:
                data = data[os.write(w, data):]
        finally:
            os._exit(0)
    os.close(w)
    chunks = []
    with os.fdopen(r, "rb") as f:
        while True:
            chunk = f.read(65536)
            if not chunk:
                break
            chunks.append(chunk)
    os.waitpid(pid, 0)
    try:
        out = json.loads(b"".join(chunks))
    except ValueError:
        return {}, None
    return {int(i): tuple(v) for i, v in out["judged"].items()}, out["malformed"]


if __name__ == "__main__":
    main()
