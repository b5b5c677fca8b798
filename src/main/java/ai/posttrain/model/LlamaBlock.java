package ai.posttrain.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.List;

/**
 * One Llama-family decoder block (HF LlamaDecoderLayer / Qwen2DecoderLayer), [mb, d, T] -> [mb, d, T]:
 * x1 = x + Wo Attn(rope(q), rope(k), v) of RMSNorm(x); y = x1 + Wdown (silu(gate) * up) of RMSNorm(x1).
 * Grouped-query attention: query head h reads key/value head h / (heads / kvHeads).
 * Params (hd = d / heads; projections stored [in, out], i.e. the transpose of HF's nn.Linear weight):
 * "attnNorm" [1,d]; "Wqkv" [d, (heads + 2 kvHeads) hd] (columns q | k | v, head-major inside each);
 * "bqkv" [1, (heads + 2 kvHeads) hd] only with qkvBias; "Wo" [d, d]; "mlpNorm" [1,d];
 * "Wgu" [d, 2 dFf] (columns gate | up); "Wdown" [dFf, d].
 */
public class LlamaBlock extends SequenceLayerConf {
    private int dModel;
    private int heads;
    private int kvHeads;
    private int dFf;
    private int maxSeqLen;
    private int totalLayers;
    private double ropeTheta;
    private double normEps;
    private boolean qkvBias;
    // Llama 3 rope scaling as plain bean fields (DL4J's JSON); factor 0 means none, as in confs written before them
    private double ropeScalingFactor;
    private double ropeLowFreqFactor;
    private double ropeHighFreqFactor;
    private int ropeOriginalMaxPositions;

    public LlamaBlock() {
    }

    public LlamaBlock(ModelConfig cfg) {
        this.dModel = cfg.dModel();
        this.heads = cfg.heads();
        this.kvHeads = cfg.kvHeads();
        this.dFf = cfg.dFf();
        this.maxSeqLen = cfg.maxSeqLen();
        this.totalLayers = cfg.layers();
        this.ropeTheta = cfg.ropeTheta();
        this.normEps = cfg.normEps();
        this.qkvBias = cfg.qkvBias();
        if (cfg.ropeScaling() != null) {
            this.ropeScalingFactor = cfg.ropeScaling().factor();
            this.ropeLowFreqFactor = cfg.ropeScaling().lowFreqFactor();
            this.ropeHighFreqFactor = cfg.ropeScaling().highFreqFactor();
            this.ropeOriginalMaxPositions = cfg.ropeScaling().originalMaxPositions();
        }
        this.nIn = cfg.dModel();
        this.nOut = cfg.dModel();
    }

    /** Llama 3's rotary frequency scaling, or null. */
    RopeScaling ropeScaling() {
        return ropeScalingFactor == 0 ? null
                : new RopeScaling(ropeScalingFactor, ropeLowFreqFactor, ropeHighFreqFactor, ropeOriginalMaxPositions);
    }

    int headSize() {
        return dModel / heads;
    }

    int qkvWidth() {
        return (heads + 2 * kvHeads) * headSize();
    }

    @Override
    public List<ParamSpec> paramSpecs() {
        double std = 0.02;
        double residualStd = std / Math.sqrt(2.0 * Math.max(1, totalLayers));
        List<ParamSpec> specs = new ArrayList<>();
        specs.add(ParamSpec.ones("attnNorm", 1, dModel));
        specs.add(ParamSpec.weight("Wqkv", std, dModel, qkvWidth()));
        // a trained bias, not DL4J's "bias" kind (which a frozen-bias updater would skip)
        if (qkvBias) specs.add(new ParamSpec("bqkv", new long[]{1, qkvWidth()}, "zeros", 0, false));
        specs.add(ParamSpec.weight("Wo", residualStd, dModel, dModel));
        specs.add(ParamSpec.ones("mlpNorm", 1, dModel));
        specs.add(ParamSpec.weight("Wgu", std, dModel, 2L * dFf));
        specs.add(ParamSpec.weight("Wdown", residualStd, dFf, dModel));
        return specs;
    }

    @Override
    protected BaseLayer<?> createImpl(NeuralNetConfiguration conf, DataType dataType) {
        return new LlamaBlockImpl(conf, dataType);
    }

    public int getDModel() { return dModel; }
    public void setDModel(int dModel) { this.dModel = dModel; }
    public int getHeads() { return heads; }
    public void setHeads(int heads) { this.heads = heads; }
    public int getKvHeads() { return kvHeads; }
    public void setKvHeads(int kvHeads) { this.kvHeads = kvHeads; }
    public int getDFf() { return dFf; }
    public void setDFf(int dFf) { this.dFf = dFf; }
    public int getMaxSeqLen() { return maxSeqLen; }
    public void setMaxSeqLen(int maxSeqLen) { this.maxSeqLen = maxSeqLen; }
    public int getTotalLayers() { return totalLayers; }
    public void setTotalLayers(int totalLayers) { this.totalLayers = totalLayers; }
    public double getRopeTheta() { return ropeTheta; }
    public void setRopeTheta(double ropeTheta) { this.ropeTheta = ropeTheta; }
    public double getNormEps() { return normEps; }
    public void setNormEps(double normEps) { this.normEps = normEps; }
    public boolean isQkvBias() { return qkvBias; }
    public void setQkvBias(boolean qkvBias) { this.qkvBias = qkvBias; }
    public double getRopeScalingFactor() { return ropeScalingFactor; }
    public void setRopeScalingFactor(double ropeScalingFactor) { this.ropeScalingFactor = ropeScalingFactor; }
    public double getRopeLowFreqFactor() { return ropeLowFreqFactor; }
    public void setRopeLowFreqFactor(double ropeLowFreqFactor) { this.ropeLowFreqFactor = ropeLowFreqFactor; }
    public double getRopeHighFreqFactor() { return ropeHighFreqFactor; }
    public void setRopeHighFreqFactor(double ropeHighFreqFactor) { this.ropeHighFreqFactor = ropeHighFreqFactor; }
    public int getRopeOriginalMaxPositions() { return ropeOriginalMaxPositions; }
    public void setRopeOriginalMaxPositions(int ropeOriginalMaxPositions) { this.ropeOriginalMaxPositions = ropeOriginalMaxPositions; }
}
