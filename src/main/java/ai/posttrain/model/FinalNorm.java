package ai.posttrain.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.List;

/** The LayerNorm after the last block, [mb, d, T] -> [mb, d, T]. Params: "g" [1,d], "b" [1,d]. */
public class FinalNorm extends SequenceLayerConf {
    private int dModel;

    public FinalNorm() {
    }

    public FinalNorm(ModelConfig cfg) {
        this.dModel = cfg.dModel();
        this.nIn = cfg.dModel();
        this.nOut = cfg.dModel();
    }

    @Override
    public List<ParamSpec> paramSpecs() {
        return List.of(ParamSpec.ones("g", 1, dModel), ParamSpec.zeros("b", 1, dModel));
    }

    @Override
    protected BaseLayer<?> createImpl(NeuralNetConfiguration conf, DataType dataType) {
        return new FinalNormImpl(conf, dataType);
    }

    public int getDModel() { return dModel; }
    public void setDModel(int dModel) { this.dModel = dModel; }
}
