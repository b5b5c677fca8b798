package ai.posttrain.model.head;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each objective's loss and its gradients w.r.t. the input activations, W and b, from the real DL4J layer,
 * against {@link ReferenceHead}: the formula in plain loops, differentiated by finite differences.
 */
class LmHeadObjectivesTest {
    private static final double FD_EPS = 1e-5;

    static LmHeadOutputLayer.Builder conf() {
        return new LmHeadOutputLayer.Builder().nIn(HeadCases.N_IN).nOut(HeadCases.V)
                .sftWeight(0.7).kdWeight(1.3).dpoWeight(0.9).pgWeight(1.1)
                .kdTemperature(2.0).dpoBeta(0.5).clip(0.2, 0.28).klCoef(0.1);
    }

    static ComputationGraph headOnly(LmHeadOutputLayer head) {
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .updater(new NoOp()).graphBuilder().addInputs("in").addLayer("head", head, "in").setOutputs("head").build());
        net.init();
        net.initGradientsView();   // normally done lazily by the first fit
        return net;
    }

    @Test
    void sft() {
        check(11, 4, c -> { }, (c, p) -> { for (int i = 0; i < 4; i++) c.addSft(p); }, conf().build());
    }

    @Test
    void kdWithTemperature() {
        check(12, 4, c -> { }, (c, p) -> { for (int i = 0; i < 4; i++) c.addKd(p); }, conf().build());
    }

    @Test
    void dpo() {
        check(13, 4, c -> { }, (c, p) -> { c.addDpoPair(p); c.addDpoPair(p); }, conf().build());
    }

    @Test
    void dpoWithChosenNll() {   // RPO: the chosen row's mean NLL joins each pair's loss
        check(14, 4, c -> { }, (c, p) -> { c.addDpoPair(p); c.addDpoPair(p); }, conf().dpoNll(0.8).build());
    }

    @Test
    void pgWithClippingAndKl() {
        Outcome o = check(14, 6, c -> { }, (c, p) -> { for (int e = 0; e < 6; e++) c.addPg(p, e); }, conf().build());
        assertTrue(o.diagnostics.pgClipFraction() > 0 && o.diagnostics.pgClipFraction() < 1,
                "the case should mix clipped and unclipped tokens: " + o.diagnostics);
        assertTrue(o.diagnostics.pgKlRef() > 0);
    }

    @Test
    void mixedMinibatchIsTheWeightedSumOfItsParts() {
        Outcome o = check(15, 6, c -> { }, HeadCasesMixed::add, conf().build());
        HeadDiagnostics d = o.diagnostics;
        assertEquals(0.7 * d.sftLoss() + 1.3 * d.kdLoss() + 0.9 * d.dpoLoss() + 1.1 * d.pgLoss(), d.loss(), 1e-12);
        assertEquals(1, d.dpoPairs());
        assertTrue(d.sftTokens() > 0 && d.kdTokens() > 0 && d.pgTokens() > 0);
    }

    @Test
    void chunkedLogitsGiveTheSameLossAndGradients() {
        // 3 rows per chunk with T = 4: chunks cut through sequences and the DPO pair (pre-pass path).
        LmHeadOutputLayer small = conf().maxLogitsPerChunk(3L * HeadCases.V).build();
        Outcome chunked = check(16, 6, c -> { }, HeadCasesMixed::add, small);
        Outcome whole = check(16, 6, c -> { }, HeadCasesMixed::add, conf().build());
        assertEquals(whole.score, chunked.score, 1e-12);
        assertTrue(whole.dW.equalsWithEps(chunked.dW, 1e-10));
        assertTrue(whole.eps.equalsWithEps(chunked.eps, 1e-10));
    }

    @Test
    void unpairedDpoRowIsRejected() {
        HeadCases c = new HeadCases(17, 2);
        PackedLabels.Builder p = PackedLabels.builder(LabelLayout.withTopK(HeadCases.K), HeadCases.T);
        c.addSft(p);
        assertThrows(IllegalStateException.class, () -> c.addDpoPair(p));
    }

    record Outcome(double score, INDArray dW, INDArray db, INDArray eps, HeadDiagnostics diagnostics) { }

    interface Rows {
        void add(HeadCases c, PackedLabels.Builder p);
    }

    static Outcome check(long seed, int mb, Consumer<HeadCases> prep, Rows rows, LmHeadOutputLayer head) {
        HeadCases c = new HeadCases(seed, mb);
        prep.accept(c);
        PackedLabels.Builder pb = PackedLabels.builder(LabelLayout.withTopK(HeadCases.K), HeadCases.T);
        rows.add(c, pb);
        PackedLabels p = pb.build(DataType.DOUBLE);

        ComputationGraph net = headOnly(head);
        LmHeadLayer layer = (LmHeadLayer) net.getLayer("head");
        layer.setParam("W", c.wArray());
        layer.setParam("b", c.bArray());
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        layer.setInput(c.hArray(), mgr);
        layer.setLabels(p.labels());
        layer.setMaskArray(p.mask());
        Pair<Gradient, INDArray> g = layer.backpropGradient(null, mgr);
        double score = layer.computeScore(0, true, mgr);
        INDArray dW = g.getFirst().getGradientFor("W").dup(), db = g.getFirst().getGradientFor("b").dup();
        INDArray eps = g.getSecond().dup();
        layer.setInput(c.hArray(), mgr);                       // fresh forward, no cached score
        double fresh = layer.computeScore(0, false, mgr);
        INDArray perExample = layer.computeScoreForExamples(0, mgr);

        ReferenceHead ref = new ReferenceHead(c.h, c.w, c.b, HeadCases.to3d(p.labels()), HeadCases.to2d(p.mask()),
                head.settings());
        double expected = ref.loss();
        assertEquals(expected, score, 1e-10 * Math.max(1, Math.abs(expected)), "loss");
        assertEquals(expected, fresh, 1e-10 * Math.max(1, Math.abs(expected)), "loss without backprop");
        assertEquals(expected, perExample.sumNumber().doubleValue() / mb, 1e-10, "per-example scores");
        assertEquals(expected, layer.lastDiagnostics().loss(), 1e-10);

        // DL4J convention: gradients are minibatch * dL/dparam (the updater divides by the minibatch size).
        assertClose(ref.gradW(FD_EPS), HeadCases.to2d(dW.div(mb)), "dL/dW");
        assertClose(new double[][]{ref.gradB(FD_EPS)}, HeadCases.to2d(db.div(mb).reshape(1, HeadCases.V)), "dL/db");
        double[][][] gh = ref.gradH(FD_EPS), eh = HeadCases.to3d(eps.div(mb));
        for (int e = 0; e < mb; e++) assertClose(gh[e], eh[e], "dL/dh example " + e);
        assertTrue(dW.amaxNumber().doubleValue() > 1e-3, "gradient should not vanish");
        return new Outcome(score, dW, db, eps, layer.lastDiagnostics());
    }

    static void assertClose(double[][] expected, double[][] actual, String what) {
        for (int i = 0; i < expected.length; i++)
            for (int j = 0; j < expected[i].length; j++)
                assertEquals(expected[i][j], actual[i][j], 1e-7 + 1e-6 * Math.abs(expected[i][j]), what + " [" + i + "," + j + "]");
    }
}
