package ai.posttrain.model;

/**
 * Architecture of the decoder-only causal transformer.
 *
 * @param positions "learned" (a position embedding table) or "rotary" (RoPE on queries and keys)
 * @param tiedEmbeddings sharing the token embedding with the output layer; not supported yet
 */
public record ModelConfig(int vocab, int dModel, int layers, int heads, int dFf, int maxSeqLen,
                          String positions, boolean tiedEmbeddings) implements java.io.Serializable {

    public static final String LEARNED = "learned";
    public static final String ROTARY = "rotary";

    public ModelConfig {
        if (vocab < 2) throw new IllegalArgumentException("vocab must be >= 2, got " + vocab);
        if (dModel < 1 || layers < 1 || heads < 1 || dFf < 1 || maxSeqLen < 1)
            throw new IllegalArgumentException("dModel, layers, heads, dFf, maxSeqLen must be positive");
        if (dModel % heads != 0)
            throw new IllegalArgumentException("dModel " + dModel + " is not divisible by heads " + heads);
        if (!LEARNED.equals(positions) && !ROTARY.equals(positions))
            throw new IllegalArgumentException("positions must be 'learned' or 'rotary', got '" + positions + "'");
        if (ROTARY.equals(positions) && (dModel / heads) % 2 != 0)
            throw new IllegalArgumentException("rotary positions need an even head size, got " + dModel / heads);
        if (tiedEmbeddings)
            throw new IllegalArgumentException("tiedEmbeddings=true is not supported: use untied embeddings");
    }

    /** The large model trained by the SFT stages: 4 layers x 256 wide. */
    public static ModelConfig teacher(int vocab) {
        return new ModelConfig(vocab, 256, 4, 4, 1024, 256, ROTARY, false);
    }

    /** The distillation target: 3 layers x 128 wide, narrowed further until it is at most 1/4 of the teacher. */
    public static ModelConfig student(int vocab) {
        long budget = teacher(vocab).parameterCount() / 4;
        int width = 128;
        ModelConfig c = new ModelConfig(vocab, width, 3, 4, 4 * width, 256, ROTARY, false);
        while (c.parameterCount() > budget && width > 16) {
            width /= 2;
            c = new ModelConfig(vocab, width, 3, Math.min(4, width / 8), 4 * width, 256, ROTARY, false);
        }
        return c;
    }

    public int headSize() {
        return dModel / heads;
    }

    public boolean rotary() {
        return ROTARY.equals(positions);
    }

    /** Parameters of the whole graph, including the output layer (W [dModel, vocab] and b [vocab]). */
    public long parameterCount() {
        long d = dModel;
        long embedding = (long) vocab * d + (rotary() ? 0 : (long) maxSeqLen * d);
        long block = 4 * d                 // two layer norms
                + d * 3 * d + 3 * d       // fused q,k,v projection
                + d * d + d               // attention output projection
                + d * dFf + dFf + dFf * d + d; // MLP
        long finalNorm = 2 * d;
        long head = d * vocab + vocab;
        return embedding + layers * block + finalNorm + head;
    }

    /** Forward-pass multiply-accumulate FLOPs of attention scores and mixing per token at length T (x2 for FLOPs). */
    public double attentionFlopsPerToken(int seqLen) {
        return 2.0 * 2.0 * layers * seqLen * dModel;
    }
}
