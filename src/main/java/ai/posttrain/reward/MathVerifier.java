package ai.posttrain.reward;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Extracts the final answer of a math completion and compares it with the reference as an exact fraction
 * (or, for decimals that are not exact, within a relative 1e-6).
 * Where the answer is looked for, in order, in the text after the last "&lt;/think&gt;":
 * the last \boxed{...}; the number after the last "answer is" / "answer:"; the last number. A reference that is not a
 * number (a word, a list, an expression) is compared as normalised text.
 */
public final class MathVerifier implements Verifier {
    private static final long serialVersionUID = 1L;
    private static final double RELATIVE_TOLERANCE = 1e-6;

    @Override public String name() { return "math"; }

    @Override
    public VerifierResult check(String completion, String reference) {
        if (reference == null) return VerifierResult.fail("no reference answer", Map.of());
        Rational expected = NumberParser.parseWhole(reference);
        String answer = Completions.answerPart(completion);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("reference", reference);
        if (expected == null) return checkText(answer, reference, details);
        Extracted got = extract(answer);
        if (got == null) return VerifierResult.fail("no numeric answer found", details);
        details.put("extracted", got.text());
        details.put("method", got.method());
        details.put("value", got.value() == null ? "" : got.value().toString());
        if (got.value() == null) return VerifierResult.fail("answer '" + Completions.clip(got.text(), 60) + "' is not a number", details);
        if (equivalent(got.value(), expected)) return VerifierResult.pass("answer " + got.value() + " equals " + expected, details);
        return VerifierResult.fail("answer " + got.value() + " is not " + expected, details);
    }

    /**
     * A non-numeric reference ("even", "x = 2y", "12, 35, 60"): the normalised text of the boxed answer, else of
     * what follows the last "answer is", else of the whole answer, must equal the reference's. Not a search for the
     * reference inside the answer: "even or odd" must not pass as "odd".
     */
    private static VerifierResult checkText(String answer, String reference, Map<String, Object> details) {
        String stated = Completions.lastBoxed(answer);
        String method = "boxed";
        if (stated == null) {
            int after = Completions.afterLastAnswerPhrase(answer);
            stated = after >= 0 ? answer.substring(after) : answer;
            method = after >= 0 ? "answer_phrase" : "whole_answer";
        }
        details.put("extracted", Completions.clip(stated, 60));
        details.put("method", method);
        String got = normalise(stated);
        if (got.isEmpty()) return VerifierResult.fail("no answer found", details);
        return got.equals(normalise(reference)) ? VerifierResult.pass("answer matches the reference text", details)
                : VerifierResult.fail("answer '" + Completions.clip(stated, 60) + "' differs from '" + reference + "'", details);
    }

    /** The answer as found: raw text, its value (null if not numeric), and which rule found it. */
    record Extracted(String text, Rational value, String method) {}

    static Extracted extract(String answer) {
        String boxed = Completions.lastBoxed(answer);
        if (boxed != null) {
            Rational whole = NumberParser.parseWhole(boxed);
            if (whole != null) return new Extracted(boxed, whole, "boxed");
            List<NumberParser.Found> inside = NumberParser.findAll(boxed);
            return new Extracted(boxed, inside.isEmpty() ? null : inside.get(inside.size() - 1).value(), "boxed");
        }
        int after = Completions.afterLastAnswerPhrase(answer);
        if (after >= 0) {
            List<NumberParser.Found> next = NumberParser.findAll(answer.substring(after));
            if (!next.isEmpty()) return new Extracted(next.get(0).text(), next.get(0).value(), "answer_phrase");
        }
        List<NumberParser.Found> all = NumberParser.findAll(answer);
        if (all.isEmpty()) return null;
        NumberParser.Found last = all.get(all.size() - 1);
        return new Extracted(last.text(), last.value(), "last_number");
    }

    static boolean equivalent(Rational a, Rational b) {
        if (a.equals(b)) return true;
        double x = a.toDouble(), y = b.toDouble();
        return Math.abs(x - y) <= RELATIVE_TOLERANCE * Math.max(1.0, Math.abs(y));
    }

    private static String normalise(String s) {
        String t = s.replace("$", "").replaceAll("\\s+", "").toLowerCase();
        return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    }
}
