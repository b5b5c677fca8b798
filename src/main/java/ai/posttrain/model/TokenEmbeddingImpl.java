package ai.posttrain.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Forward: gather embedding rows. Backward: scatter-add into dE (a plain loop: rows repeat). */
public class TokenEmbeddingImpl extends BaseLayer<TokenEmbedding> {

    public TokenEmbeddingImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    static int[] ids(INDArray input, int vocab) {
        int[] ids = input.dup('c').data().asInt();
        for (int id : ids)
            if (id < 0 || id >= vocab) throw new IllegalArgumentException("token id " + id + " outside vocab " + vocab);
        return ids;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        TokenEmbedding c = layerConf();
        long mb = input.size(0), t = input.size(2);
        if (t > c.getMaxSeqLen()) throw new IllegalArgumentException("sequence length " + t + " > maxSeqLen " + c.getMaxSeqLen());
        INDArray rows = Nd4j.pullRows(params.get("E"), 1, ids(input, c.getVocab()));
        if (c.isLearnedPositions()) {
            INDArray pos = params.get("P").get(NDArrayIndex.interval(0, t), NDArrayIndex.all()).dup('c').reshape(1, t * c.getDModel());
            rows = rows.reshape('c', mb, t * c.getDModel()).addiRowVector(pos).reshape('c', mb * t, c.getDModel());
        }
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, Seq.fromRows(rows, mb, t));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        TokenEmbedding c = layerConf();
        int d = c.getDModel();
        long mb = input.size(0), t = input.size(2);
        INDArray g = Seq.toRows(epsilon);
        INDArray dEView = gradientViews.get("E");
        dEView.assign(0);
        // Sum the rows of each distinct id, then write only those rows: a real vocabulary (50k-150k ids) makes a
        // dense vocab x d scratch array (and its copy into the view) cost more than the whole embedding layer.
        int[] ids = ids(input, c.getVocab());
        java.util.Map<Integer, java.util.List<Integer>> positions = new java.util.LinkedHashMap<>();
        for (int n = 0; n < ids.length; n++) positions.computeIfAbsent(ids[n], k -> new java.util.ArrayList<>()).add(n);
        int distinct = positions.size(), col = 0;
        double[] gv = g.dup('c').data().asDouble();
        double[] sums = new double[distinct * d];
        int[] rowsOf = new int[distinct];
        for (var e : positions.entrySet()) {
            rowsOf[col] = e.getKey();
            for (int n : e.getValue())
                for (int j = 0; j < d; j++) sums[col * d + j] += gv[n * d + j];
            col++;
        }
        INDArray summed = Nd4j.create(sums, new long[]{distinct, d}, DataType.DOUBLE).castTo(dEView.dataType());
        for (int i = 0; i < distinct; i++) dEView.getRow(rowsOf[i]).assign(summed.getRow(i));
        Gradient grad = new DefaultGradient();
        grad.gradientForVariable().put("E", dEView);
        if (c.isLearnedPositions()) {
            INDArray dP = gradientViews.get("P");
            dP.assign(0);
            dP.get(NDArrayIndex.interval(0, t), NDArrayIndex.all())
                    .assign(LayerWorkspaces.columnSums(g.reshape('c', mb, t * d)).reshape('c', t, d));
            grad.gradientForVariable().put("P", dP);
        }
        return new Pair<>(grad, null); // ids are not differentiable
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public void clearNoiseWeightParams() {
    }
}
