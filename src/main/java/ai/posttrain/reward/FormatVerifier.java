package ai.posttrain.reward;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks the reasoning layout: the completion starts with "&lt;think&gt;", has exactly one think block closed
 * by "&lt;/think&gt;", and a non-empty answer after it. The reference is ignored.
 */
public final class FormatVerifier implements Verifier {
    private static final long serialVersionUID = 1L;
    private static final String OPEN = "<think>", CLOSE = "</think>";

    @Override public String name() { return "format"; }

    @Override
    public VerifierResult check(String completion, String reference) {
        String text = completion.stripLeading();
        Map<String, Object> details = new LinkedHashMap<>();
        if (!text.startsWith(OPEN)) return VerifierResult.fail("does not start with " + OPEN, details);
        int close = text.indexOf(CLOSE);
        if (close < 0) return VerifierResult.fail("unterminated " + OPEN + " (no " + CLOSE + ")", details);
        if (count(text, OPEN) != 1 || count(text, CLOSE) != 1) {
            return VerifierResult.fail("expected exactly one think block, found " + count(text, OPEN) + " " + OPEN
                    + " and " + count(text, CLOSE) + " " + CLOSE, details);
        }
        String thinking = text.substring(OPEN.length(), close), answer = text.substring(close + CLOSE.length());
        details.put("thinking_chars", thinking.strip().length());
        details.put("answer_chars", answer.strip().length());
        if (answer.isBlank()) return VerifierResult.fail("empty answer after " + CLOSE, details);
        return VerifierResult.pass("think block followed by an answer", details);
    }

    private static int count(String text, String marker) {
        int n = 0;
        for (int i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + marker.length())) n++;
        return n;
    }
}
