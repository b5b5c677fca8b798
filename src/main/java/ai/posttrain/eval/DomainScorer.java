package ai.posttrain.eval;

import ai.posttrain.data.ToolCall;
import ai.posttrain.data.ToolCatalog;
import ai.posttrain.reward.CodeVerifier;
import ai.posttrain.reward.MathVerifier;
import ai.posttrain.reward.ReplyFormatVerifier;
import ai.posttrain.reward.ResponseLayout;
import ai.posttrain.reward.StemVerifier;
import ai.posttrain.reward.ToolCallVerifier;
import ai.posttrain.reward.VerifierDeadline;
import ai.posttrain.reward.VerifierResult;

import java.io.Serializable;

/**
 * A record's domain picks its verifier and the metric it reports:
 * math, reasoning → accuracy against {@code answer}; stem → accuracy with units; code → pass_rate of
 * {@code tests}; agent → tool_call_validity (a valid call to the gold reply's tool); anything else
 * (chat) → format_validity of a plain reply that ends its turn. Distillation uses it to verify candidates.
 */
public final class DomainScorer implements Serializable {
    private final MathVerifier math = new MathVerifier();
    private final StemVerifier stem = new StemVerifier();
    private final CodeVerifier code = new CodeVerifier();
    private final ReplyFormatVerifier reply = new ReplyFormatVerifier();
    private final ResponseLayout layout = new ResponseLayout();
    private final ToolCallVerifier toolCalls = new ToolCallVerifier(ToolCatalog.standard().requiredArguments());
    /** A stuck Java verifier is a failed item after the default deadline, not a stuck evaluation (code has the jail's). */
    private final VerifierDeadline deadline = VerifierDeadline.defaults();

    public EvalOutcome score(EvalItem item, String completion, boolean stopped, int newTokens) {
        String metric;
        VerifierResult result;
        String kind = kindOf(item);
        switch (kind) {
            case "math" -> { metric = "accuracy"; result = deadline.verify("math", () -> math.verify(completion, item.answer())); }
            case "stem" -> { metric = "accuracy"; result = deadline.verify("stem", () -> stem.verify(completion, item.answer())); }
            case "code" -> { metric = "pass_rate"; result = code.verifyTests(completion, item.tests()); }
            case "agent" -> { metric = "tool_call_validity";
                result = deadline.verify("tool_call", () -> toolCalls.verify(completion, ToolCall.firstName(item.goldReply()))); }
            default -> { metric = "format_validity"; result = deadline.verify("format", () -> reply.verify(completion, null)); }
        }
        VerifierDeadline.Outcome<Boolean> layoutOk = deadline.call("format", deadline.timeoutMillis(), () -> layout.matches(kind, completion));
        boolean formatOk = layoutOk.ok() && layoutOk.value();
        // A reply that never ended its turn is not a valid reply, whatever its prefix looks like.
        boolean passed = result.passed() && (stopped || !metric.equals("format_validity"));
        // Partial credit only for code (the fraction of its tests); the suite metric counts full passes.
        double score = metric.equals("pass_rate") ? result.score() : passed ? 1.0 : 0.0;
        return new EvalOutcome(item.suite(), item.id(), item.domain(), item.difficulty(), render(item), completion, metric,
                score, passed, formatOk, stopped, newTokens, result.reason());
    }

    private static String kindOf(EvalItem item) {
        String d = item.domain() == null ? "" : item.domain();
        return switch (d) {
            case "math", "reasoning" -> "math";
            case "stem" -> "stem";
            case "code" -> "code";
            case "agent" -> "agent";
            default -> item.tests() != null && !item.tests().isEmpty() ? "code" : item.answer() != null ? "math" : "chat";
        };
    }

    private static String render(EvalItem item) {
        StringBuilder b = new StringBuilder();
        item.prompt().forEach(m -> b.append(m.role()).append(": ").append(m.content()).append('\n'));
        return b.toString().strip();
    }
}
