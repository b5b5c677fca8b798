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
    private LayerNorm.Cache layerNormCache;
    private RmsNorm.Cache rmsCache;
    private final LayerWorkspaces workspaces = new LayerWorkspaces(this);

    public FinalNormImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** The norm of row-form activations [N, d] with a final norm's parameters (also used by the sampler). */
    static INDArray apply(FinalNorm conf, INDArray rows, INDArray g, INDArray b) {
        return conf.isRms() ? RmsNorm.forward(rows, g, conf.getEps(), null) : LayerNorm.forward(rows, g, b, null);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        INDArray x = Seq.toRows(input), y;
        if (layerConf().isRms()) {
            RmsNorm.Cache[] c = new RmsNorm.Cache[1];
            y = RmsNorm.forward(x, params.get("g"), layerConf().getEps(), c);
            rmsCache = c[0];
        } else {
            LayerNorm.Cache[] c = new LayerNorm.Cache[1];
            y = LayerNorm.forward(x, params.get("g"), params.get("b"), c);
            layerNormCache = c[0];
        }
        cachedInput = input;
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, Seq.fromRows(y, input.size(0), input.size(2)));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (cachedInput != input || (layerNormCache == null && rmsCache == null)) activate(true, workspaceMgr);
        boolean rms = layerConf().isRms();
        INDArray dx;
        try (MemoryWorkspace ws = workspaces.backward()) {
            INDArray dy = Seq.toRows(epsilon);
            INDArray dRows = rms
                    ? RmsNorm.backward(dy, rmsCache, params.get("g"), gradientViews.get("g"))
                    : LayerNorm.backward(dy, layerNormCache, params.get("g"), gradientViews.get("g"), gradientViews.get("b"));
            dx = Seq.fromRows(dRows, input.size(0), input.size(2)).detach();
        }
        Gradient g = new DefaultGradient();
        g.gradientForVariable().put("g", gradientViews.get("g"));
        if (!rms) g.gradientForVariable().put("b", gradientViews.get("b"));
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
