package ai.posttrain.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

import java.util.Arrays;

/**
 * Scaled dot-product attention for all heads at once: q is [mb*H, Tq, hd] (batch index b*H + h), k and v are
 * [mb*KV, Tk, hd] with KV dividing H (grouped-query attention: query head h reads key/value head h / (H/KV)).
 * The G = H/KV query heads of a group are stacked as G*Tq query rows of one batch entry, [mb*KV, G*Tq, hd]:
 * a reshape, not a copy, so keys and values are never repeated and every product is one batched matmul.
 * The additive mask [mb, 1, Tq, Tk] is 0 where a query may look and -infinity where it may not (future positions,
 * padding keys other than the query itself): glibc's expf returns 0 for -infinity at once, while a large finite
 * negative score (-1e9 before) takes its underflow path, which was a quarter of softmax's time in training.
 */
final class Attention {
    static final double NEG = Double.NEGATIVE_INFINITY;
    /** A finite stand-in while the padding mask is built by multiplication (0 * -infinity would be NaN). */
    private static final double FINITE_NEG = -1e9;

    private Attention() {
    }

    /**
     * Causal + key-padding mask for queries at positions offset..offset+tq-1 over keys 0..tk-1: [mb, 1, tq, tk],
     * or [1, 1, tq, tk] without a key mask. Only the [tq, tk] pattern is built on the heap; the batch's padding
     * is applied by ND4J broadcasting, as building mb*tq*tk entries element by element cost more than attention.
     */
    static INDArray mask(INDArray keyMask, long mb, int tq, int tk, int offset, DataType type) {
        float[] causal = new float[tq * tk];
        for (int i = 0; i < tq; i++)
            for (int j = i + offset + 1; j < tk; j++) causal[i * tk + j] = (float) NEG;
        INDArray future = Nd4j.create(causal, new long[]{1, 1, tq, tk}, DataType.FLOAT).castTo(type);
        if (keyMask == null) return future;
        // Padding keys are masked, except at a query's own position: a padding query still sees itself, so no
        // row is fully masked (that gave NaN). The padding part is built finite, as it is multiplied; adding the
        // causal part keeps its -infinity.
        float[] offDiagonal = new float[tq * tk];
        Arrays.fill(offDiagonal, 1f);
        for (int i = 0; i < tq && i + offset < tk; i++) offDiagonal[i * tk + i + offset] = 0f;
        INDArray padding = keyMask.castTo(type).rsub(1.0).muli(FINITE_NEG).reshape('c', mb, 1, 1, tk);
        return blocked(padding.mul(Nd4j.create(offDiagonal, new long[]{1, 1, tq, tk}, DataType.FLOAT).castTo(type)).addi(future));
    }

    /** The padding part's finite stand-in as NEG, in place. */
    private static INDArray blocked(INDArray mask) {
        BooleanIndexing.replaceWhere(mask, NEG, Conditions.lessThan(FINITE_NEG / 2));
        return mask;
    }

    /** q [mb*H, Tq, hd] as [mb*KV, G*Tq, hd] for keys of batch size mb*KV. */
    private static INDArray grouped(INDArray q, INDArray k) {
        return q.reshape('c', k.size(0), q.size(0) / k.size(0) * q.size(1), q.size(2));
    }

    /** Returns the attention probabilities P [mb*H, Tq, Tk]. */
    static INDArray probabilities(INDArray q, INDArray k, INDArray mask, int heads) {
        return probabilities(q, k, mask, heads, null);
    }

    /** The same, written into {@code pool}'s "scores" buffer (the largest array of a block's forward pass) if given. */
    static INDArray probabilities(INDArray q, INDArray k, INDArray mask, int heads, BufferPool pool) {
        long bh = q.size(0), tq = q.size(1), tk = k.size(1);
        double scale = 1.0 / Math.sqrt(q.size(2));
        INDArray qg = grouped(q, k);
        INDArray s = pool == null ? Nd4j.matmul(qg, k, false, true, false)
                : Nd4j.matmul(qg, k, pool.get("scores", q.dataType(), qg.size(0), qg.size(1), tk), false, true, false);
        s.muli(scale); // [mb*KV, G*Tq, Tk]
        s.reshape('c', bh / heads, heads, tq, tk).addi(mask);
        INDArray s2 = s.reshape('c', bh * tq, tk);
        Nd4j.exec(new SoftMax(s2, s2, -1));
        return s.reshape('c', bh, tq, tk);
    }

    /** P v for P [mb*H, Tq, Tk] and v [mb*KV, Tk, hd]: [mb*H, Tq, hd]. */
    static INDArray mix(INDArray p, INDArray v) {
        return Nd4j.matmul(grouped(p, v), v).reshape('c', p.size(0), p.size(1), v.size(2));
    }

    /**
     * Backward of out = P v with P = softmax(scale q k^T + mask): fills dq [mb*H, Tq, hd] and dk, dv
     * [mb*KV, Tk, hd] (summed over each group's query heads).
     */
    static void backward(INDArray dOut, INDArray q, INDArray k, INDArray v, INDArray p, INDArray[] dqkv) {
        long bh = q.size(0), tq = q.size(1), tk = k.size(1);
        double scale = 1.0 / Math.sqrt(q.size(2));
        INDArray dOutG = grouped(dOut, v), pG = grouped(p, v);
        INDArray dP = Nd4j.matmul(dOutG, v, false, true, false);
        dqkv[2] = Nd4j.matmul(pG, dOutG, true, false, false);
        // softmax backward: dS = P * (dP - rowsum(dP * P))
        INDArray dP2 = dP.reshape('c', bh * tq, tk);
        INDArray p2 = p.reshape('c', bh * tq, tk);
        INDArray rowSum = dP2.mul(p2).sum(1).reshape(bh * tq, 1);
        INDArray dS = dP2.subiColumnVector(rowSum).muli(p2).muli(scale).reshape('c', k.size(0), bh / k.size(0) * tq, tk);
        dqkv[0] = Nd4j.matmul(dS, k).reshape('c', bh, tq, q.size(2));
        dqkv[1] = Nd4j.matmul(dS, grouped(q, k), true, false, false);
    }
}
