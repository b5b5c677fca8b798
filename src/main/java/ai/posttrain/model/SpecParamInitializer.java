package ai.posttrain.model;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Lays a custom layer's {@link ParamSpec}s out in DL4J's flat parameter (and gradient) vector, as views. */
public final class SpecParamInitializer implements ParamInitializer {

    public static final SpecParamInitializer INSTANCE = new SpecParamInitializer();

    private static List<ParamSpec> specs(Layer layer) {
        return ((SequenceLayerConf) layer).paramSpecs();
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        return specs(layer).stream().mapToLong(ParamSpec::length).sum();
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return specs(layer).stream().map(ParamSpec::key).toList();
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return specs(layer).stream().filter(s -> !s.bias()).map(ParamSpec::key).toList();
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return specs(layer).stream().filter(ParamSpec::bias).map(ParamSpec::key).toList();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return weightKeys(layer).contains(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return biasKeys(layer).contains(key);
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        Map<String, INDArray> views = views(conf.getLayer(), paramsView);
        if (initializeParams) {
            for (ParamSpec s : specs(conf.getLayer())) {
                INDArray v = views.get(s.key());
                switch (s.init()) {
                    case "zeros" -> v.assign(0);
                    case "ones" -> v.assign(1);
                    case "normal" -> v.assign(Nd4j.randn(v.dataType(), v.shape()).muli(s.std()));
                    default -> throw new IllegalStateException("unknown init " + s.init());
                }
            }
        }
        return views;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return views(conf.getLayer(), gradientView);
    }

    private static Map<String, INDArray> views(Layer layer, INDArray flat) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        long offset = 0;
        INDArray vector = flat.reshape(flat.length()); // DL4J hands over [n] or [1, n]; a contiguous view either way
        for (ParamSpec s : specs(layer)) {
            INDArray v = vector.get(NDArrayIndex.interval(offset, offset + s.length()));
            out.put(s.key(), v.reshape('c', s.shape()));
            offset += s.length();
        }
        return out;
    }

    /** Keys in layout order, for callers that need them without a layer instance. */
    public static List<String> keys(List<ParamSpec> specs) {
        List<String> keys = new ArrayList<>();
        for (ParamSpec s : specs) keys.add(s.key());
        return keys;
    }
}
