package ai.posttrain.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Moves fused q|k|v projections between row form [N = mb*T, (heads + 2 kvHeads) hd] (head-major columns inside
 * each of q, k, v) and per-head batches: q [mb*heads, T, hd], k and v [mb*kvHeads, T, hd].
 */
final class HeadLayout {
    private HeadLayout() {
    }

    /** [N, (H + 2 KV) hd] rows -> q [mb*H, T, hd], k, v [mb*KV, T, hd]. */
    static INDArray[] split(INDArray qkv, long mb, int t, int heads, int kvHeads, int hd) {
        if (heads == kvHeads) {
            // One copy for all three: [mb, T, 3, H, hd] -> [3, mb, H, T, hd], each part a contiguous slice.
            INDArray parts = qkv.reshape('c', mb, t, 3, heads, hd).permute(2, 0, 3, 1, 4).dup('c');
            INDArray[] out = new INDArray[3];
            for (int i = 0; i < 3; i++) out[i] = parts.get(NDArrayIndex.point(i)).reshape('c', mb * heads, t, hd);
            return out;
        }
        long qw = (long) heads * hd, kw = (long) kvHeads * hd;
        return new INDArray[]{
                toHeads(qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(0, qw)), mb, t, heads, hd),
                toHeads(qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(qw, qw + kw)), mb, t, kvHeads, hd),
                toHeads(qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(qw + kw, qw + 2 * kw)), mb, t, kvHeads, hd)};
    }

    /** [N, n hd] rows -> [mb*n, T, hd]. */
    static INDArray toHeads(INDArray rows, long mb, int t, int n, int hd) {
        return rows.dup('c').reshape('c', mb, t, n, hd).permute(0, 2, 1, 3).dup('c').reshape('c', mb * n, t, hd);
    }

    /** [mb*n, T, hd] -> [N, n hd] rows. */
    static INDArray toRows(INDArray x, long mb, int t, int n, int hd) {
        return x.reshape('c', mb, n, t, hd).permute(0, 2, 1, 3).dup('c').reshape('c', mb * t, (long) n * hd);
    }

    /** dq [mb*H, T, hd], dk, dv [mb*KV, T, hd] -> [N, (H + 2 KV) hd] rows in the split's column layout. */
    static INDArray join(INDArray[] parts, long mb, int t, int heads, int kvHeads, int hd) {
        return Nd4j.hstack(toRows(parts[0], mb, t, heads, hd), toRows(parts[1], mb, t, kvHeads, hd),
                toRows(parts[2], mb, t, kvHeads, hd));
    }
}
