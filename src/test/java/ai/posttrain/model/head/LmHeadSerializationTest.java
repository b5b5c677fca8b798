package ai.posttrain.model.head;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The head survives DL4J's JSON configuration and ModelSerializer zip round trips with all its settings. */
class LmHeadSerializationTest {
    @Test
    void jsonAndModelSerializerRoundTrip(@TempDir Path dir) throws Exception {
        ComputationGraph net = LmHeadGradientCheckTest.graph(3);
        ComputationGraphConfiguration conf = net.getConfiguration();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        Layer head = ((LayerVertex) back.getVertices().get("head")).getLayerConf().getLayer();
        LmHeadOutputLayer h = assertInstanceOf(LmHeadOutputLayer.class, head);
        assertEquals(new HeadSettings(0.8, 1.2, 1.0, 0.9, 1.5, 0.7, 0.2, 0.3, 0.2, 0.6), h.settings());

        File zip = dir.resolve("model.zip").toFile();
        ModelSerializer.writeModel(net, zip, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(zip, true);
        assertEquals(net.params(), restored.params());
        assertEquals(net.getConfiguration(), restored.getConfiguration());

        Random rnd = new Random(4);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, LmHeadGradientCheckTest.F, LmHeadGradientCheckTest.T);
        int[][] targets = LmHeadGradientCheckTest.randomTargets(rnd, 2);
        float[] mask = {0, 1, 1, 1};
        PackedLabels labels = PackedLabels.builder(LabelLayout.withTopK(0), LmHeadGradientCheckTest.T)
                .sft(targets[0], mask).sft(targets[1], mask).build(DataType.DOUBLE);
        MultiDataSet data = new MultiDataSet(new INDArray[]{x}, new INDArray[]{labels.labels()}, null,
                new INDArray[]{labels.mask()});
        assertEquals(net.score(data), restored.score(data), 1e-12);
    }
}
