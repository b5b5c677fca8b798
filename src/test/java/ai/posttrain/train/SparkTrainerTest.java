package ai.posttrain.train;

import ai.posttrain.LocalSpark;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** DL4J-on-Spark parameter averaging on Spark 3.5, driven step by step (the project owns this compatibility). */
class SparkTrainerTest {
    private final JavaSparkContext sc = JavaSparkContext.fromSparkContext(LocalSpark.get().sparkContext());

    private static ComputationGraph regressionNet() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(1)
                .updater(new Adam(0.01)).graphBuilder().addInputs("in")
                .addLayer("h", new DenseLayer.Builder().nIn(4).nOut(16).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(16).nOut(1)
                        .activation(Activation.IDENTITY).build(), "h")
                .setOutputs("out").build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    private static List<MultiDataSet> batches(int count, long seed) {
        Nd4j.getRandom().setSeed(seed);
        List<MultiDataSet> data = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            INDArray x = Nd4j.rand(8, 4);
            data.add(new org.nd4j.linalg.dataset.MultiDataSet(x, x.sum(true, 1).reshape(8, 1)));
        }
        return data;
    }

    private static final TrainerSettings SETTINGS =
            new TrainerSettings(2, 8, 2, 0, new LrSchedule(0.02, 0.002, 2, 12), 0);

    @Test
    void trainsStepByStepWithTheScheduleAndLowersHeldOutLoss() {
        List<MultiDataSet> train = batches(10, 7);
        MultiDataSet heldOut = org.nd4j.linalg.dataset.MultiDataSet.merge(batches(4, 99));
        ComputationGraph net = regressionNet();
        double before = net.score(heldOut);
        List<SparkTrainer.Step> steps = new ArrayList<>();
        long[] tokens = new long[train.size()];
        Arrays.fill(tokens, 8);
        ComputationGraph trained = new SparkTrainer(sc, SETTINGS)
                .train(net, sc.parallelize(train, 3), tokens, 0, 12, 0, (s, n) -> steps.add(s));
        assertEquals(12, steps.size());
        for (int i = 0; i < steps.size(); i++) {
            assertEquals(i, steps.get(i).step());
            assertEquals(SETTINGS.lr().at(i), steps.get(i).lr(), 1e-12);
            assertEquals(8 * SETTINGS.batchesPerStep(), steps.get(i).tokens());
        }
        double after = trained.score(heldOut);
        assertTrue(after < before * 0.3, "held-out loss " + before + " -> " + after);
    }

    @Test
    void aRunResumedFromACheckpointEndsWhereAnUninterruptedRunEnds(@TempDir File dir) throws Exception {
        JavaRDD<MultiDataSet> train = sc.parallelize(batches(10, 7), 3);
        long[] tokens = new long[10];
        ComputationGraph straight = new SparkTrainer(sc, SETTINGS).train(regressionNet(), train, tokens, 0, 12, 0, (s, n) -> {});

        File checkpoint = new File(dir, "step6.zip");
        List<Integer> firstSteps = new ArrayList<>();
        ComputationGraph half = new SparkTrainer(sc, SETTINGS).train(regressionNet(), train, tokens, 0, 6, 0, (s, n) -> firstSteps.add(s.step()));
        ModelSerializer.writeModel(half, checkpoint, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(checkpoint, true);
        List<Integer> laterSteps = new ArrayList<>();
        ComputationGraph resumed = new SparkTrainer(sc, SETTINGS).train(restored, train, tokens, 6, 12, 0, (s, n) -> laterSteps.add(s.step()));

        assertEquals(List.of(0, 1, 2, 3, 4, 5), firstSteps);
        assertEquals(List.of(6, 7, 8, 9, 10, 11), laterSteps);
        INDArray a = straight.params();
        INDArray b = resumed.params();
        assertEquals(0.0, a.sub(b).norm2Number().doubleValue() / a.norm2Number().doubleValue(), 1e-4);
    }

    @Test
    void slotsCycleThroughTheData() {
        // Step covering positions 8..13 of a 5-batch dataset: batch 3 fills positions 8 and 13 (slots 0 and 5).
        assertEquals(List.of(0L, 5L), SparkTrainer.slotsOf(3, 8, 14, 5));
        assertEquals(List.of(1L), SparkTrainer.slotsOf(4, 8, 14, 5));
        assertEquals(List.of(2L), SparkTrainer.slotsOf(0, 8, 14, 5));
    }
}
