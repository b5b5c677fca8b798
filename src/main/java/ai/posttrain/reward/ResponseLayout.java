package ai.posttrain.reward;

import java.io.Serializable;

/**
 * The layout a prompt's domain asks of a reply: math, reasoning, STEM and code think in
 * {@code <think>…</think>} and then answer; an agent calls a tool; anything else (chat) is a plain reply.
 * Evaluation's format_rate and the RL format reward both check it here, so they cannot drift apart.
 */
public final class ResponseLayout implements Serializable {
    private static final long serialVersionUID = 1L;
    private final FormatVerifier think = new FormatVerifier();
    private final ReplyFormatVerifier reply = new ReplyFormatVerifier();

    public boolean matches(String domain, String completion) {
        return switch (domain == null ? "" : domain) {
            case "math", "reasoning", "stem", "code" -> think.verify(completion, null).passed();
            case "agent" -> completion != null && completion.contains("<tool_call>");
            default -> reply.verify(completion, null).passed();
        };
    }

    /** A chat reply counts only when it also ended its turn. */
    public static boolean isChat(String domain) {
        return switch (domain == null ? "" : domain) {
            case "math", "reasoning", "stem", "code", "agent" -> false;
            default -> true;
        };
    }
}
