package ai.posttrain.model;

import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Measures, in one process: the ND4J gemm peak, local training throughput (ComputationGraph.fit) of
 * the teacher and student with MFU against that peak, and sampler throughput with and without the
 * KV cache. Training uses DL4J's softmax + sparse cross-entropy output layer as lm_head.
 */
public final class Benchmark {

    /** What to measure and at which sizes. */
    public record Settings(int vocab, int minibatch, int seqLen, int warmupSteps, int trainSteps,
                           int gemmSize, int sampleBatch, int promptLen, int newTokens) {
        public static Settings defaults(int vocab) {
            return new Settings(vocab, 16, 128, 2, 6, 1024, 4, 8, 256);
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
        double peak = gemmGflops(s.gemmSize());
        out.put("gemm_gflops", peak);
        train("teacher", ModelConfig.teacher(s.vocab()), peak, out);
        ModelConfig student = ModelConfig.student(s.vocab());
        train("student", student, peak, out);
        sample(student, out);
        return out;
    }

    /** Large square float gemm, best of several runs. */
    public static double gemmGflops(int n) {
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n), b = Nd4j.rand(DataType.FLOAT, n, n), c = Nd4j.create(DataType.FLOAT, n, n);
        Nd4j.gemm(a, b, c, false, false, 1.0, 0.0); // warm-up
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return 2.0 * n * n * n / best / 1e9;
    }

    /** Model FLOPs per trained token: 6 per parameter (forward + backward) plus attention score/mix products. */
    public static double trainFlopsPerToken(ModelConfig cfg, int seqLen) {
        return 6.0 * cfg.parameterCount() + 3.0 * cfg.attentionFlopsPerToken(seqLen);
    }

    private void train(String name, ModelConfig cfg, double peakGflops, Map<String, Object> out) {
        ModelConfig sized = withMaxLen(cfg, s.seqLen());
        ComputationGraph g = TransformerGraph.build(sized, head(sized), new Adam(1e-4), 1);
        MultiDataSet batch = randomBatch(s.minibatch(), s.seqLen(), s.vocab(), new Random(1));
        for (int i = 0; i < s.warmupSteps(); i++) g.fit(batch);
        long t0 = System.nanoTime();
        for (int i = 0; i < s.trainSteps(); i++) g.fit(batch);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double tokensPerS = (double) s.minibatch() * s.seqLen() * s.trainSteps() / seconds;
        out.put("train." + name + ".params", cfg.parameterCount());
        out.put("train." + name + ".step_ms", seconds * 1000 / s.trainSteps());
        out.put("train." + name + ".tokens_per_s", tokensPerS);
        out.put("train." + name + ".mfu", tokensPerS * trainFlopsPerToken(sized, s.seqLen()) / (peakGflops * 1e9));
    }

    private void sample(ModelConfig cfg, Map<String, Object> out) {
        ModelConfig sized = withMaxLen(cfg, s.promptLen() + s.newTokens());
        ComputationGraph g = TransformerGraph.build(sized, head(sized), new Adam(1e-4), 2);
        Sampler sampler = new Sampler(g, sized);
        Random r = new Random(3);
        List<int[]> prompts = new ArrayList<>();
        for (int b = 0; b < s.sampleBatch(); b++) prompts.add(r.ints(s.promptLen(), 0, s.vocab()).toArray());
        SamplingOptions opts = SamplingOptions.sample(1.0, 0, 1.0, s.newTokens(), Set.of(), 5);
        sampler.generate(prompts, SamplingOptions.sample(1.0, 0, 1.0, 4, Set.of(), 5)); // warm-up
        long t0 = System.nanoTime();
        int cachedTokens = count(sampler.generate(prompts, opts));
        double cached = cachedTokens / ((System.nanoTime() - t0) / 1e9);
        t0 = System.nanoTime();
        int uncachedTokens = count(sampler.generateUncached(prompts, opts));
        double uncached = uncachedTokens / ((System.nanoTime() - t0) / 1e9);
        out.put("sample.model", "student");
        out.put("sample.batch", s.sampleBatch());
        out.put("sample.new_tokens", s.newTokens());
        out.put("sample.cached_tokens_per_s", cached);
        out.put("sample.uncached_tokens_per_s", uncached);
        out.put("sample.cache_speedup", cached / uncached);
    }

    private static int count(List<Sample> samples) {
        return samples.stream().mapToInt(x -> x.tokens().length).sum();
    }

    private static ModelConfig withMaxLen(ModelConfig c, int maxLen) {
        return new ModelConfig(c.vocab(), c.dModel(), c.layers(), c.heads(), c.dFf(), Math.max(c.maxSeqLen(), maxLen),
                c.positions(), c.tiedEmbeddings());
    }

    private static RnnOutputLayer head(ModelConfig cfg) {
        return new RnnOutputLayer.Builder(new LossSparseMCXENT()).activation(Activation.SOFTMAX)
                .nIn(cfg.dModel()).nOut(cfg.vocab()).build();
    }

    static MultiDataSet randomBatch(int mb, int t, int vocab, Random r) {
        float[] ids = new float[mb * t], labels = new float[mb * t], mask = new float[mb * t];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = r.nextInt(vocab);
            labels[i] = r.nextInt(vocab);
            mask[i] = 1;
        }
        INDArray m = Nd4j.create(mask, new long[]{mb, t});
        return new MultiDataSet(new INDArray[]{Nd4j.create(ids, new long[]{mb, 1, t})},
                new INDArray[]{Nd4j.create(labels, new long[]{mb, 1, t})}, new INDArray[]{m}, new INDArray[]{m.dup()});
    }

    /** Runs the default benchmark (vocab from the first argument, default 300) and prints the results. */
    public static void main(String[] args) {
        int vocab = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        new Benchmark(Settings.defaults(vocab)).run().forEach((k, v) -> System.out.println(k + " = " + v));
    }
}
