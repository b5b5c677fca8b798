package ai.posttrain.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;

/**
 * The norm after the last block, [mb, d, T] -> [mb, d, T]: LayerNorm with params "g" [1,d], "b" [1,d] (gpt), or
 * RMSNorm with "g" [1,d] only (llama).
 */
public class FinalNorm extends SequenceLayerConf {
    private int dModel;
    private boolean rms;
    private double eps = LayerNorm.EPS;

    public FinalNorm() {
    }

    public FinalNorm(ModelConfig cfg) {
        this.dModel = cfg.dModel();
        this.rms = cfg.llama();
        this.eps = cfg.normEps();
        this.nIn = cfg.dModel();
        this.nOut = cfg.dModel();
    }

    @Override
    public List<ParamSpec> paramSpecs() {
        if (rms) return List.of(ParamSpec.ones("g", 1, dModel));
        return List.of(ParamSpec.ones("g", 1, dModel), ParamSpec.zeros("b", 1, dModel));
    }

    @Override
    protected BaseLayer<?> createImpl(NeuralNetConfiguration conf, DataType dataType) {
        return new FinalNormImpl(conf, dataType);
    }

    public int getDModel() { return dModel; }
    public void setDModel(int dModel) { this.dModel = dModel; }
    public boolean isRms() { return rms; }
    public void setRms(boolean rms) { this.rms = rms; }
    public double getEps() { return eps; }
    public void setEps(double eps) { this.eps = eps; }
}
