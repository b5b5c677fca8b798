package ai.posttrain.reward;

import java.util.HashSet;
import java.util.Set;

/** Shaping terms that do not depend on correctness: too long, and repeating itself. */
public final class Penalties {
    private Penalties() {}

    /**
     * 0 up to {@code maxNewTokens - buffer} tokens, then linearly down to {@code -penalty} at
     * {@code maxNewTokens}; a completion cut at the limit (never ended its turn) gets the full penalty.
     */
    public static double overlong(int length, boolean cut, int maxNewTokens, int buffer, double penalty) {
        if (penalty == 0) return 0;
        if (cut) return -penalty;
        int start = maxNewTokens - buffer;
        if (buffer <= 0 || length <= start) return 0;
        return -penalty * Math.min(1.0, (double) (length - start) / buffer);
    }

    /** Minus {@code penalty} times the share of the completion's token 4-grams that occurred before in it. */
    public static double repetition(int[] tokens, double penalty) {
        int n = 4;
        if (penalty == 0 || tokens.length < 2 * n) return 0;
        Set<String> seen = new HashSet<>();
        int repeated = 0, total = 0;
        for (int i = 0; i + n <= tokens.length; i++) {
            String gram = tokens[i] + "," + tokens[i + 1] + "," + tokens[i + 2] + "," + tokens[i + 3];
            if (!seen.add(gram)) repeated++;
            total++;
        }
        return -penalty * repeated / total;
    }
}
