package ai.posttrain.reward;

import java.util.Map;

/**
 * A plain conversational reply: non-blank text, no reasoning or tool-call markup, ending like a
 * sentence. What "format validity" means for the conversation domain.
 */
public final class ReplyFormatVerifier implements Verifier {
    @Override public String name() { return "reply_format"; }

    @Override
    public VerifierResult check(String completion, String reference) {
        String text = completion.strip();
        if (text.isEmpty()) return VerifierResult.fail("empty reply", Map.of());
        for (String markup : new String[]{"<think>", "</think>", "<tool_call>", "</tool_call>"}) {
            if (text.contains(markup)) return VerifierResult.fail("reply contains " + markup, Map.of());
        }
        char last = text.charAt(text.length() - 1);
        if (".!?".indexOf(last) < 0) return VerifierResult.fail("reply does not end a sentence", Map.of());
        return VerifierResult.pass("plain reply", Map.of());
    }
}
