package ai.posttrain.reward;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares a quantity with a unit ("12 m/s", "1.2 km") against the reference within a relative tolerance.
 * Units in {@link Units} convert ("1200 m" equals "1.2 km"); other units must match as written.
 * A missing unit, a unit of another dimension, or an unknown different unit fails with that reason.
 */
public final class StemVerifier implements Verifier {
    private static final long serialVersionUID = 1L;
    private static final Pattern UNIT = Pattern.compile("^\\s*([A-Za-zµμΩ°][A-Za-zµμΩ°/^*·0-9²³-]*)");
    private final double relativeTolerance;

    public StemVerifier() { this(0.01); }

    public StemVerifier(double relativeTolerance) { this.relativeTolerance = relativeTolerance; }

    @Override public String name() { return "stem"; }

    /** A number and the unit written right after it (null if none). */
    record Quantity(double value, String unit, String text) {}

    @Override
    public VerifierResult check(String completion, String reference) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("reference", String.valueOf(reference));
        Quantity expected = reference == null ? null : firstQuantity(reference);
        if (expected == null) return VerifierResult.fail("reference '" + reference + "' has no number", details);
        Quantity got = extract(Completions.answerPart(completion));
        if (got == null) return VerifierResult.fail("no numeric answer found", details);
        details.put("extracted", got.text());
        details.put("unit", got.unit() == null ? "" : got.unit());

        double a = got.value(), b = expected.value();
        if (expected.unit() != null) {
            if (got.unit() == null) return VerifierResult.fail("missing unit (expected " + expected.unit() + ")", details);
            Units.Unit gu = Units.lookup(got.unit()), eu = Units.lookup(expected.unit());
            if (gu != null && eu != null) {
                if (!gu.dimension().equals(eu.dimension())) {
                    return VerifierResult.fail("wrong unit: " + got.unit() + " is a " + gu.dimension() + ", expected a "
                            + eu.dimension() + " (" + expected.unit() + ")", details);
                }
                a *= gu.toSi();
                b *= eu.toSi();
            } else if (!got.unit().equals(expected.unit())) {
                return VerifierResult.fail("wrong unit: " + got.unit() + ", expected " + expected.unit(), details);
            }
        }
        double error = b == 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b);
        details.put("relative_error", error);
        if (error <= relativeTolerance || (b == 0 && error < 1e-12)) {
            return VerifierResult.pass(got.text() + " matches " + reference + " within " + relativeTolerance, details);
        }
        return VerifierResult.fail(got.text() + " differs from " + reference + " (relative error " + String.format("%.3g", error) + ")", details);
    }

    /** Boxed answer, else the quantity after the last "answer is", else the last number in the text. */
    static Quantity extract(String answer) {
        String boxed = Completions.lastBoxed(answer);
        if (boxed != null) return firstQuantity(boxed.replace("\\,", " ").replace("\\text{", "").replace("\\mathrm{", "").replace("}", ""));
        int after = Completions.afterLastAnswerPhrase(answer);
        if (after >= 0) {
            Quantity q = firstQuantity(answer.substring(after));
            if (q != null) return q;
        }
        List<NumberParser.Found> all = NumberParser.findAll(answer);
        for (int i = all.size() - 1; i >= 0; i--) {
            if (i > 0 && inUnit(answer, all.get(i).start())) continue;   // the 3 of "5 g/cm^3" is the unit's, not the answer
            return quantityAt(answer, all.get(i));
        }
        return null;
    }

    /** Whether the number at {@code start} is an exponent or part of a unit word ("cm^3", "m^-2", "cm3"). */
    private static boolean inUnit(String text, int start) {
        int i = start - 1;
        if (i >= 0 && (text.charAt(i) == '-' || text.charAt(i) == '\u2212')) i--;
        return i >= 0 && (text.charAt(i) == '^' || Character.isLetter(text.charAt(i)));
    }

    static Quantity firstQuantity(String text) {
        List<NumberParser.Found> all = NumberParser.findAll(text);
        return all.isEmpty() ? null : quantityAt(text, all.get(0));
    }

    private static Quantity quantityAt(String text, NumberParser.Found number) {
        Matcher u = UNIT.matcher(text.substring(number.end()));
        String unit = u.find() ? Units.normalise(u.group(1)) : null;
        if (unit != null && unit.isEmpty()) unit = null;
        String written = number.text() + (unit == null ? "" : " " + unit);
        return new Quantity(number.value().toDouble(), unit, written);
    }
}
