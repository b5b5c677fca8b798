package ai.posttrain.reward;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Runs the completion's Python code and then each test (e.g. "assert f(2) == 5") in a {@link PythonSandbox}.
 * Score: the fraction of tests passed; passed: all of them. Any sandbox violation (network, process, file
 * outside the temp dir, blocked import, memory), a timeout or a resource kill scores zero and is flagged.
 */
public final class CodeVerifier implements Verifier {
    private static final long serialVersionUID = 1L;
    private final PythonSandbox sandbox;

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
        LinkedHashSet<String> flags = new LinkedHashSet<>();
        for (String v : run.violations()) flags.add(v.substring(0, v.indexOf(':')));
        if (run.killedBy() != null) flags.add(run.killedBy().equals("timeout") ? "timeout"
                : run.killedBy().contains("SIGXCPU") ? "cpu_limit" : "killed");

        Map<String, Object> details = new LinkedHashMap<>();
        details.put("tests", perTest);
        details.put("passed_tests", passedCount);
        details.put("total_tests", tests.size());
        details.put("flags", List.copyOf(flags));
        details.put("violations", run.violations());
        details.put("solution_status", run.solutionStatus());
        details.put("killed_by", run.killedBy() == null ? "" : run.killedBy());
        details.put("network_namespace", run.networkNamespace());
        details.put("millis", run.millis());
        details.put("output", run.output());

        if (!run.violations().isEmpty()) return VerifierResult.fail("sandbox violation: " + run.violations().get(0), details);
        if (run.killedBy() != null) return VerifierResult.fail(run.killedBy().equals("timeout")
                ? "wall-clock limit exceeded" : "process " + run.killedBy(), details);
        if (!run.solutionStatus().equals("pass")) return VerifierResult.fail("solution failed to run: " + run.solutionMessage(), details);
        double score = (double) passedCount / tests.size();
        boolean all = passedCount == tests.size();
        String reason = passedCount + "/" + tests.size() + " tests passed" + (all ? "" : "; first problem: " + firstProblem);
        return new VerifierResult(score, all, reason, details);
    }
}
