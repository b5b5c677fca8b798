package ai.posttrain.train;

import ai.posttrain.model.head.LabelLayout;
import ai.posttrain.model.head.Objective;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Distillation minibatches on plain Java data: row order, masks, teacher top-k and DPO reference channels. */
class DistillBatchesTest {
    @Test
    void kdRowsFirstThenEachPairOnRows2iAnd2iPlus1() {
        // tokens 1 2 3 4: positions 0..2 predict 2 3 4; only tokens 3 and 4 are trained (positions 1 and 2).
        KdExample kd = new KdExample("k", "math", new int[]{1, 2, 3, 4}, new boolean[]{false, false, true, true},
                new int[][]{null, {3, 9}, {4, 5}}, new float[][]{null, {(float) Math.log(0.6), (float) Math.log(0.3)},
                {(float) Math.log(0.9), (float) Math.log(0.05)}});
        DpoPair pair = new DpoPair("p", new int[]{1, 7}, new int[]{8, 6}, new int[]{5}, -3.5, -1.25);
        MultiDataSet mds = DistillBatches.batch(List.of(kd, kd), List.of(pair), 2);
        INDArray labels = mds.getLabels(0), mask = mds.getLabelsMaskArray(0);
        assertArrayEquals(new long[]{4, LabelLayout.withTopK(2).channels(), 3}, labels.shape());
        Objective[] rows = new Objective[4];
        for (int r = 0; r < 4; r++) rows[r] = Objective.ofCode(labels.getDouble(r, LabelLayout.OBJECTIVE, 0));
        assertArrayEquals(new Objective[]{Objective.KD, Objective.KD, Objective.DPO, Objective.DPO}, rows);
        LabelLayout layout = LabelLayout.withTopK(2);
        // KD row: masked where untrained, teacher probabilities as exp(log-prob).
        assertEquals(List.of(0.0, 1.0, 1.0), row(mask, 0));
        assertEquals(9, labels.getDouble(0, layout.topKId(1), 1), 0);
        assertEquals(0.3, labels.getDouble(0, layout.topKProb(1), 1), 1e-6);
        assertEquals(0.9, labels.getDouble(0, layout.topKProb(0), 2), 1e-6);
        // Chosen row 2: prompt 1 7, completion 8 6 -> targets 7 8 6, completion mask on positions 1, 2.
        assertEquals(List.of(0.0, 1.0, 1.0), row(mask, 2));
        assertEquals(8, labels.getDouble(2, LabelLayout.TARGET, 1), 0);
        assertEquals(6, labels.getDouble(2, LabelLayout.TARGET, 2), 0);
        assertEquals(-3.5, labels.getDouble(2, LabelLayout.DPO_REF, 0), 1e-6);
        // Rejected row 3: prompt 1 7, completion 5 -> one trained position, padded after it.
        assertEquals(List.of(0.0, 1.0, 0.0), row(mask, 3));
        assertEquals(5, labels.getDouble(3, LabelLayout.TARGET, 1), 0);
        assertEquals(-1.25, labels.getDouble(3, LabelLayout.DPO_REF, 0), 1e-6);
        // Inputs are every token but the last; the feature mask covers them.
        assertEquals(List.of(1.0, 7.0, 0.0), Arrays.stream(mds.getFeatures(0).get(
                org.nd4j.linalg.indexing.NDArrayIndex.point(3), org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).toDoubleVector()).boxed().toList());
    }

    @Test
    void topIndicesAreTheLargestInOrder() {
        Random random = new Random(3);
        for (int trial = 0; trial < 50; trial++) {
            double[] v = new double[1 + random.nextInt(40)];
            for (int i = 0; i < v.length; i++) v[i] = random.nextInt(10);   // many ties
            int k = 1 + random.nextInt(10);
            Integer[] order = new Integer[v.length];
            for (int i = 0; i < v.length; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> v[a] != v[b] ? Double.compare(v[b], v[a]) : Integer.compare(a, b));
            int[] expected = Arrays.stream(order).limit(k).mapToInt(Integer::intValue).toArray();
            assertArrayEquals(expected, TeacherTopK.topIndices(v, k), Arrays.toString(v) + " k=" + k);
        }
    }

    private static List<Double> row(INDArray mask, int r) {
        return Arrays.stream(mask.getRow(r).toDoubleVector()).boxed().toList();
    }
}
