package ai.posttrain.data.builtin;

import ai.posttrain.data.BuiltinRecord;

import java.util.List;
import java.util.Random;

/**
 * Integer arithmetic in three wordings ("What is a op b?", "Compute a op b.", "a op b = ?").
 * Difficulty 1: two-digit + and - (no negative results). 2: three-digit + and -, two-digit times
 * one digit. 3: four-digit + and - (negative results allowed), two-digit times two-digit.
 * Response: {@code <think>} column steps ({@link ArithmeticTrace}) {@code </think>} then the answer.
 */
public final class MathProblems implements Generator {
    public static final List<String> FORMS = List.of("What is %s %c %s?", "Compute %s %c %s.", "%s %c %s = ?");

    @Override
    public BuiltinRecord draw(Random rnd, int difficulty) {
        char op;
        long a, b;
        switch (difficulty) {
            case 1 -> {
                op = Pick.one(rnd, '+', '-');
                a = Pick.between(rnd, 10, 99);
                b = Pick.between(rnd, 10, 99);
            }
            case 2 -> {
                op = Pick.one(rnd, '+', '-', '*');
                if (op == '*') {
                    a = Pick.between(rnd, 10, 99);
                    b = Pick.between(rnd, 2, 9);
                } else {
                    a = Pick.between(rnd, 100, 999);
                    b = Pick.between(rnd, 10, 999);
                }
            }
            default -> {
                op = Pick.one(rnd, '+', '-', '*');
                if (op == '*') {
                    a = Pick.between(rnd, 11, 99);
                    b = Pick.between(rnd, 11, 99);
                } else {
                    a = Pick.between(rnd, 1000, 9999);
                    b = Pick.between(rnd, 100, 9999);
                }
            }
        }
        if (op == '-' && difficulty < 3 && a < b) {
            long t = a; a = b; b = t;
        }
        if (op != '-' && Pick.chance(rnd, 0.5)) {  // either order for commutative ops
            long t = a; a = b; b = t;
        }
        return problem(a, op, b, difficulty, Pick.one(rnd, FORMS));
    }

    /** The record for {@code a op b} in a wording from {@link #FORMS}. */
    public static BuiltinRecord problem(long a, char op, long b, int difficulty, String form) {
        String prompt = String.format(form, a, op, b);
        String answer = Long.toString(evaluate(a, op, b));
        String response = "<think>" + String.join("\n", ArithmeticTrace.trace(a, op, b)) + "</think>" + answer;
        return BuiltinRecord.qa(key(a, op, b), "math", difficulty, prompt, response, answer, List.of());
    }

    /** One key per problem, whatever its wording or (for + and *) operand order. */
    public static String key(long a, char op, long b) {
        if (op != '-' && a > b) return "math:" + b + op + a;
        return "math:" + a + op + b;
    }

    public static long evaluate(long a, char op, long b) {
        return switch (op) {
            case '+' -> a + b;
            case '-' -> a - b;
            case '*' -> a * b;
            default -> throw new IllegalArgumentException("op " + op);
        };
    }
}
