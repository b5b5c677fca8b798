package ai.posttrain.data.builtin;

import ai.posttrain.data.BuiltinRecord;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Integer arithmetic, worded in many ways: symbols ("What is 23 + 45?"), words ("23 plus 45", "the sum
 * of 23 and 45", "subtract 45 from 67": operands in either order), commands and story problems, composed from
 * parts (question x expression, who x things x change) and sometimes framed by a remark ({@link Wordings#frame}).
 * The train and held-out splits use the 27 classic wordings per operator ({@link #FEW}, the default) or every
 * trained one of {@link #WORDINGS}; reworded ones (a new question, expression, story, name or verb), never trained
 * on, only the reworded split, which tests whether a model learned the arithmetic
 * or the templates. Difficulty 1: two-digit + and -
 * (no negative results). 2: three-digit + and -, two-digit times one digit. 3: four-digit + and - (negative
 * results allowed), two-digit times two-digit. Response: {@code <think>} column steps ({@link ArithmeticTrace})
 * {@code </think>} then the answer.
 *
 * <p>A wording is a format string over (a, b, op): {@code %1$s} is a, {@code %2$s} is b, {@code %3$c} the
 * operator symbol; a template with no operator symbol belongs to one operator.
 */
public final class MathProblems implements Generator {
    /** Whether each trace opens with the prompt's numbers, in the order the prompt gives them ({@link #restated}). */
    private final boolean restateNumbers;
    /** Whether each trace then writes the problem as its columns solve it, "63-19" ({@link #worded}). */
    private final boolean problemLine;

    /** Traces that start at the columns. */
    public MathProblems() { this(false, false); }

    public MathProblems(boolean restateNumbers, boolean problemLine) {
        this.restateNumbers = restateNumbers;
        this.problemLine = problemLine;
    }

    /** {@link Wording#FEW}: the classic wordings, symbolic for every operator and in words for each. */
    private static final List<String> SYMBOLIC = List.of("What is %1$s %3$c %2$s?", "Compute %1$s %3$c %2$s.", "%1$s %3$c %2$s = ?",
            "Calculate %1$s %3$c %2$s.", "%1$s%3$c%2$s=?", "Evaluate %1$s %3$c %2$s.", "What does %1$s %3$c %2$s equal?",
            "Work out %1$s %3$c %2$s.", "Find %1$s %3$c %2$s.", "Solve: %1$s %3$c %2$s", "%1$s %3$c %2$s is what?",
            "Q: %1$s %3$c %2$s", "Give the value of %1$s %3$c %2$s.");
    private static final Map<Character, List<String>> IN_WORDS = Map.of(
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
    public static final Map<Character, List<String>> FEW = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(Map.of(
            '+', concat(SYMBOLIC, IN_WORDS.get('+')), '-', concat(SYMBOLIC, IN_WORDS.get('-')), '*', concat(SYMBOLIC, IN_WORDS.get('*')))));

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }

    /** {@link Wording#MANY} and {@link Wording#REWORDED}: questions around an expression {@code {q}}. */
    private static final Wordings QUESTIONS = new Wordings(
            List.of("What is {q}?", "How much is {q}?", "Find {q}.", "Compute {q}.", "Calculate {q}.", "Work out {q}.",
                    "Evaluate {q}.", "Give the value of {q}.", "Determine {q}.", "What does {q} equal?", "{q} is what?",
                    "{q} equals what?", "Q: {q}", "Solve: {q}", "What do you get for {q}?", "Tell me {q}.", "{q} = ?"),
            List.of("I wonder what {q} is.", "Could you say what {q} is?", "Quickly: {q}?", "What would {q} be?",
                    "Result of {q}, please."));
    /** Each operator's expressions over a ({@code %1$s}), b ({@code %2$s}) and its symbol ({@code %3$c}). */
    private static final Map<Character, Wordings> EXPRESSIONS = Map.of(
            '+', new Wordings(List.of("%1$s %3$c %2$s", "%1$s plus %2$s", "the sum of %1$s and %2$s", "%1$s added to %2$s",
                    "%1$s increased by %2$s", "%2$s more than %1$s", "the total of %1$s and %2$s"),
                    List.of("%1$s combined with %2$s", "%1$s raised by %2$s")),
            '-', new Wordings(List.of("%1$s %3$c %2$s", "%1$s minus %2$s", "%2$s subtracted from %1$s", "%2$s less than %1$s",
                    "%1$s take away %2$s", "the difference between %1$s and %2$s", "%1$s decreased by %2$s"),
                    List.of("%1$s reduced by %2$s", "%1$s with %2$s taken off")),
            '*', new Wordings(List.of("%1$s %3$c %2$s", "%1$s times %2$s", "the product of %1$s and %2$s", "%1$s multiplied by %2$s"),
                    List.of("%1$s lots of %2$s", "%2$s copies of %1$s")));
    /** Commands and story problems, each naming its operation in its own words. */
    private static final Map<Character, Wordings> SENTENCES = Map.of(
            '+', new Wordings(List.of("Add %1$s and %2$s.", "Add %2$s to %1$s.", "Increase %1$s by %2$s.",
                    "What do you get when you add %1$s and %2$s?", "%1$s and %2$s together make how many?",
                    "A jar holds %1$s beads. %2$s beads are added. How many beads are in it?"),
                    List.of("If I add %1$s to %2$s, what do I get?", "Sum %1$s and %2$s.",
                            "A box has %1$s pens; %2$s more are put in. How many pens are in the box?")),
            '-', new Wordings(List.of("Subtract %2$s from %1$s.", "Decrease %1$s by %2$s.", "Take %2$s away from %1$s.",
                    "What do you get when you subtract %2$s from %1$s?", "How much is left if %2$s is taken from %1$s?",
                    "A jar holds %1$s beads. %2$s beads are removed. How many beads are in it?"),
                    List.of("What remains when %2$s is taken from %1$s?", "Reduce %1$s by %2$s.",
                            "A shelf had %1$s books; %2$s were removed. How many books are on it now?")),
            '*', new Wordings(List.of("Multiply %1$s by %2$s.", "Multiply %1$s and %2$s.", "%1$s groups of %2$s make how many?",
                    "There are %1$s boxes with %2$s pens each. How many pens in all?"),
                    List.of("A crate has %1$s rows of %2$s eggs. How many eggs are in it?", "Scale %1$s by %2$s.")));
    /** Story problems built from who, what and how the amount changes. */
    private static final Wordings STORIES = new Wordings(
            List.of("{who} has %1$s {things} and {change} %2$s. How many {things} does {who} have now?",
                    "{who} had %1$s {things}, then {change} %2$s. How many {things} are there now?"),
            List.of("{who} starts with %1$s {things} and {change} %2$s. What is the count of {things} now?"));
    private static final Wordings WHO = new Wordings(List.of("Sam", "Mia", "A farmer", "The shop", "Leo"), List.of("My aunt", "Grandpa"));
    private static final Wordings THINGS = new Wordings(List.of("coins", "apples", "cards", "books", "beads"), List.of("stamps", "marbles"));
    private static final Map<Character, Wordings> CHANGES = Map.of(
            '+', new Wordings(List.of("finds", "buys", "gets", "is given"), List.of("wins", "picks up")),
            '-', new Wordings(List.of("spends", "gives away", "loses", "sells"), List.of("drops", "hands out")));

    /**
     * Each operator's wordings by kind: questions about an expression, commands, stories (+ and - only). A kind is
     * drawn first (questions 60 %, the others share the rest), so the hundreds of story combinations do not crowd
     * out the rest.
     */
    public static final Map<Character, List<Wordings>> WORDINGS = wordings();

    private static Map<Character, List<Wordings>> wordings() {
        Map<Character, List<Wordings>> out = new java.util.TreeMap<>();
        for (char op : new char[]{'+', '-', '*'}) {
            List<Wordings> kinds = new java.util.ArrayList<>(List.of(Wordings.combine(QUESTIONS, Map.of("q", EXPRESSIONS.get(op))),
                    SENTENCES.get(op)));
            if (CHANGES.containsKey(op))
                kinds.add(Wordings.combine(STORIES, Map.of("who", WHO, "things", THINGS, "change", CHANGES.get(op))));
            out.put(op, List.copyOf(kinds));
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    private static String pickWording(Random rnd, char op, boolean reworded) {
        List<Wordings> kinds = WORDINGS.get(op);
        Wordings kind = rnd.nextDouble() < 0.6 ? kinds.get(0) : kinds.get(1 + rnd.nextInt(kinds.size() - 1));
        return kind.pick(rnd, reworded);
    }

    @Override
    public BuiltinRecord draw(Random rnd, int difficulty) { return draw(rnd, difficulty, Wording.FEW); }

    @Override
    public BuiltinRecord draw(Random rnd, int difficulty, Wording wording) {
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
        if (wording == Wording.FEW) return asked(a, op, b, difficulty, Pick.one(rnd, FEW.get(op)));
        String question = String.format(pickWording(rnd, op, wording == Wording.REWORDED), a, b, op);
        return worded(a, op, b, difficulty, Wordings.frame(rnd, question, wording));
    }

    /** The record for {@code a op b} in a wording (a format string over a, b and the operator symbol), traced from the columns. */
    public static BuiltinRecord problem(long a, char op, long b, int difficulty, String form) {
        return new MathProblems().asked(a, op, b, difficulty, form);
    }

    private BuiltinRecord asked(long a, char op, long b, int difficulty, String form) {
        return worded(a, op, b, difficulty, String.format(form, a, b, op));
    }

    /**
     * The same problem asked as nothing but its numbers and a word for its operation among random common words
     * ({@link NoiseText#through}): "After lesson play 30 gets kitchen 17?", "Sells night 63 her 19.". No template
     * tells where the numbers are or which word names the operation, so a model that answers these has to find
     * the numbers wherever they stand and read the operation from its word. Some subtractions give b first in the
     * trained words that say so ({@link #SUBTRAHEND_FIRST}: "Subtract hello 17 from 30.").
     */
    public BuiltinRecord amongWords(Random rnd, BuiltinRecord problem) {
        java.util.regex.Matcher m = KEY.matcher(problem.key());
        if (!m.matches()) throw new IllegalArgumentException("not a math problem key: " + problem.key());
        long a = Long.parseLong(m.group(1)), b = Long.parseLong(m.group(3));
        char op = m.group(2).charAt(0);
        if (op != '-' && rnd.nextBoolean()) {  // the key orders commutative operands; ask them either way
            long t = a; a = b; b = t;
        }
        String cue = Pick.one(rnd, OPERATION_WORDS.get(op));
        // Commands name the operation first ("Add 30 and 17"), statements between the numbers; a quarter of the
        // subtractions name b first in the trained words that say so ("take 17 away from 30").
        List<String> parts = op == '-' && rnd.nextInt(4) == 0 ? Pick.one(rnd, SUBTRAHEND_FIRST)
                : rnd.nextInt(3) == 0 ? List.of(cue, "%1$s", "%2$s") : List.of("%1$s", cue, "%2$s");
        return asked(a, op, b, problem.difficulty(), NoiseText.through(rnd, parts));
    }

    private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("math:(\\d+)([-+*])(\\d+)");
    /**
     * Each operator's symbol and the words the trained wordings name it with (each in that operator's wordings
     * only: ScrambledMathTest): asked among random words, they teach the word's meaning apart from its sentence.
     * With the symbol and plus/minus/times only, a teacher that found the right numbers in 261 of 300 reworded
     * problems began another operation's columns in 60 of the 142 whose operation word it had been trained on; with
     * these words in 44, and its reworded accuracy rose from 0.40 to 0.50 (reference.conf, {@code scramble}).
     */
    public static final Map<Character, List<String>> OPERATION_WORDS = Map.of(
            '+', List.of("+", "plus", "add", "added", "sum", "total", "together", "increased by", "finds", "buys", "gets",
                    "is given"),
            '-', List.of("-", "minus", "subtract", "subtracted", "difference", "take away", "decreased by", "left",
                    "removed", "spends", "gives away", "loses", "sells"),
            '*', List.of("*", "times", "multiply", "multiplied by", "product", "groups of", "each"));
    /**
     * The trained wordings' ways of asking a - b with b first, as parts to set among random words. Scrambled
     * subtraction otherwise always gives a first, and a teacher trained on it began the columns of 19 - 63 for
     * "What remains when 19 is taken from 63?": 2 of the 26 such reworded problems right, 10 with these (140 steps).
     */
    public static final List<List<String>> SUBTRAHEND_FIRST = List.of(List.of("subtract", "%2$s", "from", "%1$s"),
            List.of("%2$s", "subtracted from", "%1$s"), List.of("%2$s", "less than", "%1$s"),
            List.of("take", "%2$s", "away from", "%1$s"), List.of("%2$s", "taken from", "%1$s"));
    /** A number in a prompt: every digit run (no wording, frame or random word has a digit). */
    private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile("\\d+");

    /**
     * The problem line ("63-19" for "What remains when 19 is taken from 63?", after the restated "19 63") is where the
     * operation and the order of the operands are decided, on a line of their own between copying the numbers and
     * reading their digits; without it the first column decides both while it reads digits (reference.conf,
     * {@code problem-line}, has what it changed).
     */
    private BuiltinRecord worded(long a, char op, long b, int difficulty, String prompt) {
        String answer = Long.toString(evaluate(a, op, b));
        String response = "<think>" + (restateNumbers ? restated(prompt) + "\n" : "") + (problemLine ? "" + a + op + b + "\n" : "")
                + String.join("\n", ArithmeticTrace.trace(a, op, b)) + "</think>" + answer;
        return BuiltinRecord.qa(key(a, op, b), "math", difficulty, prompt, response, answer, List.of());
    }

    /**
     * The prompt's numbers in its order, "19 63" for "What remains when 19 is taken from 63?". Copying them first
     * is the same step whatever the sentence, and the columns then read digits from a line of fixed shape. (An
     * "a op b" line, which makes the model order the numbers as it copies, lost accuracy in the trained wordings:
     * 0.80 -> 0.58 in a 90-step teacher; after the prompt-order line, 0.845 -> 0.755 in the 70-step arithmetic phase.)
     */
    static String restated(String prompt) {
        List<String> numbers = new java.util.ArrayList<>();
        java.util.regex.Matcher m = NUMBER.matcher(prompt);
        while (m.find()) numbers.add(m.group());
        return String.join(" ", numbers);
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
