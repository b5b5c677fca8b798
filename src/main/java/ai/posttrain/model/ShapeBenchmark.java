package ai.posttrain.model;

import ai.posttrain.model.head.LmHeadOutputLayer;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * One architecture at real size with random weights (e.g. {@code smollm2-135m}), all threads on one model as a
 * single executor runs it: training tokens/s and MFU (AdamW-like Adam + the multi-objective head, sft loss),
 * KV-cached sampling tokens/s for one sequence and for a batch, and the process's peak memory.
 * MFU counts 6 FLOPs per matmul parameter per token (embedding lookups are not FLOPs) plus attention.
 * Every rate is given per wall second and per CPU second of this process: on a shared machine the CPU-second
 * figure is what the work costs (with one thread it is the idle-machine rate), the wall figure what it took.
 */
public final class ShapeBenchmark {

    /** What to measure. */
    public record Settings(ModelConfig shape, int minibatch, int seqLen, int warmupSteps, int trainSteps, int promptLen,
                           int newTokens, int sampleBatch, int threads) {
        public static Settings defaults(ModelConfig shape, int threads) {
            return new Settings(shape, 4, 256, 1, 3, 32, 64, 8, threads);
        }
    }

    private final Settings s;

    public ShapeBenchmark(Settings settings) {
        this.s = settings;
    }

    public Map<String, Object> run() {
        Map<String, Object> out = new LinkedHashMap<>();
        ModelConfig cfg = s.shape().withMaxSeqLen(Math.max(s.seqLen(), s.promptLen() + s.newTokens()));
        Nd4j.getEnvironment().setMaxThreads(s.threads());
        Nd4j.factory().blas().setMaxThreads(s.threads());   // one model uses every core, as a lone executor would
        out.put("threads", s.threads());
        out.put("params", cfg.parameterCount());
        out.put("matmul_params", cfg.matmulParameterCount());
        double[] gemm = gemmPeak(2048, 4);
        double peak = gemm[0], peakPerCpu = gemm[1];
        out.put("gemm_gflops", peak);
        out.put("gemm_gflops_per_cpu_s_x_threads", peakPerCpu);

        ComputationGraph g = LanguageModels.create(cfg, new LmHeadOutputLayer.Builder(), 1e-4, 1.0, 1);
        MultiDataSet batch = Benchmark.randomBatch(s.minibatch(), s.seqLen(), cfg.vocab(), new Random(1));
        for (int i = 0; i < s.warmupSteps(); i++) g.fit(batch);
        Timer train = Timer.start();
        for (int i = 0; i < s.trainSteps(); i++) g.fit(batch);
        double tokens = (double) s.minibatch() * s.seqLen() * s.trainSteps();
        double tokensPerS = tokens / train.wallSeconds(), tokensPerCpuS = tokens / train.cpuSeconds();
        out.put("train.minibatch", s.minibatch());
        out.put("train.seq_len", s.seqLen());
        out.put("train.step_s", train.wallSeconds() / s.trainSteps());
        out.put("train.tokens_per_s", tokensPerS);
        out.put("train.tokens_per_cpu_s_x_threads", tokensPerCpuS * s.threads());
        out.put("train.mfu", tokensPerS * Benchmark.trainFlopsPerToken(cfg, s.seqLen()) / (peak * 1e9));
        out.put("train.mfu_cpu", tokensPerCpuS * s.threads() * Benchmark.trainFlopsPerToken(cfg, s.seqLen()) / (peakPerCpu * 1e9));

        Sampler sampler = new Sampler(g, cfg);
        Random r = new Random(3);
        out.put("sample.prompt_len", s.promptLen());
        out.put("sample.new_tokens", s.newTokens());
        sampler.generate(prompts(1, cfg, r), SamplingOptions.greedy(4, Set.of()));   // warm-up
        double[] single = sampleRate(sampler, prompts(1, cfg, r));
        out.put("sample.single_tokens_per_s", single[0]);
        out.put("sample.single_tokens_per_cpu_s_x_threads", single[1] * s.threads());
        out.put("sample.batch", s.sampleBatch());
        double[] batched = sampleRate(sampler, prompts(s.sampleBatch(), cfg, r));
        out.put("sample.batch_tokens_per_s", batched[0]);
        out.put("sample.batch_tokens_per_cpu_s_x_threads", batched[1] * s.threads());
        out.put("memory.peak_rss_mb", peakRssMb());
        out.put("memory.offheap_max_mb", OffHeapGuard.cap() / (1 << 20));
        return out;
    }

    /** Square float gemms with every thread on one product: best GFLOP/s per wall second, and per CPU second x threads. */
    private double[] gemmPeak(int n, int rounds) {
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n), b = Nd4j.rand(DataType.FLOAT, n, n), c = Nd4j.create(DataType.FLOAT, n, n);
        Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        double bestWall = 0, bestCpu = 0, flops = 2.0 * n * n * n;
        for (int i = 0; i < rounds; i++) {
            Timer t = Timer.start();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            bestWall = Math.max(bestWall, flops / t.wallSeconds() / 1e9);
            bestCpu = Math.max(bestCpu, flops / t.cpuSeconds() / 1e9 * s.threads());
        }
        return new double[]{bestWall, bestCpu};
    }

    private List<int[]> prompts(int n, ModelConfig cfg, Random r) {
        List<int[]> prompts = new ArrayList<>();
        for (int b = 0; b < n; b++) prompts.add(r.ints(s.promptLen(), 0, cfg.vocab()).toArray());
        return prompts;
    }

    /** Greedy tokens generated per wall and per CPU second (prefill included), exactly newTokens per sequence. */
    private double[] sampleRate(Sampler sampler, List<int[]> prompts) {
        Timer timer = Timer.start();
        int tokens = sampler.generate(prompts, SamplingOptions.greedy(s.newTokens(), Set.of()))
                .stream().mapToInt(x -> x.tokens().length).sum();
        return new double[]{tokens / timer.wallSeconds(), tokens / timer.cpuSeconds()};
    }

    /** Wall and process CPU time since start. */
    private record Timer(long wall0, long cpu0) {
        private static final com.sun.management.OperatingSystemMXBean OS =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

        static Timer start() {
            return new Timer(System.nanoTime(), OS.getProcessCpuTime());
        }

        double wallSeconds() {
            return (System.nanoTime() - wall0) / 1e9;
        }

        double cpuSeconds() {
            return (OS.getProcessCpuTime() - cpu0) / 1e9;
        }
    }

    /** The process's peak resident memory (VmHWM; Linux), heap and ND4J's off-heap buffers together. */
    static long peakRssMb() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")))
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
        } catch (java.io.IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
