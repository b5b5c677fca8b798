package ai.posttrain.model.head;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;

/**
 * Configuration of the language-model head: an output layer with params W [nIn, vocab] and b [1, vocab],
 * logits z = h W + b at every position of its RNN-format input [minibatch, nIn, T], and every training
 * objective computed from sparse packed labels [minibatch, channels, T] ({@link LabelLayout},
 * built with {@link PackedLabels}) and a label mask [minibatch, T].
 *
 * <p>Loss (the layer's score, before regularisation), over masked tokens m_t only:
 * <pre>
 *  L     = sftWeight*L_sft + kdWeight*L_kd + dpoWeight*L_dpo + pgWeight*L_pg        (absent objectives: 0)
 *  L_sft = sum_t m w CE(target)                               / sum_t m            over SFT rows
 *  L_kd  = tau^2 * sum_t m w KL(q || softmax(z/tau))          / sum_t m            over KD rows
 *          q = the teacher's top-k probabilities renormalised over the k ids; the KL sums over those ids:
 *          sum_j q_j (log q_j - log softmax(z/tau)_{id_j})
 *  L_dpo = mean over pairs (2i chosen, 2i+1 rejected) of -log sigmoid(beta((pi_c - ref_c) - (pi_r - ref_r)))
 *          - dpoNll * pi_c / sum_t m_c,   pi = sum_t m log softmax(z)_{target} over the row
 *  L_pg  = sum_t m [ -min(r A, clip(r, 1-clipLow, 1+clipHigh) A) + klCoef k3 ]     / sum_t m over PG rows
 *          r = exp(logp - oldLogp), A = the row's advantage, k3 = exp(ref - logp) - (ref - logp) - 1
 *          (token-mean over every PG token of the minibatch, not a per-sequence mean)
 * </pre>
 * w is the per-token weight channel (SFT and KD only). The DL4J score is L (+ regularisation); the
 * gradients handed to DL4J are minibatch * dL/dparam because DL4J's updater divides by the minibatch size.
 *
 * <p>{@code computeScoreForExamples} returns each row's share of L times the minibatch size (a DPO pair's
 * loss split evenly over its two rows), so the rows' mean is L.
 *
 * <p>DPO on Spark: a pair must stay in one minibatch. Train with
 * {@code ParameterAveragingTrainingMaster.Builder.rddTrainingApproach(RDDTrainingApproach.Direct)}, which fits
 * the RDD's MultiDataSets as built; the default Export approach re-splits them into batchSizePerWorker rows
 * and can separate a pair (the layer then fails loudly with "DPO row ... has no partner").
 *
 * <p>{@code activate} (inference, e.g. {@code output()}) returns the raw logits [minibatch, vocab, T].
 * Dropout and weight noise on the head are not applied.
 */
public class LmHeadOutputLayer extends FeedForwardLayer {
    private double sftWeight = 1, kdWeight = 1, dpoWeight = 1, pgWeight = 1;
    private double temperature = 1, beta = 0.1, clipLow = 0.2, clipHigh = 0.2, klCoef = 0.0, dpoNll = 0.0;
    private long maxLogitsPerChunk = 8L << 20;
    /** False for heads without a bias (the Llama family's lm_head): "b" gets no gradient and so stays as it is (0). */
    private boolean trainBias = true;

    /** For Jackson. */
    public LmHeadOutputLayer() {
    }

    private LmHeadOutputLayer(Builder b) {
        super(b);
        sftWeight = b.sftWeight;
        kdWeight = b.kdWeight;
        dpoWeight = b.dpoWeight;
        pgWeight = b.pgWeight;
        temperature = b.temperature;
        beta = b.beta;
        clipLow = b.clipLow;
        clipHigh = b.clipHigh;
        klCoef = b.klCoef;
        dpoNll = b.dpoNll;
        maxLogitsPerChunk = b.maxLogitsPerChunk;
        settings();   // validates
        initializeConstraints(b);
    }

    public HeadSettings settings() {
        return new HeadSettings(sftWeight, kdWeight, dpoWeight, pgWeight, temperature, beta, clipLow, clipHigh, klCoef, dpoNll);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray paramsView, boolean initializeParams,
                                                       DataType networkDataType) {
        LmHeadLayer layer = new LmHeadLayer(conf, networkDataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        Map<String, INDArray> params = initializer().init(conf, paramsView, initializeParams);
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return DefaultParamInitializer.getInstance();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inputType == null || inputType.getType() != InputType.Type.RNN)
            throw new IllegalStateException("LmHeadOutputLayer (layer " + getLayerName() + ") expects RNN input"
                    + " [minibatch, nIn, T], got " + inputType);
        return InputType.recurrent(nOut, ((InputType.InputTypeRecurrent) inputType).getTimeSeriesLength());
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (inputType instanceof InputType.InputTypeRecurrent r && (nIn <= 0 || override)) nIn = r.getSize();
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return InputTypeUtil.getPreprocessorForInputTypeRnnLayers(inputType, RNNFormat.NCW, getLayerName());
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType out = getOutputType(-1, inputType);
        long params = initializer().numParams(this);
        return new LayerMemoryReport.Builder(layerName, LmHeadOutputLayer.class, inputType, out)
                .standardMemory(params, params)
                .workingMemory(0, Math.min(maxLogitsPerChunk, out.arrayElementsPerExample()), 0, 0)
                .cacheMemory(0, 0)
                .build();
    }

    // Getters and setters: Jackson (DL4J's JSON) serialises the configuration through them.
    public double getSftWeight() { return sftWeight; }
    public void setSftWeight(double v) { sftWeight = v; }
    public double getKdWeight() { return kdWeight; }
    public void setKdWeight(double v) { kdWeight = v; }
    public double getDpoWeight() { return dpoWeight; }
    public void setDpoWeight(double v) { dpoWeight = v; }
    public double getPgWeight() { return pgWeight; }
    public void setPgWeight(double v) { pgWeight = v; }
    public double getTemperature() { return temperature; }
    public void setTemperature(double v) { temperature = v; }
    public double getBeta() { return beta; }
    public void setBeta(double v) { beta = v; }
    public double getClipLow() { return clipLow; }
    public void setClipLow(double v) { clipLow = v; }
    public double getClipHigh() { return clipHigh; }
    public void setClipHigh(double v) { clipHigh = v; }
    public double getKlCoef() { return klCoef; }
    public void setKlCoef(double v) { klCoef = v; }
    public double getDpoNll() { return dpoNll; }
    public void setDpoNll(double v) { dpoNll = v; }
    public long getMaxLogitsPerChunk() { return maxLogitsPerChunk; }
    public void setMaxLogitsPerChunk(long v) { maxLogitsPerChunk = v; }
    public boolean isTrainBias() { return trainBias; }
    public void setTrainBias(boolean v) { trainBias = v; }

    @Override
    public boolean equals(Object o) {
        return o instanceof LmHeadOutputLayer l && super.equals(o) && settings().equals(l.settings())
                && maxLogitsPerChunk == l.maxLogitsPerChunk && trainBias == l.trainBias;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), settings(), maxLogitsPerChunk);
    }

    @Override
    public String toString() {
        return "LmHeadOutputLayer(nIn=" + nIn + ", nOut=" + nOut + ", " + settings() + ")";
    }

    /** Builder in DL4J style: {@code new LmHeadOutputLayer.Builder().nIn(64).nOut(vocab).kdTemperature(2).build()}. */
    public static class Builder extends FeedForwardLayer.Builder<Builder> {
        private double sftWeight = 1, kdWeight = 1, dpoWeight = 1, pgWeight = 1;
        private double temperature = 1, beta = 0.1, clipLow = 0.2, clipHigh = 0.2, klCoef = 0.0, dpoNll = 0.0;
        private long maxLogitsPerChunk = 8L << 20;

        public Builder sftWeight(double w) { sftWeight = w; return this; }
        public Builder kdWeight(double w) { kdWeight = w; return this; }
        public Builder dpoWeight(double w) { dpoWeight = w; return this; }
        public Builder pgWeight(double w) { pgWeight = w; return this; }
        /** KD temperature tau (default 1). */
        public Builder kdTemperature(double tau) { temperature = tau; return this; }
        /** DPO beta (default 0.1). */
        public Builder dpoBeta(double b) { beta = b; return this; }
        /** PG ratio clip: [1 - low, 1 + high] (defaults 0.2, 0.2). */
        public Builder clip(double low, double high) { clipLow = low; clipHigh = high; return this; }
        /** PG k3 KL-to-reference coefficient (default 0). */
        public Builder klCoef(double c) { klCoef = c; return this; }
        /** Weight of the chosen completion's per-token NLL in each DPO pair's loss (default 0: plain DPO). */
        public Builder dpoNll(double w) { dpoNll = w; return this; }
        /** Most logits held at once (rows per chunk = this / vocab); default 8M. */
        public Builder maxLogitsPerChunk(long n) { maxLogitsPerChunk = n; return this; }

        @Override
        @SuppressWarnings("unchecked")
        public LmHeadOutputLayer build() {
            return new LmHeadOutputLayer(this);
        }
    }
}
