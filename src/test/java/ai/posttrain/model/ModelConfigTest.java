package ai.posttrain.model;

import ai.posttrain.config.PosttrainConfig;
import ai.posttrain.stage.StageContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.List;

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
    void defaultStudentIsUnderThirtyPercentOfTheDefaultTeacher() {
        // Was a quarter: the third student layer (0.28 of the teacher) is what reaches 0.90 on held-out sums (reference.conf).
        PosttrainConfig defaults = PosttrainConfig.load(null, List.of());
        int vocab = StageContext.tokenizerFor(defaults).vocabSize();   // the default byte tokenizer
        ModelConfig teacher = ModelConfig.of(defaults.teacher(), vocab), student = ModelConfig.of(defaults.student(), vocab);
        assertTrue(student.parameterCount() * 10 <= teacher.parameterCount() * 3,
                "student " + student.parameterCount() + " vs teacher " + teacher.parameterCount());
    }

    @Test
    void rejectsInvalidArchitectures() {
        assertThrows(IllegalArgumentException.class, () -> new ModelConfig(50, 10, 2, 4, 32, 12, ModelConfig.LEARNED, false));
        assertThrows(IllegalArgumentException.class, () -> new ModelConfig(50, 16, 2, 4, 32, 12, "alibi", false));
        IllegalArgumentException tied = assertThrows(IllegalArgumentException.class,
                () -> new ModelConfig(50, 16, 2, 4, 32, 12, ModelConfig.ROTARY, true));
        assertTrue(tied.getMessage().contains("untied embeddings"));
        assertThrows(IllegalArgumentException.class, () -> ModelConfig.llama(50, 16, 2, 4, 3, 32, 12, false, 1e4, 1e-5, false));
    }

    @Test
    void llamaParameterCountMatchesTheBuiltGraph() {
        for (boolean bias : new boolean[]{false, true}) {
            ModelConfig cfg = ModelConfig.llama(50, 16, 2, 4, 2, 40, 12, false, 1e4, 1e-5, bias);
            ComputationGraph g = TestGraphs.graph(cfg, new org.nd4j.linalg.learning.config.NoOp(), 1, org.nd4j.linalg.api.buffer.DataType.FLOAT);
            assertEquals(g.numParams(), cfg.parameterCount(), "qkvBias=" + bias);
        }
    }
}
