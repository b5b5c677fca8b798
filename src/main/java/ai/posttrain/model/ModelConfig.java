package ai.posttrain.model;

import ai.posttrain.config.ModelSettings;

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

    /** The architecture {@code m} (posttrain.model.teacher or .student) over a tokenizer's vocabulary. */
    public static ModelConfig of(ModelSettings m, int vocab) {
        return new ModelConfig(vocab, m.dModel(), m.layers(), m.heads(), m.dFf(), m.maxSeqLen(), m.positions(),
                m.tiedEmbeddings());
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
