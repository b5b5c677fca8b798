package ai.posttrain.model;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The benchmark's figures: FLOPs counted by hand for tiny configs, ratios from their own parts, every key present. */
class BenchmarkTest {
    static final ModelConfig TEACHER = new ModelConfig(20, 32, 2, 4, 64, 8, ModelConfig.ROTARY, false);
    static final ModelConfig STUDENT = new ModelConfig(20, 16, 1, 2, 32, 8, ModelConfig.ROTARY, false);

    @Test
    void trainFlopsPerTokenCountsEveryMatmulByHand() {
        // gpt, d 32, 2 layers, d_ff 64, vocab 20, T 8. Per layer: q|k|v 32x96, attention output 32x32, MLP 32x64 + 64x32.
        long perLayer = 32 * 96 + 32 * 32 + 32 * 64 + 64 * 32;          // 8192
        long matmul = 2 * perLayer + 32 * 20;                           // + lm_head 32x20 = 17024 (embedding lookup: no matmul)
        double attention = 2 /* layers */ * 2 /* QK^T and AV */ * 2 /* FLOPs per MAC */ * 8 /* T */ * 32 /* d */;   // forward
        assertEquals(6.0 * matmul + 3 * attention, Benchmark.trainFlopsPerToken(TEACHER, 8), 1e-9);
        assertEquals(108_288.0, Benchmark.trainFlopsPerToken(TEACHER, 8), 1e-9);

        // llama, grouped-query attention: 4 query heads and 2 key/value heads of size 8, SwiGLU (three d x d_ff matrices).
        ModelConfig llama = ModelConfig.llama(20, 32, 1, 4, 2, 64, 8, false, 10000, 1e-5, false);
        long llamaMatmul = 32 * (4 + 2 + 2) * 8 + 32 * 32 + 3 * 32 * 64 + 32 * 20;   // 2048 + 1024 + 6144 + 640 = 9856
        assertEquals(6.0 * llamaMatmul + 3 * (1 * 2 * 2 * 16 * 32), Benchmark.trainFlopsPerToken(llama, 16), 1e-9);
    }

    @Test
    void eachCacheSpeedUpIsCachedOverUncachedAtTheSameBatching() {
        Map<String, Object> out = new LinkedHashMap<>();
        Benchmark.putPair(out, "sample.batched", 300.0, 120.0);
        assertEquals(2.5, (Double) out.get("sample.batched.cache_speedup"), 1e-12);
        assertEquals(300.0, out.get("sample.batched.cached_tokens_per_s"));
        assertEquals(120.0, out.get("sample.batched.uncached_tokens_per_s"));
    }

    @Test
    void reportsEveryKeyConsistently() {
        Map<String, Object> r = new Benchmark(new Benchmark.Settings(TEACHER, STUDENT, 2, 8, 1, 1, 64, 2, 3, 6, 2)).run();
        for (String key : new String[]{"gemm_gflops", "train.teacher.tokens_per_s", "train.teacher.mfu",
                "train.student.tokens_per_s", "train.student.mfu", "sample.batched.cached_tokens_per_s",
                "sample.batched.uncached_tokens_per_s", "sample.unbatched.cached_tokens_per_s",
                "sample.unbatched.uncached_tokens_per_s", "sample.batching_speedup"}) {
            assertTrue(r.get(key) instanceof Double d && d > 0 && Double.isFinite(d), key + " = " + r.get(key));
        }
        for (String batching : new String[]{"batched", "unbatched"}) {
            double cached = (Double) r.get("sample." + batching + ".cached_tokens_per_s");
            double uncached = (Double) r.get("sample." + batching + ".uncached_tokens_per_s");
            assertEquals(cached / uncached, (Double) r.get("sample." + batching + ".cache_speedup"), 1e-9, batching);
        }
        assertEquals((Double) r.get("sample.batched.cached_tokens_per_s") / (Double) r.get("sample.unbatched.cached_tokens_per_s"),
                (Double) r.get("sample.batching_speedup"), 1e-9);
        // MFU = achieved model FLOP/s over the measured gemm peak, with the hand-checked FLOPs per token.
        for (String model : new String[]{"teacher", "student"}) {
            ModelConfig cfg = model.equals("teacher") ? TEACHER : STUDENT;
            double expected = (Double) r.get("train." + model + ".tokens_per_s") * Benchmark.trainFlopsPerToken(cfg, 8)
                    / ((Double) r.get("gemm_gflops") * 1e9);
            assertEquals(expected, (Double) r.get("train." + model + ".mfu"), expected * 1e-9, model);
        }
        assertEquals(STUDENT.parameterCount(), ((Number) r.get("train.student.params")).longValue());
    }
}
