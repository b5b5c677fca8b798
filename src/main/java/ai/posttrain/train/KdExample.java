package ai.posttrain.train;

import java.io.Serializable;

/**
 * A rendered conversation with the teacher's top-k distribution at each trained position:
 * {@code topIds[t]} / {@code topLogProbs[t]} describe the token predicted at t (token t+1), at the KD
 * temperature, best first; null where token t+1 is not trained (not an assistant token).
 */
public record KdExample(String id, String domain, int[] tokens, boolean[] trained, int[][] topIds,
                        float[][] topLogProbs) implements Serializable {

    public int predictedLength() { return tokens.length - 1; }

    /** Positions that carry a teacher distribution. */
    public int trainedPositions() {
        int n = 0;
        for (int[] ids : topIds) if (ids != null) n++;
        return n;
    }
}
