package ai.posttrain.rollout;

import ai.posttrain.data.Message;
import ai.posttrain.model.ModelBytes;
import ai.posttrain.model.Sample;
import ai.posttrain.model.Sampler;
import ai.posttrain.model.SamplingOptions;
import ai.posttrain.tokenizer.ChatTemplate;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Samples {@code groupSize} completions per prompt on the executors with the KV-cached sampler: the
 * policy travels as a broadcast, each task restores its own copy and decodes its prompts' groups in
 * batches. Each completion has its own random stream from its prompt's id and the seed, so what a prompt samples
 * does not depend on the batch or partition it lands in. One row per completion ({@link RolloutRows#WORK}), not
 * yet scored.
 */
public final class RolloutGenerator {
    /**
     * What a generation call samples. {@code greedy}: argmax decoding (evaluation), else temperature sampling.
     * @param batchRows completions one sampler call decodes together (whole groups, at least one)
     */
    public record Options(String run, String subStage, int iteration, int policyVersion, int groupSize,
                          int maxNewTokens, double temperature, boolean greedy, long seed, int batchRows) implements Serializable {
        int promptsPerBatch() { return Math.max(1, batchRows / groupSize); }
    }

    private final JavaSparkContext sc;
    private final ChatTemplate template;

    public RolloutGenerator(JavaSparkContext sc, ChatTemplate template) {
        this.sc = sc;
        this.template = template;
    }

    public Dataset<Row> generate(SparkSession spark, ModelBytes policy, List<RlPrompt> prompts, Options options) {
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompts to sample");
        Broadcast<ModelBytes> shared = sc.broadcast(policy);
        ChatTemplate chat = template;
        var rows = sc.parallelize(prompts, Math.max(1, Math.min(prompts.size(), sc.defaultParallelism())))
                .mapPartitions(it -> sample(it, shared.value(), chat, options), false);
        return spark.createDataFrame(rows, RolloutRows.WORK);
    }

    private static Iterator<Row> sample(Iterator<RlPrompt> prompts, ModelBytes model, ChatTemplate chat, Options o) {
        List<Row> out = new ArrayList<>();
        if (!prompts.hasNext()) return out.iterator();
        Sampler sampler = model.sampler();
        Set<Integer> stop = Set.copyOf(chat.stopIds()); // every id that ends a turn (Qwen: <|im_end|> and <|endoftext|>)
        List<RlPrompt> batch = new ArrayList<>();
        while (prompts.hasNext()) {
            batch.add(prompts.next());
            if (batch.size() < o.promptsPerBatch() && prompts.hasNext()) continue;
            List<int[]> ids = new ArrayList<>();
            long[] rowSeeds = new long[batch.size() * o.groupSize()];
            int longest = 0;
            for (RlPrompt p : batch) {
                int[] rendered = render(chat, p.prompt());
                longest = Math.max(longest, rendered.length);
                long promptSeed = SamplingOptions.promptSeed(o.seed(), p.id());
                for (int g = 0; g < o.groupSize(); g++) {
                    rowSeeds[ids.size()] = promptSeed + g;
                    ids.add(rendered);
                }
            }
            int room = Math.max(1, Math.min(o.maxNewTokens(), model.config().maxSeqLen() - longest));
            SamplingOptions sampling = o.greedy() ? SamplingOptions.greedy(room, stop)
                    : SamplingOptions.sample(o.temperature(), 0, 1.0, room, stop, 0);
            long t0 = System.nanoTime();
            List<Sample> samples = sampler.generate(ids, sampling, rowSeeds);
            double perSample = (System.nanoTime() - t0) / 1e9 / samples.size();
            for (int i = 0; i < samples.size(); i++) {
                Sample s = samples.get(i);
                out.add(unscored(o, batch.get(i / o.groupSize()), i % o.groupSize(), chat.decodeCompletion(s.tokens()), s.tokens(),
                        s.logProbs(), s.finishReason(), perSample));
            }
            batch.clear();
        }
        return out.iterator();
    }

    /** A completion of {@code p} as a not yet scored row of {@link RolloutRows#WORK}. */
    static Row unscored(Options o, RlPrompt p, int sampleIndex, String completion, int[] tokenIds, double[] logProbs,
                        String finishReason, double sampleSeconds) {
        List<Integer> tokens = new ArrayList<>(tokenIds.length);
        List<Float> lp = new ArrayList<>(tokenIds.length);
        for (int j = 0; j < tokenIds.length; j++) {
            tokens.add(tokenIds[j]);
            lp.add((float) logProbs[j]);
        }
        return RowFactory.create(o.run(), o.subStage(), o.iteration(), o.policyVersion(), p.id(), sampleIndex,
                p.domain(), p.prompt(), completion, RolloutRows.seq(tokens), RolloutRows.seq(lp), null,
                RolloutRows.scalaMap(Map.of()), 0.0, null, null, null, null, false, null,
                finishReason, tokens.size(), sampleSeconds, 0.0, p.answer(), RolloutRows.seq(p.tests()));
    }

    /** The prompt as the model sees it: one user turn, then the assistant's turn opens. */
    public static int[] render(ChatTemplate chat, String prompt) {
        return chat.render(List.of(Message.user(prompt)), true).ids();
    }
}
