package ai.posttrain.model.head;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.Random;

import static ai.posttrain.model.head.Objective.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DL4J's own gradient check (double precision) on a small graph RNN -> LmHeadOutputLayer, per objective. */
class LmHeadGradientCheckTest {
    static final int F = 2, HIDDEN = 4, T = 4, V = 6, K = 3;
    private static DataType savedDefault, savedFloating;

    @BeforeAll
    static void doublePrecision() {   // GradientCheckUtil insists on the global default being double
        savedDefault = Nd4j.dataType();
        savedFloating = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restorePrecision() {
        Nd4j.setDefaultDataTypes(savedDefault, savedFloating);
    }

    @Test
    void sft() {
        assertTrue(check(new Objective[]{SFT, SFT, SFT}, 1));
    }

    @Test
    void kd() {
        assertTrue(check(new Objective[]{KD, KD, KD}, 2));
    }

    @Test
    void dpo() {
        assertTrue(check(new Objective[]{DPO, DPO, DPO, DPO}, 3));
    }

    @Test
    void pg() {
        assertTrue(check(new Objective[]{PG, PG, PG, PG}, 4));
    }

    @Test
    void mixedMinibatch() {
        assertTrue(check(new Objective[]{DPO, DPO, SFT, KD, PG, NONE}, 5));
    }

    @Test
    void tokenLogProbsMatchTheGraphsLogits() {
        Random rnd = new Random(6);
        ComputationGraph net = graph(7);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, F, T).subi(0.5);
        int[][] targets = randomTargets(rnd, 3);
        double[][] lp = TokenLogProbs.compute(net, "head", new INDArray[]{x}, null, targets);
        INDArray logits = net.outputSingle(x);   // [mb, V, T]
        for (int e = 0; e < 3; e++)
            for (int t = 0; t < T; t++) {
                double[] z = new double[V];
                for (int j = 0; j < V; j++) z[j] = logits.getDouble(e, j, t);
                assertEquals(ReferenceHead.logSoftmax(z, 1)[targets[e][t]], lp[e][t], 1e-12);
            }
    }

    static ComputationGraph graph(long seed) {
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.DOUBLE).updater(new NoOp()).graphBuilder().addInputs("in")
                .addLayer("rnn", new SimpleRnn.Builder().nIn(F).nOut(HIDDEN).activation(Activation.TANH).build(), "in")
                .addLayer("head", new LmHeadOutputLayer.Builder().nIn(HIDDEN).nOut(V).kdTemperature(1.5).dpoBeta(0.7).dpoNll(0.6)
                        .clip(0.2, 0.3).klCoef(0.2).sftWeight(0.8).kdWeight(1.2).dpoWeight(1.0).pgWeight(0.9).build(), "rnn")
                .setOutputs("head").build());
        net.init();
        return net;
    }

    static int[][] randomTargets(Random rnd, int rows) {
        int[][] ids = new int[rows][T];
        for (int[] r : ids) for (int t = 0; t < T; t++) r[t] = rnd.nextInt(V);
        return ids;
    }

    static boolean check(Objective[] rows, long seed) {
        Random rnd = new Random(seed);
        ComputationGraph net = graph(seed);
        int mb = rows.length;
        INDArray x = Nd4j.rand(DataType.DOUBLE, mb, F, T).subi(0.5).muli(2);
        int[][] targets = randomTargets(rnd, mb);
        double[][] lp = TokenLogProbs.compute(net, "head", new INDArray[]{x}, null, targets);
        PackedLabels.Builder p = PackedLabels.builder(LabelLayout.withTopK(K), T);
        for (int e = 0; e < mb; e++) {
            float[] mask = new float[T];
            for (int t = rnd.nextInt(2); t < T; t++) mask[t] = 1;
            switch (rows[e]) {
                case SFT -> p.sft(targets[e], mask, new float[]{1f, 0.5f, 1.5f, 1f});
                case KD -> {
                    int[][] ids = new int[T][K];
                    float[][] probs = new float[T][K];
                    for (int t = 0; t < T; t++)
                        for (int j = 0; j < K; j++) {
                            ids[t][j] = (targets[e][t] + j) % V;
                            probs[t][j] = 0.1f + rnd.nextFloat() * 0.4f;
                        }
                    p.kd(ids, probs, mask);
                }
                case DPO -> {
                    if (e % 2 == 1) continue;   // the pair is added at its chosen row
                    float[] mask2 = mask.clone();
                    mask2[T - 1] = 0;
                    p.dpoPair(targets[e], mask, -8 + rnd.nextGaussian(), targets[e + 1], mask2, -8 + rnd.nextGaussian());
                }
                case PG -> {
                    float[] old = new float[T], ref = new float[T];
                    for (int t = 0; t < T; t++) {
                        old[t] = (float) (lp[e][t] + rnd.nextGaussian() * 0.3);
                        ref[t] = (float) (lp[e][t] + rnd.nextGaussian() * 0.3);
                    }
                    p.pg(targets[e], mask, old, ref, rnd.nextGaussian());
                }
                case NONE -> p.padding();
            }
        }
        PackedLabels labels = p.build(DataType.DOUBLE);
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                .inputs(new INDArray[]{x}).labels(new INDArray[]{labels.labels()})
                .labelMask(new INDArray[]{labels.mask()})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY));
    }
}
