package ai.posttrain.tokenizer;

import java.io.Serializable;

/**
 * A chat rendered to token ids. {@code trained[i]} is true exactly for the tokens SFT learns to produce:
 * the content of assistant turns and the END_OF_TURN token that closes each of them.
 */
public record RenderedChat(int[] ids, boolean[] trained) implements Serializable {
    public RenderedChat {
        if (ids.length != trained.length) throw new IllegalArgumentException("ids and trained mask differ in length");
    }

    public int length() { return ids.length; }

    /** How many tokens are trained. */
    public int trainedCount() {
        int n = 0;
        for (boolean t : trained) if (t) n++;
        return n;
    }
}
