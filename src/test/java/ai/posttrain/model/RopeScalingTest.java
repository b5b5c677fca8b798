package ai.posttrain.model;

import ai.posttrain.model.head.LmHeadOutputLayer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Llama 3 rope scaling: its three frequency bands, and that it travels with checkpoints and reaches the blocks. */
class RopeScalingTest {
    private static final RopeScaling LLAMA32 = RopeScaling.llama3(32.0);

    @Test
    void bandsAreKeptDividedAndJoinedContinuously() {
        // wavelength 2pi/f: below 8192/4 kept, above 8192/1 divided by 32, continuous at both edges in between
        double fast = 2 * Math.PI / 100, slow = 2 * Math.PI / 20000;
        assertEquals(fast, LLAMA32.scale(fast), 0);
        assertEquals(slow / 32, LLAMA32.scale(slow), 0);
        double atHigh = 2 * Math.PI / 2048, atLow = 2 * Math.PI / 8192;
        assertEquals(atHigh, LLAMA32.scale(atHigh * (1 - 1e-9)), atHigh * 1e-8);
        assertEquals(atLow / 32, LLAMA32.scale(atLow * (1 + 1e-9)), atLow * 1e-8);
        double mid = 2 * Math.PI / 4096;
        assertTrue(LLAMA32.scale(mid) < mid && LLAMA32.scale(mid) > mid / 32);
        assertThrows(IllegalArgumentException.class, () -> new RopeScaling(32, 4, 1, 8192));
        assertThrows(IllegalArgumentException.class,   // the gpt architecture has no rope scaling
                () -> new ModelConfig(10, 8, 1, 2, 8, 8, ModelConfig.ROTARY, false).withRopeScaling(LLAMA32));
    }

    @Test
    void checkpointKeepsTheScalingAndTheBlocksApplyIt(@TempDir Path tmp) {
        ModelConfig plain = ModelConfig.llama(17, 32, 2, 4, 2, 48, 32, false, 500000.0, 1e-5, false);
        ModelConfig scaled = plain.withRopeScaling(new RopeScaling(32.0, 1.0, 4.0, 8));
        ComputationGraph g = LanguageModels.create(scaled, new LmHeadOutputLayer.Builder(), 1e-3, 1.0, 5);
        Nd4j.getRandom().setSeed(5);
        g.params().assign(Nd4j.randn(DataType.FLOAT, g.params().shape()).muli(0.3));

        String dir = tmp.resolve("ckpt").toString();
        Checkpoints.save(g, new ModelInfo(scaled, "byte", "test", 0, Map.of()), dir);
        Checkpoints.Loaded loaded = Checkpoints.load(dir);
        assertEquals(scaled, loaded.info().config());
        LlamaBlock block = (LlamaBlock) loaded.graph().getLayer(TransformerGraph.block(1)).conf().getLayer();
        assertEquals(scaled.ropeScaling(), block.ropeScaling());

        INDArray tokens = Nd4j.create(new float[]{1, 5, 9, 2, 7, 3, 11, 4, 8, 6, 10, 12, 13, 14, 15, 16, 0, 2, 4, 6},
                new long[]{1, 1, 20});
        INDArray restored = loaded.graph().output(tokens)[0];
        assertEquals(0.0, g.output(tokens)[0].sub(restored).amaxNumber().doubleValue(), 0.0);
        ComputationGraph unscaled = LanguageModels.create(plain, new LmHeadOutputLayer.Builder(), 1e-3, 1.0, 5);
        unscaled.params().assign(g.params());
        assertTrue(unscaled.output(tokens)[0].sub(restored).amaxNumber().doubleValue() > 1e-3,
                "past the pretraining context of 8 the scaled model computes something else");
    }

    @Test
    void modelJsonWrittenBeforeTheFieldLoadsWithoutScaling() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ModelConfig cfg = ModelConfig.llama(17, 32, 2, 4, 2, 48, 32, true, 1e5, 1e-5, false);
        ObjectNode old = json.valueToTree(cfg);
        old.remove("ropeScaling");
        assertEquals(cfg, json.treeToValue(old, ModelConfig.class));
        ModelConfig scaled = cfg.withRopeScaling(LLAMA32);
        assertEquals(scaled, json.readValue(json.writeValueAsBytes(scaled), ModelConfig.class));
    }
}
