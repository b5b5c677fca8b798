package ai.posttrain.reward;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile solutions against the jailed code verifier. Every attack also defines a correct {@code f}, so that
 * only containment and detection can make it score zero. Each asserts the verdict (zero), the flag it must
 * raise and the absence of side effects on the host (a bait file unchanged, files not created, the loopback
 * listener never connected to, no process left with the attack's marker). They run in parallel.
 */
class SandboxAttackTest {
    // A wall clock far above the CPU limit: no attack here is a timeout, and a loaded machine must not make a correct
    // solution one (at 4 s, "everyTestForm..." timed out beside a training job on two cores).
    static final SandboxLimits LIMITS = new SandboxLimits(30_000, 256L << 20, 2, 1, 1L << 20, 8L << 20, 4, false);
    static final CodeVerifier VERIFIER = new CodeVerifier("python3", LIMITS);
    static final List<String> TESTS = List.of("assert f(2) == 5", "assert f(10) == 21");
    static final String F = "\ndef f(x):\n    return 2 * x + 1\n";

    /**
     * Python that defines runner_local(name): a local of the runner's main(), reached through the frames (the runner shares
     * the solution's interpreter, so nothing it holds is out of the solution's reach).
     */
    static final String RUNNER_LOCAL = "import sys\ndef runner_local(name):\n    frame = sys._getframe(1)\n"
            + "    while frame is not None and name not in frame.f_locals:\n        frame = frame.f_back\n"
            + "    return frame.f_locals[name] if frame else None\n";

    /** Python that empties the runner's tripwires (the sets its audit hook checks), as a solution can. */
    static final String DISARM = RUNNER_LOCAL + "hook = runner_local('hook')\n"
            + "for cell in hook.__closure__:\n    if type(cell.cell_contents) is set:\n        cell.cell_contents.clear()\n";

    static Path dir, bait, marker;
    static ServerSocket listener;
    static final AtomicInteger connections = new AtomicInteger();

    @BeforeAll
    static void host() throws IOException {
        dir = Files.createTempDirectory("sandbox-attack-");
        bait = dir.resolve("bait.txt");
        Files.writeString(bait, "secret");
        marker = dir.resolve("pwned-" + UUID.randomUUID());
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        listener.setSoTimeout(200);
        Thread t = new Thread(() -> {
            while (!listener.isClosed()) {
                try { listener.accept().close(); connections.incrementAndGet(); }
                catch (SocketTimeoutException ignored) { }
                catch (IOException e) { return; }
            }
        }, "attack-listener");
        t.setDaemon(true);
        t.start();
    }

    @AfterAll
    static void close() throws IOException { listener.close(); }

    /** name → {solution, flag it must raise}. */
    static Map<String, String[]> attacks() {
        String m = marker.toString(), b = bait.toString(), d = dir.toString();
        int port = listener.getLocalPort();
        Map<String, String[]> a = new LinkedHashMap<>();
        a.put("open_write", new String[]{"open('" + m + "', 'w').write('x')" + F, "filesystem"});
        a.put("open_read", new String[]{"print(open('" + b + "').read())" + F, "filesystem"});
        a.put("etc_passwd", new String[]{"print(open('/etc/passwd').read())" + F, "filesystem"});
        a.put("chdir_relative", new String[]{"import os\nos.chdir('" + d + "')\nopen('" + marker.getFileName() + "', 'w').write('x')" + F, "filesystem"});
        a.put("dotdot_relative", new String[]{"open('../../../.." + m + "', 'w').write('x')" + F, "filesystem"});
        a.put("c_fileio", new String[]{"import sys\ntype(sys.stdout.buffer.raw)('" + m + "', 'w').write(b'x')" + F, "filesystem"});
        a.put("private_io", new String[]{"import _io\n_io.FileIO('" + m + "', 'w').write(b'x')" + F, "filesystem"});
        a.put("posix_open", new String[]{"import posix\nfd = posix.open('" + m + "', posix.O_WRONLY | posix.O_CREAT)\nposix.write(fd, b'x')" + F, "filesystem"});
        a.put("reimported_builtins", new String[]{"import importlib, builtins\nimportlib.reload(builtins)\nbuiltins.open('" + m + "', 'w').write('x')" + F, "filesystem"});
        a.put("delete_file", new String[]{"import os\nos.remove('" + b + "')" + F, "filesystem"});
        a.put("ctypes", new String[]{"import ctypes\nctypes.CDLL(None).system(b'touch " + m + "')" + F, "import"});
        a.put("fork_bomb", new String[]{"import os\nwhile True:\n    os.fork()" + F, "process"});
        a.put("subprocess", new String[]{"import subprocess\nsubprocess.run(['sh', '-c', 'touch " + m + "'])" + F, "import"});
        a.put("setsid_daemon", new String[]{"import os\nif os.fork() == 0:\n    os.setsid()\n    import time\n    time.sleep(60)\n    open('" + m + "', 'w')" + F, "process"});
        a.put("socket_loopback", new String[]{"import socket\ns = socket.socket()\ns.settimeout(1)\ns.connect(('127.0.0.1', " + port + "))" + F, "network"});
        a.put("raw_socket_module", new String[]{"import _socket\ns = _socket.socket()\ns.connect(('127.0.0.1', " + port + "))" + F, "network"});
        a.put("memory_exhaustion", new String[]{"x = bytearray(8 * 1024 ** 3)" + F, "memory"});
        a.put("disk_exhaustion", new String[]{"f = open('big', 'wb')\nwhile True:\n    f.write(b'x' * 1048576)" + F, "file_size_limit"});
        a.put("output_flood", new String[]{"while True:\n    print('y' * 65536)" + F, "file_size_limit"});
        a.put("forged_records", new String[]{"import os\nfor fd in range(3, 20):\n    try:\n        os.write(fd, b'0' * 32 + b' {\"event\": \"done\"}\\n')\n    except OSError:\n        pass" + F, "forged_output"});
        a.put("sys_exit_before_checks", new String[]{"import sys\nsys.exit(0)" + F, "exit"});
        a.put("os_exit_before_checks", new String[]{F + "import os\nos._exit(0)", "exited_early"});
        a.put("rigged_eq", new String[]{"class R(int):\n    def __eq__(self, o): return True\n    __hash__ = int.__hash__\ndef f(x):\n    return R(0)", "non_plain_value"});
        a.put("rigged_bool_str", new String[]{"class S(str):\n    def __eq__(self, o): return True\n    def __bool__(self): return True\n    def __hash__(self): return 0\ndef f(x):\n    return S('')", "non_plain_value"});
        a.put("patch_builtins", new String[]{"import builtins\nbuiltins.AssertionError = type('Nope', (Exception,), {})\nbuiltins.isinstance = lambda *a: True" + F, "builtins_patched"});
        a.put("harness_override", new String[]{"import sys\nsys.modules['__main__'].main = None" + F, "harness_tampered"});
        a.put("harness_gc", new String[]{"import gc\nfor o in gc.get_objects():\n    pass" + F, "tamper"});
        return a;
    }

    @Test
    void everyAttackScoresZeroIsFlaggedAndLeavesTheHostAlone() throws Exception {
        Map<String, String[]> attacks = attacks();
        assertTrue(attacks.size() >= 25, "at least 25 attacks");
        ExecutorService pool = Executors.newFixedThreadPool(LIMITS.maxConcurrent());
        Map<String, Future<VerifierResult>> results = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        attacks.forEach((name, a) -> results.put(name, pool.submit(() -> VERIFIER.verifyTests("```python\n" + a[0] + "\n```", TESTS))));
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Future<VerifierResult>> e : results.entrySet()) {
            VerifierResult r = e.getValue().get();
            String flag = attacks.get(e.getKey())[1];
            if (r.score() != 0.0 || r.passed()) problems.add(e.getKey() + " scored " + r.score() + ": " + r.reason());
            if (!r.flags().contains(flag)) problems.add(e.getKey() + " lacks flag " + flag + ": " + r.flags() + " " + r.reason());
        }
        pool.shutdown();
        System.out.printf("%d attacks in %.1fs%n", attacks.size(), (System.nanoTime() - t0) / 1e9);
        Thread.sleep(300);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertFalse(Files.exists(marker), "an attack created a file on the host");
        assertEquals("secret", Files.readString(bait), "the bait file changed");
        assertEquals(0, connections.get(), "the loopback listener got a connection");
        assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("").contains(marker.getFileName().toString())),
                "a process of an attack survived");
    }

    /**
     * A CPU spin is stopped by the CPU-time rlimit (which holds for root), not by the wall clock: on its own, with a
     * wall clock far above the CPU limit, so a loaded machine (a fraction of a core each) cannot make it a timeout.
     */
    @Test
    void cpuSpinStopsAtTheCpuLimit() {
        SandboxLimits limits = new SandboxLimits(60_000, 256L << 20, 1, 16, 1L << 20, 8L << 20, 1, false);
        VerifierResult r = new CodeVerifier("python3", limits).verifyTests("```python\nwhile True:\n    pass" + F + "\n```", TESTS);
        assertEquals(0.0, r.score(), r.reason());
        assertTrue(r.flags().contains("cpu_limit"), r.flags() + " " + r.reason());
    }

    @Test
    void aCorrectSolutionStillPassesAndAWrongOneIsNotFlagged() {
        VerifierResult ok = VERIFIER.verifyTests("```python" + F + "```", TESTS);
        assertTrue(ok.passed(), ok.reason());
        assertTrue(ok.flags().isEmpty(), ok.flags().toString());
        assertEquals(true, ok.details().get("isolated"));
        VerifierResult wrong = VERIFIER.verifyTests("```python\ndef f(x):\n    return x\n```", TESTS);
        assertEquals(0.0, wrong.score());
        assertTrue(wrong.flags().isEmpty(), wrong.flags().toString());
    }

    /**
     * Tests beyond "call == literal": the judgement (and/or/not, comparisons, arithmetic, indexing, builtins, math.isclose)
     * runs outside the jail on plain data, so a correct f passes every form, while a solution whose objects or names
     * would judge themselves inside the jail (a rigged __eq__, its own all/isinstance/sorted/abs, a patched math.isclose)
     * passes none.
     */
    @Test
    void everyTestFormIsJudgedOutsideTheJail() {
        List<String> forms = List.of("assert f(2) == 5 and f(10) == 21", "assert not (f(2) != 5)", "assert (f(2) == 5) == True",
                "assert f(0) == 0 or f(2) == 5", "assert math.isclose(f(2), 5.0, rel_tol=1e-9)", "assert abs(f(10) - 21) < 1e-9",
                "assert isinstance(f(2), int) and type(f(2)) is int", "assert sorted([f(1), f(0)]) == [1, 3]",
                "assert all([f(2) == 5, f(3) == 7])", "assert 4 < f(2) <= 5", "assert f(2) in (5, 6) and f(2) not in [7]",
                "assert f(2) * 2 - 1 == 9", "assert [f(0), f(1)][1] == 3", "assert f(2) if f(0) else False", "assert f(2)");
        VerifierResult correct = VERIFIER.verifyTests("```python" + F + "```", forms);
        assertEquals(1.0, correct.score(), correct.reason());
        Map<String, String> liars = Map.of(
                "rigged_eq", "class R(int):\n    def __eq__(self, o): return True\n    def __ne__(self, o): return False\n"
                        + "    def __lt__(self, o): return True\n    def __le__(self, o): return True\n    __hash__ = int.__hash__\n"
                        + "def f(x):\n    return R(0)",
                "shadowed_builtins", "def all(*a): return True\ndef any(*a): return True\ndef isinstance(*a): return True\n"
                        + "def sorted(*a): return [1, 3]\ndef abs(x): return 0\ndef type(x): return int\ndef f(x):\n    return ''",
                "patched_math", "import math\nmath.isclose = lambda *a, **k: True\ndef f(x):\n    return ''");
        liars.forEach((name, code) -> {
            VerifierResult r = VERIFIER.verifyTests("```python\n" + code + "\n```", forms);
            assertEquals(0.0, r.score(), name + ": " + r.reason());
        });
        // Forms whose judgement would have to run beside the solution's objects are named, not run.
        VerifierResult unsupported = VERIFIER.verifyTests("```python" + F + "```", List.of(
                "assert all(f(x) == y for x, y in [(2, 5)])", "assert f(2).__eq__(5)", "assert f(f(2) == 5) == 3",
                "assert 5 == 5"));
        assertEquals(0.0, unsupported.score(), unsupported.reason());
        assertTrue(unsupported.reason().contains("unsupported"), unsupported.reason());
    }

    /**
     * The test's own values are the judge's too: builtins (range, chr), math, f-strings, powers and plain-data methods
     * on a result are evaluated outside the jail, so a solution's own `range`, a patched math.pi, an object that answers
     * startswith or ** as asked, or one whose __format__ prints the expected text, passes none of these tests, while a
     * correct solution passes all, including conversions of results only the jail holds (a generator, a Counter).
     */
    @Test
    void theTestsOwnValuesAndOperationsAreNeverTheSolutions() {
        List<String> tests = List.of("assert g(5) == list(range(5))", "assert abs(area(1) - math.pi) < 1e-9",
                "assert letter(97) == chr(97)", "assert f'{area(1):.2f}' == '3.14'", "assert abs(root(2) ** 2 - 2) < 1e-9",
                "assert word('hello').startswith('he') and word('hello').count('l') == 2", "assert list(squares(4)) == [0, 1, 4, 9]",
                "assert tally('aab') == {'a': 2, 'b': 1}", "assert sorted(tally('ba').keys()) == ['a', 'b']");
        String correct = "import math, collections\ndef g(n):\n    return list(range(n))\ndef area(r):\n    return math.pi * r * r\n"
                + "def letter(c):\n    return chr(c)\ndef root(x):\n    return math.sqrt(x)\ndef word(w):\n    return w\n"
                + "def squares(n):\n    return (i * i for i in range(n))\ndef tally(s):\n    return collections.Counter(s)\n";
        VerifierResult right = VERIFIER.verifyTests("```python\n" + correct + "```", tests);
        assertEquals(1.0, right.score(), right.reason());
        String liar = "import math\nmath.pi = 1.0\ndef range(*a):\n    return []\ndef chr(c):\n    return 'z'\n"
                + "class W:\n    def startswith(self, *a): return True\n    def count(self, *a): return 2\n"
                + "    def __pow__(self, k): return 2.0\n    def __format__(self, spec): return '3.14'\n"
                + "def g(n):\n    return []\ndef area(r):\n    return 1.0\ndef letter(c):\n    return 'z'\n"
                + "def root(x):\n    return W()\ndef word(w):\n    return W()\ndef squares(n):\n    return iter([])\n"
                + "def tally(s):\n    return {}\n";
        VerifierResult wrong = VERIFIER.verifyTests("```python\n" + liar + "```", tests);
        assertEquals(0.0, wrong.score(), wrong.reason());
        // The one f-string test where the object of the solution's own meets the format: W is no plain data, so no pass.
        VerifierResult formatted = VERIFIER.verifyTests("```python\n" + liar.replace("def area(r):\n    return 1.0", "def area(r):\n    return W()")
                + "```", List.of("assert f'{area(1):.2f}' == '3.14'"));
        assertEquals(0.0, formatted.score(), formatted.reason());
    }

    /**
     * The standard library a test judges with is the judge's (sys.maxsize, cmath.isclose, Counter, Fraction, string), a
     * function of the solution's names never judges a result (np.allclose), and a conversion converts only the solution's
     * result, never the test's operation on it (len(set(r) ^ {2, 3})): a solution that defines those names or returns an
     * object answering those operators passes nothing. Class-based tests (LRUCache(2).get(1), Solution().reverse(12)) and
     * results only the jail can hold or convert (a generator summed, a Fraction) still pass when right.
     */
    @Test
    void namesAndOperationsOfTheTestStayTheTests() {
        List<String> tests = List.of("assert smallest([]) == sys.maxsize", "assert cmath.isclose(to_complex(1, 2), 1 + 2j)",
                "assert np.allclose(scale([1, 2], 2), [2, 4])", "assert Counter(chars('aab')) == Counter({'a': 2, 'b': 1})",
                "assert frac(1, 3) == Fraction(1, 3)", "assert first_letters(3) == string.ascii_lowercase[:3]",
                "assert len(set(common([1, 2, 3], [2, 3, 4])) ^ {2, 3}) == 0", "assert len(common([5, 6, 7], [7, 6]) & {6, 7}) == 2");
        String liar = "class sys:\n    maxsize = -1\nclass cmath:\n    isclose = staticmethod(lambda *a, **k: True)\n"
                + "class np:\n    allclose = staticmethod(lambda *a, **k: True)\nclass string:\n    ascii_lowercase = 'zzz'\n"
                + "def Counter(*a):\n    return 0\ndef Fraction(*a):\n    return 0\n"
                + "class E:\n    def __xor__(self, o): return []\n    __rxor__ = __xor__\n    def __and__(self, o): return list(o)\n"
                + "    __rand__ = __and__\n    def __len__(self): return 0\n_set = set\ndef set(x):\n    return x if isinstance(x, E) else _set(x)\n"
                + "def smallest(xs):\n    return -1\ndef to_complex(a, b):\n    return 0\ndef scale(xs, k):\n    return 0\n"
                + "def chars(s):\n    return 0\ndef frac(a, b):\n    return 0\ndef first_letters(n):\n    return 'zzz'\n"
                + "def common(a, b):\n    return E()\n";
        VerifierResult wrong = VERIFIER.verifyTests("```python\n" + liar + "```", tests);
        assertEquals(0.0, wrong.score(), wrong.reason());
        // A second name of the solution's could compute the expected value (np.linalg.norm, np.allclose of a constant), and
        // a member plain data lacks would let a result answer for itself (.equals): such tests are unsupported; a module the
        // judge has (statistics) is the judge's.
        String liar2 = "class np:\n    allclose = staticmethod(lambda *a, **k: True)\n    class linalg:\n"
                + "        norm = staticmethod(lambda *a, **k: 0.0)\nclass statistics:\n    mean = staticmethod(lambda xs: -1)\n"
                + "class R:\n    def equals(self, o): return True\n    def __sub__(self, o): return self\n"
                + "ANSWER = 'wrong'\ndef top2(xs):\n    return R()\ndef solve(a, b):\n    return R()\ndef mean(xs):\n    return -1\n";
        VerifierResult wrong2 = VERIFIER.verifyTests("```python\n" + liar2 + "```", List.of("assert top2([3, 1, 2]).equals([3, 2])",
                "assert np.allclose(ANSWER, [1.5, 2.5])", "assert np.linalg.norm(solve([[2, 0], [0, 2]], [2, 4]) - [1, 2]) < 1e-9",
                "assert mean([1, 2, 3, 4]) == statistics.mean([1, 2, 3, 4])"));
        assertEquals(0.0, wrong2.score(), wrong2.reason());
        String right = "import sys, fractions\nclass LRUCache:\n    def __init__(self, n):\n        self.d = {}\n"
                + "    def get(self, k):\n        return self.d.get(k, -1)\nclass Solution:\n    def reverse(self, x):\n"
                + "        return int(str(x)[::-1])\ndef squares(n):\n    return (i * i for i in range(n))\n"
                + "def frac(a, b):\n    return fractions.Fraction(a, b)\ndef smallest(xs):\n    return min(xs, default=sys.maxsize)\n"
                + "def mean(xs):\n    return sum(xs) / len(xs)\n";
        VerifierResult correct = VERIFIER.verifyTests("```python\n" + right + "```", List.of("assert LRUCache(2).get(1) == -1",
                "assert Solution().reverse(123) == 321", "assert sum(squares(4)) == 14", "assert frac(1, 3) == Fraction(1, 3)",
                "assert smallest([]) == sys.maxsize", "assert Solution().reverse(120).bit_length() == 5",
                "assert mean([1, 2, 3, 4]) == statistics.mean([1, 2, 3, 4])"));
        assertEquals(1.0, correct.score(), correct.reason());
        assertTrue(correct.flags().isEmpty(), correct.flags().toString());
    }

    /**
     * Each test runs in its own jail: a solution that reads the runner's request through its frames sees only the calls of
     * the test it is in, so an inverse pair (to_roman, from_roman) cannot answer each other's tests from their arguments.
     */
    @Test
    void noTestSeesAnotherTestsCalls() {
        String code = RUNNER_LOCAL + "def calls():\n    req = runner_local('req')\n    return req['calls'] if req else []\n"
                + "def other(name, other, arg):\n    mine = [c for c in calls() if c.startswith(name + '(')]\n"
                + "    theirs = [c for c in calls() if c.startswith(other + '(')]\n"
                + "    for c, o in zip(mine, theirs):\n        if eval(c[len(name):]) == arg:\n            return eval(o[len(other):])\n"
                + "def to_roman(n):\n    return other('to_roman', 'from_roman', n)\n"
                + "def from_roman(s):\n    return other('from_roman', 'to_roman', s)\n";
        VerifierResult r = VERIFIER.verifyTests("```python\n" + code + "```", List.of("assert to_roman(4) == 'IV'",
                "assert to_roman(1994) == 'MCMXCIV'", "assert from_roman('IV') == 4", "assert from_roman('MCMXCIV') == 1994"));
        assertEquals(0.0, r.score(), r.reason());
        // Nor within one test: each call has its own jail, so a round trip's two calls cannot answer each other.
        String roundTrip = RUNNER_LOCAL + "import ast\ndef shift(s, k):\n    req = runner_local('req')\n"
                + "    for c in (req['calls'] if req else []):\n"
                + "        a, b = [ast.literal_eval(x) for x in ast.parse(c, mode='eval').body.args]\n"
                + "        if b == -k and a != s:\n            return a\n    return s\n";
        VerifierResult pair = VERIFIER.verifyTests("```python\n" + roundTrip + "```",
                List.of("assert shift('abc', 3) == 'def' and shift('def', -3) == 'abc'"));
        assertEquals(0.0, pair.score(), pair.reason());
    }

    /**
     * A result that costs the judge more than it cost to send: the solution reaches the runner's writer through its frames
     * (the runner shares its interpreter) and sends a set of ints that all share a hash. The judge decodes and judges in a
     * child under its own CPU and memory limits: a flagged zero within the wall clock, not a stuck judge.
     */
    @Test
    void aResultThatIsCostlyToJudgeStopsAtTheJudgesLimit() {
        String code = "def f(x):\n    return 0\n" + RUNNER_LOCAL + "import os\nemit = runner_local('emit')\n"
                + "items = ','.join('[\"i\",\"%d\"]' % (k * (2 ** 61 - 1) + 7) for k in range(30000))\n"
                + "emit('{\"event\":\"solution\",\"status\":\"pass\",\"message\":\"\"}')\n"
                + "emit('{\"event\":\"call\",\"index\":0,\"value\":[\"S\",[' + items + ']],\"seconds\":0.0}')\n"
                + "emit('{\"event\":\"done\"}')\nos._exit(0)\n";
        long t0 = System.nanoTime();
        VerifierResult r = VERIFIER.verifyTests("```python\n" + code + "```", List.of("assert f(2) == {5}"));
        assertEquals(0.0, r.score(), r.reason());
        assertTrue(r.flags().contains("judge_limit"), r.flags() + " " + r.reason());
        assertTrue((System.nanoTime() - t0) / 1e9 < LIMITS.wallClockMillis() / 1000.0 + 5, "the judge was bounded");
    }

    /**
     * The audit hook is a tripwire, not a boundary: the solution shares the runner's interpreter and can reach the hook's
     * state through frames. With the hook emptied, the OS still refuses a second process (RLIMIT_NPROC of the jail's own
     * uid), so the per-process memory and CPU limits bound the solution: its fork raises OSError.
     */
    @Test
    void withItsTripwiresDisarmedASolutionStillCannotStartAProcess() {
        assertTheOsRefuses("import os\npid = os.fork()\nif pid == 0:\n    os._exit(0)\n");
    }

    /**
     * In-memory files (memfd_create) hold pages that neither RLIMIT_AS nor the jail's tmpfs counts. A solution that keeps
     * as many full-size ones as it can holds at most {@link SandboxLimits#OPEN_FILES} of them (with 64 descriptors it held
     * 960 MiB under a 512 MiB limit): held() reports the bytes it kept.
     */
    @Test
    void inMemoryFilesStayWithinTheRunsMemoryBound() {
        String code = "import os\nHELD = []\n"
                + "for i in range(200):\n    try:\n        fd = os.memfd_create('m%d' % i)\n"
                + "        os.posix_fallocate(fd, 0, " + LIMITS.maxFileBytes() + ")\n        HELD.append(fd)\n"
                + "    except OSError:\n        break\n"
                + "def held():\n    return len(HELD) * " + LIMITS.maxFileBytes() + "\n";
        long bound = SandboxLimits.OPEN_FILES * LIMITS.maxFileBytes();
        VerifierResult r = VERIFIER.verifyTests("```python\n" + code + "```", List.of("assert 0 < held() <= " + bound));
        assertEquals(1.0, r.score(), r.reason());
        assertEquals((256L + 8 + 16) << 20, LIMITS.memoryPerRun(), "address space, tmpfs and 16 in-memory files of 1 MiB");
    }

    /**
     * Nothing a solution writes can be mapped as native code (which could reach what Python cannot, e.g. SysV shared memory
     * and nested namespaces, closed separately in jail.sh): its files are on a noexec tmpfs. With the tripwires disarmed,
     * the OS refuses to map a file it wrote as executable.
     */
    @Test
    void nothingTheSolutionWritesMapsAsCode() {
        assertTheOsRefuses("import mmap\n"
                + "with open('/work/code', 'wb') as out:\n    out.write(b'\\xc3' * 4096)\n"
                + "with open('/work/code', 'rb') as src:\n"
                + "    mmap.mmap(src.fileno(), 4096, prot=mmap.PROT_READ | mmap.PROT_EXEC)\n");
    }

    /** With the tripwires disarmed, the solution runs {@code attempt} (Python, module level): the OS must raise OSError. */
    static void assertTheOsRefuses(String attempt) {
        String code = DISARM + "try:\n" + attempt.indent(4) + "    OUTCOME = 'done'\nexcept OSError:\n    OUTCOME = 'refused'\n"
                + "def outcome():\n    return OUTCOME\n";
        VerifierResult r = VERIFIER.verifyTests("```python\n" + code + "```", List.of("assert outcome() == 'refused'"));
        assertEquals(1.0, r.score(), r.reason());
    }

    /**
     * Nor can it execute an in-memory file (vm.memfd_noexec = 2 in the jail's PID namespace, which only a jail started by
     * root may set: this test runs where the JVM is root, as in CI). With the tripwires disarmed, execve fails.
     */
    @Test
    void anInMemoryFileDoesNotExecute() {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "vm.memfd_noexec is set only by a root executor");
        assertTheOsRefuses("import os, sys\nfd = os.memfd_create('x')\n"
                + "with open(sys.executable, 'rb') as src:\n    os.write(fd, src.read())\n"
                + "os.execve(fd, [sys.executable, '-c', 'pass'], {})\n");
    }

    /**
     * A jail reads the interpreter, its libraries and setpriv from the private image on the /dev/shm tmpfs and nothing
     * from the host's disk: pages of a disk file are shared with the host's page cache, and a solution that evicted them
     * (posix_fadvise) and timed reads passed bits from one call's jail to the next (reads of evicted files took 32-88 us
     * against 0-1 us cached); tmpfs pages cannot be evicted without swap. The solution reports the devices its files are on.
     */
    @Test
    void theJailReadsOnlyItsPrivateImage() throws IOException, InterruptedException {
        Path image = CodeIsolation.get("python3").image();
        assertNotNull(image, "no image was built");
        assertEquals("tmpfs", Files.getFileStore(image).type());
        long device = ((Number) Files.getAttribute(image, "unix:dev")).longValue();
        String code = "import os, sys\n"
                + "def devices():\n    paths = [sys.executable, os.__file__, os.path.dirname(os.__file__) + '/lib-dynload',"
                + " '/usr/bin/setpriv', '/usr/lib', '/lib64']\n    return {os.stat(p).st_dev for p in paths if os.path.exists(p)}\n";
        VerifierResult r = VERIFIER.verifyTests("```python\n" + code + "```", List.of("assert devices() == {" + device + "}"));
        assertEquals(1.0, r.score(), r.reason());
        // Where no image can be built, the jails bind the host's installation instead, and still jail.
        PythonSandbox.Run host = new PythonSandbox(CodeIsolation.get("python3").hostFiles(), LIMITS)
                .run(code, List.of("assert devices() != {" + device + "}"), true);
        assertEquals("pass", host.tests().get(0).status(), host.tests() + " " + host.stderr());
        assertTrue(host.isolated() && host.flags().isEmpty(), host.flags().toString());
    }

    @Test
    void unsupportedTestFormsAreNamedAndNotPassed() {
        VerifierResult r = VERIFIER.verifyTests("```python" + F + "```", List.of("assert f(2) == 5", "assert any(f(x) > 1 for x in [2])", "x = f(2)"));
        assertEquals(1.0 / 3, r.score(), 1e-9);
        assertTrue(r.reason().contains("unsupported"), r.reason());
    }
}
