package ai.posttrain.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The measured dependency set: DL4J-on-Spark parameter averaging trains a graph on Spark 3.5. */
class SparkStackSmokeTest {
    @Test
    void parameterAveragingTrainsAGraphOnLocalSpark() {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("smoke")
                .config("spark.ui.enabled", "false")
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .config("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator")
                .getOrCreate();
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(1)
                    .updater(new Adam(0.01)).graphBuilder().addInputs("in")
                    .addLayer("h", new DenseLayer.Builder().nIn(4).nOut(16).activation(Activation.TANH).build(), "in")
                    .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(16).nOut(1)
                            .activation(Activation.IDENTITY).build(), "h")
                    .setOutputs("out").build();
            ComputationGraph net = new ComputationGraph(conf);
            net.init();
            List<MultiDataSet> data = new ArrayList<>();
            Nd4j.getRandom().setSeed(7);
            for (int i = 0; i < 32; i++) {
                INDArray x = Nd4j.rand(16, 4);
                INDArray y = x.sum(true, 1).reshape(16, 1);
                data.add(new org.nd4j.linalg.dataset.MultiDataSet(x, y));
            }
            JavaRDD<MultiDataSet> rdd = sc.parallelize(data, 2);
            ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(16)
                    .batchSizePerWorker(16).averagingFrequency(4).workerPrefetchNumBatches(0).saveUpdater(true).build();
            SparkComputationGraph sparkNet = new SparkComputationGraph(sc, net, tm);
            double before = net.score(data.get(0));
            for (int epoch = 0; epoch < 5; epoch++) sparkNet.fitMultiDataSet(rdd);
            double after = sparkNet.getNetwork().score(data.get(0));
            assertTrue(after < before * 0.5, "loss " + before + " -> " + after);
        } finally {
            spark.stop();
        }
    }
}
