package ai.posttrain.model;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark runs end to end at toy sizes and reports every key the CLI prints. */
class BenchmarkTest {

    @Test
    void reportsAllKeys() {
        Map<String, Object> r = new Benchmark(new Benchmark.Settings(
                new ModelConfig(20, 32, 2, 4, 64, 8, ModelConfig.ROTARY, false),
                new ModelConfig(20, 16, 1, 2, 32, 8, ModelConfig.ROTARY, false), 2, 8, 1, 1, 64, 2, 3, 6, 2)).run();
        for (String key : new String[]{"gemm_gflops", "train.teacher.tokens_per_s", "train.teacher.mfu",
                "train.student.tokens_per_s", "train.student.mfu", "sample.cached_tokens_per_s", "sample.uncached_tokens_per_s"}) {
            assertTrue(r.get(key) instanceof Double d && d > 0 && Double.isFinite(d), key + " = " + r.get(key));
        }
    }
}
