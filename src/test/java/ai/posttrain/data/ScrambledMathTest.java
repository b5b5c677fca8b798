package ai.posttrain.data;

import ai.posttrain.config.ConfigError;
import ai.posttrain.config.PosttrainConfig;
import ai.posttrain.data.builtin.ArithmeticTrace;
import ai.posttrain.data.builtin.MathProblems;
import ai.posttrain.data.builtin.Wording;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** Math asked as its numbers and operator among random words, and traces that open with the prompt's numbers. */
class ScrambledMathTest {
    private static final Pattern KEY = Pattern.compile("math:(\\d+)([-+*])(\\d+)");
    /** A trace's problem line, "67-45". */
    private static final Pattern PROBLEM_LINE = Pattern.compile("(\\d+)([-+*])(\\d+)");

    @Test
    void scrambleAsksTheShareOfMathTrainProblemsAmongRandomWordsAndKeepsTheirAnswers() {
        BuiltinData plain = new BuiltinData(7, 900, 150, Wording.FEW);
        BuiltinData scrambled = new BuiltinData(7, 900, 150, Wording.FEW, 0, 0.5, false);
        for (BuiltinSuite suite : BuiltinSuite.values()) {
            for (Split split : Split.values()) {
                if (split == Split.REWORDED && !suite.reworded()) continue;
                List<BuiltinRecord> a = plain.generate(suite, split), b = scrambled.generate(suite, split);
                int asked = 0, bFirstAsked = 0;
                for (int i = 0; i < a.size(); i++) {
                    BuiltinRecord x = a.get(i), y = b.get(i);
                    if (x.toJson().equals(y.toJson())) continue;
                    asked++;
                    // The same problem and answer; the prompt is the operands and operator in the problem's order
                    // among words, and the user turn asks it.
                    assertEquals(x.key(), y.key());
                    assertEquals(x.answer(), y.answer());
                    assertEquals(y.prompt(), y.messages().get(0).content());
                    assertNotEquals(x.prompt(), y.prompt());
                    Matcher k = KEY.matcher(x.key());
                    assertTrue(k.matches(), x.key());
                    String op = k.group(2);
                    List<String> numbers = numbers(y.prompt());
                    assertEquals(2, numbers.size(), y.prompt());
                    assertEquals(sorted(List.of(k.group(1), k.group(3))), sorted(numbers), y.prompt());
                    // One of its operation's words (or, for a subtraction, a trained way of naming b first), and
                    // no other operation's.
                    String prompt = y.prompt();
                    boolean bFirst = op.equals("-") && !k.group(1).equals(k.group(3)) && numbers.get(0).equals(k.group(3));
                    boolean namesBFirst = op.equals("-") && MathProblems.SUBTRAHEND_FIRST.stream()
                            .anyMatch(form -> wordsOf(form).stream().allMatch(w -> says(prompt, w)));
                    if (bFirst) {
                        bFirstAsked++;
                        assertTrue(namesBFirst, prompt);
                    }
                    for (var words : MathProblems.OPERATION_WORDS.entrySet()) {
                        boolean named = words.getValue().stream().anyMatch(w -> says(prompt, w));
                        if (words.getKey() == op.charAt(0)) assertTrue(named || namesBFirst, op + " in " + prompt);
                        else assertFalse(named, words.getKey() + " in " + prompt);
                    }
                    long first = Long.parseLong(numbers.get(bFirst ? 1 : 0)), second = Long.parseLong(numbers.get(bFirst ? 0 : 1));
                    assertEquals("<think>" + String.join("\n", ArithmeticTrace.trace(first, op.charAt(0), second)) + "</think>" + y.answer(),
                            y.messages().get(1).content());
                }
                String where = suite.id() + " " + split.id();
                if (split == Split.TRAIN && suite == BuiltinSuite.MATH) {
                    assertTrue(asked > 0.4 * a.size() && asked < 0.6 * a.size(), where + ": " + asked);
                    assertTrue(bFirstAsked > 0.02 * a.size(), where + ": subtractions asked b first " + bFirstAsked);
                }
                else assertEquals(0, asked, where);
            }
        }
    }

    /**
     * A scrambled prompt names its operation in a word the trained wordings use for that operation and for no other,
     * so it teaches what the trained words mean and no word of the reworded split.
     */
    @Test
    void eachOperationWordIsWhatTheTrainedWordingsSayForThatOperationAlone() {
        List<BuiltinRecord> trained = new ArrayList<>();
        for (Wording wording : List.of(Wording.FEW, Wording.MANY))
            trained.addAll(new BuiltinData(5, 6000, 10, wording).generate(BuiltinSuite.MATH, Split.TRAIN));
        for (var words : MathProblems.OPERATION_WORDS.entrySet()) {
            assertEquals(String.valueOf(words.getKey()), words.getValue().get(0), "the symbol first");
            for (String word : words.getValue().subList(1, words.getValue().size())) {
                List<Character> opsSayingIt = trained.stream().filter(r -> says(r.prompt(), word))
                        .map(r -> operation(r.key())).distinct().toList();
                assertEquals(List.of(words.getKey()), opsSayingIt, "'" + word + "'");
            }
        }
    }

    /** Each way of asking a - b with b first is the trained wordings' way, and subtraction's alone. */
    @Test
    void theSubtrahendFirstWordsAreTrainedSubtractionWordsThatGiveBFirst() {
        List<BuiltinRecord> trained = new ArrayList<>();
        for (Wording wording : List.of(Wording.FEW, Wording.MANY))
            trained.addAll(new BuiltinData(5, 6000, 10, wording).generate(BuiltinSuite.MATH, Split.TRAIN));
        for (List<String> form : MathProblems.SUBTRAHEND_FIRST) {
            List<String> words = wordsOf(form);
            List<BuiltinRecord> saying = trained.stream().filter(r -> words.stream().allMatch(w -> says(r.prompt(), w))).toList();
            assertFalse(saying.isEmpty(), form.toString());
            for (BuiltinRecord r : saying) {
                assertEquals('-', operation(r.key()), form + ": " + r.prompt());
                Matcher k = KEY.matcher(r.key());
                assertTrue(k.matches());
                // The trained prompt gives the numbers in the form's order, and that order is b first.
                List<String> formOrder = form.stream().filter(part -> part.startsWith("%"))
                        .map(slot -> slot.equals("%1$s") ? k.group(1) : k.group(3)).toList();
                assertEquals(numbers(r.prompt()), formOrder, form + ": " + r.prompt());
                assertEquals(List.of(k.group(3), k.group(1)), formOrder, form + ": " + r.prompt());
            }
        }
    }

    @Test
    void restatedTracesOpenWithThePromptsNumbersInItsOrderWhateverTheWording() {
        BuiltinData plain = new BuiltinData(11, 600, 120, Wording.MANY, 0.3, 0.3, false);
        BuiltinData restating = new BuiltinData(11, 600, 120, Wording.MANY, 0.3, 0.3, true);
        for (Split split : Split.values()) {
            List<BuiltinRecord> a = plain.generate(BuiltinSuite.MATH, split), b = restating.generate(BuiltinSuite.MATH, split);
            assertEquals(a.size(), b.size());
            int reordered = 0;
            for (int i = 0; i < a.size(); i++) {
                BuiltinRecord x = a.get(i), y = b.get(i);
                assertEquals(x.prompt(), y.prompt());
                assertEquals(x.answer(), y.answer());
                List<String> numbers = numbers(y.prompt());
                assertEquals(2, numbers.size(), y.prompt());
                String reply = y.messages().get(1).content();
                assertEquals("<think>" + String.join(" ", numbers) + "\n" + x.messages().get(1).content().substring("<think>".length()),
                        reply, y.prompt());
                Matcher k = KEY.matcher(y.key());
                if (k.matches() && k.group(2).equals("-") && !numbers.get(0).equals(k.group(1))) reordered++;
            }
            // "Subtract 45 from 67" restates as "45 67": the line is the prompt's order, not the problem's.
            assertTrue(reordered > 0, split.id() + ": no subtraction asked with its operands reversed");
        }
        // Other suites' traces are untouched.
        assertEquals(plain.generate(BuiltinSuite.STEM, Split.TRAIN).stream().map(BuiltinRecord::toJson).toList(),
                restating.generate(BuiltinSuite.STEM, Split.TRAIN).stream().map(BuiltinRecord::toJson).toList());
    }

    @Test
    void theProblemLineStatesTheOperationAndTheOperandsInTheProblemsOrderAfterTheRestatedNumbers() {
        BuiltinData restating = new BuiltinData(12, 600, 120, Wording.MANY, 0.3, 0.3, true);
        BuiltinData stating = new BuiltinData(12, 600, 120, Wording.MANY, 0.3, 0.3, true, true);
        for (Split split : Split.values()) {
            List<BuiltinRecord> a = restating.generate(BuiltinSuite.MATH, split), b = stating.generate(BuiltinSuite.MATH, split);
            assertEquals(a.size(), b.size());
            int reordered = 0;
            for (int i = 0; i < a.size(); i++) {
                BuiltinRecord x = a.get(i), y = b.get(i);
                assertEquals(x.prompt(), y.prompt());
                String[] with = y.messages().get(1).content().split("\n", 3), without = x.messages().get(1).content().split("\n", 2);
                assertEquals(without[0], with[0], y.prompt());
                assertEquals(without[1], with[2], y.prompt());
                Matcher line = PROBLEM_LINE.matcher(with[1]);
                assertTrue(line.matches(), with[1]);
                long p = Long.parseLong(line.group(1)), q = Long.parseLong(line.group(3));
                assertEquals(y.answer(), Long.toString(MathProblems.evaluate(p, line.group(2).charAt(0), q)), y.prompt());
                assertEquals(MathProblems.key(p, line.group(2).charAt(0), q), y.key());
                if (!with[0].equals("<think>" + p + " " + q)) reordered++;
            }
            // "Subtract 45 from 67": "45 67" restated in the prompt's order, then "67-45" as solved.
            assertTrue(reordered > 0, split.id() + ": no problem asked with its operands in another order");
        }
        assertTrue(PosttrainConfig.load(null, List.of("posttrain.data.builtin.problem-line=true")).data().builtinProblemLine());
    }

    @Test
    void scrambleAndRestateAreReadFromTheConfigAndCheckedThere() {
        PosttrainConfig.DataSettings data = PosttrainConfig.load(null,
                List.of("posttrain.data.builtin.scramble=0.25", "posttrain.data.builtin.restate-numbers=true")).data();
        assertEquals(0.25, data.builtinScramble());
        assertTrue(data.builtinRestateNumbers());
        ConfigError e = assertThrows(ConfigError.class, () -> PosttrainConfig.load(null, List.of("posttrain.data.builtin.scramble=-0.1")));
        assertEquals("posttrain.data.builtin.scramble", e.key());
        e = assertThrows(ConfigError.class, () -> PosttrainConfig.load(null, List.of("posttrain.data.builtin.restate-numbers=often")));
        assertEquals("posttrain.data.builtin.restate-numbers", e.key());
    }

    @Test
    void amongWordsRefusesARecordThatIsNotArithmetic() {
        BuiltinRecord stem = new BuiltinData(3, 5, 5).generate(BuiltinSuite.STEM, Split.TRAIN).get(0);
        assertThrows(IllegalArgumentException.class, () -> new MathProblems().amongWords(new java.util.Random(1), stem));
    }

    /** A form's words, without its number slots ({@code %1$s}, {@code %2$s}). */
    private static List<String> wordsOf(List<String> form) { return form.stream().filter(part -> !part.startsWith("%")).toList(); }

    private static List<String> numbers(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\\d+").matcher(text);
        while (m.find()) out.add(m.group());
        return out;
    }

    /** Whether {@code text} has {@code word} as a whole word (any case); a symbol anywhere. */
    private static boolean says(String text, String word) {
        if (!Character.isLetter(word.charAt(0))) return text.contains(word);
        return Pattern.compile("(?<![a-z])" + Pattern.quote(word) + "(?![a-z])").matcher(text.toLowerCase(Locale.ROOT)).find();
    }

    private static char operation(String key) {
        Matcher k = KEY.matcher(key);
        assertTrue(k.matches(), key);
        return k.group(2).charAt(0);
    }

    private static List<String> sorted(List<String> xs) { return xs.stream().sorted().toList(); }
}
