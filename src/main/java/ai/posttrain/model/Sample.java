package ai.posttrain.model;

/**
 * One generated continuation.
 *
 * @param tokens       generated ids (a stop id, when hit, is the last one)
 * @param logProbs     log-probability of each generated id under the model at temperature 1, untruncated
 *                     (what the training graph's log-softmax gives for the same sequence)
 * @param finishReason {@link #STOP} or {@link #LENGTH}
 */
public record Sample(int[] tokens, double[] logProbs, String finishReason) {
    public static final String STOP = "stop";
    public static final String LENGTH = "length";
}
