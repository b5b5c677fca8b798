package ai.posttrain.train;

import java.io.Serializable;

/**
 * A preference pair over one prompt: the prompt's ids, the chosen and rejected completions' ids, and the
 * reference model's summed log-probs of each completion (the DPO_REF channel).
 */
public record DpoPair(String id, int[] prompt, int[] chosen, int[] rejected, double refChosen, double refRejected)
        implements Serializable {

    /** Prompt then completion: one DPO row's token sequence. */
    public static int[] sequence(int[] prompt, int[] completion) {
        int[] s = new int[prompt.length + completion.length];
        System.arraycopy(prompt, 0, s, 0, prompt.length);
        System.arraycopy(completion, 0, s, prompt.length, completion.length);
        return s;
    }

    /** Per predicted position t (token t+1): 1 on the completion's tokens, 0 on the prompt's. */
    public static float[] completionMask(int promptLength, int sequenceLength) {
        float[] m = new float[sequenceLength - 1];
        for (int t = promptLength - 1; t < m.length; t++) m[t] = 1f;
        return m;
    }

    /** The longer of the two rows' predicted lengths. */
    public int predictedLength() { return prompt.length + Math.max(chosen.length, rejected.length) - 1; }
}
