package ai.posttrain.reward;

import java.io.Serializable;

/** Scores a model completion against a reference. Never throws on model output. */
public interface Verifier extends Serializable {
    /** Short name used in reward columns: "math", "stem", "code", "format", "tool_call". */
    String name();

    /** Safe entry point: any exception inside {@link #check} becomes a zero, flagged result. */
    default VerifierResult verify(String completion, String reference) {
        try {
            return check(completion == null ? "" : completion, reference);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            return VerifierResult.error(name(), e);
        }
    }

    /** The verifier's logic; call {@link #verify} instead. */
    VerifierResult check(String completion, String reference);
}
