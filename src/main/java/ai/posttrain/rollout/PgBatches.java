package ai.posttrain.rollout;

import ai.posttrain.model.head.LabelLayout;
import ai.posttrain.model.head.PackedLabels;
import ai.posttrain.tokenizer.ChatTemplate;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Policy-gradient minibatches from scored rollouts: each completion is a {@code pg} row over its
 * sampled tokens (inputs: prompt then completion), with the sampler's log-probs as old log-probs, the
 * reference's per-token log-probs and the group advantage. Every minibatch holds exactly {@code rows}
 * sequences; each epoch is a fresh seeded shuffle.
 */
public final class PgBatches {
    private PgBatches() {}

    /** One trainable completion. */
    public record Example(int[] prompt, int[] tokens, float[] oldLogp, float[] refLogp, double advantage) implements Serializable {
        int length() { return prompt.length + tokens.length - 1; }
    }

    /** The rows with an advantage (rows of equal-reward groups have none and are left out). */
    public static List<Example> examples(List<Row> rows, ChatTemplate template) {
        List<Example> out = new ArrayList<>();
        for (Row r : rows) {
            int ai = r.fieldIndex("advantage");
            if (r.isNullAt(ai)) continue;
            int[] tokens = RolloutRows.ints(r, "token_ids");
            if (tokens.length == 0) continue;
            out.add(new Example(RolloutGenerator.render(template, r.getString(r.fieldIndex("prompt"))), tokens,
                    RolloutRows.floats(r, "logprobs"), RolloutRows.floats(r, "ref_logprobs"), r.getDouble(ai)));
        }
        return out;
    }

    /** {@code epochs} shuffled passes, cut into groups of exactly {@code rows} (the last one completed from the pass's start). */
    public static List<List<Example>> plan(List<Example> examples, int rows, int epochs, long seed) {
        List<List<Example>> out = new ArrayList<>();
        if (examples.isEmpty()) return out;
        for (int e = 0; e < epochs; e++) {
            List<Example> order = new ArrayList<>(examples);
            Collections.shuffle(order, new Random(seed * 31 + e));
            for (int from = 0; from < order.size(); from += rows) {
                List<Example> batch = new ArrayList<>(order.subList(from, Math.min(order.size(), from + rows)));
                for (int i = 0; batch.size() < rows; i++) batch.add(order.get(i % order.size()));
                out.add(batch);
            }
        }
        return out;
    }

    /** One minibatch: inputs {@code [rows, 1, T]}, feature mask, pg labels and label mask on completion tokens. */
    public static MultiDataSet batch(List<Example> batch) {
        int t = 1;
        for (Example e : batch) t = Math.max(t, e.length());
        int rows = batch.size();
        float[] ids = new float[rows * t], fmask = new float[rows * t];
        PackedLabels.Builder labels = PackedLabels.builder(LabelLayout.withTopK(0), t);
        for (int r = 0; r < rows; r++) {
            Example e = batch.get(r);
            int n = e.length(), p = e.prompt().length;
            int[] seq = new int[n + 1];
            System.arraycopy(e.prompt(), 0, seq, 0, p);
            System.arraycopy(e.tokens(), 0, seq, p, e.tokens().length);
            int[] targets = new int[n];
            float[] mask = new float[n], old = new float[n], ref = e.refLogp() == null ? null : new float[n];
            for (int i = 0; i < n; i++) {
                ids[r * t + i] = seq[i];
                fmask[r * t + i] = 1f;
                targets[i] = seq[i + 1];
            }
            for (int j = 0; j < e.tokens().length; j++) {
                mask[p - 1 + j] = 1f;
                old[p - 1 + j] = e.oldLogp()[j];
                if (ref != null) ref[p - 1 + j] = e.refLogp()[j];
            }
            labels.pg(targets, mask, old, ref, e.advantage());
        }
        PackedLabels packed = labels.build(DataType.FLOAT);
        return new org.nd4j.linalg.dataset.MultiDataSet(
                new INDArray[]{Nd4j.create(ids, new long[]{rows, 1, t}, 'c')}, new INDArray[]{packed.labels()},
                new INDArray[]{Nd4j.create(fmask, new long[]{rows, t}, 'c')}, new INDArray[]{packed.mask()});
    }
}
