package ai.posttrain.model.head;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Between DL4J's RNN format [mb, channels, T] and the head's 2-d rows [mb*T, channels], row = example*T + t. */
final class Rows {
    private Rows() {
    }

    /** A fresh c-order [mb*T, channels] copy (copying first avoids arithmetic on permuted views). */
    static INDArray toRows(INDArray ncw, LayerWorkspaceMgr mgr, ArrayType type) {
        if (ncw.rank() != 3) throw new IllegalArgumentException("expected [minibatch, channels, T], got rank " + ncw.rank());
        long mb = ncw.size(0), c = ncw.size(1), t = ncw.size(2);
        return mgr.dup(type, ncw.permute(0, 2, 1), 'c').reshape('c', new long[]{mb * t, c});
    }

    /** [mb*T, channels] rows back to a fresh c-order [mb, channels, T]. */
    static INDArray fromRows(INDArray rows, int mb, int t, LayerWorkspaceMgr mgr, ArrayType type) {
        long c = rows.size(1);
        return mgr.dup(type, rows.reshape('c', new long[]{mb, t, c}).permute(0, 2, 1), 'c');
    }
}
