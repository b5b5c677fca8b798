package ai.posttrain.data;

import ai.posttrain.data.builtin.AgentDialogs;
import ai.posttrain.data.builtin.CodeProblems;
import ai.posttrain.data.builtin.Conversations;
import ai.posttrain.data.builtin.Generator;
import ai.posttrain.data.builtin.MathProblems;
import ai.posttrain.data.builtin.NoiseText;
import ai.posttrain.data.builtin.PreferencePairs;
import ai.posttrain.data.builtin.ReasoningTasks;
import ai.posttrain.data.builtin.StemProblems;
import ai.posttrain.data.builtin.Wording;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Deterministic built-in data: for a seed, every suite yields the same records on every machine.
 *
 * <p>Splits: each generated problem has a canonical {@code key} (e.g. {@code math:23+45}, the same
 * for every wording of it); a fixed hash of the key alone, not of the seed, puts it in the train or
 * the held-out split ({@link #HELDOUT_PERCENT} % held out). So train and held-out never share a
 * problem, for any seeds and counts. Within a split, problems are not repeated while the suite has
 * unused ones at that difficulty.
 *
 * <p>Difficulty levels 1..{@link Generator#levels()} are used in turn, so every level gets the same
 * share of the records.
 */
public final class BuiltinData implements Serializable {
    public static final long DEFAULT_SEED = 1234L;
    public static final int DEFAULT_TRAIN = 2000;
    public static final int DEFAULT_HELDOUT = 200;
    public static final int HELDOUT_PERCENT = 15;
    /** Draws spent looking for a not-yet-used problem before a repeat is accepted. */
    private static final int FRESH_ATTEMPTS = 200;
    private static final int MAX_ATTEMPTS = 5000;

    private final long seed;
    private final int trainCount;
    private final int heldoutCount;
    private final Wording trainingWording;
    private final double noise;
    private final double scramble;
    private final boolean restateNumbers;
    private final boolean problemLine;

    /** Train and held-out records in the {@link Wording#FEW} wordings. */
    public BuiltinData(long seed, int trainCount, int heldoutCount) { this(seed, trainCount, heldoutCount, Wording.FEW); }

    /** {@code trainingWording}: FEW or MANY, how the train and held-out splits are asked (reworded: always REWORDED). */
    public BuiltinData(long seed, int trainCount, int heldoutCount, Wording trainingWording) {
        this(seed, trainCount, heldoutCount, trainingWording, 0);
    }

    /**
     * {@code noise}: the share of math, STEM and code train records whose prompt is set among random sentences
     * ({@link NoiseText}); the other records, and every held-out and reworded one, are as without it.
     */
    public BuiltinData(long seed, int trainCount, int heldoutCount, Wording trainingWording, double noise) {
        this(seed, trainCount, heldoutCount, trainingWording, noise, 0, false);
    }

    /**
     * {@code scramble}: the share of math train records asked as their numbers and operator among random words
     * ({@link MathProblems#amongWords}); {@code restateNumbers}: math traces open with the prompt's numbers.
     */
    public BuiltinData(long seed, int trainCount, int heldoutCount, Wording trainingWording, double noise,
                       double scramble, boolean restateNumbers) {
        this(seed, trainCount, heldoutCount, trainingWording, noise, scramble, restateNumbers, false);
    }

    /** {@code problemLine}: math traces then write the problem as the columns solve it ({@link MathProblems}). */
    public BuiltinData(long seed, int trainCount, int heldoutCount, Wording trainingWording, double noise,
                       double scramble, boolean restateNumbers, boolean problemLine) {
        if (trainCount < 0 || heldoutCount < 0) throw new IllegalArgumentException("counts must be >= 0");
        if (trainingWording == Wording.REWORDED) throw new IllegalArgumentException("the reworded wording is the reworded split's");
        if (!(noise >= 0 && noise <= 1)) throw new IllegalArgumentException("noise must be in [0, 1], not " + noise);
        if (!(scramble >= 0 && scramble <= 1)) throw new IllegalArgumentException("scramble must be in [0, 1], not " + scramble);
        this.seed = seed;
        this.trainCount = trainCount;
        this.heldoutCount = heldoutCount;
        this.trainingWording = trainingWording;
        this.noise = noise;
        this.scramble = scramble;
        this.restateNumbers = restateNumbers;
        this.problemLine = problemLine;
    }

    /** The same data with other record counts. */
    public BuiltinData withCounts(int train, int heldout) {
        return new BuiltinData(seed, train, heldout, trainingWording, noise, scramble, restateNumbers, problemLine);
    }

    public Wording trainingWording() { return trainingWording; }

    /**
     * MANY asks half the records in the few classic sentences: they anchor what the teacher learns first (with many
     * alone its cold-start learned in 1 of 4 runs).
     */
    private Wording wordingOf(Split split, Random rnd) {
        if (split == Split.REWORDED) return Wording.REWORDED;
        return trainingWording == Wording.MANY && rnd.nextBoolean() ? Wording.FEW : trainingWording;
    }

    public static BuiltinData defaults() { return new BuiltinData(DEFAULT_SEED, DEFAULT_TRAIN, DEFAULT_HELDOUT); }

    public long seed() { return seed; }

    public int count(Split split) { return split == Split.TRAIN ? trainCount : heldoutCount; }   // reworded: as many as held out

    public List<BuiltinRecord> generate(BuiltinSuite suite, Split split) { return generate(suite, split, count(split)); }

    /** {@code count} records of {@code suite} in {@code split}, ids {@code <suite>-<split>-<i>}. */
    public List<BuiltinRecord> generate(BuiltinSuite suite, Split split, int count) {
        Generator gen = generator(suite);
        Random rnd = stream(suite, split, 0xBF58476D1CE4E5B9L);
        // Its own stream: the problems and their wordings are the same whatever the noise.
        Random noiseRnd = stream(suite, split, 0xD6E8FEB86659FD93L);
        boolean noisy = noise > 0 && split == Split.TRAIN && suite.reworded();
        Random scrambleRnd = stream(suite, split, 0x94D049BB133111EBL);
        MathProblems scrambled = scramble > 0 && split == Split.TRAIN && gen instanceof MathProblems math ? math : null;
        Set<String> used = new HashSet<>();
        boolean[] exhausted = new boolean[gen.levels() + 1];  // no fresh problem found lately: accept repeats at once
        List<BuiltinRecord> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int difficulty = 1 + i % gen.levels();
            BuiltinRecord chosen = null, repeat = null;
            for (int attempt = 0; attempt < MAX_ATTEMPTS && chosen == null; attempt++) {
                BuiltinRecord r = gen.draw(rnd, difficulty, wordingOf(split, rnd));
                if (splitOf(r.key()) != split.problems()) continue;
                if (used.add(r.key())) chosen = r;
                else if (repeat == null) repeat = r;
                if (chosen == null && repeat != null && (exhausted[difficulty] || attempt >= FRESH_ATTEMPTS)) {
                    chosen = repeat;
                    exhausted[difficulty] = true;
                }
            }
            if (chosen == null)
                throw new IllegalStateException("no " + split.id() + " problem for " + suite.id() + " at difficulty " + difficulty);
            if (noisy && noiseRnd.nextDouble() < noise) chosen = chosen.withPrompt(NoiseText.around(noiseRnd, chosen.prompt()));
            else if (scrambled != null && scrambleRnd.nextDouble() < scramble) chosen = scrambled.amongWords(scrambleRnd, chosen);
            out.add(chosen.withId(suite.id() + "-" + split.id() + "-" + i));
        }
        return out;
    }

    /** A random stream for one suite and split of this seed; {@code mix} tells apart the streams of one (suite, split). */
    private Random stream(BuiltinSuite suite, Split split, long mix) {
        return new Random(seed * 0x9E3779B97F4A7C15L + (suite.ordinal() + 1) * mix + split.ordinal());
    }

    /**
     * The split a problem belongs to: a fixed 64-bit FNV-1a hash of its key, independent of the seed.
     * A composite key {@code k1|k2} (a dialogue built from several problems) belongs to the split all
     * its parts share, or to none (null) when they disagree: such a record is never generated.
     */
    public static Split splitOf(String key) {
        if (key.indexOf('|') < 0) return splitOfPart(key);
        Split common = null;
        for (String part : key.split("\\|")) {
            Split s = splitOfPart(part);
            if (common != null && s != common) return null;
            common = s;
        }
        return common;
    }

    private static Split splitOfPart(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;  // fold the high bits in: FNV's low bits mix poorly for short keys
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return Long.remainderUnsigned(h, 100) < HELDOUT_PERCENT ? Split.HELDOUT : Split.TRAIN;
    }

    /**
     * Writes {@code <suite>.train.jsonl} and {@code <suite>.heldout.jsonl} for every suite (and
     * {@code <suite>.reworded.jsonl} for those with reworded wordings) into
     * {@code outDir} (any Hadoop filesystem path; created if missing, files overwritten).
     * Returns the written paths.
     */
    public List<String> writeJsonl(String outDir, Configuration conf) {
        List<String> written = new ArrayList<>();
        try {
            Path dir = new Path(outDir);
            FileSystem fs = dir.getFileSystem(conf);
            fs.setWriteChecksum(false);   // no .crc side files next to the user's data
            fs.mkdirs(dir);
            for (BuiltinSuite suite : BuiltinSuite.values()) {
                for (Split split : Split.values()) {
                    if (split == Split.REWORDED && !suite.reworded()) continue;
                    Path file = new Path(dir, suite.id() + "." + split.id() + ".jsonl");
                    try (FSDataOutputStream out = fs.create(file, true)) {
                        for (BuiltinRecord r : generate(suite, split)) {
                            out.write(r.toJson().getBytes(StandardCharsets.UTF_8));
                            out.write('\n');
                        }
                    }
                    written.add(file.toString());
                }
            }
        } catch (IOException e) {
            throw new DataException("Cannot write built-in data to " + outDir + ": " + e.getMessage(), e);
        }
        return written;
    }

    private Generator generator(BuiltinSuite suite) {
        return switch (suite) {
            case MATH -> new MathProblems(restateNumbers, problemLine);
            case STEM -> new StemProblems();
            case CODE -> new CodeProblems();
            case CONVERSATION -> new Conversations();
            case AGENT -> new AgentDialogs();
            case REASONING -> new ReasoningTasks();
            case PREFERENCE -> new PreferencePairs();
        };
    }
}
