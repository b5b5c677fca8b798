package ai.posttrain.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;

import static org.junit.jupiter.api.Assertions.*;

class ModelConfigTest {

    @Test
    void parameterCountMatchesTheBuiltGraph() {
        for (String positions : new String[]{ModelConfig.LEARNED, ModelConfig.ROTARY}) {
            ModelConfig cfg = new ModelConfig(50, 16, 2, 4, 32, 12, positions, false);
            ComputationGraph g = TestGraphs.graph(cfg, new NoOp(), 1, DataType.FLOAT);
            assertEquals(g.numParams(), cfg.parameterCount(), positions);
        }
    }

    @Test
    void studentIsAtMostAQuarterOfTheTeacher() {
        for (int vocab : new int[]{300, 32000}) {
            ModelConfig teacher = ModelConfig.teacher(vocab), student = ModelConfig.student(vocab);
            assertEquals(256, teacher.dModel());
            assertEquals(4, teacher.layers());
            assertTrue(student.parameterCount() * 4 <= teacher.parameterCount(),
                    "vocab " + vocab + ": student " + student.parameterCount() + " vs teacher " + teacher.parameterCount());
        }
    }

    @Test
    void rejectsInvalidArchitectures() {
        assertThrows(IllegalArgumentException.class, () -> new ModelConfig(50, 10, 2, 4, 32, 12, ModelConfig.LEARNED, false));
        assertThrows(IllegalArgumentException.class, () -> new ModelConfig(50, 16, 2, 4, 32, 12, "alibi", false));
        IllegalArgumentException tied = assertThrows(IllegalArgumentException.class,
                () -> new ModelConfig(50, 16, 2, 4, 32, 12, ModelConfig.ROTARY, true));
        assertTrue(tied.getMessage().contains("tiedEmbeddings"));
    }
}
