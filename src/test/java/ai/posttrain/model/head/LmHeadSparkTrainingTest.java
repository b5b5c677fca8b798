package ai.posttrain.model.head;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end on Spark 3.5: a tiny graph (embedding -> LmHeadOutputLayer) trained through SparkComputationGraph
 * with ParameterAveragingTrainingMaster from a JavaRDD of MultiDataSets with packed labels and label masks.
 */
class LmHeadSparkTrainingTest {
    static final int V = 12, T = 6, DIM = 16, ROWS = 8;
    private static SparkSession spark;
    private static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        spark = ai.posttrain.LocalSpark.get();
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }


    static ComputationGraph model(LmHeadOutputLayer.Builder head) {
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(42).updater(new Adam(0.05))
                .graphBuilder().addInputs("tokens")
                .addLayer("embed", new EmbeddingSequenceLayer.Builder().nIn(V).nOut(DIM).inputLength(T).build(), "tokens")
                .addLayer("head", head.nIn(DIM).nOut(V).build(), "embed")
                .setOutputs("head").build());
        net.init();
        return net;
    }

    /** A sequence x_0..x_T with x_{t+1} = x_t + step (mod V). */
    static int[] sequence(int start, int step) {
        int[] x = new int[T + 1];
        x[0] = start;
        for (int t = 0; t < T; t++) x[t + 1] = (x[t] + step) % V;
        return x;
    }

    static INDArray features(List<int[]> seqs) {
        float[][] f = new float[seqs.size()][T];
        for (int i = 0; i < seqs.size(); i++) for (int t = 0; t < T; t++) f[i][t] = seqs.get(i)[t];
        return Nd4j.createFromArray(f);
    }

    static int[] targets(int[] seq) {
        int[] y = new int[T];
        System.arraycopy(seq, 1, y, 0, T);
        return y;
    }

    /** SFT batches: the first target is "prompt" (masked), the rest are trained. */
    static List<MultiDataSet> sftBatches(Random rnd, int batches) {
        float[] mask = new float[T];
        for (int t = 1; t < T; t++) mask[t] = 1;
        List<MultiDataSet> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            List<int[]> seqs = new ArrayList<>();
            PackedLabels.Builder p = PackedLabels.builder(LabelLayout.withTopK(0), T);
            for (int i = 0; i < ROWS; i++) {
                int[] s = sequence(rnd.nextInt(V), 1);
                seqs.add(s);
                p.sft(targets(s), mask);
            }
            PackedLabels l = p.build(DataType.FLOAT);
            out.add(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{features(seqs)},
                    new INDArray[]{l.labels()}, null, new INDArray[]{l.mask()}));
        }
        return out;
    }

    static double meanScore(ComputationGraph net, List<MultiDataSet> data) {
        double s = 0;
        for (MultiDataSet d : data) s += net.score(d);
        return s / data.size();
    }

    @Test
    void sftTrainsThroughParameterAveraging() {
        Random rnd = new Random(1);
        List<MultiDataSet> train = sftBatches(rnd, 32), heldOut = sftBatches(new Random(99), 4);
        ComputationGraph net = model(new LmHeadOutputLayer.Builder());
        double before = meanScore(net, heldOut);
        ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(ROWS)
                .batchSizePerWorker(ROWS).averagingFrequency(4).workerPrefetchNumBatches(0).saveUpdater(true).build();
        SparkComputationGraph sparkNet = new SparkComputationGraph(sc, net, tm);
        JavaRDD<MultiDataSet> rdd = sc.parallelize(train, 2);
        for (int epoch = 0; epoch < 4; epoch++) sparkNet.fitMultiDataSet(rdd);
        double after = meanScore(sparkNet.getNetwork(), heldOut);
        assertTrue(before > 2.0, "untrained cross-entropy should be near ln(12)=2.48: " + before);
        assertTrue(after < 0.3 * before, "held-out SFT loss " + before + " -> " + after);
    }

    /**
     * DPO pairs must stay in one minibatch: the Direct approach trains on the RDD's MultiDataSets as they are
     * (Export would re-split them into batchSizePerWorker-sized pieces).
     */
    @Test
    void dpoTrainsWithTheDirectApproach() {
        ComputationGraph reference = model(new LmHeadOutputLayer.Builder().dpoBeta(0.5));
        List<MultiDataSet> train = dpoBatches(reference, new Random(2), 16), heldOut = dpoBatches(reference, new Random(98), 2);
        ComputationGraph net = reference.clone();
        double before = meanScore(net, heldOut);
        ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(ROWS)
                .batchSizePerWorker(ROWS).averagingFrequency(2).workerPrefetchNumBatches(0).saveUpdater(true)
                .rddTrainingApproach(RDDTrainingApproach.Direct).build();
        SparkComputationGraph sparkNet = new SparkComputationGraph(sc, net, tm);
        JavaRDD<MultiDataSet> rdd = sc.parallelize(train, 2);
        for (int epoch = 0; epoch < 3; epoch++) sparkNet.fitMultiDataSet(rdd);
        double after = meanScore(sparkNet.getNetwork(), heldOut);
        assertTrue(Math.abs(before - Math.log(2)) < 1e-4, "policy == reference gives ln 2: " + before);
        assertTrue(after < 0.35, "held-out DPO loss " + before + " -> " + after);
    }

    /** Chosen continues with +1, rejected with +3, from the same start; reference sums from {@code ref}. */
    static List<MultiDataSet> dpoBatches(ComputationGraph ref, Random rnd, int batches) {
        float[] mask = new float[T];
        java.util.Arrays.fill(mask, 1f);
        List<MultiDataSet> out = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            List<int[]> seqs = new ArrayList<>();
            for (int i = 0; i < ROWS / 2; i++) {
                int start = rnd.nextInt(V);
                seqs.add(sequence(start, 1));
                seqs.add(sequence(start, 3));
            }
            INDArray x = features(seqs);
            int[][] y = new int[ROWS][];
            for (int i = 0; i < ROWS; i++) y[i] = targets(seqs.get(i));
            float[][] masks = new float[ROWS][];
            java.util.Arrays.fill(masks, mask);
            double[] refSums = TokenLogProbs.sequenceSums(TokenLogProbs.compute(ref, "head", new INDArray[]{x}, null, y), masks);
            PackedLabels.Builder p = PackedLabels.builder(LabelLayout.withTopK(0), T);
            for (int i = 0; i < ROWS; i += 2) p.dpoPair(y[i], mask, refSums[i], y[i + 1], mask, refSums[i + 1]);
            PackedLabels l = p.build(DataType.FLOAT);
            out.add(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{x}, new INDArray[]{l.labels()}, null,
                    new INDArray[]{l.mask()}));
        }
        return out;
    }
}
