package ai.posttrain.model;

import ai.posttrain.config.ModelSettings;

/**
 * Architecture of the decoder-only causal transformer, one of two families:
 * <ul>
 *   <li>{@code gpt} — the built-in small models: pre-LayerNorm, GELU MLP, biases everywhere, learned or
 *   rotary positions;</li>
 *   <li>{@code llama} — the Llama family as Hugging Face defines it (LlamaForCausalLM, Qwen2ForCausalLM):
 *   RMSNorm, rotary positions in HF's half-split layout with {@code ropeTheta}, SwiGLU MLP, grouped-query
 *   attention ({@code kvHeads}), optional q/k/v biases (Qwen2), no other biases.</li>
 * </ul>
 *
 * @param positions      "learned" (a position embedding table) or "rotary" (RoPE on queries and keys); llama: rotary
 * @param tiedEmbeddings llama only: the source model shares its embedding with the output layer. DL4J layers cannot
 *                       share a parameter, so the output layer starts as a copy of the embedding and trains on its
 *                       own; export writes the pair tied while they are still equal, untied otherwise
 * @param kvHeads        key/value heads (grouped-query attention); equals heads for multi-head attention
 * @param ropeTheta      rotary base (HF {@code rope_theta})
 * @param normEps        epsilon of the norms (HF {@code rms_norm_eps}; LayerNorm uses 1e-5)
 * @param qkvBias        llama only: the q/k/v projections have biases (Qwen2)
 * @param ropeScaling    llama only: Llama 3's rotary frequency scaling, or null (none; also what checkpoints
 *                       written before the field existed load as)
 */
public record ModelConfig(String arch, int vocab, int dModel, int layers, int heads, int kvHeads, int dFf, int maxSeqLen,
                          String positions, boolean tiedEmbeddings, double ropeTheta, double normEps,
                          boolean qkvBias, RopeScaling ropeScaling) implements java.io.Serializable {

    public static final String GPT = "gpt";
    public static final String LLAMA = "llama";
    public static final String LEARNED = "learned";
    public static final String ROTARY = "rotary";

    public ModelConfig {
        if (arch == null) arch = GPT;   // checkpoints written before the field existed
        if (kvHeads == 0) kvHeads = heads;
        if (ropeTheta == 0) ropeTheta = 10000.0;
        if (normEps == 0) normEps = 1e-5;
        if (!GPT.equals(arch) && !LLAMA.equals(arch))
            throw new IllegalArgumentException("arch must be 'gpt' or 'llama', got '" + arch + "'");
        if (vocab < 2) throw new IllegalArgumentException("vocab must be >= 2, got " + vocab);
        if (dModel < 1 || layers < 1 || heads < 1 || dFf < 1 || maxSeqLen < 1)
            throw new IllegalArgumentException("dModel, layers, heads, dFf, maxSeqLen must be positive");
        if (dModel % heads != 0)
            throw new IllegalArgumentException("dModel " + dModel + " is not divisible by heads " + heads);
        if (kvHeads < 1 || heads % kvHeads != 0)
            throw new IllegalArgumentException("heads " + heads + " is not a multiple of kvHeads " + kvHeads);
        if (!LEARNED.equals(positions) && !ROTARY.equals(positions))
            throw new IllegalArgumentException("positions must be 'learned' or 'rotary', got '" + positions + "'");
        if (ROTARY.equals(positions) && (dModel / heads) % 2 != 0)
            throw new IllegalArgumentException("rotary positions need an even head size, got " + dModel / heads);
        if (GPT.equals(arch) && (tiedEmbeddings || qkvBias || kvHeads != heads))
            throw new IllegalArgumentException("the gpt architecture has untied embeddings, full biases and kvHeads = heads");
        if (LLAMA.equals(arch) && !ROTARY.equals(positions))
            throw new IllegalArgumentException("the llama architecture uses rotary positions");
        if (ropeScaling != null && !LLAMA.equals(arch))
            throw new IllegalArgumentException("rope scaling is a llama-architecture setting");
    }

    /** Without rope scaling. */
    public ModelConfig(String arch, int vocab, int dModel, int layers, int heads, int kvHeads, int dFf, int maxSeqLen,
                       String positions, boolean tiedEmbeddings, double ropeTheta, double normEps, boolean qkvBias) {
        this(arch, vocab, dModel, layers, heads, kvHeads, dFf, maxSeqLen, positions, tiedEmbeddings, ropeTheta, normEps,
                qkvBias, null);
    }

    /** The built-in architecture (gpt). */
    public ModelConfig(int vocab, int dModel, int layers, int heads, int dFf, int maxSeqLen, String positions,
                       boolean tiedEmbeddings) {
        this(GPT, vocab, dModel, layers, heads, heads, dFf, maxSeqLen, positions, tiedEmbeddings, 10000.0, 1e-5, false);
    }

    /** A llama-family architecture. */
    public static ModelConfig llama(int vocab, int dModel, int layers, int heads, int kvHeads, int dFf, int maxSeqLen,
                                    boolean tiedEmbeddings, double ropeTheta, double normEps, boolean qkvBias) {
        return new ModelConfig(LLAMA, vocab, dModel, layers, heads, kvHeads, dFf, maxSeqLen, ROTARY, tiedEmbeddings,
                ropeTheta, normEps, qkvBias);
    }

    /** The architecture {@code m} (posttrain.model.teacher or .student) over a tokenizer's vocabulary. */
    public static ModelConfig of(ModelSettings m, int vocab) {
        if (LLAMA.equals(m.arch()))
            return llama(vocab, m.dModel(), m.layers(), m.heads(), m.kvHeads(), m.dFf(), m.maxSeqLen(), false,
                    m.ropeTheta(), 1e-5, false);
        return new ModelConfig(vocab, m.dModel(), m.layers(), m.heads(), m.dFf(), m.maxSeqLen(), m.positions(),
                m.tiedEmbeddings());
    }

    /** This architecture with another context length (e.g. to benchmark longer sequences). */
    public ModelConfig withMaxSeqLen(int maxSeqLen) {
        return new ModelConfig(arch, vocab, dModel, layers, heads, kvHeads, dFf, maxSeqLen, positions, tiedEmbeddings,
                ropeTheta, normEps, qkvBias, ropeScaling);
    }

    /** This llama architecture with Llama 3's rotary frequency scaling ({@code null}: none). */
    public ModelConfig withRopeScaling(RopeScaling scaling) {
        return new ModelConfig(arch, vocab, dModel, layers, heads, kvHeads, dFf, maxSeqLen, positions, tiedEmbeddings,
                ropeTheta, normEps, qkvBias, scaling);
    }

    public boolean llama() {
        return LLAMA.equals(arch);
    }

    public int headSize() {
        return dModel / heads;
    }

    /** Width of the fused q|k|v projection. */
    public int qkvWidth() {
        return (heads + 2 * kvHeads) * headSize();
    }

    public boolean rotary() {
        return ROTARY.equals(positions);
    }

    /** Parameters of the whole graph, including the output layer (W [dModel, vocab] and b [vocab]). */
    public long parameterCount() {
        long d = dModel, qkv = qkvWidth();
        long embedding = (long) vocab * d + (rotary() ? 0 : (long) maxSeqLen * d);
        long block = llama()
                ? 2 * d + d * qkv + (qkvBias ? qkv : 0) + d * d + 3 * d * dFf
                : 4 * d + d * qkv + qkv + d * d + d + d * dFf + dFf + dFf * d + d;
        long finalNorm = llama() ? d : 2 * d;
        long head = d * vocab + vocab;
        return embedding + layers * block + finalNorm + head;
    }

    /** Parameters that take part in a token's forward matmuls (no embedding table, no norms or biases). */
    public long matmulParameterCount() {
        long d = dModel;
        long mlp = (llama() ? 3L : 2L) * d * dFf;
        return layers * (d * qkvWidth() + d * d + mlp) + d * vocab;
    }

    /** Forward-pass multiply-accumulate FLOPs of attention scores and mixing per token at length T (x2 for FLOPs). */
    public double attentionFlopsPerToken(int seqLen) {
        return 2.0 * 2.0 * layers * seqLen * dModel;
    }
}
