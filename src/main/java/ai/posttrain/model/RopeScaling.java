package ai.posttrain.model;

/**
 * Llama 3's rotary frequency scaling (HF {@code rope_scaling} with {@code rope_type: "llama3"}): a model
 * pretrained at {@code originalMaxPositions} extended to a longer context by slowing its low frequencies.
 * A frequency whose wavelength 2&pi;/f exceeds originalMaxPositions / lowFreqFactor is divided by
 * {@code factor}; one whose wavelength is below originalMaxPositions / highFreqFactor is kept; those between
 * are interpolated smoothly — transformers' {@code _compute_llama3_parameters}, step for step.
 *
 * @param factor               how much longer the extended context is (Llama 3.2: 32)
 * @param lowFreqFactor        Llama 3.2: 1
 * @param highFreqFactor       Llama 3.2: 4
 * @param originalMaxPositions the pretraining context (HF {@code original_max_position_embeddings}; Llama 3.2: 8192)
 */
public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions)
        implements java.io.Serializable {
    /** The only scaling type the engine implements (HF rope_type). */
    public static final String LLAMA3 = "llama3";

    public RopeScaling {
        if (!(factor >= 1)) throw new IllegalArgumentException("rope scaling factor must be >= 1, got " + factor);
        if (!(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor))
            throw new IllegalArgumentException("rope scaling needs 0 < low_freq_factor < high_freq_factor, got "
                    + lowFreqFactor + ", " + highFreqFactor);
        if (originalMaxPositions < 1)
            throw new IllegalArgumentException("original_max_position_embeddings must be positive, got " + originalMaxPositions);
    }

    /** Llama 3.1/3.2's published values: factor 32 (3.2) or 8 (3.1), 1, 4, 8192. */
    public static RopeScaling llama3(double factor) {
        return new RopeScaling(factor, 1.0, 4.0, 8192);
    }

    /** The scaled inverse frequency for an unscaled one ({@code theta^(-2i/hd)}). */
    public double scale(double inverseFrequency) {
        double lowFreqWavelen = originalMaxPositions / lowFreqFactor;
        double highFreqWavelen = originalMaxPositions / highFreqFactor;
        double wavelen = 2 * Math.PI / inverseFrequency;
        if (wavelen < highFreqWavelen) return inverseFrequency;
        if (wavelen > lowFreqWavelen) return inverseFrequency / factor;
        double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        return (1 - smooth) * inverseFrequency / factor + smooth * inverseFrequency;
    }
}
