package ai.posttrain.model;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Base of the transformer's layer configurations: sequence in, sequence out, in DL4J's RNN format
 * [minibatch, channels, time]; parameters declared as {@link ParamSpec}s. Subclasses are plain
 * Jackson beans (no-arg constructor, getters/setters) so DL4J's JSON serialization round-trips them.
 */
public abstract class SequenceLayerConf extends FeedForwardLayer {

    protected SequenceLayerConf() {
    }

    /** The parameter arrays of this layer, in flat-vector order. Keys must not contain '_' (DL4J splits "vertex_param" at the last one). */
    public abstract List<ParamSpec> paramSpecs();

    /** The implementation object for one network instance. */
    protected abstract BaseLayer<?> createImpl(NeuralNetConfiguration conf, DataType dataType);

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray layerParamsView,
                                                       boolean initializeParams, DataType networkDataType) {
        BaseLayer<?> layer = createImpl(conf, networkDataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        Map<String, INDArray> table = initializer().init(conf, layerParamsView, initializeParams);
        layer.setParamTable(table);
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return SpecParamInitializer.INSTANCE;
    }

    /**
     * Regularization (weight decay) reaches only the randomly initialised matrices (projections, embeddings), never
     * biases or norm gains: decaying a gain towards 0 would shrink what the norm is there to keep at scale.
     */
    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        for (ParamSpec spec : paramSpecs())
            if (spec.key().equals(paramName)) return spec.decays() ? getRegularization() : null;
        return null;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        long t = inputType instanceof InputType.InputTypeRecurrent r ? r.getTimeSeriesLength() : -1;
        return InputType.recurrent(getNOut(), t);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // Sizes come from ModelConfig, not from the input type.
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null; // stays in [mb, channels, time]
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long n = initializer().numParams(this);
        return new LayerMemoryReport.Builder(getLayerName(), getClass(), inputType, getOutputType(-1, inputType))
                .standardMemory(n, n)
                .workingMemory(0, 0, MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }
}
