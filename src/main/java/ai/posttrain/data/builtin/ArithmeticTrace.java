package ai.posttrain.data.builtin;

import java.util.ArrayList;
import java.util.List;

/**
 * Column arithmetic written out for a small model to imitate, one line per column from the right:
 * <pre>
 *   addition 47 + 38       subtraction 42 - 15      multiplication 46 * 7
 *   7+8+0=15 d5 c1         2-5-0=7 d7 b1            6*7+0=42 d2 c4
 *   4+3+1=8 d8 c0          4-1-1=2 d2 b0            4*7+4=32 d2 c3
 *                                                   d3
 * </pre>
 * Each line shows the two digits, the carry (c) or borrow (b) coming in, the result, the digit
 * written (d) and the carry or borrow going out; a final carry is written as its own "d" line.
 * The answer is the "d" digits read from the last line up (leading zeros dropped). A column's
 * borrow is decided after its digits are written, as a carry is: an earlier format wrote the borrowed ten
 * first ("12-5-0"), which made the model decide before it had copied the digits it compares, and that
 * decision was 12 of the distilled student's 20 errors on 200 held-out difficulty-1 problems (2026-12-05).
 * Two-digit multipliers take one single-digit product per digit, then add them.
 */
public final class ArithmeticTrace {
    private ArithmeticTrace() {}

    public static List<String> add(long a, long b) {
        List<String> lines = new ArrayList<>();
        String x = Long.toString(a), y = Long.toString(b);
        int n = Math.max(x.length(), y.length());
        int carry = 0;
        for (int i = 0; i < n; i++) {
            int dx = digit(x, i), dy = digit(y, i);
            int s = dx + dy + carry;
            lines.add(dx + "+" + dy + "+" + carry + "=" + s + " d" + s % 10 + " c" + s / 10);
            carry = s / 10;
        }
        if (carry > 0) lines.add("d" + carry);
        return lines;
    }

    /** a - b for a >= b >= 0. */
    public static List<String> subtract(long a, long b) {
        if (a < b) throw new IllegalArgumentException(a + " < " + b);
        List<String> lines = new ArrayList<>();
        String x = Long.toString(a), y = Long.toString(b);
        int borrow = 0;
        for (int i = 0; i < x.length(); i++) {
            int dx = digit(x, i), dy = digit(y, i);
            int v = dx - dy - borrow;
            int out = v < 0 ? 1 : 0;
            int d = v + 10 * out;
            lines.add(dx + "-" + dy + "-" + borrow + "=" + d + " d" + d + " b" + out);
            borrow = out;
        }
        return lines;
    }

    /** a * k for a single digit k. */
    public static List<String> multiplyByDigit(long a, int k) {
        List<String> lines = new ArrayList<>();
        String x = Long.toString(a);
        int carry = 0;
        for (int i = 0; i < x.length(); i++) {
            int dx = digit(x, i);
            int p = dx * k + carry;
            lines.add(dx + "*" + k + "+" + carry + "=" + p + " d" + p % 10 + " c" + p / 10);
            carry = p / 10;
        }
        if (carry > 0) lines.add("d" + carry);
        return lines;
    }

    /** The full trace for {@code a op b} (op one of + - *), integers >= 0, as lines. */
    public static List<String> trace(long a, char op, long b) {
        List<String> lines = new ArrayList<>();
        switch (op) {
            case '+' -> lines.addAll(add(a, b));
            case '-' -> {
                if (a >= b) lines.addAll(subtract(a, b));
                else {
                    lines.add(a + "<" + b + " so -(" + b + "-" + a + ")");
                    lines.addAll(subtract(b, a));
                }
            }
            case '*' -> lines.addAll(multiply(a, b));
            default -> throw new IllegalArgumentException("op " + op);
        }
        return lines;
    }

    private static List<String> multiply(long a, long b) {
        long big = Math.max(a, b), small = Math.min(a, b);
        if (small < 10) return multiplyByDigit(big, (int) small);
        // Two-digit multiplier: one partial product per digit, the tens one shifted by a 0, then their sum.
        List<String> lines = new ArrayList<>();
        int ones = (int) (small % 10), tens = (int) (small / 10 % 10);
        if (small >= 100) throw new IllegalArgumentException("multiplier " + small + " has more than two digits");
        long p1 = big * ones, p2 = big * tens * 10;
        lines.add(big + "*" + ones);
        lines.addAll(multiplyByDigit(big, ones));
        lines.add("=" + p1);
        lines.add(big + "*" + tens + "0");
        lines.addAll(multiplyByDigit(big, tens));
        lines.add("=" + p2);
        lines.add(p1 + "+" + p2);
        lines.addAll(add(p1, p2));
        return lines;
    }

    private static int digit(String number, int fromRight) {
        int i = number.length() - 1 - fromRight;
        return i >= 0 ? number.charAt(i) - '0' : 0;
    }
}
