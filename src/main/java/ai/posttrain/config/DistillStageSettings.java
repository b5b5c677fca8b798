package ai.posttrain.config;

import com.typesafe.config.Config;

import java.io.Serializable;
import java.util.List;

/**
 * posttrain.stages.distill: the frozen teacher, the student's start, the schedule of the two levels
 * and each level's data and objective settings.
 *
 * @param teacher    teacher checkpoint directory; "" = the run's overall-sft model
 * @param init       student checkpoint directory; "" = a fresh posttrain.model.student
 * @param schedule   one of {@link #SCHEDULES}
 * @param steps      training steps of the whole stage (the same for every schedule: equal compute)
 * @param kdFraction sequential: share of the steps that train kd; mixed: share of each minibatch's rows that are kd
 *                   (mixed trains kd rows alone for the first {@code dpo.start} of its steps, then mines the pairs)
 */
public record DistillStageSettings(String teacher, String init, String schedule, int steps, double kdFraction,
                                   Kd kd, Dpo dpo, TrainSettings train) implements Serializable {
    public static final String STAGE = "distill";
    public static final List<String> SCHEDULES = List.of("kd", "dpo", "sequential", "mixed", "on-policy");

    /**
     * Token level: the teacher's top-k log-probs over the SFT responses. {@code selection} picks the
     * records as a curriculum phase does (difficulty levels, domain mixture) before the max-records cap.
     */
    public record Kd(List<String> inputs, SftStageSettings.Phase selection, int maxRecords, int topK, double temperature,
                     double weight)
            implements Serializable {}

    /**
     * Sequence level: the student's candidates, and the teacher's greedy answer when {@code teacherAnswer}, ranked by
     * the teacher (and verifiers) into DPO pairs; {@code nll} weighs the chosen answer's NLL in each pair's loss (RPO);
     * {@code start} is the share of a mixed schedule's steps trained before the pairs are mined.
     */
    public record Dpo(List<String> inputs, List<Integer> difficulties, int maxPrompts, int candidates, double temperature,
                      double topP, int maxNewTokens, double margin, double verifierWeight, boolean chosenMustPass,
                      double beta, double weight, boolean teacherAnswer, double nll, double start, int samplerBatch)
            implements Serializable {
        /** Prompts one sampler call decodes together: as many as fill sampler-batch rows with their candidates. */
        public int promptsPerCall() { return Math.max(1, samplerBatch / candidates); }
    }

    public boolean usesKd() { return !schedule.equals("dpo"); }

    /** Whether the schedule trains DPO pairs (on-policy trains the sequence level's samples with kd instead). */
    public boolean usesDpo() { return !schedule.equals("kd") && !schedule.equals("on-policy"); }

    /** Whether kd examples keep training after the sequence level starts (beside its pairs or samples). */
    public boolean kdBesideSequenceLevel() { return schedule.equals("mixed") || schedule.equals("on-policy"); }

    /** Steps that train on kd minibatches alone, before the pairs are mined (all for kd, none for dpo). */
    public int kdSteps() {
        return switch (schedule) {
            case "kd" -> steps;
            case "sequential" -> (int) Math.round(kdFraction * steps);
            case "mixed", "on-policy" -> (int) Math.round(dpo.start() * steps);
            default -> 0;
        };
    }

    /** Rows of a mixed minibatch that are kd (even, so the dpo pairs after them start on even rows). */
    public int mixedKdRows() {
        return 2 * (int) Math.round(kdFraction * train.batchPerWorker() / 2.0);
    }

    static DistillStageSettings from(Config config) {
        Settings s = new Settings(config, "posttrain.stages." + STAGE);
        String schedule = s.oneOf("schedule", SCHEDULES);
        int steps = s.intIn("steps", 1, 10_000_000);
        double kdFraction = s.doubleIn("kd-fraction", 0, 1);
        Settings k = s.child("kd");
        String kdKey = s.key("kd");
        Config kdConfig = config.getConfig(kdKey);
        SftStageSettings.Phase selection = SftStageSettings.selection("kd", kdConfig, k, kdKey, steps);
        Kd kd = new Kd(nonEmpty(k, "inputs"), selection, k.intIn("max-records", 1, 100_000_000), k.intIn("top-k", 1, 256),
                k.doubleIn("temperature", 0.05, 100), k.doubleIn("weight", 0, 1e6));
        Settings d = s.child("dpo");
        double topP = d.doubleIn("top-p", 0, 1);
        if (topP == 0) throw new ConfigError(d.key("top-p"), "must be in (0, 1], got 0");
        String dpoKey = s.key("dpo");
        Dpo dpo = new Dpo(nonEmpty(d, "inputs"), SftStageSettings.difficulties(config.getConfig(dpoKey), dpoKey),
                d.intIn("max-prompts", 1, 100_000_000), d.intIn("candidates", 2, 1024),
                d.doubleIn("temperature", 0.01, 100), topP, d.intIn("max-new-tokens", 1, 65536),
                d.doubleIn("margin", 0, 1e6), d.doubleIn("verifier-weight", 0, 1e6), d.bool("chosen-must-pass"),
                d.doubleIn("beta", 1e-6, 1e6),
                d.doubleIn("weight", 0, 1e6), d.bool("teacher-answer"), d.doubleIn("nll", 0, 1e6),
                d.doubleIn("start", 0, 1), d.intIn("sampler-batch", 1, 1 << 20));
        TrainSettings train = TrainSettings.forStage(config, STAGE);
        DistillStageSettings out = new DistillStageSettings(s.string("teacher"), s.string("init"), schedule, steps,
                kdFraction, kd, dpo, train);
        String batchKey = config.hasPath("posttrain.stages." + STAGE + ".train.batch-per-worker")
                ? "posttrain.stages." + STAGE + ".train.batch-per-worker" : "posttrain.train.batch-per-worker";
        if (out.usesDpo() && train.batchPerWorker() % 2 != 0)
            throw new ConfigError(batchKey, "must be even for schedule '" + schedule
                    + "' (a DPO pair's two rows share a minibatch), got " + train.batchPerWorker());
        if (schedule.equals("sequential") && (out.kdSteps() == 0 || out.kdSteps() == steps))
            throw new ConfigError(s.key("kd-fraction"), "leaves no " + (out.kdSteps() == 0 ? "kd" : "dpo")
                    + " steps out of " + steps + " for schedule 'sequential'; use schedule kd or dpo instead");
        if (schedule.equals("mixed") && (out.mixedKdRows() == 0 || out.mixedKdRows() >= train.batchPerWorker()))
            throw new ConfigError(s.key("kd-fraction"), "gives " + out.mixedKdRows() + " kd rows of "
                    + train.batchPerWorker() + " per minibatch for schedule 'mixed'; both levels need rows");
        if (out.kdBesideSequenceLevel() && out.kdSteps() >= steps)
            throw new ConfigError(d.key("start"), "leaves no steps after it out of " + steps + " for schedule '" + schedule + "'");
        return out;
    }

    private static List<String> nonEmpty(Settings s, String path) {
        List<String> v = s.strings(path);
        if (v.isEmpty()) throw new ConfigError(s.key(path), "needs at least one input");
        return List.copyOf(v);
    }
}
