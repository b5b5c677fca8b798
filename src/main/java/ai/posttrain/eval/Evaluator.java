package ai.posttrain.eval;

import ai.posttrain.model.ModelBytes;
import ai.posttrain.model.Sample;
import ai.posttrain.model.Sampler;
import ai.posttrain.model.SamplingOptions;
import ai.posttrain.tokenizer.ChatTemplate;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Greedy decoding of held-out prompts on the executors, scored by each record's domain verifier.
 * The model travels as a broadcast; each task restores its own copy and decodes its items in batches.
 */
public final class Evaluator {
    private final JavaSparkContext sc;
    private final ChatTemplate template;
    private final int maxNewTokens;
    private final int batchSize;

    public Evaluator(JavaSparkContext sc, ChatTemplate template, int maxNewTokens, int batchSize) {
        this.sc = sc;
        this.template = template;
        this.maxNewTokens = maxNewTokens;
        this.batchSize = batchSize;
    }

    public EvalReport evaluate(ModelBytes model, List<EvalItem> items) {
        if (items.isEmpty()) throw new IllegalArgumentException("nothing to evaluate");
        Broadcast<ModelBytes> shared = sc.broadcast(model);
        ChatTemplate chat = template;
        int maxNew = Math.min(maxNewTokens, model.config().maxSeqLen() - 1);
        int batch = batchSize;
        try {
            List<EvalOutcome> outcomes = sc.parallelize(items, Math.max(1, sc.defaultParallelism()))
                    .mapPartitions((Iterator<EvalItem> it) -> decodeAndScore(it, shared.value(), chat, maxNew, batch))
                    .collect();
            return EvalReport.of(outcomes);
        } finally {
            shared.destroy();
        }
    }

    private static Iterator<EvalOutcome> decodeAndScore(Iterator<EvalItem> items, ModelBytes model, ChatTemplate chat,
                                                        int maxNewTokens, int batchSize) {
        List<EvalOutcome> out = new ArrayList<>();
        if (!items.hasNext()) return out.iterator();
        Sampler sampler = model.sampler();
        DomainScorer scorer = new DomainScorer();
        Set<Integer> stop = Set.copyOf(chat.stopIds()); // every id that ends a turn, not only END_OF_TURN
        List<EvalItem> batch = new ArrayList<>(batchSize);
        while (items.hasNext()) {
            batch.add(items.next());
            if (batch.size() == batchSize || !items.hasNext()) {
                List<int[]> prompts = new ArrayList<>(batch.size());
                for (EvalItem item : batch) prompts.add(chat.render(item.prompt(), true).ids());
                List<Sample> samples = sampler.generateFitting(prompts, SamplingOptions.greedy(maxNewTokens, stop));
                for (int i = 0; i < batch.size(); i++) {
                    Sample s = samples.get(i);
                    String completion = chat.decodeCompletion(s.tokens());
                    out.add(scorer.score(batch.get(i), completion, Sample.STOP.equals(s.finishReason()), s.tokens().length));
                }
                batch.clear();
            }
        }
        return out.iterator();
    }
}
