package ai.posttrain.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Layout changes between DL4J's RNN format [mb, C, T] and row form [mb*T, C] (row n = b*T + t),
 * where every projection is one gemm. Results are always fresh 'c'-ordered arrays: ND4J broadcast
 * arithmetic on permuted views was measured to give wrong values, so nothing downstream sees a view.
 */
final class Seq {
    private Seq() {
    }

    static INDArray toRows(INDArray ncw) {
        long mb = ncw.size(0), c = ncw.size(1), t = ncw.size(2);
        return ncw.permute(0, 2, 1).dup('c').reshape('c', mb * t, c);
    }

    static INDArray fromRows(INDArray rows, long mb, long t) {
        long c = rows.size(1);
        return rows.reshape('c', mb, t, c).permute(0, 2, 1).dup('c');
    }
}
