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
import java.util.List;

/**
 * Turns examples into the MultiDataSets the transformer trains on: input ids {@code [rows, 1, T]}
 * with a feature mask {@code [rows, T]}, and packed labels {@code [rows, C, T]} with a label mask,
 * where the target at position t is token t+1. Every minibatch holds exactly {@code rows} sequences
 * (padded at the end to the batch's longest), so DL4J-on-Spark never re-splits them.
 */
public final class Minibatches {
    private Minibatches() {}

    /** SFT minibatches in a seeded shuffled order; the last batch is completed with the first examples. */
    public static JavaRDD<MultiDataSet> sft(JavaRDD<SftExample> examples, int rows, long seed) {
        long count = examples.count();
        if (count == 0) throw new IllegalArgumentException("no examples to batch");
        long batches = (count + rows - 1) / rows;
        JavaRDD<SftExample> shuffled = examples.zipWithIndex()
                .mapToPair(t -> new Tuple2<>(mix(seed, t._2()), t._1()))
                .sortByKey()
                .values();
        return shuffled.zipWithIndex()
                .flatMapToPair(t -> {
                    // Position p fills batch p / rows; positions past the end wrap around to fill the last batch.
                    List<Tuple2<Long, Tuple2<Long, SftExample>>> out = new ArrayList<>(2);
                    out.add(new Tuple2<>(t._2() / rows, new Tuple2<>(t._2(), t._1())));
                    long wrapped = t._2() + count;
                    if (wrapped < batches * rows) out.add(new Tuple2<>(wrapped / rows, new Tuple2<>(wrapped, t._1())));
                    return out.iterator();
                })
                .groupByKey()
                .sortByKey()
                .map(t -> {
                    List<Tuple2<Long, SftExample>> members = new ArrayList<>();
                    t._2().forEach(members::add);
                    members.sort((a, b) -> Long.compare(a._1(), b._1()));
                    List<SftExample> batch = new ArrayList<>(members.size());
                    for (Tuple2<Long, SftExample> m : members) batch.add(m._2());
                    return sftBatch(batch);
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
    static INDArray inputIds(List<int[]> sequences, int t) {
        float[] flat = new float[sequences.size() * t];
        for (int r = 0; r < sequences.size(); r++) {
            int[] s = sequences.get(r);
            for (int i = 0; i < Math.min(t, s.length - 1); i++) flat[r * t + i] = s[i];
        }
        return Nd4j.create(flat, new long[]{sequences.size(), 1, t}, 'c');
    }

    /** 1 where a row has an input token, 0 on the padding after it. */
    static INDArray featureMask(List<int[]> sequences, int t) {
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
    static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
