package ai.posttrain.reward;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Prints the wall time of one code verification of a correct solution (run as a main, not a test).
 * {@code CodeVerifierTiming N} times the jail alone; {@code CodeVerifierTiming N OLD_HARNESS.py} alternates it,
 * run by run in the same process, with the pre-jail harness as the old PythonSandbox ran it (a temp dir,
 * {@code unshare -rn python3 -I harness.py ...}, the nonce on stdin), so both see the same load. The old harness:
 * {@code git show 9e68b36:src/main/resources/ai/posttrain/reward/sandbox_harness.py > /tmp/old_harness.py}.
 */
public final class CodeVerifierTiming {
    static final String SOLUTION = "def add_37(x):\n    return x + 37\n";
    static final List<String> TESTS = List.of("assert add_37(1) == 38", "assert add_37(-37) == 0", "assert add_37(100) == 137");

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Path oldHarness = args.length > 1 ? Path.of(args[1]) : null;
        CodeVerifier verifier = new CodeVerifier("python3", SandboxLimits.defaults());
        String completion = "<think>add</think>```python\n" + SOLUTION + "```";
        if (!verifier.verifyTests(completion, TESTS).passed()) throw new IllegalStateException("warm-up did not pass");
        if (oldHarness != null && !oldHarness(oldHarness)) throw new IllegalStateException("old harness warm-up did not pass");
        double[] jail = new double[n], old = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            // a program of its own each time: the verifier reuses the verdict of code it has judged before
            VerifierResult r = verifier.verifyTests(completion.replace("```python\n", "```python\n# run " + i + "\n"), TESTS);
            jail[i] = (System.nanoTime() - t0) / 1e6;
            if (!r.passed()) throw new IllegalStateException(r.reason());
            if (oldHarness != null) {
                t0 = System.nanoTime();
                if (!oldHarness(oldHarness)) throw new IllegalStateException("old harness run did not pass");
                old[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        System.out.println("jail (judge + unshare namespaces):   " + summary(jail));
        if (oldHarness != null) System.out.println("old harness (unshare -rn, in-process tests): " + summary(old));
    }

    private static String summary(double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        return String.format("mean %.1f ms, median %.1f ms, min %.1f ms, max %.1f ms over %d sequential runs",
                Arrays.stream(s).average().orElse(0), s[s.length / 2], s[0], s[s.length - 1], s.length);
    }

    /** One run as the pre-jail PythonSandbox did it; true when every test passed. */
    private static boolean oldHarness(Path harness) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("posttrain-old-harness-");
        try {
            Files.copy(harness, work.resolve("harness.py"));
            Files.writeString(work.resolve("solution.py"), SOLUTION);
            Files.writeString(work.resolve("tests.json"), new com.google.gson.Gson().toJson(TESTS));
            SandboxLimits l = SandboxLimits.defaults();
            ProcessBuilder pb = new ProcessBuilder("unshare", "-rn", "python3", "-I", work.resolve("harness.py").toString(), work.toString(),
                    Long.toString(l.memoryBytes()), Integer.toString(l.cpuSeconds()), Integer.toString(l.maxProcesses()),
                    Long.toString(l.maxFileBytes())).directory(work.toFile()).redirectError(work.resolve("harness-stderr.txt").toFile());
            pb.environment().clear();
            pb.environment().putAll(java.util.Map.of("HOME", work.toString(), "TMPDIR", work.toString(), "PATH", "/usr/bin:/bin",
                    "LANG", "C.UTF-8", "PYTHONDONTWRITEBYTECODE", "1", "PYTHONHASHSEED", "0"));
            String nonce = Long.toHexString(System.nanoTime());
            Process p = pb.start();
            try (OutputStream stdin = p.getOutputStream()) {
                stdin.write((nonce + "\n").getBytes(StandardCharsets.UTF_8));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            }
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
            // As the old sandbox did after every run: kill the harness's process group.
            new ProcessBuilder("kill", "-KILL", "--", "-" + p.pid()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(2, TimeUnit.SECONDS);
            String text = out.toString(StandardCharsets.UTF_8);
            long passes = text.lines().filter(s -> s.startsWith(nonce + " ") && s.contains("\"test\"") && s.contains("\"pass\"")).count();
            return passes == TESTS.size() && text.contains("\"done\"");
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
