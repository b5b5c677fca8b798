package ai.posttrain.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * posttrain.stages.rl: the ordered RL sub-stages (each one's entries fall back to
 * {@code sub-stage-defaults}), the reward model, the hacking monitor, the stage's training settings and the
 * completions one sampler call decodes together ({@code sampler-batch}).
 */
public record RlSettings(String init, List<SubStage> subStages, RewardModel rewardModel, Monitor monitor,
                         Replay replay, TeacherKd teacherKd, TrainSettings train, ai.posttrain.reward.SandboxLimits sandbox,
                         ai.posttrain.reward.VerifierDeadline verifiers, boolean canaries, int samplerBatch) implements Serializable {

    /** Reward components a sub-stage's {@code rewards} mix may name. */
    public static final Set<String> COMPONENTS = Set.of("math", "stem", "code", "format", "tool_call", "reward_model",
            "kl_penalty", "length");
    /** The components that check an answer (each routed by the prompt's domain), as opposed to proxies and penalties. */
    public static final Set<String> VERIFIERS = Set.of("math", "stem", "code", "tool_call");

    /**
     * One RL sub-stage.
     * @param difficulties  the levels of the prompts and held-out prompts taken (empty: every level; records
     *                      without a difficulty are left out when levels are given)
     * @param heldoutPrompts held-out prompts decoded greedily before and after the sub-stage
     * @param rewards       component name to weight (see {@link #COMPONENTS})
     * @param advantage     "grpo" (mean and std normalised) or "dr-grpo" (mean only)
     * @param mixture       domain to weight of the prompts each iteration draws (empty: the inputs' own proportions;
     *                      a domain left out is not drawn)
     * @param revisit       the share of each iteration's prompts drawn from the earlier sub-stages' prompts, scored
     *                      by their verifiers (see {@link #verifiersOf})
     */
    public record SubStage(String name, List<String> inputs, List<String> heldout, List<Integer> difficulties,
                           Map<String, Double> mixture, int heldoutPrompts, Map<String, Double> rewards,
                           int iterations, int promptsPerIteration, int groupSize, int epochs, int maxNewTokens,
                           double temperature, double klCoef, double klBound, double clipLow, double clipHigh,
                           String advantage, double rewardClip, double overlongPenalty, int overlongBuffer,
                           int repetitionNgram, double repetitionPenalty, double lr, double revisit) implements Serializable {
        public boolean usesRewardModel() { return rewards.containsKey("reward_model"); }

        /** The verifier components of this sub-stage's mix (math, stem, code, tool_call) with their weights. */
        public Map<String, Double> verifiersOf() {
            Map<String, Double> out = new LinkedHashMap<>();
            rewards.forEach((c, w) -> { if (VERIFIERS.contains(c)) out.put(c, w); });
            return out;
        }
        public boolean stdNormalised() { return advantage.equals("grpo"); }
    }

    /**
     * SFT records replayed in every policy update (InstructGPT's PPO-ptx): {@code fraction} replay rows per pg row
     * join the update's minibatches with cross-entropy weighted {@code weight} against the pg term, so that a
     * sub-stage does not trade away the skills its prompts do not exercise. {@code selection} picks the records
     * as a curriculum phase does (levels, domain mixture), before the {@code maxRecords} cap. fraction 0: off.
     */
    public record Replay(List<String> inputs, SftStageSettings.Phase selection, int maxRecords, double fraction,
                         double weight) implements Serializable {
        public boolean on() { return fraction > 0; }
    }

    /**
     * On-policy distillation in every policy update (GKD): a seeded sample of about {@code fraction} of the iteration's
     * rollouts, from every group (also those whose rewards are all equal, which carry no advantage), become kd rows: the frozen teacher's top-{@code topK} next-token distribution (at {@code temperature})
     * at each sampled token, weighted {@code weight} against the pg term. Where the policy writes a wrong step that its
     * samples rarely avoid, the verifier's reward has nothing to compare; the teacher's distribution at that step still
     * names the right one. {@code teacher}: a checkpoint directory, "" = the run's overall-sft model. fraction 0: off.
     */
    public record TeacherKd(String teacher, double fraction, double weight, int topK, double temperature) implements Serializable {
        public boolean on() { return fraction > 0; }
    }

    /** The Bradley-Terry reward model: trained once per run on preference pairs, from the starting policy. */
    public record RewardModel(List<String> inputs, int steps, double lr, double beta) implements Serializable {}

    /**
     * Hacking-monitor bounds, checked every iteration; a signal that holds for {@code patience} iterations
     * triggers {@code onHacking}: "rollback" (stop the sub-stage, keep its last good policy), "fail" or "warn".
     */
    public record Monitor(double maxMeanLength, double lengthGrowth, double lengthTrend, double maxFlaggedRate,
                          double trendEpsilon, int patience, String onHacking) implements Serializable {
        public ai.posttrain.reward.HackingMonitor.Bounds bounds(double klBound) {
            return new ai.posttrain.reward.HackingMonitor.Bounds(maxMeanLength, lengthGrowth, lengthTrend, maxFlaggedRate,
                    trendEpsilon, klBound, patience);
        }

        public ai.posttrain.reward.HackingMonitor.Action action() { return ai.posttrain.reward.HackingMonitor.action(onHacking); }
    }

    private static final String ROOT = "posttrain.stages.rl";

    static RlSettings from(Config config) {
        Settings s = new Settings(config, ROOT);
        Config defaults = config.getConfig(ROOT + ".sub-stage-defaults");
        Set<String> known = defaults.root().keySet();
        List<? extends Config> list;
        try {
            list = config.getConfigList(s.key("sub-stages"));
        } catch (ConfigException e) {
            throw new ConfigError(s.key("sub-stages"), "must be a list of sub-stages: " + ConfigLoader.oneLine(e));
        }
        if (list.isEmpty()) throw new ConfigError(s.key("sub-stages"), "needs at least one sub-stage");
        List<SubStage> subs = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String where = s.key("sub-stages") + "[" + i + "]";
            Config own = list.get(i);
            for (String k : own.root().keySet()) {
                if (!known.contains(k)) throw new ConfigError(where + "." + k, "unknown key (a sub-stage has " + known + ")");
            }
            // A sub-stage's reward mix replaces the default mix as a whole (HOCON would merge the two objects).
            Config merged = own.withFallback(own.hasPath("rewards") ? defaults.withoutPath("rewards") : defaults);
            subs.add(subStage(new Settings(merged, "", k -> own.hasPath(k) ? where + "." + k
                    : ROOT + ".sub-stage-defaults." + k), merged, where));
        }
        for (int i = 0; i < subs.size(); i++)
            for (int j = 0; j < i; j++)
                if (subs.get(i).name().equals(subs.get(j).name()))
                    throw new ConfigError(s.key("sub-stages") + "[" + i + "].name", "duplicate sub-stage name '" + subs.get(i).name() + "'");
        Settings rm = s.child("reward-model");
        Settings mon = s.child("monitor");
        return new RlSettings(s.string("init"), List.copyOf(subs),
                new RewardModel(nonEmpty(rm, "inputs"), rm.intIn("steps", 1, 1_000_000), rm.doubleIn("lr", 1e-7, 1.0),
                        rm.doubleIn("beta", 1e-3, 100)),
                new Monitor(mon.doubleIn("max-mean-length", 1, 1e6), mon.doubleIn("length-growth", 1, 1e6),
                        mon.doubleIn("length-trend", 0, 1e6), mon.doubleIn("max-flagged-rate", 0, 1),
                        mon.doubleIn("trend-epsilon", 0, 1), mon.intIn("patience", 1, 1_000_000),
                        mon.oneOf("on-hacking", List.of("rollback", "fail", "warn"))),
                replay(config, s.child("replay"), s.key("replay")), teacherKd(s.child("teacher-kd")), TrainSettings.forStage(config, "rl"), sandbox(new Settings(config, "posttrain.reward.sandbox")),
                verifiers(new Settings(config, "posttrain.reward")), new Settings(config, "posttrain.reward").bool("canaries"),
                s.intIn("sampler-batch", 1, 1 << 20));
    }

    private static Replay replay(Config config, Settings r, String key) {
        Config c = config.getConfig(key);
        double fraction = r.doubleIn("fraction", 0, 100);
        List<String> inputs = List.copyOf(r.strings("inputs"));
        if (fraction > 0 && inputs.isEmpty()) throw new ConfigError(r.key("inputs"), "needs at least one input when fraction > 0");
        SftStageSettings.Phase selection = SftStageSettings.selection("replay", c, r, key, 1);
        return new Replay(inputs, selection, r.intIn("max-records", 1, 100_000_000), fraction, r.doubleIn("weight", 0, 1e6));
    }

    private static TeacherKd teacherKd(Settings t) {
        return new TeacherKd(t.string("teacher"), t.doubleIn("fraction", 0, 1), t.doubleIn("weight", 0, 1e6),
                t.intIn("top-k", 1, 1 << 20), t.doubleIn("temperature", 1e-3, 100));
    }

    /** posttrain.reward.verifier-*: every verifier's deadline and the JVM's cap on verifier threads. */
    static ai.posttrain.reward.VerifierDeadline verifiers(Settings s) {
        return new ai.posttrain.reward.VerifierDeadline(s.intIn("verifier-timeout-ms", 1, 3_600_000), s.intIn("verifier-max-threads", 1, 10_000));
    }

    /** posttrain.reward.sandbox: the code sandbox's limits (see reference.conf). */
    static ai.posttrain.reward.SandboxLimits sandbox(Settings s) {
        return new ai.posttrain.reward.SandboxLimits(s.intIn("wall-clock-ms", 100, 3_600_000),
                s.longAtLeast("memory-mb", 32) << 20, s.intIn("cpu-seconds", 1, 3600), s.intIn("max-processes", 1, 100_000),
                s.longAtLeast("max-file-mb", 1) << 20, s.longAtLeast("work-dir-mb", 1) << 20,
                s.intIn("max-concurrent", 1, 1024), s.bool("allow-unisolated"));
    }

    private static SubStage subStage(Settings s, Config c, String where) {
        String name = s.string("name");
        if (!name.matches("[a-z][a-z0-9_-]*")) throw new ConfigError(s.key("name"), "must match [a-z][a-z0-9_-]*, got '" + name + "'");
        Map<String, Double> rewards = new LinkedHashMap<>();
        Settings mix = s.child("rewards");
        try {
            for (Map.Entry<String, ConfigValue> e : c.getConfig("rewards").root().entrySet()) {
                if (!COMPONENTS.contains(e.getKey()))
                    throw new ConfigError(mix.key(e.getKey()), "unknown reward component (components: " + COMPONENTS + ")");
                double w = mix.doubleIn(e.getKey(), -1e6, 1e6);
                if (w != 0) rewards.put(e.getKey(), w);
            }
        } catch (ConfigException e) {
            throw new ConfigError(s.key("rewards"), "must be an object of component = weight: " + ConfigLoader.oneLine(e));
        }
        if (rewards.isEmpty()) throw new ConfigError(s.key("rewards"), "needs at least one component with a non-zero weight");
        double clipLow = s.doubleIn("clip-low", 0, 1), clipHigh = s.doubleIn("clip-high", 0, 10);
        return new SubStage(name, nonEmpty(s, "inputs"), nonEmpty(s, "heldout"),
                SftStageSettings.difficulties(c, "difficulties", s.key("difficulties")), SftStageSettings.mixture(c, s),
                s.intIn("heldout-prompts", 1, 100_000), Map.copyOf(rewards),
                s.intIn("iterations", 1, 1_000_000), s.intIn("prompts-per-iteration", 1, 1_000_000),
                s.intIn("group-size", 2, 1024), s.intIn("epochs", 1, 100), s.intIn("max-new-tokens", 1, 65536),
                s.doubleIn("temperature", 1e-3, 10), s.doubleIn("kl-coef", 0, 100), s.doubleIn("kl-bound", 0, 1e6),
                clipLow, clipHigh, s.oneOf("advantage", List.of("grpo", "dr-grpo")), s.doubleIn("reward-clip", 1e-6, 1e6),
                s.doubleIn("overlong-penalty", 0, 1e6), s.intIn("overlong-buffer", 0, 65536),
                s.intIn("repetition-ngram", 1, 4096), s.doubleIn("repetition-penalty", 0, 1e6), s.doubleIn("lr", 0, 1.0),   // lr 0: a no-update control run
                s.doubleIn("revisit", 0, 0.95));
    }

    private static List<String> nonEmpty(Settings s, String path) {
        List<String> v = s.strings(path);
        if (v.isEmpty()) throw new ConfigError(s.key(path), "needs at least one input");
        return List.copyOf(v);
    }
}
