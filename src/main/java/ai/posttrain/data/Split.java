package ai.posttrain.data;

import java.util.Locale;

/**
 * Train or held-out part of a built-in suite; the two never share a problem. Reworded: held-out problems in
 * wordings that neither of the others uses (the same as held-out for a suite without such wordings).
 */
public enum Split {
    TRAIN, HELDOUT, REWORDED;

    /** The split whose problems this one draws: reworded data asks held-out problems. */
    public Split problems() { return this == REWORDED ? HELDOUT : this; }

    public String id() { return name().toLowerCase(Locale.ROOT); }
}
