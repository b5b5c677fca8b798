package ai.posttrain.reward;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.*;

/** Real python3 subprocesses with short limits (2 s wall clock, 256 MB address space). */
class CodeVerifierTest {
    static final SandboxLimits LIMITS = new SandboxLimits(2_000, 256L << 20, 2, 32, 1L << 20);
    final CodeVerifier verifier = new CodeVerifier("python3", LIMITS);
    static final List<String> TESTS = List.of("assert add(2, 3) == 5", "assert add(-1, 1) == 0", "assert add(10, 5) == 15");

    static String fenced(String code) { return "<think>simple</think>Here you go:\n```python\n" + code + "\n```\nDone."; }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> tests(VerifierResult r) { return (List<Map<String, Object>>) r.details().get("tests"); }

    @Test
    void correctSolutionPassesEveryTest() {
        VerifierResult r = verifier.verifyTests(fenced("def add(a, b):\n    return a + b"), TESTS);
        assertTrue(r.passed(), r.reason());
        assertEquals(1.0, r.score());
        assertEquals(List.of("pass", "pass", "pass"), tests(r).stream().map(t -> t.get("status")).toList());
        assertTrue(r.flags().isEmpty());
    }

    @Test
    void eachTestIsReportedSeparately() {
        String code = "def add(a, b):\n    return a + b if a >= 0 else 7";
        VerifierResult r = verifier.verifyTests(fenced(code), List.of("assert add(2, 3) == 5", "assert add(-1, 1) == 0, 'negatives'",
                "assert undefined_name(1)", "assert add(1, 1) == 2"));
        assertFalse(r.passed());
        assertEquals(0.5, r.score(), 1e-9);
        List<Map<String, Object>> t = tests(r);
        assertEquals("pass", t.get(0).get("status"));
        assertEquals("fail", t.get(1).get("status"));
        assertTrue(t.get(1).get("message").toString().contains("negatives"));
        assertEquals("error", t.get(2).get("status"));
        assertTrue(t.get(2).get("message").toString().contains("NameError"), t.get(2).toString());
        assertEquals("pass", t.get(3).get("status"));
    }

    @Test
    void theSameCodeAgainstTheSameTestsReusesItsVerdictButAFlaggedRunIsJudgedAgain() {
        String code = "def add(a, b):\n    return a + b if a > 0 else 0";
        VerifierResult first = verifier.verifyTests(fenced(code), TESTS);
        assertNull(first.details().get("reused_verdict"));
        VerifierResult again = verifier.verifyTests("Same program, other words:\n```python\n" + code + "\n```", TESTS);
        assertEquals(true, again.details().get("reused_verdict"), "the same extracted code is not jailed twice");
        assertEquals(first.score(), again.score());
        assertEquals(first.reason(), again.reason());
        VerifierResult otherTests = verifier.verifyTests(fenced(code), List.of("assert add(1, 1) == 2"));
        assertNull(otherTests.details().get("reused_verdict"), "other tests are another question");
        assertTrue(otherTests.passed(), otherTests.reason());

        String hostile = "import socket\ns = socket.socket()\ndef add(a, b):\n    return a + b";
        VerifierResult flagged = verifier.verifyTests(fenced(hostile), TESTS);
        assertTrue(flagged.flags().contains("network"), flagged.reason());
        VerifierResult flaggedAgain = verifier.verifyTests(fenced(hostile), TESTS);
        assertNull(flaggedAgain.details().get("reused_verdict"), "a flagged run could end otherwise: it runs again");
        assertTrue(flaggedAgain.flags().contains("network"), flaggedAgain.reason());
    }

    /** Plain results beyond the small ones: a 5,000-digit int, bytes and a complex number come back exactly, unflagged. */
    @Test
    void bigIntsBytesAndComplexNumbersAreJudgedLikeAnyResult() {
        String code = "def power(a, n):\n    return a ** n\ndef raw(s):\n    return s.encode()\ndef root(x):\n    return complex(0, x)";
        List<String> tests = List.of("assert power(7, 6000) == 7 ** 6000".replace("7 ** 6000", new java.math.BigInteger("7").pow(6000).toString()),
                "assert power(7, 6000) % 10 == 1", "assert raw('hi') == b'hi'", "assert root(2) == 2j");
        VerifierResult right = verifier.verifyTests(fenced(code), tests);
        assertTrue(right.passed(), right.reason());
        assertTrue(right.flags().isEmpty(), right.flags().toString());
        VerifierResult wrong = verifier.verifyTests(fenced(code.replace("a ** n", "a ** n + 1").replace("s.encode()", "s.encode() + b'!'")
                .replace("complex(0, x)", "complex(x, 0)")), tests);
        assertEquals(0.0, wrong.score(), wrong.reason());
        assertTrue(wrong.flags().isEmpty(), wrong.flags().toString());
    }

    @Test
    void bareCodeAndTheStringReferenceFormWork() {
        VerifierResult r = verifier.verify("def add(a, b):\n    return a + b\n", String.join("\n", TESTS));
        assertTrue(r.passed(), r.reason());
    }

    @Test
    void infiniteLoopIsKilledAtTheWallClock() {
        long start = System.nanoTime();
        VerifierResult r = verifier.verifyTests(fenced("def add(a, b):\n    while True:\n        pass"), TESTS);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(0.0, r.score());
        assertFalse(r.flags().isEmpty(), r.reason());
        assertTrue(millis < 6_000, "took " + millis + " ms");
        assertTrue(tests(r).stream().noneMatch(t -> t.get("status").equals("pass")));
    }

    @Test
    void hugeAllocationIsAFlaggedMemoryViolation() {
        VerifierResult r = verifier.verifyTests(fenced("data = bytearray(50 * 1024 ** 3)\ndef add(a, b):\n    return a + b"), TESTS);
        assertEquals(0.0, r.score());
        assertTrue(r.flags().contains("memory"), r.reason() + " " + r.flags());
    }

    @Test
    void forkBombIsRefused() {
        String bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except Exception:\n        pass\n    break\ndef add(a, b):\n    return a + b";
        VerifierResult r = verifier.verifyTests(fenced(bomb), TESTS);
        assertEquals(0.0, r.score(), "caught violations still score zero");
        assertTrue(r.flags().contains("process"), r.reason() + " " + r.flags());
        VerifierResult sub = verifier.verifyTests(fenced("import subprocess\nsubprocess.run(['sh', '-c', 'echo hi'])\ndef add(a, b):\n    return a + b"), TESTS);
        assertTrue(sub.flags().contains("import"), sub.reason());
    }

    @Test
    void socketsAreRefused() {
        String net = "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\ns.connect(('93.184.216.34', 80))\ndef add(a, b):\n    return a + b";
        VerifierResult r = verifier.verifyTests(fenced(net), TESTS);
        assertEquals(0.0, r.score());
        assertTrue(r.flags().contains("network"), r.reason() + " " + r.flags());
        VerifierResult raw = verifier.verifyTests(fenced("import _socket\n_socket.socket()\ndef add(a, b):\n    return a + b"), TESTS);
        assertEquals(0.0, raw.score());
        assertTrue(raw.flags().contains("network"), raw.reason());
    }

    @Test
    void writingOutsideTheTempDirIsRefused() {
        Path outside = Path.of("/tmp/outside-" + UUID.randomUUID());
        String code = "with open('" + outside + "', 'w') as f:\n    f.write('escaped')\ndef add(a, b):\n    return a + b";
        VerifierResult r = verifier.verifyTests(fenced(code), TESTS);
        assertEquals(0.0, r.score());
        assertTrue(r.flags().contains("filesystem"), r.reason() + " " + r.flags());
        assertFalse(Files.exists(outside), "the file must not have been created");
        VerifierResult inside = verifier.verifyTests(fenced("open('scratch.txt', 'w').write('ok')\ndef add(a, b):\n    return a + b"), TESTS);
        assertTrue(inside.passed(), "writing inside the temp dir is allowed: " + inside.reason());
    }

    @Test
    void readingSystemFilesIsRefused() {
        VerifierResult r = verifier.verifyTests(fenced("secret = open('/etc/passwd').read()\ndef add(a, b):\n    return a + b"), TESTS);
        assertEquals(0.0, r.score());
        assertTrue(r.flags().contains("filesystem"), r.reason() + " " + r.flags());
    }

    @Test
    void cpuLimitKillsABusyTestAndEarlierTestsStayReported() {
        CodeVerifier cpuBound = new CodeVerifier("python3", new SandboxLimits(8_000, 256L << 20, 1, 32, 1L << 20));
        VerifierResult r = cpuBound.verifyTests(fenced("def add(a, b):\n    return a + b\ndef spin(x):\n    while True:\n        x += 1"),
                List.of(TESTS.get(0), "assert spin(0) == 1", TESTS.get(1)));
        assertEquals(0.0, r.score());
        assertTrue(r.flags().contains("cpu_limit"), r.reason() + " " + r.flags());
        assertEquals(List.of("pass", "error", "error"), tests(r).stream().map(t -> t.get("status")).toList());
    }

    @Test
    void fileIoByNameIsGuardedToo() {
        VerifierResult r = verifier.verifyTests(fenced("import io\nio.FileIO('/etc/hostname').read()\ndef add(a, b):\n    return a + b"), TESTS);
        assertTrue(r.flags().contains("filesystem"), r.reason());
    }

    @Test
    void exitingEarlyOrPrintingFakeResultsDoesNotPass() {
        VerifierResult exit = verifier.verifyTests(fenced("import os\nos._exit(0)"), TESTS);
        assertFalse(exit.passed());
        assertEquals(0.0, exit.score(), exit.reason());
        String fake = "print('{\"event\": \"test\", \"index\": 0, \"status\": \"pass\"}')\ndef add(a, b):\n    return -999";
        VerifierResult forged = verifier.verifyTests(fenced(fake), TESTS);
        assertEquals(0.0, forged.score(), forged.reason());
        VerifierResult sysExit = verifier.verifyTests(fenced("import sys\ndef add(a, b):\n    sys.exit(0)"), TESTS);
        assertEquals(0.0, sysExit.score(), sysExit.reason());
        assertTrue(sysExit.flags().contains("exit"), sysExit.flags().toString());
    }

    @Test
    void missingCodeOrTestsFailWithAReason() {
        assertEquals("no tests to run", verifier.verifyTests(fenced("x = 1"), List.of()).reason());
        assertEquals("no code in the completion", verifier.verifyTests("<think>hmm</think>   ", TESTS).reason());
        VerifierResult syntax = verifier.verifyTests(fenced("def add(a, b) return a + b"), TESTS);
        assertFalse(syntax.passed());
        assertTrue(syntax.reason().contains("SyntaxError"), syntax.reason());
    }
}
