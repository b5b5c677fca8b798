package ai.posttrain.train;

import ai.posttrain.model.head.LabelLayout;
import ai.posttrain.model.head.PackedLabels;
import org.apache.spark.api.java.JavaRDD;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns examples into the MultiDataSets the transformer trains on: input ids {@code [rows, 1, T]}
 * with a feature mask {@code [rows, T]}, and packed labels {@code [rows, C, T]} with a label mask,
 * where the target at position t is token t+1. Every minibatch holds exactly {@code rows} sequences
 * (padded at the end to the batch's longest), so DL4J-on-Spark never re-splits them.
 */
public final class Minibatches {
    private Minibatches() {}

    /** Minibatches per length-bucketing window: sequences of similar length share a minibatch. */
    public static final int WINDOW_BATCHES = 8;

    /**
     * SFT minibatches in a seeded shuffled order. Within windows of {@value #WINDOW_BATCHES}
     * minibatches, sequences are sorted by length before they are cut into minibatches, so little
     * compute goes to padding. An incomplete last minibatch is completed with its window's first examples.
     */
    public static JavaRDD<MultiDataSet> sft(JavaRDD<SftExample> examples, int rows, long seed) {
        if (examples.isEmpty()) throw new IllegalArgumentException("no examples to batch");
        long window = (long) rows * WINDOW_BATCHES;
        return examples.zipWithIndex()
                .mapToPair(t -> new Tuple2<>(mix(seed, t._2()), t._1()))
                .sortByKey()
                .values()
                .zipWithIndex()
                .mapToPair(t -> new Tuple2<>(t._2() / window, t._1()))
                .groupByKey()
                .sortByKey()
                .flatMap(t -> {
                    List<SftExample> members = new ArrayList<>();
                    t._2().forEach(members::add);
                    // Sort by length, then id: the same order whatever order the shuffle delivered.
                    members.sort(Comparator.comparingInt((SftExample e) -> e.tokens().length).thenComparing(SftExample::id));
                    List<MultiDataSet> out = new ArrayList<>();
                    for (int from = 0; from < members.size(); from += rows) {
                        List<SftExample> batch = new ArrayList<>(members.subList(from, Math.min(members.size(), from + rows)));
                        for (int i = 0; batch.size() < rows; i++) batch.add(members.get(i % members.size()));
                        out.add(sftBatch(batch));
                    }
                    return out.iterator();
                });
    }

    /** One SFT minibatch, padded to its longest sequence. */
    public static MultiDataSet sftBatch(List<SftExample> batch) {
        int t = 1;
        for (SftExample e : batch) t = Math.max(t, e.predictedLength());
        PackedLabels.Builder labels = PackedLabels.builder(LabelLayout.withTopK(0), t);
        INDArray features = inputIds(batch.stream().map(SftExample::tokens).toList(), t);
        for (SftExample e : batch) {
            int n = e.predictedLength();
            int[] targets = new int[n];
            float[] mask = new float[n];
            for (int i = 0; i < n; i++) {
                targets[i] = e.tokens()[i + 1];
                mask[i] = e.trained()[i + 1] ? 1f : 0f;
            }
            labels.sft(targets, mask);
        }
        PackedLabels packed = labels.build(DataType.FLOAT);
        return new org.nd4j.linalg.dataset.MultiDataSet(
                new INDArray[]{features}, new INDArray[]{packed.labels()},
                new INDArray[]{featureMask(batch.stream().map(SftExample::tokens).toList(), t)},
                new INDArray[]{packed.mask()});
    }

    /** Ids of every token but the last (the model's inputs), as floats {@code [rows, 1, T]}. */
    public static INDArray inputIds(List<int[]> sequences, int t) {
        float[] flat = new float[sequences.size() * t];
        for (int r = 0; r < sequences.size(); r++) {
            int[] s = sequences.get(r);
            for (int i = 0; i < Math.min(t, s.length - 1); i++) flat[r * t + i] = s[i];
        }
        return Nd4j.create(flat, new long[]{sequences.size(), 1, t}, 'c');
    }

    /** 1 where a row has an input token, 0 on the padding after it. */
    public static INDArray featureMask(List<int[]> sequences, int t) {
        float[] flat = new float[sequences.size() * t];
        for (int r = 0; r < sequences.size(); r++) {
            int n = Math.min(t, sequences.get(r).length - 1);
            for (int i = 0; i < n; i++) flat[r * t + i] = 1f;
        }
        return Nd4j.create(flat, new long[]{sequences.size(), t}, 'c');
    }

    /** Trained tokens per minibatch, in the RDD's order (the trainer's throughput counter). */
    public static long[] trainedTokens(JavaRDD<MultiDataSet> minibatches) {
        List<Long> counts = minibatches.map(m -> m.getLabelsMaskArray(0).sumNumber().longValue()).collect();
        return counts.stream().mapToLong(Long::longValue).toArray();
    }

    /** A seeded pseudo-random sort key: a reproducible shuffle without collecting the data. */
    public static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
