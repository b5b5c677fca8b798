package ai.posttrain.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;

/**
 * One pre-LayerNorm transformer block, [mb, dModel, T] -> [mb, dModel, T]:
 * x + Attn(LN1(x)), then + MLP(LN2(.)). Causal multi-head self-attention with the padding mask,
 * rotary positions on q/k when {@code rotary}. MLP: GELU in ND4J's form x*sigmoid(1.702x).
 * Params: "ln1g","ln1b" [1,d]; "Wqkv" [d,3d] (columns q|k|v, head-major inside each); "bqkv" [1,3d];
 * "Wo" [d,d]; "bo" [1,d]; "ln2g","ln2b" [1,d]; "W1" [d,dFf]; "b1" [1,dFf]; "W2" [dFf,d]; "b2" [1,d].
 */
public class TransformerBlock extends SequenceLayerConf {
    private int dModel;
    private int heads;
    private int dFf;
    private int maxSeqLen;
    private int totalLayers;
    private boolean rotary;

    public TransformerBlock() {
    }

    public TransformerBlock(ModelConfig cfg) {
        this.dModel = cfg.dModel();
        this.heads = cfg.heads();
        this.dFf = cfg.dFf();
        this.maxSeqLen = cfg.maxSeqLen();
        this.totalLayers = cfg.layers();
        this.rotary = cfg.rotary();
        this.nIn = cfg.dModel();
        this.nOut = cfg.dModel();
    }

    @Override
    public List<ParamSpec> paramSpecs() {
        double std = 0.02;
        double residualStd = std / Math.sqrt(2.0 * Math.max(1, totalLayers)); // GPT-2: residual projections scaled down
        return List.of(
                ParamSpec.ones("ln1g", 1, dModel), ParamSpec.zeros("ln1b", 1, dModel),
                ParamSpec.weight("Wqkv", std, dModel, 3L * dModel), ParamSpec.zeros("bqkv", 1, 3L * dModel),
                ParamSpec.weight("Wo", residualStd, dModel, dModel), ParamSpec.zeros("bo", 1, dModel),
                ParamSpec.ones("ln2g", 1, dModel), ParamSpec.zeros("ln2b", 1, dModel),
                ParamSpec.weight("W1", std, dModel, dFf), ParamSpec.zeros("b1", 1, dFf),
                ParamSpec.weight("W2", residualStd, dFf, dModel), ParamSpec.zeros("b2", 1, dModel));
    }

    @Override
    protected BaseLayer<?> createImpl(NeuralNetConfiguration conf, DataType dataType) {
        return new TransformerBlockImpl(conf, dataType);
    }

    public int getDModel() { return dModel; }
    public void setDModel(int dModel) { this.dModel = dModel; }
    public int getHeads() { return heads; }
    public void setHeads(int heads) { this.heads = heads; }
    public int getDFf() { return dFf; }
    public void setDFf(int dFf) { this.dFf = dFf; }
    public int getMaxSeqLen() { return maxSeqLen; }
    public void setMaxSeqLen(int maxSeqLen) { this.maxSeqLen = maxSeqLen; }
    public int getTotalLayers() { return totalLayers; }
    public void setTotalLayers(int totalLayers) { this.totalLayers = totalLayers; }
    public boolean isRotary() { return rotary; }
    public void setRotary(boolean rotary) { this.rotary = rotary; }
}
