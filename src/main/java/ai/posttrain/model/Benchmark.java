package ai.posttrain.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import ai.posttrain.model.head.LabelLayout;
import ai.posttrain.model.head.LmHeadOutputLayer;
import ai.posttrain.model.head.PackedLabels;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Measures, in one process: the ND4J gemm peak, local training throughput (ComputationGraph.fit) of
 * the teacher and student with MFU against that peak, and sampler throughput with and without the
 * KV cache (batched and unbatched). Training uses DL4J's softmax + sparse cross-entropy output layer as lm_head.
 */
public final class Benchmark {

    /** What to measure and at which sizes. */
    public record Settings(ModelConfig teacher, ModelConfig student, int minibatch, int seqLen, int warmupSteps, int trainSteps,
                           int gemmSize, int sampleBatch, int promptLen, int newTokens, int workers) {
        /** mb 16 x T 128, one training worker per core (as local[*] Spark runs them). */
        public static Settings defaults(ModelConfig teacher, ModelConfig student) {
            return new Settings(teacher, student, 16, 128, 2, 6, 1024, 8, 8, 256, Runtime.getRuntime().availableProcessors());
        }
    }

    private final Settings s;

    public Benchmark(Settings settings) {
        this.s = settings;
    }

    /** Flat keys: gemm_gflops, train.{teacher,student}.{tokens_per_s,mfu,params,step_ms}, sample.*, conditions. */
    public Map<String, Object> run() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("omp_num_threads", String.valueOf(System.getenv("OMP_NUM_THREADS")));
        int threads = s.workers();
        out.put("workers", threads);
        double peak = gemmGflops(s.gemmSize(), threads);
        out.put("gemm_gflops", peak);
        train("teacher", s.teacher(), peak, threads, out);
        train("student", s.student(), peak, threads, out);
        sample(s.student(), out);
        return out;
    }

    /** Large square float gemm, best of several runs. */
    public static double gemmGflops(int n) {
        return gemmGflops(n, 1);
    }

    /**
     * The machine's matrix-multiply peak as the trainer uses it: {@code threads} concurrent large
     * square float gemms (one per Spark worker thread), total GFLOP/s, best of several rounds.
     */
    public static double gemmGflops(int n, int threads) {
        double best = 0;
        for (int round = 0; round < 4; round++) {
            double seconds = concurrently(threads, w -> {
                INDArray a = Nd4j.rand(DataType.FLOAT, n, n), b = Nd4j.rand(DataType.FLOAT, n, n), c = Nd4j.create(DataType.FLOAT, n, n);
                Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
                return () -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            });
            best = Math.max(best, threads * 2.0 * n * n * n / seconds / 1e9);
        }
        return best;
    }

    /**
     * Runs {@code threads} workers at once: each prepares its own state (untimed), then all start
     * together and the wall time of the timed parts is returned.
     */
    static double concurrently(int threads, java.util.function.IntFunction<Runnable> prepare) {
        java.util.concurrent.CyclicBarrier ready = new java.util.concurrent.CyclicBarrier(threads + 1);
        java.util.concurrent.CyclicBarrier done = new java.util.concurrent.CyclicBarrier(threads + 1);
        List<Thread> workers = new ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        for (int w = 0; w < threads; w++) {
            int id = w;
            Thread t = new Thread(() -> {
                try {
                    Runnable timed = prepare.apply(id);
                    ready.await();
                    timed.run();
                    done.await();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    ready.reset();
                    done.reset();
                }
            }, "bench-worker-" + w);
            t.start();
            workers.add(t);
        }
        try {
            ready.await();
            long t0 = System.nanoTime();
            done.await();
            long elapsed = System.nanoTime() - t0;
            for (Thread t : workers) t.join();
            return elapsed / 1e9;
        } catch (Exception e) {
            throw new IllegalStateException("benchmark worker failed", failure.get() != null ? failure.get() : e);
        }
    }

    /**
     * Model FLOPs per trained token: 6 per matmul parameter (forward + backward; embedding lookups, norms and
     * biases are not matmuls) plus attention score/mix products.
     */
    public static double trainFlopsPerToken(ModelConfig cfg, int seqLen) {
        return 6.0 * cfg.matmulParameterCount() + 3.0 * cfg.attentionFlopsPerToken(seqLen);
    }

    /** Training throughput of {@code threads} data-parallel workers, each fitting its own copy (as Spark's workers do). */
    private void train(String name, ModelConfig cfg, double peakGflops, int threads, Map<String, Object> out) {
        ModelConfig sized = withMaxLen(cfg, s.seqLen());
        double seconds = concurrently(threads, w -> {
            ComputationGraph g = LanguageModels.create(sized, new LmHeadOutputLayer.Builder(), 1e-4, 1.0, 1 + w);
            MultiDataSet batch = randomBatch(s.minibatch(), s.seqLen(), cfg.vocab(), new Random(1 + w));
            for (int i = 0; i < s.warmupSteps(); i++) g.fit(batch);
            return () -> {
                for (int i = 0; i < s.trainSteps(); i++) g.fit(batch);
            };
        });
        double tokensPerS = (double) threads * s.minibatch() * s.seqLen() * s.trainSteps() / seconds;
        out.put("train." + name + ".params", cfg.parameterCount());
        out.put("train." + name + ".step_ms", seconds * 1000 / s.trainSteps());
        out.put("train." + name + ".tokens_per_s", tokensPerS);
        out.put("train." + name + ".mfu", tokensPerS * trainFlopsPerToken(sized, s.seqLen()) / (peakGflops * 1e9));
    }

    /**
     * Sampler throughput of the student with and without the KV cache, at equal batching: the whole batch
     * decoded together, and the same prompts one at a time. Only the cache differs within a pair, so each
     * {@code cache_speedup} is the cache's alone; {@code batching_speedup} is batching's, both cached.
     */
    private void sample(ModelConfig cfg, Map<String, Object> out) {
        ModelConfig sized = withMaxLen(cfg, s.promptLen() + s.newTokens());
        ComputationGraph g = LanguageModels.create(sized, new LmHeadOutputLayer.Builder(), 1e-4, 1.0, 2);
        Sampler sampler = new Sampler(g, sized);
        Random r = new Random(3);
        List<int[]> prompts = new ArrayList<>();
        for (int b = 0; b < s.sampleBatch(); b++) prompts.add(r.ints(s.promptLen(), 0, cfg.vocab()).toArray());
        SamplingOptions opts = SamplingOptions.sample(1.0, 0, 1.0, s.newTokens(), Set.of(), 5);
        sampler.generate(prompts, SamplingOptions.sample(1.0, 0, 1.0, 4, Set.of(), 5)); // warm-up
        double batchedCached = tokensPerSecond(() -> sampler.generate(prompts, opts));
        double batchedUncached = tokensPerSecond(() -> sampler.generateUncached(prompts, opts));
        double unbatchedCached = tokensPerSecond(() -> oneAtATime(prompts, p -> sampler.generate(p, opts)));
        double unbatchedUncached = tokensPerSecond(() -> oneAtATime(prompts, p -> sampler.generateUncached(p, opts)));
        out.put("sample.model", "student");
        out.put("sample.batch", s.sampleBatch());
        out.put("sample.new_tokens", s.newTokens());
        putPair(out, "sample.batched", batchedCached, batchedUncached);
        putPair(out, "sample.unbatched", unbatchedCached, unbatchedUncached);
        out.put("sample.batching_speedup", batchedCached / unbatchedCached);
    }

    /** {@code prefix.cached_tokens_per_s}, {@code .uncached_tokens_per_s} and their ratio {@code .cache_speedup}. */
    static void putPair(Map<String, Object> out, String prefix, double cached, double uncached) {
        out.put(prefix + ".cached_tokens_per_s", cached);
        out.put(prefix + ".uncached_tokens_per_s", uncached);
        out.put(prefix + ".cache_speedup", cached / uncached);
    }

    private static List<Sample> oneAtATime(List<int[]> prompts, java.util.function.Function<List<int[]>, List<Sample>> generate) {
        List<Sample> all = new ArrayList<>();
        for (int[] p : prompts) all.addAll(generate.apply(List.of(p)));
        return all;
    }

    /** New tokens per second of one timed generation. */
    private static double tokensPerSecond(java.util.function.Supplier<List<Sample>> generation) {
        long t0 = System.nanoTime();
        int tokens = count(generation.get());
        return tokens / ((System.nanoTime() - t0) / 1e9);
    }

    private static int count(List<Sample> samples) {
        return samples.stream().mapToInt(x -> x.tokens().length).sum();
    }

    private static ModelConfig withMaxLen(ModelConfig c, int maxLen) {
        return c.withMaxSeqLen(Math.max(c.maxSeqLen(), maxLen));
    }

    /** Random token sequences with every position trained by the sft objective (the SFT stages' batches). */
    static MultiDataSet randomBatch(int mb, int t, int vocab, Random r) {
        float[] ids = new float[mb * t], mask = new float[mb * t];
        PackedLabels.Builder labels = PackedLabels.builder(LabelLayout.withTopK(0), t);
        float[] rowMask = new float[t];
        java.util.Arrays.fill(rowMask, 1f);
        for (int b = 0; b < mb; b++) {
            int[] targets = new int[t];
            for (int i = 0; i < t; i++) {
                ids[b * t + i] = r.nextInt(vocab);
                targets[i] = r.nextInt(vocab);
                mask[b * t + i] = 1;
            }
            labels.sft(targets, rowMask);
        }
        PackedLabels packed = labels.build(DataType.FLOAT);
        return new MultiDataSet(new INDArray[]{Nd4j.create(ids, new long[]{mb, 1, t})}, new INDArray[]{packed.labels()},
                new INDArray[]{Nd4j.create(mask, new long[]{mb, t})}, new INDArray[]{packed.mask()});
    }
}
