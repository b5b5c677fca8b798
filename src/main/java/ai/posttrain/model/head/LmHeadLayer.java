package ai.posttrain.model.head;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.List;

/**
 * The runtime layer of {@link LmHeadOutputLayer}. Activations [mb, nIn, T] are flattened to rows
 * r = example*T + t; {@link LmHeadLoss} does the work. The score computed during backprop is kept for
 * the {@code computeScore} call DL4J makes right after it (same input, labels and mask), so a training
 * step runs the vocabulary-sized gemm once forward and twice backward.
 */
public class LmHeadLayer extends BaseLayer<LmHeadOutputLayer> implements IOutputLayer {
    private INDArray labels;
    private INDArray inputMask;
    private transient LmHeadLoss loss;
    private transient LmHeadLoss.Result lastResult;
    private transient boolean resultMatchesInputs;

    public LmHeadLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Diagnostics of the last minibatch this layer scored or trained on; null before the first. */
    public HeadDiagnostics lastDiagnostics() {
        return lastResult == null ? null : lastResult.diagnostics();
    }

    @Override
    public Type type() {
        return Type.RECURRENT;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public boolean needsLabels() {
        return true;
    }

    @Override
    public void setLabels(INDArray labels) {
        if (labels != this.labels) resultMatchesInputs = false;
        this.labels = labels;
    }

    @Override
    public INDArray getLabels() {
        return labels;
    }

    @Override
    public void setInput(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        resultMatchesInputs = false;
        super.setInput(input, workspaceMgr);
    }

    @Override
    public void setMaskArray(INDArray maskArray) {
        if (maskArray != this.maskArray) resultMatchesInputs = false;
        this.maskArray = maskArray;
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState state, int minibatchSize) {
        // Keep a feature mask only as the fallback when no label mask is given; never overwrite the label mask.
        inputMask = maskArray != null && state == MaskState.Active ? maskArray : null;
        resultMatchesInputs = false;
        return null;
    }

    @Override
    public void setParams(INDArray params) {
        resultMatchesInputs = false;
        super.setParams(params);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        INDArray w = getParam(DefaultParamInitializer.WEIGHT_KEY), b = getParam(DefaultParamInitializer.BIAS_KEY);
        int mb = (int) input.size(0), t = (int) input.size(2);
        INDArray logits = Nd4j.matmul(Rows.toRows(input, workspaceMgr, ArrayType.FF_WORKING_MEM), w).addiRowVector(b);
        return Rows.fromRows(logits, mb, t, workspaceMgr, ArrayType.ACTIVATIONS);
    }

    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!resultMatchesInputs) forward(workspaceMgr, null);
        score = lastResult.loss() + fullNetRegTerm;
        return score;
    }

    @Override
    public INDArray computeScoreForExamples(double fullNetRegTerm, LayerWorkspaceMgr workspaceMgr) {
        if (!resultMatchesInputs) forward(workspaceMgr, null);
        double[] perExample = lastResult.exampleLoss().clone();
        double scale = gradientScale();
        for (int i = 0; i < perExample.length; i++) perExample[i] = perExample[i] * scale + fullNetRegTerm;
        INDArray out = workspaceMgr.create(ArrayType.ACTIVATIONS, dataType, perExample.length, 1);
        for (int i = 0; i < perExample.length; i++) out.putScalar(i, 0, perExample[i]);
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        int mb = (int) input.size(0), t = (int) input.size(2);
        INDArray dW = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        INDArray db = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
        INDArray dH = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[]{(long) mb * t, input.size(1)}, 'c');
        boolean trainBias = layerConf().isTrainBias();
        forward(workspaceMgr, new LmHeadLoss.Grads(dW, trainBias ? db : null, dH, gradientScale()));
        if (!trainBias) db.assign(0);   // a zero gradient: Adam then leaves b unchanged
        Gradient g = new DefaultGradient();
        g.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, dW);
        g.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, db);
        this.gradient = g;
        resultMatchesInputs = true;
        return new Pair<>(g, Rows.fromRows(dH, mb, t, workspaceMgr, ArrayType.ACTIVATION_GRAD));
    }

    @Override
    public void computeGradientAndScore(LayerWorkspaceMgr workspaceMgr) {
        backpropGradient(null, workspaceMgr);
        computeScore(0, true, workspaceMgr);
    }

    @Override
    public Gradient gradient() {
        return gradient;
    }

    @Override
    public Pair<Gradient, Double> gradientAndScore() {
        return new Pair<>(gradient(), score());
    }

    /** DL4J divides every gradient by the minibatch size in its updater; the score is already a mean. */
    private double gradientScale() {
        return conf.isMiniBatch() ? input.size(0) : 1;
    }

    private void forward(LayerWorkspaceMgr workspaceMgr, LmHeadLoss.Grads grads) {
        if (input == null || labels == null)
            throw new IllegalStateException("LmHeadLayer needs input and labels to compute a loss " + layerId());
        INDArray w = getParam(DefaultParamInitializer.WEIGHT_KEY), b = getParam(DefaultParamInitializer.BIAS_KEY);
        INDArray mask = maskArray != null ? maskArray : inputMask;
        ParsedLabels parsed = new ParsedLabels(labels, mask, (int) w.size(1));
        INDArray h2d = Rows.toRows(input, workspaceMgr, grads == null ? ArrayType.FF_WORKING_MEM : ArrayType.BP_WORKING_MEM);
        lastResult = engine().run(h2d, w, b, parsed, grads);
        resultMatchesInputs = true;
    }

    LmHeadLoss engine() {
        // Rebuilt when the configuration's settings changed (a stage may re-weight a loaded model's objectives).
        HeadSettings settings = layerConf().settings();
        if (loss == null || !loss.settings().equals(settings))
            loss = new LmHeadLoss(settings, layerConf().getMaxLogitsPerChunk());
        return loss;
    }

    @Override
    public void clear() {
        super.clear();
        labels = null;
        inputMask = null;
        resultMatchesInputs = false;
    }

    // Classifier methods: not meaningful for a language-model head.
    @Override
    public double f1Score(DataSet data) {
        throw new UnsupportedOperationException("f1Score is not defined for the LM head");
    }

    @Override
    public double f1Score(INDArray examples, INDArray labels) {
        throw new UnsupportedOperationException("f1Score is not defined for the LM head");
    }

    @Override
    public int numLabels() {
        return (int) layerConf().getNOut();
    }

    @Override
    public void fit(DataSetIterator iter) {
        throw new UnsupportedOperationException("train the LM head inside a ComputationGraph");
    }

    @Override
    public int[] predict(INDArray input) {
        throw new UnsupportedOperationException("use output() for logits");
    }

    @Override
    public List<String> predict(DataSet dataSet) {
        throw new UnsupportedOperationException("use output() for logits");
    }

    @Override
    public void fit(INDArray examples, INDArray labels) {
        throw new UnsupportedOperationException("train the LM head inside a ComputationGraph");
    }

    @Override
    public void fit(DataSet data) {
        throw new UnsupportedOperationException("train the LM head inside a ComputationGraph");
    }

    @Override
    public void fit(INDArray examples, int[] labels) {
        throw new UnsupportedOperationException("train the LM head inside a ComputationGraph");
    }
}
