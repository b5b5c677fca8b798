"""The trusted side of CodeVerifier: runs on the host and never runs untrusted code.

Reads one JSON request on stdin: {"solution", "tests", "limits", "slot", "resources"}. Parses each test
("assert f(2) == 5") into a call ("f(2)") and an expected value (5); starts a jail (user, mount, PID,
network, IPC and UTS namespaces; see jail.sh) whose runner imports the solution and returns each call's
result as plain data; compares outside the jail; prints one JSON verdict line on stdout.
"""
import ast, json, os, select, secrets, signal, subprocess, sys, tempfile, time

JAIL_UID = 1000          # the runner's uid inside the jail
HOST_UID_BASE = 1900000000  # root mode: jail slot i runs as this host uid + i, so RLIMIT_NPROC counts it alone
MAX_PROTOCOL = 1 << 20

STAGE1 = 'echo ready $$; read go || exit 1; exec unshare --mount --pid --net --ipc --uts --fork --kill-child --mount-proc -- /bin/sh "$@"'


def RUNNER_SOURCE(res):
    with open(os.path.join(res, "runner.py"), encoding="utf-8") as f:
        return f.read()


def parse_test(index, src):
    """{"call", "op", "expected", "message"} or {"unsupported": why}."""
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
    t = node.test
    if isinstance(t, ast.Compare):
        if len(t.ops) != 1 or not isinstance(t.ops[0], (ast.Eq, ast.NotEq)):
            return {"unsupported": "a comparison other than a single == or != (%s)" % ast.unparse(t)}
        op = "==" if isinstance(t.ops[0], ast.Eq) else "!="
        for call, lit in ((t.left, t.comparators[0]), (t.comparators[0], t.left)):
            try:
                return {"call": ast.unparse(call), "op": op, "expected": ast.literal_eval(lit), "message": message}
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue
        return {"unsupported": "neither side of %s is a literal" % ast.unparse(t)}
    if isinstance(t, ast.UnaryOp) and isinstance(t.op, ast.Not):
        return {"call": ast.unparse(t.operand), "op": "falsy", "message": message}
    return {"call": ast.unparse(t), "op": "truthy", "message": message}


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
    if tag in "ltSF" and len(tag) == 1 and isinstance(v[1], list):
        items = [decode(x) for x in v[1]]
        return {"l": list, "t": tuple, "S": set, "F": frozenset}[tag](items)
    if tag == "d" and isinstance(v[1], list):
        return {decode(k): decode(x) for k, x in v[1]}
    raise ValueError("malformed value")


def verdict(spec, value):
    if spec["op"] == "==": return value == spec["expected"]
    if spec["op"] == "!=": return value != spec["expected"]
    return bool(value) == (spec["op"] == "truthy")


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
    os.setpgrp()  # the JVM kills this group at the end
    start = time.monotonic()
    limits = req["limits"]
    specs = [parse_test(i, t) for i, t in enumerate(req["tests"])]
    supported = [i for i, s in enumerate(specs) if "call" in s]
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
        request = {"nonce": nonce, "solution": req["solution"], "calls": [specs[i]["call"] for i in supported],
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
    prefix = nonce + " "
    forged = 0
    seen = set()
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
            if not isinstance(pos, int) or pos < 0 or pos >= len(supported) or pos in seen:
                forged += 1
                continue
            seen.add(pos)
            i = supported[pos]
            spec = specs[i]
            secs = r.get("seconds", 0) if isinstance(r.get("seconds"), float) else 0
            if "error" in r:
                outcomes[i] = {"index": i, "status": "error", "message": str(r["error"])[:300], "seconds": secs}
                continue
            try:
                value = decode(r["value"])
            except (ValueError, KeyError, TypeError, IndexError, OverflowError, RecursionError):
                forged += 1
                continue
            ok = verdict(spec, value)
            msg = "" if ok else (spec["message"] or "AssertionError: got %s" % repr(value)[:200])
            outcomes[i] = {"index": i, "status": "pass" if ok else "fail", "message": msg, "seconds": secs}
        elif ev == "output":
            result["output"] = str(r.get("text", ""))[:4000]
        elif ev == "done":
            result["done"] = True
        else:
            forged += 1
    if forged:
        flags.append("forged_output")
        result["violations"].append("forged_output: %d records that the runner did not write" % forged)


if __name__ == "__main__":
    main()
