package ai.posttrain.data.builtin;

import ai.posttrain.data.BuiltinRecord;

import java.util.Random;

/** Draws one problem of a suite at a difficulty; all randomness comes from {@code rnd}. */
public interface Generator {
    /** Difficulty levels are 1..levels(). */
    default int levels() { return 3; }

    /** A record without id; its key names the problem independently of wording. */
    BuiltinRecord draw(Random rnd, int difficulty);

    /** A record in the given wording, for suites that have several; the others word it as usual. */
    default BuiltinRecord draw(Random rnd, int difficulty, Wording wording) { return draw(rnd, difficulty); }
}
