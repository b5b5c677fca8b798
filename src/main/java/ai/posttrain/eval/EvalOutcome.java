package ai.posttrain.eval;

import java.io.Serializable;

/** A scored completion of one {@link EvalItem}. */
public record EvalOutcome(String suite, String id, String domain, Integer difficulty, String prompt, String completion,
                          String metric, double score, boolean passed, boolean formatOk, boolean stopped,
                          int newTokens, String reason) implements Serializable {}
