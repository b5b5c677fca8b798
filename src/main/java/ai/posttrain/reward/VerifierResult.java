package ai.posttrain.reward;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a verifier concluded about one completion. {@code score} is in [0, 1]; {@code reason} says why in words;
 * {@code details} holds structured evidence (extracted answer, per-test results, sandbox flags).
 * A non-empty {@code details["flags"]} (e.g. "timeout", "network") marks rows the hacking monitor should see.
 */
public record VerifierResult(double score, boolean passed, String reason, Map<String, Object> details) implements Serializable {
    public VerifierResult {
        details = details == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public static VerifierResult pass(String reason, Map<String, Object> details) { return new VerifierResult(1.0, true, reason, details); }

    public static VerifierResult fail(String reason, Map<String, Object> details) { return new VerifierResult(0.0, false, reason, details); }

    /** A crash inside a verifier: scored zero and flagged, never thrown. */
    public static VerifierResult error(String verifier, Throwable t) {
        return new VerifierResult(0.0, false, verifier + " verifier error: " + t, Map.of("flags", List.of("verifier_error")));
    }

    @SuppressWarnings("unchecked")
    public List<String> flags() {
        Object f = details.get("flags");
        return f instanceof List<?> l ? (List<String>) l : List.of();
    }
}
