package ai.posttrain.model.head;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.List;

/**
 * Per-token log p(target) at temperature 1 from the head's parameters, without materialising more than
 * one chunk of logits: the reference / old log-probs that {@link PackedLabels} rows need (PG old and ref
 * log-probs, DPO reference sums). Values equal what {@link LmHeadOutputLayer} uses in its objectives.
 */
public final class TokenLogProbs {
    private static final long MAX_LOGITS = 8L << 20;

    private TokenLogProbs() {
    }

    /**
     * @param w           head weights [nIn, vocab]
     * @param b           head bias [1, vocab]
     * @param activations the head's input [mb, nIn, T]
     * @param targets     per example, per position target id; positions past a row's end or with id &lt; 0 give NaN
     * @return [mb][T] log-probs
     */
    public static double[][] compute(INDArray w, INDArray b, INDArray activations, int[][] targets) {
        int mb = (int) activations.size(0), t = (int) activations.size(2);
        if (targets.length != mb) throw new IllegalArgumentException(targets.length + " target rows for minibatch " + mb);
        int[] flat = new int[mb * t];
        for (int e = 0; e < mb; e++) {
            if (targets[e].length > t) throw new IllegalArgumentException("row " + e + " has more targets than T=" + t);
            for (int i = 0; i < t; i++) flat[e * t + i] = i < targets[e].length && targets[e][i] >= 0 ? targets[e][i] : 0;
        }
        INDArray rows = Rows.toRows(activations, LayerWorkspaceMgr.noWorkspaces(), ArrayType.FF_WORKING_MEM);
        double[] lp = new LmHeadLoss(HeadSettings.defaults(), MAX_LOGITS).targetLogProbs(rows, w, b, flat);
        double[][] out = new double[mb][t];
        for (int e = 0; e < mb; e++)
            for (int i = 0; i < t; i++)
                out[e][i] = i < targets[e].length && targets[e][i] >= 0 ? lp[e * t + i] : Double.NaN;
        return out;
    }

    /**
     * Runs {@code net} up to the input of its head layer {@code headName} (an {@link LmHeadOutputLayer}
     * whose input needs no preprocessor) and returns log p(target) per position.
     */
    public static double[][] compute(ComputationGraph net, String headName, INDArray[] features,
                                     INDArray[] featureMasks, int[][] targets) {
        List<String> inputs = net.getConfiguration().getVertexInputs().get(headName);
        if (inputs == null || inputs.size() != 1)
            throw new IllegalArgumentException("'" + headName + "' is not a single-input layer of this graph");
        String source = inputs.get(0);
        INDArray activations;
        int featureIndex = net.getConfiguration().getNetworkInputs().indexOf(source);
        if (featureIndex >= 0) {
            activations = features[featureIndex];
        } else {
            net.setLayerMaskArrays(featureMasks, null);
            try {
                activations = net.feedForward(features, net.getVertex(source).getVertexIndex(), false).get(source);
            } finally {
                net.clearLayerMaskArrays();
            }
        }
        return compute(net.getLayer(headName).getParam(DefaultParamInitializer.WEIGHT_KEY),
                net.getLayer(headName).getParam(DefaultParamInitializer.BIAS_KEY), activations, targets);
    }

    /** Sum over positions with mask &gt; 0 of mask * logp: a sequence's (reference) log-likelihood. */
    public static double[] sequenceSums(double[][] logProbs, float[][] mask) {
        double[] out = new double[logProbs.length];
        for (int e = 0; e < logProbs.length; e++)
            for (int i = 0; i < mask[e].length; i++)
                if (mask[e][i] > 0) out[e] += mask[e][i] * logProbs[e][i];
        return out;
    }

    /** Row {@code e} of {@code logProbs} cut to {@code length} as floats (e.g. for {@link PackedLabels.Builder#pg}). */
    public static float[] row(double[][] logProbs, int e, int length) {
        float[] out = new float[length];
        for (int i = 0; i < length; i++) out[i] = (float) logProbs[e][i];
        return out;
    }

}
