package ai.posttrain.data.builtin;

import java.util.Locale;

/**
 * Which sentences a generator asks its problems in. FEW: one wording per problem kind (code, STEM) or the 27
 * classic ones per operator (math), unframed: the default training data. MANY: half the records so, half in
 * wordings composed from parts, 30 % of those framed by a remark. REWORDED: the wordings only the reworded split
 * uses (never trained on under either of the others).
 */
public enum Wording {
    FEW, MANY, REWORDED;

    public String id() { return name().toLowerCase(Locale.ROOT); }

    /** The wording the train and held-out splits use ({@code posttrain.data.builtin.wordings}): few or many. */
    public static Wording ofTraining(String id) {
        for (Wording w : new Wording[]{FEW, MANY}) if (w.id().equals(id)) return w;
        throw new IllegalArgumentException("wordings must be 'few' or 'many', not '" + id + "'");
    }
}
