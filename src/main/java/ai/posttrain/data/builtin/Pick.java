package ai.posttrain.data.builtin;

import java.util.List;
import java.util.Random;

/** Small random helpers over java.util.Random (deterministic for a seed on every JVM). */
final class Pick {
    private Pick() {}

    static int between(Random rnd, int lo, int hiInclusive) { return lo + rnd.nextInt(hiInclusive - lo + 1); }

    @SafeVarargs
    static <T> T one(Random rnd, T... options) { return options[rnd.nextInt(options.length)]; }

    static <T> T one(Random rnd, List<T> options) { return options.get(rnd.nextInt(options.size())); }

    static boolean chance(Random rnd, double p) { return rnd.nextDouble() < p; }

    static final String[] NUMBER_WORDS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
            "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
            "eighteen", "nineteen", "twenty"};
}
