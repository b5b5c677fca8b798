package ai.posttrain.reward;

import java.util.List;

/** Prints the mean wall time of one code verification of a correct solution (run as a main, not a test). */
public final class CodeVerifierTiming {
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        CodeVerifier verifier = new CodeVerifier("python3", SandboxLimits.defaults());
        String completion = "<think>add</think>```python\ndef add_37(x):\n    return x + 37\n```";
        List<String> tests = List.of("assert add_37(1) == 38", "assert add_37(-37) == 0", "assert add_37(100) == 137");
        if (!verifier.verifyTests(completion, tests).passed()) throw new IllegalStateException("warm-up did not pass");
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            VerifierResult r = verifier.verifyTests(completion, tests);
            if (!r.passed()) throw new IllegalStateException(r.reason());
        }
        System.out.printf("code verification: %.1f ms mean over %d (sequential)%n", (System.nanoTime() - t0) / 1e6 / n, n);
    }
}
