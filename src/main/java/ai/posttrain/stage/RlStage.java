package ai.posttrain.stage;

import ai.posttrain.config.RlSettings;
import ai.posttrain.config.RlSettings.SubStage;
import ai.posttrain.config.TrainSettings;
import ai.posttrain.data.ReadResult;
import ai.posttrain.data.RecordKind;
import ai.posttrain.data.RecordSchemas;
import ai.posttrain.model.Checkpoints;
import ai.posttrain.model.Heads;
import ai.posttrain.model.ModelBytes;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.ModelInfo;
import ai.posttrain.reward.Canaries;
import ai.posttrain.reward.HackingMonitor;
import ai.posttrain.reward.RewardMix;
import ai.posttrain.reward.SandboxLimits;
import ai.posttrain.rollout.CanaryRollouts;
import ai.posttrain.rollout.GroupAdvantages;
import ai.posttrain.rollout.PgBatches;
import ai.posttrain.rollout.PolicyLogProbs;
import ai.posttrain.rollout.RewardScorer;
import ai.posttrain.rollout.RlPrompt;
import ai.posttrain.rollout.RolloutGenerator;
import ai.posttrain.rollout.RolloutRows;
import ai.posttrain.rollout.RolloutSchema;
import ai.posttrain.train.LrSchedule;
import ai.posttrain.train.Minibatches;
import ai.posttrain.train.SparkTrainer;
import ai.posttrain.train.TrainerSettings;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;

/**
 * Stage 4: multi-stage RL of the student. For each sub-stage, in order, starting from the previous one's
 * policy: every iteration broadcasts the policy, samples a group of completions per prompt on the
 * executors, adds the reference's log-probs, scores the rewards, computes group-relative advantages with
 * window functions, writes the iteration's {@code rollouts} partition, trains the {@code pg} objective
 * with DL4J-on-Spark, checks the hacking monitor and checkpoints the policy. A rerun skips finished
 * sub-stages and iterations.
 */
public final class RlStage {
    public static final String NAME = "rl";
    private final StageContext ctx;
    private final RlSettings settings;
    /** Each sub-stage's training prompts, read once: later sub-stages revisit them. */
    private final Map<String, List<RlPrompt>> trainingPrompts = new java.util.HashMap<>();
    /** The broadcast teacher of on-policy distillation, or null when teacher-kd is off. */
    private PgBatches.TeacherKd teacherKd;

    public RlStage(StageContext ctx) {
        this.ctx = ctx;
        this.settings = ctx.config().rl();
    }

    public void run() {
        Checkpoints.Loaded start = startingPolicy();
        ModelConfig arch = start.info().config();
        ComputationGraph policy = start.graph();
        MetricsLog metrics = new MetricsLog(ctx.spark(), ctx.tables(), NAME);
        RewardModels rewardModels = new RewardModels(ctx, settings, start.graph(), arch);
        PgBatches.Replay replay = replayPool();
        teacherKd = teacherKd(arch);
        int global = 0;
        for (SubStage sub : settings.subStages()) {
            StageCheckpoints checkpoints = new StageCheckpoints(ctx.run(), NAME + "/" + sub.name());
            if (checkpoints.hasFinalModel()) {
                policy = Checkpoints.load(checkpoints.modelDir().toString(), ctx.hadoop()).graph();
                ctx.console().printf("[rl] sub-stage %s complete: skipped%n", sub.name());
            } else {
                policy = new SubStageRun(sub, global, checkpoints, metrics, rewardModels, replay, arch).run(policy);
            }
            global += sub.iterations();
        }
        new StageCheckpoints(ctx.run(), NAME, ctx.tokenizer()).saveFinal(policy, info(arch, NAME, global));
        if (replay != null) replay.pool().unpersist(false);
        if (teacherKd != null) teacherKd.teacher().destroy();
    }

    /** teacher-kd's teacher (its checkpoint, else this run's overall-sft model) broadcast to the executors, or null when off. */
    private PgBatches.TeacherKd teacherKd(ModelConfig policy) {
        RlSettings.TeacherKd kd = settings.teacherKd();
        if (!kd.on()) return null;
        String key = "posttrain.stages.rl.teacher-kd.teacher";
        Checkpoints.Loaded teacher = StartingModels.teacher(key, kd.teacher(), ctx);
        if (teacher.info().config().vocab() != policy.vocab())
            throw new ai.posttrain.config.ConfigError(key, "the teacher's vocabulary (" + teacher.info().config().vocab()
                    + ") is not the policy's (" + policy.vocab() + ")");
        ctx.console().printf(Locale.ROOT, "[rl] teacher-kd: %.2f of the rollouts scored by the teacher's top-%d, weight %s%n",
                kd.fraction(), kd.topK(), kd.weight());
        return new PgBatches.TeacherKd(ctx.sc().broadcast(ModelBytes.of(teacher.graph(), teacher.info().config())),
                kd.fraction(), kd.topK(), kd.temperature());
    }

    /** The SFT conversations every update replays from (rendered on the executors and kept there), or null when replay is off. */
    private PgBatches.Replay replayPool() {
        RlSettings.Replay r = settings.replay();
        if (!r.on()) return null;
        ReadResult data = ctx.read(RecordKind.SFT, r.inputs(), NAME + ":replay");
        Dataset<Row> sample = Curriculum.sample(data.valid(), r.selection(), r.maxRecords(), ctx.config().seed(), ctx.console());
        JavaRDD<ai.posttrain.train.SftExample> pool = ai.posttrain.train.SftExample.fromRecords(sample, ctx.template())
                .persist(StorageLevel.MEMORY_AND_DISK());
        long size = pool.count();
        data.unpersist();
        if (size == 0) throw new IllegalStateException("no valid records in " + r.inputs() + " for posttrain.stages.rl.replay");
        ctx.console().printf(Locale.ROOT, "[rl] replay: %d SFT conversations, %.2f per pg row, weight %s%n", size, r.fraction(), r.weight());
        return new PgBatches.Replay(pool, size, r.fraction());
    }

    private boolean isLast(SubStage sub) { return settings.subStages().indexOf(sub) == settings.subStages().size() - 1; }

    /** The init checkpoint, else the run's distilled student, else its overall-sft model. */
    private Checkpoints.Loaded startingPolicy() {
        if (!settings.init().isBlank())
            return StartingModels.load("posttrain.stages.rl.init", settings.init(), ctx.tokenizer(), ctx.hadoop());
        for (String stage : List.of("distill", "overall-sft")) {
            StageCheckpoints previous = new StageCheckpoints(ctx.run(), stage);
            if (previous.hasFinalModel()) {
                ctx.console().printf("[rl] starting from the %s model%n", stage);
                return Checkpoints.load(previous.modelDir().toString(), ctx.hadoop());
            }
        }
        throw new IllegalStateException("stage rl needs a starting model: none of distill, overall-sft is complete in "
                + ctx.run().root() + " (or set posttrain.stages.rl.init to a checkpoint directory)");
    }

    private ModelInfo info(ModelConfig arch, String what, int step) {
        return new ModelInfo(arch, ctx.tokenizer().kind(), NAME, step,
                Map.of("run", ctx.run().id(), "sub_stage", what, "seed", String.valueOf(ctx.config().seed())));
    }

    /** One sub-stage: its prompts, reference, reward mix and monitor, and its iterations. */
    private final class SubStageRun {
        private final SubStage sub;
        private final int globalStart;
        private final StageCheckpoints checkpoints;
        private final MetricsLog metrics;
        private final RewardModels rewardModels;
        private final PgBatches.Replay replay;
        private final ModelConfig arch;
        private final TrainSettings train = settings.train();
        /** The sub-stages before this one, and this one's reward weights with the verifiers of those it revisits. */
        private final List<SubStage> earlier;
        private final Map<String, Double> rewards;

        SubStageRun(SubStage sub, int globalStart, StageCheckpoints checkpoints, MetricsLog metrics,
                    RewardModels rewardModels, PgBatches.Replay replay, ModelConfig arch) {
            this.sub = sub;
            this.earlier = settings.subStages().subList(0, settings.subStages().indexOf(sub));
            // Revisited prompts are paid by their own sub-stage's verifiers (each routed by the prompt's domain); the
            // sub-stage's own weights win where both name a component.
            Map<String, Double> mix = new LinkedHashMap<>(sub.rewards());
            if (revisitCount() > 0) for (SubStage e : earlier) e.verifiersOf().forEach(mix::putIfAbsent);
            this.rewards = java.util.Collections.unmodifiableMap(mix);
            this.globalStart = globalStart;
            this.checkpoints = checkpoints;
            this.metrics = metrics;
            this.rewardModels = rewardModels;
            this.replay = replay;
            this.arch = arch;
        }

        ComputationGraph run(ComputationGraph policy) {
            // The reference policy (KL) is the policy at the sub-stage's start, kept so that a resume uses the same one.
            StageCheckpoints refStore = new StageCheckpoints(ctx.run(), NAME + "/" + sub.name() + "/reference");
            ComputationGraph reference;
            if (refStore.hasFinalModel()) {
                reference = Checkpoints.load(refStore.modelDir().toString(), ctx.hadoop()).graph();
            } else {
                refStore.saveFinal(policy, info(arch, sub.name() + ":reference", 0));
                reference = policy;
            }
            int done = 0;
            Optional<Checkpoints.Loaded> resumed = checkpoints.latest();
            if (resumed.isPresent()) {
                policy = resumed.get().graph();
                done = (int) resumed.get().info().step();
                ctx.console().printf("[rl] %s: resuming after iteration %d/%d%n", sub.name(), done, sub.iterations());
            }
            policy = Heads.reconfigured(policy, h -> {
                h.setPgWeight(1.0);
                h.setSftWeight(settings.replay().weight());
                h.setKdWeight(settings.teacherKd().weight());
                h.setTemperature(settings.teacherKd().temperature());
                h.setClipLow(sub.clipLow());
                h.setClipHigh(sub.clipHigh());
                h.setKlCoef(sub.klCoef());
            });
            ModelBytes refBytes = ModelBytes.of(reference, arch);
            RewardModels.Loaded rm = sub.usesRewardModel() ? rewardModels.get() : null;
            RewardMix mix = new RewardMix(new RewardMix.Weights(rewards, sub.rewardClip(), sub.maxNewTokens(),
                    sub.overlongBuffer(), sub.overlongPenalty(), sub.repetitionNgram(), sub.repetitionPenalty(), rm == null ? 0 : rm.midpoint()),
                    settings.sandbox(), settings.verifiers());
            if (rewards.containsKey("code")) {
                String refusal = new ai.posttrain.reward.PythonSandbox("python3", settings.sandbox()).refusal();
                if (refusal != null) throw new IllegalStateException(refusal);
            }
            RewardScorer scorer = new RewardScorer(ctx.spark(), mix, rm == null ? null : rm.bytes(), ctx.template());
            PolicyLogProbs refLogProbs = new PolicyLogProbs(ctx.spark(), refBytes, ctx.template(), "ref_logprobs");
            List<RlPrompt> own = trainingPrompts(sub);
            List<List<RlPrompt>> revisited = new ArrayList<>();
            if (revisitCount() > 0) for (SubStage e : earlier) revisited.add(trainingPrompts(e));
            List<RlPrompt> heldout = prompts(sub.heldout(), sub.difficulties(), "rl:" + sub.name() + ":heldout", sub.heldoutPrompts());
            IterationPrompts prompts = new IterationPrompts(own, revisited);
            ctx.console().printf("[rl] %s: %d prompts%s, %d held out, rewards %s, %d iterations x %d prompts x %d samples%s%n",
                    sub.name(), own.size(), sub.mixture().isEmpty() ? "" : " drawn by domain " + new TreeMap<>(sub.mixture()),
                    heldout.size(), rewards, sub.iterations(), sub.promptsPerIteration(), sub.groupSize(),
                    revisited.isEmpty() ? "" : String.format(Locale.ROOT, " (%d of them revisiting %s)", revisitCount(),
                            earlier.stream().map(SubStage::name).toList()));
            if (done == 0) evaluate("start", policy, heldout, refLogProbs, scorer);

            HackingMonitor monitor = new HackingMonitor(settings.monitor().bounds(sub.klBound()));
            HackingMonitor.Action action = settings.monitor().action();
            if (done > 0) replayMonitor(monitor, done);
            for (int it = done; it < sub.iterations(); it++) {
                Iteration result = iteration(it, policy, prompts, refLogProbs, scorer, monitor, action);
                metrics.flush();   // metrics first: a kill before the checkpoint makes the resume rewrite them
                HackingMonitor.Verdict verdict = result.verdict();
                if (verdict.fires() && action == HackingMonitor.Action.FAIL) throw new ai.posttrain.cli.UserError(failure(it, verdict));
                if (verdict.fires() && action == HackingMonitor.Action.ROLLBACK) {
                    policy = lastGood(verdict.lastGood(), refStore);
                    break;
                }
                policy = result.policy();
                // The last good policy is kept past the pruning: a rollback may need it patience iterations later.
                checkpoints.save(policy, info(arch, sub.name(), it + 1), Math.max(1, verdict.lastGood()));
            }
            evaluate("end", policy, heldout, refLogProbs, scorer);
            // Every domain's held-out suites after every sub-stage but the last (the stage's own evaluation covers it): a
            // skill one sub-stage gives back shows beside the one it gains (eval rows of stage rl/<sub-stage>).
            if (!isLast(sub)) StageEvaluation.run(ctx, NAME + "/" + sub.name(), "end", policy, arch);
            checkpoints.saveFinal(policy, info(arch, sub.name(), sub.iterations()));
            return policy;
        }

        /** The policy of iteration {@code good} (its rollouts were clean): its checkpoint, or the sub-stage's start for 0. */
        private ComputationGraph lastGood(int good, StageCheckpoints refStore) {
            if (good >= 1) {
                Optional<Checkpoints.Loaded> saved = checkpoints.at(good);
                if (saved.isPresent()) return saved.get().graph();
                ctx.console().printf("[rl] %s: the checkpoint of iteration %d is gone; rolling back to the sub-stage's start%n",
                        sub.name(), good);
            }
            // The saved start, not the in-memory reference object, which training may have updated in place.
            return Checkpoints.load(refStore.modelDir().toString(), ctx.hadoop()).graph();
        }

        private String failure(int it, HackingMonitor.Verdict v) {
            return String.format(Locale.ROOT, "rl sub-stage %s stopped by the hacking monitor at iteration %d/%d: %s held for %d "
                    + "iterations (posttrain.stages.rl.monitor.on-hacking = fail; the metrics table has the event)",
                    sub.name(), it + 1, sub.iterations(), v.describe(), v.streak());
        }

        /** An iteration's updated policy (unchanged when the monitor stopped it) and the monitor's verdict. */
        private record Iteration(ComputationGraph policy, HackingMonitor.Verdict verdict) {}

        private Iteration iteration(int it, ComputationGraph policy, IterationPrompts prompts,
                                    PolicyLogProbs refLogProbs, RewardScorer scorer, HackingMonitor monitor,
                                    HackingMonitor.Action action) {
            // Progress lines while rollouts are sampled and scored; closed before the update (or on a failure).
            try (SparkProgress progress = new SparkProgress(ctx.sc(), ctx.console(),
                    "[rl] " + sub.name() + " iteration " + (it + 1) + " sampling and scoring")) {
                return iteration(progress, it, policy, prompts, refLogProbs, scorer, monitor, action);
            }
        }

        private Iteration iteration(SparkProgress progress, int it, ComputationGraph policy, IterationPrompts prompts,
                                    PolicyLogProbs refLogProbs, RewardScorer scorer, HackingMonitor monitor,
                                    HackingMonitor.Action action) {
            int global = globalStart + it;
            long seed = ctx.config().seed() * 7919L + global;
            long t0 = System.nanoTime();
            // 1. Rollouts: the policy's samples, G per prompt, on the executors (progress lines until the update).
            RolloutGenerator.Options options = new RolloutGenerator.Options(ctx.run().id(), sub.name(), global, global,
                    sub.groupSize(), sub.maxNewTokens(), sub.temperature(), false, seed, settings.samplerBatch());
            Dataset<Row> generated = new RolloutGenerator(ctx.sc(), ctx.template())
                    .generate(ctx.spark(), ModelBytes.of(policy, arch), prompts.of(it), options)
                    .persist(StorageLevel.MEMORY_AND_DISK());
            // Known-hostile completions scored beside the policy's (a code reward only); checked, then dropped before the advantages.
            boolean withCanaries = settings.canaries() && rewards.containsKey("code");
            Dataset<Row> toScore = withCanaries ? generated.union(CanaryRollouts.rows(ctx.spark(), ctx.template(), options, Canaries.builtin())) : generated;
            long samples = generated.count();
            double sampleSeconds = (System.nanoTime() - t0) / 1e9;
            long newTokens = generated.agg(org.apache.spark.sql.functions.sum("length")).first().getLong(0);

            // 2. Reference log-probs and rewards, group-relative advantages, the iteration's rollouts partition. The
            // scored rollouts stay on the executors: the driver reads only their aggregates.
            Timer timer = new Timer();
            Dataset<Row> rewarded = scorer.transform(refLogProbs.transform(toScore)).persist(StorageLevel.MEMORY_AND_DISK());
            rewarded.count();
            double scoreSeconds = timer.lap();
            int[] canaries = withCanaries ? checkCanaries(rewarded, it) : new int[]{0, 0};
            Dataset<Row> policyRows = withCanaries ? rewarded.where(not(col("prompt_id").startsWith(CanaryRollouts.PREFIX))) : rewarded;
            Dataset<Row> scored = new GroupAdvantages(sub.stdNormalised()).transform(policyRows).persist(StorageLevel.MEMORY_AND_DISK());
            scored.count();
            double advantageSeconds = timer.lap();
            generated.unpersist();
            rewarded.unpersist();
            Map<String, String> partition = new LinkedHashMap<>();
            partition.put("sub_stage", sub.name());
            partition.put("iteration", Integer.toString(global));
            ctx.tables().writePartition(RolloutSchema.TABLE, partition, RolloutRows.forTable(scored));
            double writeSeconds = timer.lap();
            long dropped = GroupAdvantages.droppedGroups(scored);
            long excludedFlagged = GroupAdvantages.excludedFlagged(scored);
            Stats stats = Stats.of(scored);
            double aggregateSeconds = timer.lap();
            progress.close();

            // 3. The monitor, then the update (pg minibatches from the rows that carry an advantage, built on the
            // executors), which a monitor that stops the sub-stage skips.
            HackingMonitor.Verdict verdict = monitor.observe(stats.observation());
            boolean stops = verdict.fires() && action != HackingMonitor.Action.WARN;
            Update update = stops ? Update.skipped(policy) : update(policy, scored, seed);
            scored.unpersist();
            double seconds = (System.nanoTime() - t0) / 1e9;
            double tokPerS = sampleSeconds > 0 ? newTokens / sampleSeconds : 0;
            Map<String, Double> extra = new LinkedHashMap<>(stats.values());
            extra.put("dropped_groups", (double) dropped);
            extra.put("flagged_excluded", (double) excludedFlagged);
            extra.put("groups", (double) (samples / sub.groupSize()));
            if (withCanaries) {
                extra.put("canaries", (double) canaries[0]);
                extra.put("canaries_flagged", (double) canaries[1]);
            }
            extra.put("rollout_tokens", (double) newTokens);
            extra.put("rollout_tokens_per_s", tokPerS);
            extra.put("sample_seconds", sampleSeconds);
            // Where the iteration's time went (the rest: broadcasting the policy, the monitor, metrics).
            extra.put("score_seconds", scoreSeconds);
            extra.put("advantage_seconds", advantageSeconds);
            extra.put("write_seconds", writeSeconds);
            extra.put("aggregate_seconds", aggregateSeconds);
            extra.put("batch_seconds", update.batchSeconds());
            extra.put("update_seconds", update.trainSeconds());
            extra.put("update_worker_seconds", update.workerSeconds());
            extra.put("update_tokens", (double) update.tokens());
            extra.put("update_steps", (double) update.steps());
            extra.put("iteration_in_sub_stage", (double) it);
            verdict.flags().forEach((k, v) -> extra.put("monitor_" + k, v ? 1.0 : 0.0));
            extra.put("monitor_streak", (double) verdict.streak());
            metrics.add(sub.name(), new SparkTrainer.Step(global, globalStart + sub.iterations(), update.loss(), sub.lr(),
                    newTokens, seconds), extra);
            ctx.console().printf(Locale.ROOT, "[rl] %s iteration %d/%d: reward %.3f  accuracy %s  length %.1f  kl %.4f  "
                            + "flagged %.2f  dropped %d/%d groups  loss %.4f  sampling %.0f tok/s  monitor: %s%n",
                    sub.name(), it + 1, sub.iterations(), stats.rewardMean(), Double.isNaN(stats.accuracy()) ? "-"
                            : String.format(Locale.ROOT, "%.3f", stats.accuracy()), stats.lengthMean(), stats.kl(),
                    stats.flaggedRate(), dropped, samples / sub.groupSize(), update.loss(), tokPerS, verdict.describe());
            if (verdict.fires()) recordEvent(it, verdict, action);
            return new Iteration(update.policy(), verdict);
        }

        /**
         * Every canary must be contained (not passed, no code reward); one that is not stops the stage. Returns the
         * canaries scored and how many of them were flagged.
         */
        private int[] checkCanaries(Dataset<Row> rewarded, int it) {
            List<Row> rows = rewarded.where(col("prompt_id").startsWith(CanaryRollouts.PREFIX))
                    .select(col("prompt_id"), col("verifier_correct"), col("reward_components").getItem("code"), col("flagged"),
                            col("flag_reason")).collectAsList();
            int flagged = 0, expected = Canaries.builtin().size();
            for (Row r : rows) {
                Boolean correct = r.isNullAt(1) ? null : r.getBoolean(1);
                Double code = r.isNullAt(2) ? null : r.getDouble(2);
                if (!Canaries.contained(correct, code))
                    throw new ai.posttrain.cli.UserError(String.format(Locale.ROOT, "rl sub-stage %s stopped at iteration %d/%d: the "
                            + "canary %s (a wrong solution that tries to be paid anyway) passed the code verifier (code reward %s): the "
                            + "sandbox is not containing hostile code; nothing of this iteration was trained", sub.name(), it + 1,
                            sub.iterations(), r.getString(0).substring(CanaryRollouts.PREFIX.length()), code));
                if (r.getBoolean(3)) flagged++;
            }
            if (it == 0 || rows.size() != expected)
                ctx.console().printf("[rl] %s: canaries %d/%d contained (%d flagged)%n", sub.name(), rows.size(), expected, flagged);
            if (rows.size() != expected)
                throw new IllegalStateException("canary rows went missing in scoring: " + rows.size() + " of " + expected);
            return new int[]{rows.size(), flagged};
        }

        /**
         * The monitor's event: a metrics row (phase {@code <sub-stage>:monitor}, at the iteration where it fired) and a
         * console line. {@code good_iteration}: the global iteration whose policy a rollback keeps.
         */
        private void recordEvent(int it, HackingMonitor.Verdict v, HackingMonitor.Action action) {
            int global = globalStart + it, good = globalStart + Math.max(0, v.lastGood());
            Map<String, Double> extra = new LinkedHashMap<>();
            extra.put("monitor_fired", 1.0);
            extra.put("monitor_action_" + action.name().toLowerCase(Locale.ROOT), 1.0);
            extra.put("signal_start_iteration", (double) (global - v.streak() + 1));
            extra.put("good_iteration", (double) good);
            extra.put("streak", (double) v.streak());
            v.flags().forEach((k, on) -> extra.put("monitor_" + k, on ? 1.0 : 0.0));
            metrics.add(sub.name() + ":monitor", new SparkTrainer.Step(global, globalStart + sub.iterations(), Double.NaN,
                    sub.lr(), 0, 0), extra);
            String what = switch (action) {
                case ROLLBACK -> "stopping the sub-stage and rolling back to the policy that sampled iteration " + (Math.max(0, v.lastGood()) + 1)
                        + (v.lastGood() <= 0 ? " (the sub-stage's start)" : "");
                case FAIL -> "failing the stage (on-hacking = fail)";
                case WARN -> "training on (on-hacking = warn)";
            };
            ctx.console().printf(Locale.ROOT, "[rl] %s: HACKING MONITOR fired at iteration %d/%d: %s held for %d iterations; %s%n",
                    sub.name(), it + 1, sub.iterations(), v.describe(), v.streak(), what);
        }

        /**
         * An update's policy, mean loss, steps and trained tokens; its seconds building minibatches, training (broadcast, executor fits and
         * averaging), and the executors' part of training.
         */
        private record Update(ComputationGraph policy, double loss, int steps, long tokens, double batchSeconds,
                              double trainSeconds, double workerSeconds) {
            static Update skipped(ComputationGraph policy) { return new Update(policy, Double.NaN, 0, 0, 0, 0, 0); }
        }

        private Update update(ComputationGraph policy, Dataset<Row> scored, long seed) {
            Timer timer = new Timer();
            JavaRDD<PgBatches.Example> teacherRows = teacherKd == null ? null
                    : PgBatches.teacherRows(scored, ctx.template(), teacherKd, seed).persist(StorageLevel.MEMORY_AND_DISK());
            JavaRDD<MultiDataSet> batches = PgBatches.build(scored, ctx.template(), train.batchPerWorker(), sub.epochs(), seed, replay,
                    teacherRows).persist(StorageLevel.MEMORY_AND_DISK());
            long[] tokens = Minibatches.trainedTokens(batches);
            if (teacherRows != null) teacherRows.unpersist(false);   // the minibatches hold them now
            double batchSeconds = timer.lap();
            if (tokens.length == 0) {   // every group had equal rewards
                batches.unpersist(false);
                return new Update(policy, Double.NaN, 0, 0, batchSeconds, 0, 0);
            }
            int steps = (int) Math.ceil(tokens.length / (double) (train.workers() * train.averagingFrequency()));
            TrainerSettings trainer = new TrainerSettings(train.workers(), train.batchPerWorker(), train.averagingFrequency(),
                    train.prefetch(), new LrSchedule(sub.lr(), sub.lr(), 0, steps), train.weightDecay());
            double[] loss = {0};
            SparkTrainer sparkTrainer = new SparkTrainer(ctx.sc(), trainer);
            ComputationGraph trained = sparkTrainer.train(policy, batches, tokens, 0, steps, 0,
                    (s, net) -> {
                        loss[0] += s.loss() / steps;
                        ai.posttrain.run.KillPoints.reach("rl-update");
                    });
            batches.unpersist(false);
            return new Update(trained, loss[0], steps, java.util.Arrays.stream(tokens).sum(), batchSeconds, timer.lap(),
                    sparkTrainer.workerSeconds());
        }

        /** Prompts per iteration drawn from the earlier sub-stages: revisit x prompts-per-iteration, rounded down, never all. */
        private int revisitCount() {
            if (earlier.isEmpty()) return 0;
            return Math.min(sub.promptsPerIteration() - 1, (int) Math.floor(sub.revisit() * sub.promptsPerIteration()));
        }

        /**
         * Each iteration's prompts: its own, consecutive slices of one seeded order (wrapping around), then the
         * revisited ones, consecutive slices of the earlier sub-stages' orders taken in turn. A sub-stage's order is
         * one shuffle of its prompts, or with a mixture each domain's own shuffle, interleaved by weight.
         */
        private final class IterationPrompts {
            private final List<RlPrompt> own;
            private final List<RlPrompt> revisited = new ArrayList<>();

            IterationPrompts(List<RlPrompt> own, List<List<RlPrompt>> earlierPrompts) {
                this.own = ordered(sub, own, sub.name());
                List<List<RlPrompt>> sources = new ArrayList<>();
                for (int i = 0; i < earlierPrompts.size(); i++)
                    if (!earlierPrompts.get(i).isEmpty()) sources.add(ordered(earlier.get(i), earlierPrompts.get(i), sub.name() + "/" + earlier.get(i).name()));
                int longest = sources.stream().mapToInt(List::size).max().orElse(0);
                for (int k = 0; k < longest; k++)
                    for (List<RlPrompt> source : sources) revisited.add(source.get(k % source.size()));
            }

            private List<RlPrompt> ordered(SubStage of, List<RlPrompt> all, String salt) {
                if (of.mixture().isEmpty()) return shuffled(all, salt);
                Map<String, Double> weights = new TreeMap<>(of.mixture());
                List<List<RlPrompt>> domains = new ArrayList<>();
                for (String domain : weights.keySet()) {
                    List<RlPrompt> mine = all.stream().filter(p -> domain.equals(p.domain())).toList();
                    if (mine.isEmpty()) throw new ai.posttrain.config.ConfigError(
                            String.format(Locale.ROOT, "posttrain.stages.rl.sub-stages[%d].mixture.%s", settings.subStages().indexOf(of), domain),
                            String.format(Locale.ROOT, "no prompts of domain '%s' in %s at difficulties %s (their domains: %s)", domain, of.inputs(), of.difficulties(),
                            new java.util.TreeSet<>(all.stream().map(RlPrompt::domain).toList())));
                    domains.add(shuffled(mine, salt + "/" + domain));
                }
                double[] w = weights.values().stream().mapToDouble(Double::doubleValue).toArray();
                double total = java.util.Arrays.stream(w).sum();
                // Long enough for every prompt of every domain to come up once, and no longer than the sub-stage draws.
                long cycle = 0;
                for (int d = 0; d < w.length; d++) cycle = Math.max(cycle, (long) Math.ceil(domains.get(d).size() * total / w[d]));
                long length = Math.max(1, Math.min(cycle, (long) sub.iterations() * sub.promptsPerIteration()));
                // Smooth weighted round robin: every prefix holds each domain's share, to within one prompt.
                double[] credit = new double[w.length];
                int[] next = new int[w.length];
                List<RlPrompt> order = new ArrayList<>();
                for (long k = 0; k < length; k++) {
                    int pick = 0;
                    for (int d = 0; d < w.length; d++) {
                        credit[d] += w[d];
                        if (credit[d] > credit[pick]) pick = d;
                    }
                    credit[pick] -= total;
                    List<RlPrompt> source = domains.get(pick);
                    order.add(source.get(next[pick]++ % source.size()));
                }
                return order;
            }

            private List<RlPrompt> shuffled(List<RlPrompt> all, String salt) {
                List<RlPrompt> order = new ArrayList<>(all);
                Collections.shuffle(order, new Random(ctx.config().seed() + salt.hashCode()));
                return order;
            }

            List<RlPrompt> of(int it) {
                int back = revisited.isEmpty() ? 0 : revisitCount();
                List<RlPrompt> out = new ArrayList<>(slice(own, it, Math.min(sub.promptsPerIteration() - back, own.size())));
                out.addAll(slice(revisited, it, back));
                return out;
            }

            private static List<RlPrompt> slice(List<RlPrompt> order, int it, int n) {
                List<RlPrompt> out = new ArrayList<>();
                for (int i = 0; i < n; i++) out.add(order.get((int) (((long) it * n + i) % order.size())));
                return out;
            }
        }

        /**
         * A resumed sub-stage's monitor sees its finished iterations again, in order, from the rollouts table: its
         * baseline, its signal streak and its last good iteration are what they were (their events were recorded then).
         */
        private void replayMonitor(HackingMonitor monitor, int done) {
            Dataset<Row> finished = ctx.tables().read(ctx.spark(), RolloutSchema.TABLE)
                    .where(col("sub_stage").equalTo(sub.name()).and(col("iteration").between(globalStart, globalStart + done - 1)));
            // One aggregate per finished iteration, in order: no rollout row comes to the driver.
            for (int global = globalStart; global < globalStart + done; global++)
                monitor.observe(Stats.of(finished.where(col("iteration").equalTo(global))).observation());
        }

        /** Greedy decoding of the held-out prompts, scored with this sub-stage's rewards, into the eval table. */
        private void evaluate(String when, ComputationGraph policy, List<RlPrompt> heldout, PolicyLogProbs refLogProbs,
                              RewardScorer scorer) {
            long t0 = System.nanoTime();
            RolloutGenerator.Options options = new RolloutGenerator.Options(ctx.run().id(), sub.name(), -1, -1, 1,
                    sub.maxNewTokens(), 1.0, true, 0, settings.samplerBatch());
            Stats stats;
            try (SparkProgress progress = new SparkProgress(ctx.sc(), ctx.console(), "[rl] " + sub.name() + " held-out (" + when + ")")) {
                Dataset<Row> decoded = new RolloutGenerator(ctx.sc(), ctx.template())
                        .generate(ctx.spark(), ModelBytes.of(policy, arch), heldout, options);
                stats = Stats.of(scorer.transform(refLogProbs.transform(decoded)));
            }
            String checkpoint = sub.name() + ":" + when;
            List<Row> out = new ArrayList<>();
            stats.values().forEach((metric, value) -> {
                if (!Double.isNaN(value)) out.add(RowFactory.create(NAME, checkpoint, sub.name(), metric, value, stats.n()));
            });
            ctx.tables().appendReplacing("eval", ctx.spark().createDataFrame(out, StageEvaluation.EVAL),
                    col("stage").equalTo(NAME).and(col("checkpoint").equalTo(checkpoint)));
            ctx.console().printf(Locale.ROOT, "[rl] %s held-out (%s, %d prompts, %.0fs): %s%n", sub.name(), when, stats.n(),
                    (System.nanoTime() - t0) / 1e9, stats.values());
        }
    }

    /** Seconds between laps. */
    private static final class Timer {
        private long last = System.nanoTime();

        double lap() {
            long now = System.nanoTime();
            double seconds = (now - last) / 1e9;
            last = now;
            return seconds;
        }
    }

    /** Aggregates of scored rollouts (NaN where nothing applies). */
    record Stats(int n, double rewardMean, double accuracy, Map<String, Double> accuracyByDomain, double lengthMean,
                 double kl, double flaggedRate, double rmScore, Map<String, Double> proxies) {
        /** Reward components a policy can please without being right, watched against the verifier. */
        static final List<String> PROXIES = List.of("format", "reward_model", "length");

        /** The aggregates of rollouts that stay on the executors: each partition sums its rows, the driver merges the sums. */
        static Stats of(Dataset<Row> rows) {
            return rows.javaRDD().aggregate(new Sums(), Sums::add, Sums::merge).stats();
        }

        /** Running sums of scored rollouts: a few numbers per partition, whatever the number of rows. */
        static final class Sums implements java.io.Serializable {
            int n, verified, correct, flagged;
            long length;
            final ExactSum reward = new ExactSum(), kl = new ExactSum(), rm = new ExactSum();
            final Map<String, ExactSum> proxySums = new TreeMap<>();
            final Map<String, int[]> byDomain = new TreeMap<>();   // domain -> {verified, correct}

            Sums add(Row r) {
                n++;
                reward.add(r.getDouble(r.fieldIndex("reward")));
                length += r.getInt(r.fieldIndex("length"));
                int vi = r.fieldIndex("verifier_correct");
                if (!r.isNullAt(vi)) {
                    verified++;
                    int[] d = byDomain.computeIfAbsent(String.valueOf(r.getString(r.fieldIndex("domain"))), k -> new int[2]);
                    d[0]++;
                    if (r.getBoolean(vi)) {
                        correct++;
                        d[1]++;
                    }
                }
                if (r.getBoolean(r.fieldIndex("flagged"))) flagged++;
                int ki = r.fieldIndex("kl");
                if (!r.isNullAt(ki)) kl.add(r.getDouble(ki));
                int ri = r.fieldIndex("rm_score");
                if (!r.isNullAt(ri) && Double.isFinite(r.getDouble(ri))) rm.add(r.getDouble(ri));
                Map<String, Double> parts = r.getJavaMap(r.fieldIndex("reward_components"));
                for (String c : PROXIES) {
                    if (parts.containsKey(c)) proxySums.computeIfAbsent(c, k -> new ExactSum()).add(parts.get(c));
                }
                return this;
            }

            Sums merge(Sums o) {
                n += o.n;
                verified += o.verified;
                correct += o.correct;
                flagged += o.flagged;
                reward.merge(o.reward);
                length += o.length;
                kl.merge(o.kl);
                rm.merge(o.rm);
                o.proxySums.forEach((c, p) -> proxySums.computeIfAbsent(c, k -> new ExactSum()).merge(p));
                o.byDomain.forEach((domain, c) -> {
                    int[] mine = byDomain.computeIfAbsent(domain, k -> new int[2]);
                    mine[0] += c[0];
                    mine[1] += c[1];
                });
                return this;
            }

            Stats stats() {
                double d = Math.max(1, n);
                Map<String, Double> accuracyByDomain = new LinkedHashMap<>();
                byDomain.forEach((domain, c) -> accuracyByDomain.put(domain, (double) c[1] / c[0]));
                Map<String, Double> proxies = new LinkedHashMap<>();
                for (String c : PROXIES) if (proxySums.containsKey(c)) proxies.put(c, proxySums.get(c).mean());
                return new Stats(n, reward.value() / d, verified > 0 ? (double) correct / verified : Double.NaN, accuracyByDomain,
                        length / d, kl.mean(), flagged / d, rm.mean(), proxies);
            }
        }

        HackingMonitor.Observation observation() {
            return new HackingMonitor.Observation(proxies, accuracy, rewardMean, lengthMean, flaggedRate, kl);
        }

        Map<String, Double> values() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("reward_mean", rewardMean);
            m.put("accuracy", accuracy);
            // Per domain too where a sub-stage mixes verifiers (math and stem): each has its own criterion.
            if (accuracyByDomain.size() > 1) accuracyByDomain.forEach((domain, a) -> m.put("accuracy_" + domain, a));
            m.put("length_mean", lengthMean);
            m.put("kl", kl);
            m.put("flagged_rate", flaggedRate);
            m.put("rm_score", rmScore);
            m.put("proxy_reward", proxies.isEmpty() ? Double.NaN : proxies.values().stream().mapToDouble(Double::doubleValue).sum());
            proxies.forEach((c, v) -> m.put("proxy_" + c, v));
            return m;
        }
    }

    /** A sub-stage's training prompts (its inputs at its difficulty levels), read the first time they are asked for. */
    private List<RlPrompt> trainingPrompts(SubStage sub) {
        return trainingPrompts.computeIfAbsent(sub.name(),
                name -> prompts(sub.inputs(), sub.difficulties(), "rl:" + name, Integer.MAX_VALUE));
    }

    /**
     * Reads RL prompt records of the given difficulty levels (all when empty); rejected ones go to the run's
     * rejected table under {@code origin}.
     */
    private List<RlPrompt> prompts(List<String> inputs, List<Integer> difficulties, String origin, int limit) {
        ReadResult data = ctx.read(RecordKind.RL, inputs, origin);
        List<RlPrompt> out = new ArrayList<>();
        for (Row r : RecordSchemas.atLevels(data.valid(), difficulties).orderBy("source", "line").limit(limit).collectAsList()) out.add(RlPrompt.of(r));
        data.unpersist();
        return out;
    }
}
