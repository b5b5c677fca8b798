package ai.posttrain.model.head;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The builder puts each value in the channel {@link LabelLayout} names, and refuses malformed rows. */
class PackedLabelsTest {
    @Test
    void rowsLandInTheirChannels() {
        LabelLayout layout = LabelLayout.withTopK(2);
        PackedLabels p = PackedLabels.builder(layout, 3)
                .sft(new int[]{4, 5}, new float[]{0, 1}, new float[]{1f, 0.5f})
                .kd(new int[][]{{1, 2}, {3}}, new float[][]{{0.6f, 0.3f}, {0.9f}}, new float[]{1, 1})
                .pg(new int[]{7, 8, 9}, new float[]{1, 1, 1}, new float[]{-1, -2, -3}, null, 0.5)
                .padding()
                .dpoPair(new int[]{1}, new float[]{1}, -3.5, new int[]{2}, new float[]{1}, -4.5)
                .build(DataType.FLOAT);
        INDArray l = p.labels(), m = p.mask();
        assertEquals(List.of(6L, 11L, 3L), List.of(l.size(0), l.size(1), l.size(2)));
        assertEquals(layout, LabelLayout.ofChannels(l.size(1)));
        assertEquals(5, l.getDouble(0, LabelLayout.TARGET, 1), 0);
        assertEquals(0.5, l.getDouble(0, LabelLayout.WEIGHT, 1), 0);
        assertEquals(0, m.getDouble(0, 0), 0);
        assertEquals(0, m.getDouble(0, 2), 0);          // past the row's end
        assertEquals(Objective.KD.code, l.getDouble(1, LabelLayout.OBJECTIVE, 2), 0);
        assertEquals(2, l.getDouble(1, layout.topKId(1), 0), 0);
        assertEquals(0.3, l.getDouble(1, layout.topKProb(1), 0), 1e-6);
        assertEquals(0, l.getDouble(1, layout.topKProb(1), 1), 0);   // fewer than k entries
        assertEquals(-2, l.getDouble(2, LabelLayout.OLD_LOGP, 1), 0);
        assertTrue(Double.isNaN(l.getDouble(2, LabelLayout.REF_LOGP, 1)));
        assertEquals(0.5, l.getDouble(2, LabelLayout.ADVANTAGE, 2), 0);
        assertEquals(Objective.NONE.code, l.getDouble(3, LabelLayout.OBJECTIVE, 0), 0);
        assertEquals(-4.5, l.getDouble(5, LabelLayout.DPO_REF, 2), 0);
        assertEquals(List.of(Objective.SFT, Objective.KD, Objective.PG, Objective.NONE, Objective.DPO, Objective.DPO),
                p.objectives());
    }

    @Test
    void malformedRowsAreRefused() {
        PackedLabels.Builder b = PackedLabels.builder(LabelLayout.withTopK(1), 2);
        assertThrows(IllegalArgumentException.class, () -> b.sft(new int[]{1, 2, 3}, new float[]{1, 1, 1}));
        assertThrows(IllegalArgumentException.class, () -> b.sft(new int[]{1}, new float[]{1, 1}));
        assertThrows(IllegalArgumentException.class,
                () -> b.kd(new int[][]{{1, 2}}, new float[][]{{0.5f, 0.5f}}, new float[]{1}));
        assertThrows(IllegalArgumentException.class, () -> LabelLayout.ofChannels(8));
    }
}
