package ai.posttrain.data.builtin;

import ai.posttrain.data.BuiltinRecord;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Integer arithmetic, worded in many ways: symbols ("What is 23 + 45?"), words ("23 plus 45", "the sum
 * of 23 and 45", "subtract 45 from 67": operands in either order) and short word problems. {@link #TRAINED}
 * wordings make the train and held-out splits; {@link #REWORDED} ones, never trained on, only the reworded
 * split, which tests whether a model learned the arithmetic or the templates. Difficulty 1: two-digit + and -
 * (no negative results). 2: three-digit + and -, two-digit times one digit. 3: four-digit + and - (negative
 * results allowed), two-digit times two-digit. Response: {@code <think>} column steps ({@link ArithmeticTrace})
 * {@code </think>} then the answer.
 *
 * <p>A wording is a format string over (a, b, op): {@code %1$s} is a, {@code %2$s} is b, {@code %3$c} the
 * operator symbol; a template with no operator symbol belongs to one operator.
 */
public final class MathProblems implements Generator {
    /** Wordings with the operator as a symbol, for every operator. */
    private static final List<String> SYMBOLIC = List.of("What is %1$s %3$c %2$s?", "Compute %1$s %3$c %2$s.", "%1$s %3$c %2$s = ?",
            "Calculate %1$s %3$c %2$s.", "%1$s%3$c%2$s=?", "Evaluate %1$s %3$c %2$s.", "What does %1$s %3$c %2$s equal?",
            "Work out %1$s %3$c %2$s.", "Find %1$s %3$c %2$s.", "Solve: %1$s %3$c %2$s", "%1$s %3$c %2$s is what?",
            "Q: %1$s %3$c %2$s", "Give the value of %1$s %3$c %2$s.");
    private static final Map<Character, List<String>> TRAINED_WORDS = Map.of(
            '+', List.of("What is %1$s plus %2$s?", "Add %1$s and %2$s.", "Find the sum of %1$s and %2$s.",
                    "What is the sum of %1$s and %2$s?", "Add %2$s to %1$s.", "%1$s plus %2$s equals what?",
                    "How much is %1$s plus %2$s?", "Increase %1$s by %2$s.", "What is %1$s added to %2$s?",
                    "Total of %1$s and %2$s?", "Sam has %1$s coins and finds %2$s more. How many coins now?",
                    "A jar holds %1$s beads. %2$s beads are added. How many beads are in it?",
                    "What do you get when you add %1$s and %2$s?", "%1$s and %2$s together make how many?"),
            '-', List.of("What is %1$s minus %2$s?", "Subtract %2$s from %1$s.", "Find the difference of %1$s and %2$s.",
                    "What is %1$s take away %2$s?", "%1$s minus %2$s equals what?", "How much is %1$s minus %2$s?",
                    "Decrease %1$s by %2$s.", "What is %2$s less than %1$s?", "Take %2$s away from %1$s.",
                    "Sam has %1$s coins and spends %2$s. How many coins are left?",
                    "A jar holds %1$s beads. %2$s beads are removed. How many beads are in it?",
                    "What do you get when you subtract %2$s from %1$s?", "How much is left if %2$s is taken from %1$s?",
                    "What is the difference between %1$s and %2$s?"),
            '*', List.of("What is %1$s times %2$s?", "Multiply %1$s by %2$s.", "Find the product of %1$s and %2$s.",
                    "What is the product of %1$s and %2$s?", "%1$s times %2$s equals what?", "How much is %1$s times %2$s?",
                    "Multiply %1$s and %2$s.", "There are %1$s boxes with %2$s pens each. How many pens in all?",
                    "What do you get when you multiply %1$s by %2$s?", "%1$s groups of %2$s make how many?"));
    /** Wordings only the reworded split uses: new phrasings of the same operations, never trained on. */
    private static final Map<Character, List<String>> REWORDED_WORDS = Map.of(
            '+', List.of("Please work out %1$s plus %2$s.", "If I add %1$s to %2$s, what do I get?",
                    "A box has %1$s pens; %2$s more are put in. How many pens are in the box?", "Sum %1$s and %2$s.",
                    "What number is %2$s more than %1$s?", "Tell me %1$s + %2$s.", "I had %1$s stamps and got %2$s more. How many stamps do I have?",
                    "What is the total when %1$s is added to %2$s?"),
            '-', List.of("Please work out %1$s minus %2$s.", "What remains when %2$s is taken from %1$s?",
                    "A shelf had %1$s books; %2$s were removed. How many books are on it now?", "Reduce %1$s by %2$s.",
                    "What number is %2$s fewer than %1$s?", "Tell me %1$s - %2$s.", "I had %1$s stamps and gave away %2$s. How many stamps do I have?",
                    "What is left after subtracting %2$s from %1$s?"),
            '*', List.of("Please work out %1$s times %2$s.", "What is %1$s multiplied by %2$s?",
                    "Tell me %1$s * %2$s.", "A crate has %1$s rows of %2$s eggs. How many eggs are in it?"));
    /** Every trained wording of each operator; {@link #REWORDED} likewise for the reworded split. */
    public static final Map<Character, List<String>> TRAINED = wordings(SYMBOLIC, TRAINED_WORDS);
    public static final Map<Character, List<String>> REWORDED = wordings(List.of(), REWORDED_WORDS);

    private static Map<Character, List<String>> wordings(List<String> symbolic, Map<Character, List<String>> worded) {
        Map<Character, List<String>> out = new java.util.TreeMap<>();
        for (char op : new char[]{'+', '-', '*'}) {
            List<String> all = new java.util.ArrayList<>(symbolic);
            all.addAll(worded.get(op));
            out.put(op, List.copyOf(all));
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    @Override
    public BuiltinRecord draw(Random rnd, int difficulty) { return draw(rnd, difficulty, false); }

    @Override
    public BuiltinRecord draw(Random rnd, int difficulty, boolean reworded) {
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
        return problem(a, op, b, difficulty, Pick.one(rnd, (reworded ? REWORDED : TRAINED).get(op)));
    }

    /** The record for {@code a op b} in a wording (a format string over a, b and the operator symbol). */
    public static BuiltinRecord problem(long a, char op, long b, int difficulty, String form) {
        String prompt = String.format(form, a, b, op);
        String answer = Long.toString(evaluate(a, op, b));
        // No "a op b" line before the columns: the default teacher (90 steps) miscopied operands into it, and held-out
        // difficulty 1 in trained wordings fell 0.80 -> 0.58 with it.
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
