package ai.posttrain.reward;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds and parses numbers as written in model answers: integers, decimals, scientific notation, thousands
 * separators ("1,234,567"), negatives (also with U+2212), fractions "3/4" and LaTeX "\frac{3}{4}".
 */
final class NumberParser {
    private static final String DECIMAL = "(?:\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?|\\.\\d+)";
    private static final Pattern NUMBER = Pattern.compile(
            "(?<![\\w.,])([-\u2212+]?)(" + DECIMAL + ")"
            + "(?:\\s*(?:\u00d7|\\\\times|\\*)\\s*10\\^\\{?([-\u2212]?\\d{1,4})\\}?)?"   // 3.0 × 10^8
            + "(?:\\s*/\\s*([-\u2212]?)(" + DECIMAL + "))?");
    private static final Pattern FRAC = Pattern.compile("([-\u2212]?)\\\\[dt]?frac\\{\\s*([^{}]+?)\\s*}\\{\\s*([^{}]+?)\\s*}");

    private NumberParser() {}

    /** A number found in text: its value, where it ends, and how it was written. */
    record Found(Rational value, int start, int end, String text) {}

    /** Every number in the text, in order of position (LaTeX fractions count as one number). */
    static List<Found> findAll(String text) {
        List<Found> found = new ArrayList<>();
        Matcher f = FRAC.matcher(text);
        List<int[]> fracSpans = new ArrayList<>();
        while (f.find()) {
            Rational a = parseWhole(f.group(2)), b = parseWhole(f.group(3));
            if (a == null || b == null || b.num().signum() == 0) continue;
            Rational v = a.divide(b);
            if (!f.group(1).isEmpty()) v = new Rational(v.num().negate(), v.den());
            found.add(new Found(v, f.start(), f.end(), f.group()));
            fracSpans.add(new int[]{f.start(), f.end()});
        }
        Matcher m = NUMBER.matcher(text);
        while (m.find()) {
            int s = m.start();
            if (fracSpans.stream().anyMatch(span -> s >= span[0] && s < span[1])) continue;
            Rational v = toRational(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5));
            if (v != null) found.add(new Found(v, m.start(), m.end(), m.group()));
        }
        found.sort((x, y) -> Integer.compare(x.start(), y.start()));
        return found;
    }

    /** The text as exactly one number (surrounding $, spaces and a final period allowed), or null. */
    static Rational parseWhole(String text) {
        String t = text.strip().replace("$", "").replace("\\!", "").replace("\\,", "").strip();
        if (t.endsWith(".")) t = t.substring(0, t.length() - 1).strip();
        List<Found> all = findAll(t);
        return all.size() == 1 && all.get(0).start() == 0 && all.get(0).end() == t.length() ? all.get(0).value() : null;
    }

    private static Rational toRational(String sign, String a, String pow10, String denSign, String b) {
        try {
            BigDecimal mantissa = new BigDecimal(a.replace(",", ""));
            if (pow10 != null) mantissa = mantissa.scaleByPowerOfTen(Integer.parseInt(pow10.replace('\u2212', '-')));
            if (Math.abs(mantissa.scale()) > 400) return null; // 1e999999999 would need a gigantic integer
            Rational v = Rational.of(mantissa);
            if (b != null) {
                BigDecimal den = new BigDecimal(b.replace(",", ""));
                if (Math.abs(den.scale()) > 400) return null;
                Rational d = Rational.of(den);
                if (d.num().signum() == 0) return null;
                v = v.divide(d);
                if (!denSign.isEmpty()) v = new Rational(v.num().negate(), v.den());
            }
            return sign.equals("-") || sign.equals("\u2212") ? new Rational(v.num().negate(), v.den()) : v;
        } catch (NumberFormatException | ArithmeticException e) {
            return null; // e.g. 1e999999999
        }
    }
}
