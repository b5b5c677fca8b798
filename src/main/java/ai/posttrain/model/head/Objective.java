package ai.posttrain.model.head;

/**
 * The training objective of one label row. The code is what {@link PackedLabels} writes into the
 * {@link LabelLayout#OBJECTIVE} channel; {@link #NONE} rows (padding) contribute nothing.
 */
public enum Objective {
    NONE(0), SFT(1), KD(2), DPO(3), PG(4);

    public final int code;

    Objective(int code) {
        this.code = code;
    }

    public static Objective ofCode(double code) {
        int c = (int) Math.round(code);
        for (Objective o : values()) if (o.code == c) return o;
        throw new IllegalArgumentException("unknown objective code " + code + " in the label objective channel");
    }
}
