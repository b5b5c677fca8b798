package ai.posttrain.model;

import java.util.Set;

/**
 * How the sampler picks tokens.
 *
 * @param temperature  divides the logits before sampling (ignored when greedy)
 * @param topK         keep the k most likely tokens; 0 = all
 * @param topP         keep the smallest set with cumulative probability >= p; 1 = all
 * @param greedy       take the argmax instead of sampling
 * @param stopIds      generation of a sequence ends after one of these ids (which is kept in the output)
 * @param maxNewTokens at most this many generated tokens per sequence
 * @param seed         seeds the random choices (same seed, same samples)
 */
public record SamplingOptions(double temperature, int topK, double topP, boolean greedy, Set<Integer> stopIds,
                              int maxNewTokens, long seed) {
    public SamplingOptions {
        if (!greedy && !(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("topK must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        if (maxNewTokens < 1) throw new IllegalArgumentException("maxNewTokens must be >= 1, got " + maxNewTokens);
        stopIds = stopIds == null ? Set.of() : Set.copyOf(stopIds);
    }

    public SamplingOptions withMaxNewTokens(int n) {
        return new SamplingOptions(temperature, topK, topP, greedy, stopIds, n, seed);
    }

    /**
     * The seed of one prompt's random stream: the same prompt gets the same samples in every run with {@code seed},
     * whichever prompts share its sampler call or partition (a row's n-th sample uses this plus n).
     */
    public static long promptSeed(long seed, String promptId) {
        long z = seed * 0x9E3779B97F4A7C15L + promptId.hashCode();
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public SamplingOptions withSeed(long s) {
        return new SamplingOptions(temperature, topK, topP, greedy, stopIds, maxNewTokens, s);
    }

    public static SamplingOptions greedy(int maxNewTokens, Set<Integer> stopIds) {
        return new SamplingOptions(1.0, 0, 1.0, true, stopIds, maxNewTokens, 0);
    }

    public static SamplingOptions sample(double temperature, int topK, double topP, int maxNewTokens,
                                         Set<Integer> stopIds, long seed) {
        return new SamplingOptions(temperature, topK, topP, false, stopIds, maxNewTokens, seed);
    }
}
