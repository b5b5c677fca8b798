package ai.posttrain.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Save/load through the Hadoop FileSystem API with a file: URI gives back the same model, bit for bit. */
class CheckpointsTest {

    @Test
    void roundTripIsBitIdentical(@TempDir Path tmp) throws Exception {
        ReverseTask task = new ReverseTask(3);
        ModelConfig cfg = new ModelConfig(ReverseTask.VOCAB, 16, 2, 2, 32, 8, ModelConfig.LEARNED, false);
        ComputationGraph g = TestGraphs.graph(cfg, new Adam(1e-2), 5, DataType.FLOAT);
        Random r = new Random(1);
        for (int i = 0; i < 3; i++) g.fit(task.batch(task.sequences(8, r))); // non-trivial params and Adam state

        String dir = tmp.resolve("ckpt").toUri().toString(); // file:/...
        ModelInfo info = new ModelInfo(cfg, "byte", "cold-start-sft", 3, Map.of("run", "test-run"));
        Checkpoints.save(g, info, dir);
        assertTrue(Files.exists(tmp.resolve("ckpt").resolve(Checkpoints.MODEL_ZIP)));

        Checkpoints.Loaded loaded = Checkpoints.load(dir);
        assertEquals(info, loaded.info());
        ComputationGraph h = loaded.graph();
        assertEquals(g.params(), h.params());
        assertEquals(g.getUpdater().getStateViewArray(), h.getUpdater().getStateViewArray());

        MultiDataSet batch = task.batch(task.sequences(4, new Random(2)));
        INDArray a = g.output(batch.getFeatures(0))[0];
        INDArray b = h.output(batch.getFeatures(0))[0];
        assertEquals(a, b); // INDArray equality is exact for these arrays' values
        assertEquals(0.0, a.sub(b).amaxNumber().doubleValue(), 0.0);

        // training continues identically from the restored updater state
        MultiDataSet next = task.batch(task.sequences(8, new Random(3)));
        g.fit(next);
        h.fit(next);
        assertEquals(0.0, g.params().sub(h.params()).amaxNumber().doubleValue(), 0.0);
    }
}
