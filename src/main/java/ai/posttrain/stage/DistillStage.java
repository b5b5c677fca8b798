package ai.posttrain.stage;

import ai.posttrain.config.ConfigError;
import ai.posttrain.config.DistillStageSettings;
import ai.posttrain.config.TrainSettings;
import ai.posttrain.model.Checkpoints;
import ai.posttrain.model.LanguageModels;
import ai.posttrain.model.ModelBytes;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.ModelInfo;
import ai.posttrain.model.TransformerGraph;
import ai.posttrain.model.head.HeadDiagnostics;
import ai.posttrain.model.head.HeadSettings;
import ai.posttrain.model.head.LmHeadLayer;
import ai.posttrain.model.head.LmHeadOutputLayer;
import ai.posttrain.train.DistillBatches;
import ai.posttrain.train.DpoPair;
import ai.posttrain.train.KdExample;
import ai.posttrain.train.LrSchedule;
import ai.posttrain.train.Minibatches;
import ai.posttrain.train.SparkTrainer;
import ai.posttrain.train.TrainerSettings;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Stage 3, dual-level distillation of the frozen teacher into the small student. Token level
 * ({@link TokenLevel}): the teacher's top-k log-probs over the SFT responses, trained with {@code kd}.
 * Sequence level ({@link SequenceLevel}): pairs ranked by the teacher and verifiers among the student's own
 * samples and the teacher's answer, trained with {@code dpo} (plus the chosen answer's NLL) against the student
 * as it was when the pairs were mined. The schedule
 * (kd | dpo | sequential | mixed | on-policy, where the student's own samples are scored token by token by the
 * teacher and join the kd examples) decides which minibatches each of the stage's steps trains on; every
 * schedule trains the same number of steps on minibatches of the same size. Data flows top to bottom in {@link #run}.
 */
public final class DistillStage {
    static final String PREVIOUS_STAGE = "overall-sft";
    private final StageContext ctx;
    private final DistillStageSettings settings;

    public DistillStage(StageContext ctx, DistillStageSettings settings) {
        this.ctx = ctx;
        this.settings = settings;
    }

    public void run() {
        String stage = DistillStageSettings.STAGE;
        long seed = ctx.config().seed();
        TrainSettings train = settings.train();
        int total = settings.steps();

        // 1. The frozen teacher and the student: resumed from this stage's last checkpoint, else init or fresh.
        Checkpoints.Loaded teacher = teacher();
        ModelBytes teacherBytes = ModelBytes.of(teacher.graph(), teacher.info().config());
        StageCheckpoints checkpoints = new StageCheckpoints(ctx.run(), stage, ctx.tokenizer());
        Optional<Checkpoints.Loaded> resumed = checkpoints.latest();
        ComputationGraph student;
        ModelConfig studentConfig;
        int step;
        if (resumed.isPresent()) {
            student = resumed.get().graph();
            studentConfig = resumed.get().info().config();
            step = (int) resumed.get().info().step();
            ctx.console().printf("[%s] resuming from the checkpoint at step %d/%d%n", stage, step, total);
        } else {
            Checkpoints.Loaded init = settings.init().isBlank() ? null : load("init", settings.init());
            studentConfig = init != null ? init.info().config() : ModelConfig.of(ctx.config().student(), ctx.tokenizer().vocabSize());
            student = init != null ? init.graph()
                    : LanguageModels.create(studentConfig, new LmHeadOutputLayer.Builder(), train.lr(), train.gradClip(), seed);
            step = 0;
        }
        LanguageModels.setHeadSettings(student, headSettings());
        checkVocabulary(teacher.info().config(), studentConfig);
        ctx.console().printf("[%s] teacher %,d params -> student %,d params (%.2fx), schedule %s, %d steps%n", stage,
                teacher.graph().numParams(), student.numParams(), (double) student.numParams() / teacher.graph().numParams(),
                settings.schedule(), total);

        // 2. Token level: the teacher's top-k over the SFT responses (only while kd steps remain).
        int kdEnd = settings.kdSteps();   // steps on kd rows alone; the sequence level starts after them
        boolean kdLeft = settings.usesKd() && (settings.kdBesideSequenceLevel() || step < kdEnd);
        JavaRDD<KdExample> kd = kdLeft ? TokenLevel.run(ctx, settings, teacherBytes) : null;

        TrainerSettings trainer = new TrainerSettings(train.workers(), train.batchPerWorker(), train.averagingFrequency(),
                train.prefetch(), new LrSchedule(train.lr(), train.minLr(), Math.min(train.warmupSteps(), total), total),
                train.weightDecay());
        MetricsLog metrics = new MetricsLog(ctx.spark(), ctx.tables(), stage);
        ProgressPrinter progress = new ProgressPrinter(ctx.console(), stage);
        int rows = train.batchPerWorker();
        int topK = settings.kd().topK();

        // 3. kd steps first (all of kd; the first part of sequential and mixed), so the student that samples the
        //    sequence level's candidates already answers.
        if (step < kdEnd) {
            JavaRDD<MultiDataSet> batches = DistillBatches.build(kd, rows, null, 0, topK, seed);
            MultiDataSet probe = DistillBatches.batch(kd.take(PROBE_ROWS), List.of(), topK);
            student = train(student, studentConfig, "kd", batches, probe, step, kdEnd, 0, trainer, metrics, progress, checkpoints);
            step = kdEnd;
        }

        // 4. Sequence level: pairs mined with the student as it is now, then dpo (or mixed) steps.
        if (settings.usesDpo() && step < total) {
            // The pairs stay on the executors; the probe takes its few rows from the first.
            JavaRDD<DpoPair> pairs = step > kdEnd ? SequenceLevel.read(ctx).orElse(null) : null;
            if (pairs == null) pairs = SequenceLevel.mine(ctx, settings, ModelBytes.of(student, studentConfig), teacherBytes);
            else ctx.console().printf("[%s] resuming with the %d pairs in table %s%n", stage, pairs.count(), SequenceLevel.TABLE);
            boolean mixed = settings.schedule().equals("mixed");
            int kdRows = mixed ? settings.mixedKdRows() : 0;
            JavaRDD<MultiDataSet> batches = DistillBatches.build(kd, kdRows, pairs, (rows - kdRows) / 2, topK, seed);
            MultiDataSet probe = DistillBatches.batch(mixed ? kd.take(PROBE_ROWS / 2) : List.of(), pairs.take(PROBE_ROWS / 2), topK);
            student = train(student, studentConfig, mixed ? "mixed" : "dpo", batches, probe, step, total, kdEnd,
                    trainer, metrics, progress, checkpoints);
            pairs.unpersist(false);
            step = total;
        }
        // 4'. On-policy (GKD): the student's own samples for the sequence level's prompts, with the teacher's top-k
        //     at every sampled token, join the token-level examples for the steps after dpo.start.
        //     A resume past dpo.start samples with the student as it was at dpo.start (its checkpoint is kept), so the
        //     samples, and the model, are those of the uninterrupted run.
        if (settings.schedule().equals("on-policy") && step < total) {
            // With no kd steps first (dpo.start = 0) the sampling student is the starting one: kept as step 0.
            if (kdEnd == 0 && step == 0) checkpoints.save(student, info(studentConfig, 0), 0);
            ComputationGraph sampler = step == kdEnd ? student : checkpoints.at(kdEnd).map(Checkpoints.Loaded::graph)
                    .orElseThrow(() -> new IllegalStateException("the checkpoint at step " + kdEnd + " that the on-policy "
                            + "samples come from is missing in " + ctx.run().root() + "; remove the stage's checkpoints to start it again"));
            JavaRDD<KdExample> own = SequenceLevel.onPolicy(ctx, settings, ModelBytes.of(sampler, studentConfig), teacherBytes);
            JavaRDD<MultiDataSet> batches = DistillBatches.build(kd.union(own), rows, null, 0, topK, seed);
            MultiDataSet probe = DistillBatches.batch(own.take(PROBE_ROWS), List.of(), topK);
            student = train(student, studentConfig, "on-policy", batches, probe, step, total, kdEnd, trainer, metrics,
                    progress, checkpoints);
            own.unpersist(false);
            step = total;
        }
        metrics.flush();
        if (kd != null) kd.unpersist(false);

        // 5. The stage's model, for the next stage and for evaluation.
        checkpoints.saveFinal(student, info(studentConfig, total));
    }

    /** Rows of the fixed minibatch whose objectives are logged at every step (extra: kd_loss, dpo_accuracy, ...). */
    static final int PROBE_ROWS = 8;

    private ComputationGraph train(ComputationGraph student, ModelConfig config, String phase, JavaRDD<MultiDataSet> batches,
                                   MultiDataSet probe, int from, int to, int origin, TrainerSettings trainer,
                                   MetricsLog metrics, ProgressPrinter progress, StageCheckpoints checkpoints) {
        String stage = DistillStageSettings.STAGE;
        batches.persist(StorageLevel.MEMORY_AND_DISK());
        long[] tokens = Minibatches.trainedTokens(batches);
        ctx.console().printf("[%s] %s: steps %d-%d on %d minibatches of %d rows%n", stage, phase, from, to, tokens.length,
                trainer.batchPerWorker());
        int total = settings.steps();
        int every = settings.train().checkpointEvery();
        // On-policy samples with the student at the end of the kd steps: that checkpoint is written and kept for a resume.
        int keep = settings.schedule().equals("on-policy") ? settings.kdSteps() : -1;
        ComputationGraph out = new SparkTrainer(ctx.sc(), trainer).train(student, batches, tokens, from, to, origin,
                (s, net) -> {
                    metrics.add(phase, s, probeMetrics(net, probe));
                    progress.step(s);
                    int done = s.step() + 1;
                    if (done % every == 0 || done == total || done == keep) {
                        metrics.flush();   // before the checkpoint: a resume rewrites these steps, never loses them
                        checkpoints.save(net, info(config, done), keep);
                    }
                    ai.posttrain.run.KillPoints.reach("distill-step");
                });
        batches.unpersist(false);
        return out;
    }

    /** The head's per-objective diagnostics on the probe minibatch with the averaged parameters. */
    private static Map<String, Double> probeMetrics(ComputationGraph net, MultiDataSet probe) {
        net.score(probe, false);
        HeadDiagnostics d = ((LmHeadLayer) net.getLayer(TransformerGraph.HEAD)).lastDiagnostics();
        Map<String, Double> out = new LinkedHashMap<>();
        if (d == null) return out;
        if (d.kdTokens() > 0) out.put("kd_loss", d.kdLoss());
        if (d.dpoPairs() > 0) {
            out.put("dpo_loss", d.dpoLoss());
            out.put("dpo_accuracy", d.dpoAccuracy());
            out.put("dpo_margin", d.dpoMargin());
        }
        return out;
    }

    private HeadSettings headSettings() {
        HeadSettings d = HeadSettings.defaults();
        return new HeadSettings(d.sftWeight(), settings.kd().weight(), settings.dpo().weight(), d.pgWeight(),
                settings.kd().temperature(), settings.dpo().beta(), d.clipLow(), d.clipHigh(), d.klCoef(), settings.dpo().nll());
    }

    /** posttrain.stages.distill.teacher, else this run's overall-sft model. */
    private Checkpoints.Loaded teacher() {
        return StartingModels.teacher(key("teacher"), settings.teacher(), ctx);
    }

    private Checkpoints.Loaded load(String key, String dir) {
        return StartingModels.load(key(key), dir, ctx.tokenizer(), ctx.hadoop());
    }

    private void checkVocabulary(ModelConfig teacher, ModelConfig student) {
        int vocab = ctx.tokenizer().vocabSize();
        if (teacher.vocab() != vocab)
            throw new ConfigError(key("teacher"), "the teacher's vocabulary (" + teacher.vocab()
                    + ") is not the tokenizer's (" + vocab + ")");
        if (student.vocab() != vocab)
            throw new ConfigError(key("init"), "the student's vocabulary (" + student.vocab()
                    + ") is not the tokenizer's (" + vocab + ")");
    }

    private static String key(String name) { return "posttrain.stages." + DistillStageSettings.STAGE + "." + name; }

    private ModelInfo info(ModelConfig config, int step) {
        return new ModelInfo(config, ctx.tokenizer().kind(), DistillStageSettings.STAGE, step,
                Map.of("run", ctx.run().id(), "schedule", settings.schedule(),
                        "teacher", settings.teacher().isBlank() ? PREVIOUS_STAGE : settings.teacher(),
                        "seed", String.valueOf(ctx.config().seed())));
    }
}
