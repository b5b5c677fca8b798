package ai.posttrain.reward;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Extracts the final answer of a math completion and compares it with the reference as an exact fraction
 * (or, for decimals that are not exact, within a relative 1e-6).
 * Where the answer is looked for, in order, in the text after the last "&lt;/think&gt;":
 * the last \boxed{...}; the number after the last "answer is" / "answer:"; the last number.
 */
public final class MathVerifier implements Verifier {
    private static final long serialVersionUID = 1L;
    private static final Pattern ANSWER_PHRASE = Pattern.compile("(?i)answer\\s*(?:is|:|=)\\s*");
    private static final double RELATIVE_TOLERANCE = 1e-6;

    @Override public String name() { return "math"; }

    @Override
    public VerifierResult check(String completion, String reference) {
        if (reference == null) return VerifierResult.fail("no reference answer", Map.of());
        Rational expected = NumberParser.parseWhole(reference);
        Extracted got = extract(Completions.answerPart(completion));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("reference", reference);
        if (got == null) return VerifierResult.fail("no numeric answer found", details);
        details.put("extracted", got.text());
        details.put("method", got.method());
        if (expected == null) {
            // A non-numeric reference (e.g. "x = 2y"): compare the normalised text of the boxed/stated answer.
            boolean same = normalise(got.text()).equals(normalise(reference));
            return same ? VerifierResult.pass("answer matches the reference text", details)
                    : VerifierResult.fail("answer '" + Completions.clip(got.text(), 60) + "' differs from '" + reference + "'", details);
        }
        details.put("value", got.value() == null ? "" : got.value().toString());
        if (got.value() == null) return VerifierResult.fail("answer '" + Completions.clip(got.text(), 60) + "' is not a number", details);
        if (equivalent(got.value(), expected)) return VerifierResult.pass("answer " + got.value() + " equals " + expected, details);
        return VerifierResult.fail("answer " + got.value() + " is not " + expected, details);
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
        Matcher phrase = ANSWER_PHRASE.matcher(answer);
        int after = -1;
        while (phrase.find()) after = phrase.end();
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
