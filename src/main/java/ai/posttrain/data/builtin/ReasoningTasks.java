package ai.posttrain.data.builtin;

import ai.posttrain.data.BuiltinRecord;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Small logic tasks with a think trace and a short exact answer, domain "reasoning".
 * Difficulty 1: parity, comparing two-digit numbers. 2: arithmetic sequences, counting a letter in
 * a word, comparing three-digit numbers. 3: geometric sequences, sorting four numbers, counting the
 * even numbers in a list.
 */
public final class ReasoningTasks implements Generator {
    private static final List<String> WORDS = List.of("strawberry", "banana", "mississippi", "letter", "committee",
            "balloon", "bookkeeper", "coffee", "pepper", "apple", "rocket", "summer", "parallel", "assessment",
            "tomorrow", "cinnamon", "referee", "puzzle", "success", "engineer", "possession", "address");

    @Override
    public BuiltinRecord draw(Random rnd, int difficulty) {
        return switch (difficulty) {
            case 1 -> rnd.nextBoolean() ? parity(rnd) : compare(rnd, 10, 99, 1);
            case 2 -> switch (rnd.nextInt(3)) {
                case 0 -> arithmeticSequence(rnd);
                case 1 -> countLetter(rnd);
                default -> compare(rnd, 100, 999, 2);
            };
            default -> switch (rnd.nextInt(3)) {
                case 0 -> geometricSequence(rnd);
                case 1 -> sort(rnd);
                default -> countEven(rnd);
            };
        };
    }

    private static BuiltinRecord parity(Random rnd) {
        int n = Pick.between(rnd, 10, 999), d = n % 10;
        String answer = d % 2 == 0 ? "even" : "odd";
        return record("parity:" + n, 1, "Is " + n + " even or odd?", "last digit " + d + "; " + d + " is " + answer, answer);
    }

    /** Compares digit by digit from the left; the first differing place decides. */
    private static BuiltinRecord compare(Random rnd, int lo, int hi, int difficulty) {
        int a = Pick.between(rnd, lo, hi), b = Pick.between(rnd, lo, hi);
        while (b == a) b = Pick.between(rnd, lo, hi);
        String x = Integer.toString(a), y = Integer.toString(b);
        String[] places = x.length() == 3 ? new String[]{"hundreds", "tens", "ones"} : new String[]{"tens", "ones"};
        List<String> steps = new ArrayList<>();
        for (int i = 0; i < x.length(); i++) {
            char dx = x.charAt(i), dy = y.charAt(i);
            if (dx == dy) {
                steps.add(places[i] + " " + dx + "=" + dy);
            } else {
                steps.add(places[i] + " " + dx + (dx > dy ? ">" : "<") + dy + " so " + Math.max(a, b) + " is larger");
                break;
            }
        }
        return record("compare:" + Math.min(a, b) + ":" + Math.max(a, b), difficulty,
                "Which is larger, " + a + " or " + b + "?", String.join("\n", steps), Integer.toString(Math.max(a, b)));
    }

    private static BuiltinRecord arithmeticSequence(Random rnd) {
        int start = Pick.between(rnd, 1, 30), step = Pick.between(rnd, 2, 9);
        List<Integer> xs = new ArrayList<>();
        for (int i = 0; i < 4; i++) xs.add(start + i * step);
        List<String> diffs = new ArrayList<>();
        for (int i = 1; i < 4; i++) diffs.add(xs.get(i) + "-" + xs.get(i - 1) + "=" + step);
        int next = xs.get(3) + step;
        String think = String.join(" ", diffs) + "\nstep " + step + "; " + xs.get(3) + "+" + step + "=" + next;
        return record("seq-add:" + start + ":" + step, 2, "What comes next: " + join(xs) + ", ?", think, Integer.toString(next));
    }

    private static BuiltinRecord geometricSequence(Random rnd) {
        int start = Pick.between(rnd, 1, 5), ratio = Pick.between(rnd, 2, 4);
        List<Integer> xs = new ArrayList<>();
        for (int i = 0, v = start; i < 4; i++, v *= ratio) xs.add(v);
        List<String> ratios = new ArrayList<>();
        for (int i = 1; i < 4; i++) ratios.add(xs.get(i) + "/" + xs.get(i - 1) + "=" + ratio);
        int next = xs.get(3) * ratio;
        String think = String.join(" ", ratios) + "\nratio " + ratio + "; " + xs.get(3) + "*" + ratio + "=" + next;
        return record("seq-mul:" + start + ":" + ratio, 3, "What comes next: " + join(xs) + ", ?", think, Integer.toString(next));
    }

    /** Walks the word letter by letter, numbering each match. */
    private static BuiltinRecord countLetter(Random rnd) {
        String w = Pick.one(rnd, WORDS);
        char c = w.charAt(rnd.nextInt(w.length()));
        StringBuilder walk = new StringBuilder();
        int count = 0;
        for (char ch : w.toCharArray()) {
            if (walk.length() > 0) walk.append(' ');
            walk.append(ch);
            if (ch == c) walk.append(++count);
        }
        return record("count:" + w + ":" + c, 2, "How many times does the letter '" + c + "' appear in \"" + w + "\"?",
                walk.toString(), Integer.toString(count));
    }

    /** Selection sort spoken aloud: take the smallest remaining number each time. */
    private static BuiltinRecord sort(Random rnd) {
        List<Integer> xs = new ArrayList<>();
        while (xs.size() < 4) {
            int v = Pick.between(rnd, 1, 99);
            if (!xs.contains(v)) xs.add(v);
        }
        List<Integer> sorted = new ArrayList<>(xs);
        Collections.sort(sorted);
        List<String> steps = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) steps.add((i == 0 ? "smallest " : "then ") + sorted.get(i));
        return record("sort:" + join(sorted), 3, "Sort these numbers from smallest to largest: " + join(xs) + ".",
                String.join("; ", steps), join(sorted));
    }

    private static BuiltinRecord countEven(Random rnd) {
        List<Integer> xs = new ArrayList<>();
        for (int i = 0; i < 5; i++) xs.add(Pick.between(rnd, 1, 99));
        List<String> steps = new ArrayList<>();
        int count = 0;
        for (int x : xs) steps.add(x % 2 == 0 ? x + " even " + ++count : x + " odd");
        return record("count-even:" + join(xs), 3, "How many even numbers are in this list: " + join(xs) + "?",
                String.join(", ", steps), Integer.toString(count));
    }

    private static String join(List<Integer> xs) { return xs.stream().map(String::valueOf).collect(Collectors.joining(", ")); }

    private static BuiltinRecord record(String key, int difficulty, String prompt, String think, String answer) {
        return BuiltinRecord.qa("reasoning:" + key, "reasoning", difficulty, prompt, "<think>" + think + "</think>" + answer, answer, List.of());
    }
}
