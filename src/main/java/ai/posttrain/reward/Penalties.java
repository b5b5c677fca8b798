package ai.posttrain.reward;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
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

    /**
     * Minus {@code penalty} times the share of the completion's token n-grams that occurred before in it.
     * n must be long enough that well-formed text rarely repeats one: with byte tokens a 4-gram is four
     * characters, and a correct column-addition trace ("=5 d5 b0" twice) would be penalised.
     */
    public static double repetition(int[] tokens, int n, double penalty) {
        if (penalty == 0 || tokens.length < 2 * n) return 0;
        Set<List<Integer>> seen = new HashSet<>();
        int repeated = 0, total = 0;
        for (int i = 0; i + n <= tokens.length; i++) {
            List<Integer> gram = new ArrayList<>(n);
            for (int j = i; j < i + n; j++) gram.add(tokens[j]);
            if (!seen.add(gram)) repeated++;
            total++;
        }
        return repeated == 0 ? 0 : -penalty * repeated / total;
    }
}
