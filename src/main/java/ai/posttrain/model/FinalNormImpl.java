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

/** Forward and backward of {@link FinalNorm}. */
public class FinalNormImpl extends BaseLayer<FinalNorm> {
    private INDArray cachedInput;
    private LayerNorm.Cache cache;
    private final LayerWorkspaces workspaces = new LayerWorkspaces(this);

    public FinalNormImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        LayerNorm.Cache[] lc = new LayerNorm.Cache[1];
        INDArray y = LayerNorm.forward(Seq.toRows(input), params.get("g"), params.get("b"), lc);
        cache = lc[0];
        cachedInput = input;
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, Seq.fromRows(y, input.size(0), input.size(2)));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (cache == null || cachedInput != input) activate(true, workspaceMgr);
        INDArray dx;
        try (MemoryWorkspace ws = workspaces.backward()) {
            dx = Seq.fromRows(LayerNorm.backward(Seq.toRows(epsilon), cache, params.get("g"), gradientViews.get("g"), gradientViews.get("b")),
                    input.size(0), input.size(2)).detach();
        }
        Gradient g = new DefaultGradient();
        g.gradientForVariable().put("g", gradientViews.get("g"));
        g.gradientForVariable().put("b", gradientViews.get("b"));
        return new Pair<>(g, workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, dx));
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public void clearNoiseWeightParams() {
    }
}
