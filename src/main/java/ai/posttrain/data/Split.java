package ai.posttrain.data;

import java.util.Locale;

/** Train or held-out part of a built-in suite; the two never share a problem. */
public enum Split {
    TRAIN, HELDOUT;

    public String id() { return name().toLowerCase(Locale.ROOT); }
}
