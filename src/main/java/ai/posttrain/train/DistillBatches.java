package ai.posttrain.train;

import ai.posttrain.model.head.LabelLayout;
import ai.posttrain.model.head.PackedLabels;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import scala.Tuple2;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Distillation minibatches: {@code kdRows} token-level rows (teacher top-k) followed by {@code pairs}
 * DPO pairs, chosen on row 2i and rejected on row 2i+1, exactly {@code kdRows + 2 * pairs} rows each, so
 * DL4J-on-Spark (Direct approach) never re-splits a pair. Either part may be empty. Each part is cut into
 * chunks the way {@link Minibatches#sft} cuts SFT data (seeded shuffle, length-sorted windows); when one
 * part has fewer chunks than the other, its chunks repeat in order.
 */
public final class DistillBatches {
    private DistillBatches() {}

    /** How long an item is, for length bucketing. */
    private interface Length<T> extends Serializable {
        int of(T item);
    }

    public static JavaRDD<MultiDataSet> build(JavaRDD<KdExample> kd, int kdRows, JavaRDD<DpoPair> pairs, int pairRows,
                                              int topK, long seed) {
        if (kdRows == 0 && pairRows == 0) throw new IllegalArgumentException("a minibatch needs rows");
        JavaPairRDD<Long, List<KdExample>> kdChunks = kdRows > 0 ? chunks(kd, kdRows, seed, KdExample::predictedLength) : null;
        JavaPairRDD<Long, List<DpoPair>> pairChunks = pairRows > 0 ? chunks(pairs, pairRows, seed + 1, DpoPair::predictedLength) : null;
        long nKd = kdChunks == null ? 0 : kdChunks.count();
        long nPairs = pairChunks == null ? 0 : pairChunks.count();
        if (kdRows > 0 && nKd == 0) throw new IllegalArgumentException("no token-level examples to batch");
        if (pairRows > 0 && nPairs == 0) throw new IllegalArgumentException("no preference pairs to batch");
        long batches = Math.max(nKd, nPairs);
        JavaPairRDD<Long, Part> parts = null;
        if (kdChunks != null) parts = kdChunks.flatMapToPair(t -> repeats(t._1(), nKd, batches).stream()
                .map(b -> new Tuple2<>(b, new Part(t._2(), null))).iterator());
        if (pairChunks != null) {
            JavaPairRDD<Long, Part> p = pairChunks.flatMapToPair(t -> repeats(t._1(), nPairs, batches).stream()
                    .map(b -> new Tuple2<>(b, new Part(null, t._2()))).iterator());
            parts = parts == null ? p : parts.union(p);
        }
        return parts.groupByKey().sortByKey().map(t -> {
            List<KdExample> k = List.of();
            List<DpoPair> d = List.of();
            for (Part part : t._2()) {
                if (part.kd() != null) k = part.kd();
                if (part.pairs() != null) d = part.pairs();
            }
            return batch(k, d, topK);
        });
    }

    /** What one chunk adds to a minibatch. */
    private record Part(List<KdExample> kd, List<DpoPair> pairs) implements Serializable {}

    /** Batch indices that chunk {@code index} of {@code count} fills among {@code batches}. */
    static List<Long> repeats(long index, long count, long batches) {
        List<Long> out = new ArrayList<>();
        for (long b = index; b < batches; b += count) out.add(b);
        return out;
    }

    /** Chunks of exactly {@code rows} items, indexed 0..n-1 in a fixed order. */
    private static <T> JavaPairRDD<Long, List<T>> chunks(JavaRDD<T> items, int rows, long seed, Length<T> length) {
        long window = (long) rows * Minibatches.WINDOW_BATCHES;
        return items.zipWithIndex()
                .mapToPair(t -> new Tuple2<>(Minibatches.mix(seed, t._2()), t._1()))
                .sortByKey()
                .values()
                .zipWithIndex()
                .mapToPair(t -> new Tuple2<>(t._2() / window, new Tuple2<>(t._2(), t._1())))
                .groupByKey()
                .sortByKey()
                .flatMap(t -> {
                    List<Tuple2<Long, T>> members = new ArrayList<>();
                    t._2().forEach(members::add);
                    // By length, then by shuffled position: the same order whatever order the shuffle delivered.
                    members.sort(Comparator.comparingInt((Tuple2<Long, T> m) -> length.of(m._2())).thenComparing(Tuple2::_1));
                    List<List<T>> out = new ArrayList<>();
                    for (int from = 0; from < members.size(); from += rows) {
                        List<T> chunk = new ArrayList<>();
                        for (int i = from; i < Math.min(members.size(), from + rows); i++) chunk.add(members.get(i)._2());
                        for (int i = 0; chunk.size() < rows; i++) chunk.add(members.get(i % members.size())._2());
                        out.add(chunk);
                    }
                    return out.iterator();
                })
                .zipWithIndex()
                .mapToPair(Tuple2::swap);
    }

    /** One minibatch: the kd rows, then the pairs; padded to the longest row. */
    public static MultiDataSet batch(List<KdExample> kd, List<DpoPair> pairs, int topK) {
        List<int[]> seqs = new ArrayList<>();
        for (KdExample e : kd) seqs.add(e.tokens());
        for (DpoPair p : pairs) {
            seqs.add(DpoPair.sequence(p.prompt(), p.chosen()));
            seqs.add(DpoPair.sequence(p.prompt(), p.rejected()));
        }
        int t = 1;
        for (int[] s : seqs) t = Math.max(t, s.length - 1);
        PackedLabels.Builder labels = PackedLabels.builder(LabelLayout.withTopK(topK), t);
        for (KdExample e : kd) addKd(labels, e);
        for (DpoPair p : pairs) {
            int[] c = DpoPair.sequence(p.prompt(), p.chosen()), r = DpoPair.sequence(p.prompt(), p.rejected());
            labels.dpoPair(targets(c), DpoPair.completionMask(p.prompt().length, c.length), p.refChosen(),
                    targets(r), DpoPair.completionMask(p.prompt().length, r.length), p.refRejected());
        }
        PackedLabels packed = labels.build(DataType.FLOAT);
        return new org.nd4j.linalg.dataset.MultiDataSet(
                new INDArray[]{Minibatches.inputIds(seqs, t)}, new INDArray[]{packed.labels()},
                new INDArray[]{Minibatches.featureMask(seqs, t)}, new INDArray[]{packed.mask()});
    }

    /** A kd row: the teacher's top-k probabilities at each position that has them (the others are masked). */
    public static void addKd(PackedLabels.Builder labels, KdExample e) {
        int n = e.predictedLength();
        float[] mask = new float[n];
        float[][] probs = new float[n][];
        for (int i = 0; i < n; i++) {
            if (e.topIds()[i] == null) continue;
            mask[i] = 1f;
            probs[i] = new float[e.topLogProbs()[i].length];
            for (int j = 0; j < probs[i].length; j++) probs[i][j] = (float) Math.exp(e.topLogProbs()[i][j]);
        }
        labels.kd(e.topIds(), probs, mask);   // positions without ids are skipped
    }

    /** The most teacher entries any position of {@code e} holds. */
    public static int topK(KdExample e) {
        int k = 0;
        for (int[] ids : e.topIds()) if (ids != null) k = Math.max(k, ids.length);
        return k;
    }

    private static int[] targets(int[] sequence) {
        int[] out = new int[sequence.length - 1];
        System.arraycopy(sequence, 1, out, 0, out.length);
        return out;
    }
}
