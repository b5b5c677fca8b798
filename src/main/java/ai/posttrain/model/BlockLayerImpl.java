package ai.posttrain.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What every transformer block implementation shares with DL4J: the forward pass keeps what its backward pass
 * needs (recomputed if the input changed in between), the backward pass runs in a reused workspace and writes
 * the parameter gradients into DL4J's views. Subclasses give the block's math in row form [N = mb*T, d].
 */
abstract class BlockLayerImpl<C extends SequenceLayerConf, K extends BlockLayerImpl.Cached> extends BaseLayer<C> {

    /** What a forward pass keeps: at least the input it ran on and its output rows [N, d]. */
    abstract static class Cached {
        INDArray input, output;
    }

    private K cache;
    private final LayerWorkspaces workspaces = new LayerWorkspaces(this);

    BlockLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Runs the block on {@code in} [mb, d, T]; {@code training}: the result will be used by a backward pass. */
    protected abstract K forward(INDArray in, INDArray mask, boolean training);

    /** Where a training forward pass keeps its largest arrays: this thread's pool for this layer's name and class. */
    protected BufferPool trainingBuffers() {
        return BufferPool.ofThread(getClass().getSimpleName() + "/" + layerConf().getLayerName());
    }

    /** Writes the parameter gradients into the gradient views; returns dL/dinput [mb, d, T] (detached). */
    protected abstract INDArray backward(K cache, INDArray epsilon);

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        long mb = input.size(0), t = input.size(2);
        K c = forward(input, maskArray, training);
        cache = training ? c : null;
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, Seq.fromRows(c.output, mb, t));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (cache == null || cache.input != input) cache = forward(input, maskArray, true);
        INDArray epsilonOut;
        try (MemoryWorkspace ws = workspaces.backward()) {
            epsilonOut = backward(cache, epsilon);
        }
        cache = null;
        Gradient g = new DefaultGradient();
        for (String key : SpecParamInitializer.keys(layerConf().paramSpecs())) g.gradientForVariable().put(key, gradientViews.get(key));
        return new Pair<>(g, workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, epsilonOut));
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public void clearNoiseWeightParams() {
    }

    @Override
    public void clear() {
        super.clear();
        cache = null;
    }
}
