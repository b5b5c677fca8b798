package ai.posttrain.data.builtin;

import ai.posttrain.data.BuiltinRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Small Python functions described in words; {@code tests} are assert lines whose expected values
 * are computed here in Java. Difficulty 1: one arithmetic expression (add_37, times_4...); the
 * constant is written in digits in the name, so a model learns to copy the name and the number
 * from the prompt rather than to recall a few dozen memorised names (held-out problems have
 * constants the training split never has).
 * 2: string and list one-liners (count a letter, reverse, max, filter, map). 3: loops (sums of
 * multiples, factorial, fibonacci, gcd, primes). Response: a one-line plan in {@code <think>}
 * then the function in a ```python block.
 */
public final class CodeProblems implements Generator {
    static final List<String> WORDS = List.of("banana", "apple", "river", "mountain", "level", "python", "spark",
            "data", "hello", "world", "tree", "garden", "rocket", "planet", "summer", "winter", "coffee", "letter",
            "bottle", "racecar", "noon", "kayak", "orange", "purple", "window", "silver", "dragon", "pepper");
    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz";

    @Override
    public BuiltinRecord draw(Random rnd, int difficulty) { return draw(rnd, difficulty, Wording.FEW); }

    @Override
    public BuiltinRecord draw(Random rnd, int difficulty, Wording wording) { return task(rnd, difficulty).record(rnd, wording); }

    private static Task task(Random rnd, int difficulty) {
        return switch (difficulty) {
            case 1 -> switch (rnd.nextInt(5)) {
                case 0 -> addK(rnd);
                case 1 -> subtractK(rnd);
                case 2 -> timesK(rnd);
                case 3 -> isMultipleOfK(rnd);
                default -> powerK(rnd);
            };
            case 2 -> switch (rnd.nextInt(6)) {
                case 0 -> countLetter(rnd);
                case 1 -> startsWith(rnd);
                case 2 -> multiplyAll(rnd);
                case 3 -> keepAbove(rnd);
                case 4 -> listReduction(rnd);
                default -> reversal(rnd);
            };
            default -> switch (rnd.nextInt(6)) {
                case 0 -> sumMultiples(rnd);
                case 1 -> countDivisible(rnd);
                case 2 -> sumOfPowers(rnd);
                case 3 -> repeatEach(rnd);
                case 4 -> countLongWords(rnd);
                default -> classic(rnd);
            };
        };
    }

    // ---- difficulty 1 ----

    private static Task addK(Random rnd) {
        int k = Pick.between(rnd, 1, 99);
        String f = "add_" + k;
        return oneArg(rnd, 1, "add:" + k, f, "x", "returns x plus " + k, "Add " + k + " to x.", "return x + " + k, x -> x + k);
    }

    private static Task subtractK(Random rnd) {
        int k = Pick.between(rnd, 1, 99);
        String f = "subtract_" + k;
        return oneArg(rnd, 1, "sub:" + k, f, "x", "returns x minus " + k, "Subtract " + k + " from x.", "return x - " + k, x -> x - k);
    }

    private static Task timesK(Random rnd) {
        int k = Pick.between(rnd, 2, 99);
        String f = "times_" + k;
        return oneArg(rnd, 1, "mul:" + k, f, "x", "returns x multiplied by " + k, "Multiply x by " + k + ".", "return x * " + k, x -> x * k);
    }

    private static Task powerK(Random rnd) {
        int k = Pick.between(rnd, 2, 9);
        String f = "power_" + k;
        return oneArg(rnd, 1, "pow:" + k, f, "x", "returns x raised to the power " + k, "Use x ** " + k + ".",
                "return x ** " + k, x -> (long) Math.pow(x, k));
    }

    private static Task isMultipleOfK(Random rnd) {
        int k = Pick.between(rnd, 2, 99);
        String f = "is_multiple_of_" + k;
        List<String> tests = new ArrayList<>();
        int m = k * Pick.between(rnd, 1, 9);
        tests.add(assertEq(f + "(" + m + ")", "True"));
        tests.add(assertEq(f + "(" + (m + 1) + ")", "False"));
        int n = Pick.between(rnd, 1, 200);
        tests.add(assertEq(f + "(" + n + ")", n % k == 0 ? "True" : "False"));
        return new Task("is-multiple:" + k, 1, f, "n", "returns True if n is divisible by " + k + ", otherwise False",
                "n is a multiple of " + k + " when n % " + k + " is 0.", "return n % " + k + " == 0", tests);
    }

    private static Task oneArg(Random rnd, int difficulty, String key, String f, String arg, String what,
                                        String think, String body, Function<Long, Long> ref) {
        List<String> tests = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long x = Pick.between(rnd, -20, 50);
            tests.add(assertEq(f + "(" + x + ")", Long.toString(ref.apply(x))));
        }
        return new Task(key, difficulty, f, arg, what, think, body, tests);
    }

    // ---- difficulty 2 ----

    private static Task countLetter(Random rnd) {
        char c = LETTERS.charAt(rnd.nextInt(26));
        String f = "count_" + c;
        List<String> tests = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String w = Pick.one(rnd, WORDS);
            tests.add(assertEq(f + "(" + py(w) + ")", Long.toString(w.chars().filter(ch -> ch == c).count())));
        }
        return new Task("count-letter:" + c, 2, f, "s", "returns how many times the letter '" + c + "' occurs in the string s",
                "str.count counts the occurrences of '" + c + "'.", "return s.count('" + c + "')", tests);
    }

    private static Task startsWith(Random rnd) {
        char c = LETTERS.charAt(rnd.nextInt(26));
        String f = "starts_with_" + c;
        List<String> tests = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String w = i == 0 ? c + "at" : Pick.one(rnd, WORDS);
            tests.add(assertEq(f + "(" + py(w) + ")", w.charAt(0) == c ? "True" : "False"));
        }
        return new Task("starts-with:" + c, 2, f, "s", "returns True if the string s starts with the letter '" + c + "', otherwise False",
                "Use s.startswith('" + c + "').", "return s.startswith('" + c + "')", tests);
    }

    private static Task multiplyAll(Random rnd) {
        int k = Pick.between(rnd, 2, 10);
        String f = "multiply_all_by_" + Pick.NUMBER_WORDS[k];
        List<String> tests = listTests(rnd, f, xs -> py(xs.stream().map(x -> x * k).toList()));
        return new Task("multiply-all:" + k, 2, f, "xs", "returns a new list with every element of the list xs multiplied by " + k,
                "A list comprehension multiplies each element by " + k + ".", "return [x * " + k + " for x in xs]", tests);
    }

    private static Task keepAbove(Random rnd) {
        int k = Pick.between(rnd, 0, 20);
        String f = "keep_above_" + Pick.NUMBER_WORDS[k];
        List<String> tests = listTests(rnd, f, xs -> py(xs.stream().filter(x -> x > k).toList()));
        return new Task("keep-above:" + k, 2, f, "xs", "returns the elements of the list xs that are greater than " + k + ", in order",
                "Filter with a list comprehension: keep x when x > " + k + ".", "return [x for x in xs if x > " + k + "]", tests);
    }

    private static Task listReduction(Random rnd) {
        return switch (rnd.nextInt(3)) {
            case 0 -> new Task("max", 2, "max_of", "xs", "returns the largest number in the non-empty list xs",
                    "The built-in max returns the largest element.", "return max(xs)",
                    listTests(rnd, "max_of", xs -> Long.toString(xs.stream().mapToLong(x -> x).max().orElseThrow())));
            case 1 -> new Task("min", 2, "min_of", "xs", "returns the smallest number in the non-empty list xs",
                    "The built-in min returns the smallest element.", "return min(xs)",
                    listTests(rnd, "min_of", xs -> Long.toString(xs.stream().mapToLong(x -> x).min().orElseThrow())));
            default -> new Task("sum", 2, "sum_of", "xs", "returns the sum of the numbers in the list xs",
                    "The built-in sum adds the elements.", "return sum(xs)",
                    listTests(rnd, "sum_of", xs -> Long.toString(xs.stream().mapToLong(x -> x).sum())));
        };
    }

    private static Task reversal(Random rnd) {
        List<String> tests = new ArrayList<>();
        if (rnd.nextBoolean()) {
            for (int i = 0; i < 3; i++) {
                String w = Pick.one(rnd, WORDS);
                tests.add(assertEq("reverse_string(" + py(w) + ")", py(new StringBuilder(w).reverse().toString())));
            }
            return new Task("reverse-string", 2, "reverse_string", "s", "returns the string s reversed",
                    "Slicing with step -1 reverses a string.", "return s[::-1]", tests);
        }
        for (int i = 0; i < 3; i++) {
            List<String> ws = List.of(Pick.one(rnd, WORDS), Pick.one(rnd, WORDS), Pick.one(rnd, WORDS));
            List<String> rev = new ArrayList<>(ws);
            java.util.Collections.reverse(rev);
            tests.add(assertEq("reverse_words(" + py(String.join(" ", ws)) + ")", py(String.join(" ", rev))));
        }
        return new Task("reverse-words", 2, "reverse_words", "s", "returns the words of the string s in reverse order, joined by single spaces",
                "Split into words, reverse the list, join with spaces.", "return ' '.join(s.split()[::-1])", tests);
    }

    // ---- difficulty 3 ----

    private static Task sumMultiples(Random rnd) {
        int k = Pick.between(rnd, 2, 9);
        String f = "sum_multiples_of_" + Pick.NUMBER_WORDS[k];
        List<String> tests = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = Pick.between(rnd, 1, 60);
            long s = 0;
            for (int m = k; m < n; m += k) s += m;
            tests.add(assertEq(f + "(" + n + ")", Long.toString(s)));
        }
        return new Task("sum-multiples:" + k, 3, f, "n", "returns the sum of the positive multiples of " + k + " that are less than n",
                "Step through " + k + ", " + 2 * k + ", ... below n and add them up.",
                "total = 0\nfor m in range(" + k + ", n, " + k + "):\n    total += m\nreturn total", tests);
    }

    private static Task countDivisible(Random rnd) {
        int k = Pick.between(rnd, 2, 9);
        String f = "count_divisible_by_" + Pick.NUMBER_WORDS[k];
        List<String> tests = listTests(rnd, f, xs -> Long.toString(xs.stream().filter(x -> x % k == 0).count()));
        return new Task("count-divisible:" + k, 3, f, "xs", "returns how many numbers in the list xs are divisible by " + k,
                "Count the elements x with x % " + k + " == 0 in a loop.",
                "count = 0\nfor x in xs:\n    if x % " + k + " == 0:\n        count += 1\nreturn count", tests);
    }

    private static Task sumOfPowers(Random rnd) {
        int k = Pick.between(rnd, 2, 4);
        String f = "sum_of_powers_" + Pick.NUMBER_WORDS[k];
        List<String> tests = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = Pick.between(rnd, 0, 12);
            long s = 0;
            for (int j = 1; j <= n; j++) s += (long) Math.pow(j, k);
            tests.add(assertEq(f + "(" + n + ")", Long.toString(s)));
        }
        return new Task("sum-powers:" + k, 3, f, "n", "returns 1**" + k + " + 2**" + k + " + ... + n**" + k + " (0 when n is 0)",
                "Loop i from 1 to n and add i ** " + k + ".",
                "total = 0\nfor i in range(1, n + 1):\n    total += i ** " + k + "\nreturn total", tests);
    }

    private static Task repeatEach(Random rnd) {
        int k = Pick.between(rnd, 2, 4);
        String f = "repeat_each_" + Pick.NUMBER_WORDS[k];
        List<String> tests = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String w = Pick.one(rnd, WORDS);
            StringBuilder out = new StringBuilder();
            for (char c : w.toCharArray()) out.append(String.valueOf(c).repeat(k));
            tests.add(assertEq(f + "(" + py(w) + ")", py(out.toString())));
        }
        return new Task("repeat-each:" + k, 3, f, "s", "returns s with every character repeated " + k + " times, e.g. 'ab' -> '"
                        + "a".repeat(k) + "b".repeat(k) + "'",
                "Build the result character by character.",
                "out = ''\nfor c in s:\n    out += c * " + k + "\nreturn out", tests);
    }

    private static Task countLongWords(Random rnd) {
        int k = Pick.between(rnd, 2, 6);
        String f = "count_words_longer_than_" + Pick.NUMBER_WORDS[k];
        List<String> tests = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<String> ws = List.of(Pick.one(rnd, WORDS), Pick.one(rnd, WORDS), Pick.one(rnd, WORDS), Pick.one(rnd, WORDS));
            tests.add(assertEq(f + "(" + py(String.join(" ", ws)) + ")", Long.toString(ws.stream().filter(w -> w.length() > k).count())));
        }
        return new Task("count-long-words:" + k, 3, f, "s", "returns how many space-separated words in s have more than " + k + " letters",
                "Split s into words and count those longer than " + k + ".",
                "count = 0\nfor w in s.split():\n    if len(w) > " + k + ":\n        count += 1\nreturn count", tests);
    }

    private static Task classic(Random rnd) {
        List<String> tests = new ArrayList<>();
        switch (rnd.nextInt(5)) {
            case 0 -> {
                for (int n : new int[]{0, Pick.between(rnd, 1, 5), Pick.between(rnd, 6, 10)}) {
                    long f = 1;
                    for (int i = 2; i <= n; i++) f *= i;
                    tests.add(assertEq("factorial(" + n + ")", Long.toString(f)));
                }
                return new Task("factorial", 3, "factorial", "n", "returns n! (the product 1 * 2 * ... * n, and 1 for n = 0)",
                        "Multiply the numbers 2..n in a loop.", "result = 1\nfor i in range(2, n + 1):\n    result *= i\nreturn result", tests);
            }
            case 1 -> {
                for (int n : new int[]{0, 1, Pick.between(rnd, 2, 10), Pick.between(rnd, 11, 25)}) {
                    long a = 0, b = 1;
                    for (int i = 0; i < n; i++) { long t = a + b; a = b; b = t; }
                    tests.add(assertEq("fibonacci(" + n + ")", Long.toString(a)));
                }
                return new Task("fibonacci", 3, "fibonacci", "n", "returns the n-th Fibonacci number, with fibonacci(0) = 0 and fibonacci(1) = 1",
                        "Keep the last two numbers and step n times.", "a, b = 0, 1\nfor _ in range(n):\n    a, b = b, a + b\nreturn a", tests);
            }
            case 2 -> {
                for (int i = 0; i < 3; i++) {
                    int g = Pick.between(rnd, 1, 12), a = g * Pick.between(rnd, 1, 15), b = g * Pick.between(rnd, 1, 15);
                    tests.add(assertEq("gcd(" + a + ", " + b + ")", Long.toString(java.math.BigInteger.valueOf(a).gcd(java.math.BigInteger.valueOf(b)).longValue())));
                }
                return new Task("gcd", 3, "gcd", "a, b", "returns the greatest common divisor of the positive integers a and b",
                        "Euclid: replace (a, b) by (b, a % b) until b is 0.", "while b:\n    a, b = b, a % b\nreturn a", tests);
            }
            case 3 -> {
                for (int n : new int[]{1, 2, Pick.between(rnd, 3, 100), Pick.between(rnd, 3, 100)})
                    tests.add(assertEq("is_prime(" + n + ")", java.math.BigInteger.valueOf(n).isProbablePrime(50) ? "True" : "False"));
                return new Task("is-prime", 3, "is_prime", "n", "returns True if the positive integer n is a prime number, otherwise False",
                        "n is prime if n > 1 and no d from 2 to sqrt(n) divides it.",
                        "if n < 2:\n    return False\nd = 2\nwhile d * d <= n:\n    if n % d == 0:\n        return False\n    d += 1\nreturn True", tests);
            }
            default -> {
                for (int i = 0; i < 3; i++) {
                    int n = Pick.between(rnd, 0, 99999);
                    tests.add(assertEq("digit_sum(" + n + ")", Integer.toString(Integer.toString(n).chars().map(c -> c - '0').sum())));
                }
                return new Task("digit-sum", 3, "digit_sum", "n", "returns the sum of the decimal digits of the non-negative integer n",
                        "Add n % 10 and drop the last digit until n is 0.", "total = 0\nwhile n > 0:\n    total += n % 10\n    n //= 10\nreturn total", tests);
            }
        }
    }

    // ---- helpers ----

    private static List<String> listTests(Random rnd, String f, Function<List<Long>, String> expected) {
        List<String> tests = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<Long> xs = new ArrayList<>();
            int n = Pick.between(rnd, 1, 6);
            for (int j = 0; j < n; j++) xs.add((long) Pick.between(rnd, -10, 40));
            tests.add(assertEq(f + "(" + py(xs) + ")", expected.apply(xs)));
        }
        return tests;
    }

    private static String assertEq(String call, String expected) { return "assert " + call + " == " + expected; }

    /** Python literal for a word (the word lists hold no quotes or backslashes). */
    static String py(String s) { return "'" + s + "'"; }

    static String py(List<Long> xs) { return xs.stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]")); }

    /** How a function {sig} = f(params) that {what} is asked for. */
    private static final Wordings REQUESTS = new Wordings(
            List.of("Write a Python function {sig} that {what}.", "Implement {sig} in Python: it {what}.",
                    "Define a Python function {sig} that {what}.", "Create a function {sig} which {what}.",
                    "In Python, write {sig}; it {what}.", "I need a Python function {sig} that {what}.",
                    "Code a Python function {sig}. It {what}.", "Please write {sig} in Python. It {what}."),
            List.of("Could you give me Python code for {sig}? It {what}.", "Python task: {sig} {what}.",
                    "Write {sig} in Python so that it {what}."));

    /** A function to write: its name, parameters, what it does (a clause after "that"), a plan, the body and tests. */
    private record Task(String key, int difficulty, String f, String params, String what, String think, String body,
                        List<String> tests) {
        BuiltinRecord record(Random rnd, Wording wording) {
            String request = REQUESTS.ask(rnd, wording, java.util.Map.of("sig", f + "(" + params + ")", "what", what));
            String code = "def " + f + "(" + params + "):\n" + body.lines().map(l -> "    " + l).collect(Collectors.joining("\n"));
            String response = "<think>" + think + "</think>\n```python\n" + code + "\n```";
            return BuiltinRecord.qa("code:" + key, "code", difficulty, request, response, null, tests);
        }
    }
}
