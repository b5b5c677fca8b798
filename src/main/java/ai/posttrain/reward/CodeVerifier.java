package ai.posttrain.reward;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores the completion's Python code against tests such as "assert f(2) == 5" through a {@link PythonSandbox}:
 * the solution runs jailed; each computation of the test's one solution name (its function with the test's arguments,
 * or its class and that object's members) comes back as plain data, and the rest of the test (expected values,
 * comparisons, and/or/not, arithmetic, builtins, the standard library, methods of plain data) is judged outside the
 * jail on that data (sandbox/judge.py). Score: the fraction of tests passed; passed: all of them. Anything the
 * solution tried (files outside the jail's work dir, network, processes, exiting early, rigged or forged results,
 * tampering), a timeout or a resource kill scores zero and is flagged. A test that is not a single assert, never calls
 * the solution, uses two of its names, or needs a closure or a comparison inside a call of the solution is
 * "unsupported": it counts as not passed, with the reason.
 * Where the OS cannot isolate and {@link CodeIsolation#ALLOW_KEY} is not set, every result is a flagged
 * zero with the refusal line.
 * <p>The same code against the same tests, met again by this instance (one Spark task's copy), reuses the verdict
 * (details {@code reused_verdict}): in the default code sub-stage only 35-40 % of a group's completions were distinct
 * programs. Only clean runs are reused; a flagged one (timeout, kill, violation, sandbox error) runs again.
 */
public final class CodeVerifier implements Verifier {
    private static final long serialVersionUID = 1L;
    private static final int MAX_REUSED = 1024;
    private final PythonSandbox sandbox;
    private transient Map<List<String>, VerifierResult> verdicts;   // key: the code, then the tests

    public CodeVerifier() { this("python3", SandboxLimits.defaults()); }

    public CodeVerifier(String python, SandboxLimits limits) { this.sandbox = new PythonSandbox(python, limits); }

    @Override public String name() { return "code"; }

    /** {@code reference}: the tests, one per line (blank lines ignored). */
    @Override
    public VerifierResult check(String completion, String reference) {
        List<String> tests = reference == null ? List.of()
                : Arrays.stream(reference.split("\n")).filter(t -> !t.isBlank()).toList();
        return verifyTests(completion, tests);
    }

    /** Same as {@link #verify} with the tests as a list; never throws. */
    public VerifierResult verifyTests(String completion, List<String> tests) {
        try {
            return run(completion == null ? "" : completion, tests);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return VerifierResult.error(name(), e);
        } catch (Exception | StackOverflowError e) {
            return VerifierResult.error(name(), e);
        }
    }

    private VerifierResult run(String completion, List<String> tests) throws Exception {
        if (tests.isEmpty()) return VerifierResult.fail("no tests to run", Map.of());
        String code = CodeExtractor.extract(completion);
        if (code == null) return VerifierResult.fail("no code in the completion", Map.of());
        String refusal = sandbox.refusal();
        if (refusal != null) return new VerifierResult(0, false, refusal, Map.of("flags", List.of("no_isolation")));
        List<String> key = new ArrayList<>(tests.size() + 1);
        key.add(code);
        key.addAll(tests);
        VerifierResult earlier = verdicts().get(key);
        if (earlier != null) {
            Map<String, Object> details = new LinkedHashMap<>(earlier.details());
            details.put("reused_verdict", true);
            return new VerifierResult(earlier.score(), earlier.passed(), earlier.reason(), details);
        }
        VerifierResult verdict = judge(code, tests);
        if (verdict.flags().isEmpty()) verdicts().put(List.copyOf(key), verdict);
        return verdict;
    }

    private synchronized Map<List<String>, VerifierResult> verdicts() {
        if (verdicts == null) {
            verdicts = java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
                @Override protected boolean removeEldestEntry(Map.Entry<List<String>, VerifierResult> eldest) {
                    return size() > MAX_REUSED;
                }
            });
        }
        return verdicts;
    }

    private VerifierResult judge(String code, List<String> tests) throws Exception {
        PythonSandbox.Run run = sandbox.run(code, tests);

        List<Map<String, Object>> perTest = new ArrayList<>();
        int passedCount = 0;
        String firstProblem = null;
        for (PythonSandbox.TestOutcome t : run.tests()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("index", t.index());
            row.put("test", tests.get(t.index()));
            row.put("status", t.status());
            row.put("message", t.message());
            row.put("seconds", t.seconds());
            perTest.add(row);
            if (t.status().equals("pass")) passedCount++;
            else if (firstProblem == null) firstProblem = "test " + t.index() + " " + t.status() + (t.message().isEmpty() ? "" : ": " + t.message());
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("tests", perTest);
        details.put("passed_tests", passedCount);
        details.put("total_tests", tests.size());
        details.put("flags", run.flags());
        details.put("violations", run.violations());
        details.put("solution_status", run.solutionStatus());
        details.put("killed_by", run.killedBy() == null ? "" : run.killedBy());
        details.put("isolated", run.isolated());
        details.put("millis", run.millis());
        details.put("output", run.output());

        if (!run.flags().isEmpty()) {
            String what = !run.violations().isEmpty() ? run.violations().get(0)
                    : run.killedBy() != null ? run.killedBy() : String.join(",", run.flags());
            return VerifierResult.fail("sandbox: " + String.join(",", run.flags()) + " (" + what + ")", details);
        }
        if (!run.solutionStatus().equals("pass") && !run.solutionStatus().equals("not_run"))
            return VerifierResult.fail("solution failed to run: " + run.solutionMessage(), details);
        double score = (double) passedCount / tests.size();
        boolean all = passedCount == tests.size();
        String reason = passedCount + "/" + tests.size() + " tests passed" + (all ? "" : "; first problem: " + firstProblem);
        return new VerifierResult(score, all, reason, details);
    }
}
