package ai.posttrain.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.List;

/**
 * Token embedding (plus a learned position embedding when {@code learnedPositions}): input ids as
 * floats [mb, 1, T] -> [mb, dModel, T]. Params: "E" [vocab, dModel], "P" [maxSeqLen, dModel].
 */
public class TokenEmbedding extends SequenceLayerConf {
    private int vocab;
    private int dModel;
    private int maxSeqLen;
    private boolean learnedPositions;

    public TokenEmbedding() {
    }

    public TokenEmbedding(ModelConfig cfg) {
        this.vocab = cfg.vocab();
        this.dModel = cfg.dModel();
        this.maxSeqLen = cfg.maxSeqLen();
        this.learnedPositions = !cfg.rotary();
        this.nIn = 1;
        this.nOut = cfg.dModel();
    }

    @Override
    public List<ParamSpec> paramSpecs() {
        List<ParamSpec> specs = new ArrayList<>();
        specs.add(ParamSpec.weight("E", 0.02, vocab, dModel));
        if (learnedPositions) specs.add(ParamSpec.weight("P", 0.01, maxSeqLen, dModel));
        return specs;
    }

    @Override
    protected BaseLayer<?> createImpl(NeuralNetConfiguration conf, DataType dataType) {
        return new TokenEmbeddingImpl(conf, dataType);
    }

    public int getVocab() { return vocab; }
    public void setVocab(int vocab) { this.vocab = vocab; }
    public int getDModel() { return dModel; }
    public void setDModel(int dModel) { this.dModel = dModel; }
    public int getMaxSeqLen() { return maxSeqLen; }
    public void setMaxSeqLen(int maxSeqLen) { this.maxSeqLen = maxSeqLen; }
    public boolean isLearnedPositions() { return learnedPositions; }
    public void setLearnedPositions(boolean learnedPositions) { this.learnedPositions = learnedPositions; }
}
