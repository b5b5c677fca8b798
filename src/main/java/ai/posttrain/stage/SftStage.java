package ai.posttrain.stage;

import ai.posttrain.config.SftStageSettings;
import ai.posttrain.config.SftStageSettings.Phase;
import ai.posttrain.config.TrainSettings;
import ai.posttrain.data.ReadResult;
import ai.posttrain.data.RecordKind;
import ai.posttrain.model.Checkpoints;
import ai.posttrain.model.LanguageModels;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.ModelInfo;
import ai.posttrain.model.head.LmHeadOutputLayer;
import ai.posttrain.train.LrSchedule;
import ai.posttrain.train.Minibatches;
import ai.posttrain.train.SftExample;
import ai.posttrain.train.SparkTrainer;
import ai.posttrain.train.TrainerSettings;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.Map;
import java.util.Optional;

import static org.apache.spark.sql.functions.col;

/**
 * Supervised fine-tuning of the teacher: cold-start-sft (from scratch, or an init checkpoint, on
 * math/code/STEM reasoning) and overall-sft (from the previous stage's model, through curriculum
 * phases of conversation, agent and reasoning data). Data flows top to bottom in {@link #run}.
 */
public final class SftStage {
    private final StageContext ctx;
    private final SftStageSettings settings;
    private final String previousStage;

    /** @param previousStage the stage whose final model this one continues, or null to start fresh */
    public SftStage(StageContext ctx, SftStageSettings settings, String previousStage) {
        this.ctx = ctx;
        this.settings = settings;
        this.previousStage = previousStage;
    }

    public String name() { return settings.stage(); }

    public void run() {
        String stage = settings.stage();
        long seed = ctx.config().seed();

        // 1. Read and validate the inputs; rejected records go to the run's table, the rest flow on.
        ReadResult data = ctx.read(RecordKind.SFT, settings.inputs(), stage);
        ctx.console().printf("[%s] %s%n", stage, data);
        Dataset<Row> records = data.valid();

        // 2. The model: resume from this stage's last checkpoint, else start from init / the previous stage / scratch.
        StageCheckpoints checkpoints = new StageCheckpoints(ctx.run(), stage, ctx.tokenizer());
        TrainSettings train = settings.train();
        int total = settings.totalSteps();
        Optional<Checkpoints.Loaded> resumed = checkpoints.latest();
        Checkpoints.Loaded start = startingPoint();
        ModelConfig modelConfig = start != null ? start.info().config() : ModelConfig.of(ctx.config().teacher(), ctx.tokenizer().vocabSize());
        // Seeded: a resumed run rebuilds the very same starting weights.
        ComputationGraph initial = start != null ? start.graph()
                : LanguageModels.create(modelConfig, new LmHeadOutputLayer.Builder(), train.lr(), train.gradClip(), seed);
        ComputationGraph model;
        int step;
        if (resumed.isPresent()) {
            model = resumed.get().graph();
            modelConfig = resumed.get().info().config();
            step = (int) resumed.get().info().step();
            ctx.console().printf("[%s] resuming from the checkpoint at step %d/%d%n", stage, step, total);
        } else {
            model = initial;
            step = 0;
            if (start == null && ctx.config().eval().beforeTraining()) {
                StageEvaluation.run(ctx, stage, "start", model, modelConfig);   // the untrained baseline
            }
        }
        records = levelMissingDifficulties(records, initial, modelConfig);

        // 3. Train phase by phase: sample the phase's records, render them, batch them, train its steps.
        TrainerSettings trainer = new TrainerSettings(train.workers(), train.batchPerWorker(),
                train.averagingFrequency(), train.prefetch(), schedule(train, total), train.weightDecay());
        MetricsLog metrics = new MetricsLog(ctx.spark(), ctx.tables(), stage);
        ProgressPrinter progress = new ProgressPrinter(ctx.console(), stage);
        final ModelConfig arch = modelConfig;
        int phaseStart = 0;
        for (int p = 0; p < settings.phases().size(); p++) {
            Phase phase = settings.phases().get(p);
            int phaseEnd = phaseStart + phase.steps();
            if (step < phaseEnd) {
                Dataset<Row> phaseRecords = Curriculum.phaseRecords(records, phase, seed + p, ctx.console());
                ctx.console().printf("[%s] phase %s: steps %d-%d on %s%n", stage, phase.name(), phaseStart, phaseEnd,
                        Curriculum.describe(phaseRecords));
                JavaRDD<MultiDataSet> batches = Minibatches.sft(SftExample.fromRecords(phaseRecords, ctx.template()),
                        train.batchPerWorker(), seed + p).persist(StorageLevel.MEMORY_AND_DISK());
                long[] tokens = Minibatches.trainedTokens(batches);
                model = new SparkTrainer(ctx.sc(), trainer).train(model, batches, tokens, step, phaseEnd, phaseStart,
                        (s, net) -> {
                            metrics.add(phase.name(), s);
                            progress.step(s);
                            int done = s.step() + 1;
                            if (done % train.checkpointEvery() == 0 || done == total) {
                                // Metrics first: a kill between the two makes the resume rewrite these steps, never lose them.
                                metrics.flush();
                                checkpoints.save(net, info(arch, done));
                            }
                        });
                batches.unpersist(false);
                step = phaseEnd;
            }
            phaseStart = phaseEnd;
        }
        metrics.flush();

        // 4. The stage's model, for the next stage and for evaluation.
        checkpoints.saveFinal(model, info(modelConfig, total));
        data.unpersist();
    }

    /** The stage's one cosine over all phases, restarted in each phase that names a learning rate of its own. */
    private LrSchedule schedule(TrainSettings train, int total) {
        LrSchedule schedule = new LrSchedule(train.lr(), train.minLr(), Math.min(train.warmupSteps(), total), total);
        int from = 0;
        for (Phase phase : settings.phases()) {
            if (phase.ownSchedule()) {
                double floor = phase.minLr() >= 0 ? phase.minLr() : Math.min(train.minLr(), phase.lr());
                schedule = schedule.restarted(from, from + phase.steps(), phase.lr(), floor, train.warmupSteps());
            }
            from += phase.steps();
        }
        return schedule;
    }

    /**
     * Records without a difficulty get one from the starting model's loss on them (QuantileDiscretizer
     * into as many levels as the curriculum names), when some phase selects by difficulty.
     */
    private Dataset<Row> levelMissingDifficulties(Dataset<Row> records, ComputationGraph startModel, ModelConfig config) {
        int levels = settings.phases().stream().mapToInt(Phase::maxLevel).max().orElse(0);
        if (levels < 2 || records.where(col("difficulty").isNull()).isEmpty()) return records;
        ctx.console().printf("[%s] records without a difficulty: levels 1-%d by the starting model's loss%n", settings.stage(), levels);
        return LossDifficulty.fillMissing(ctx.spark(), records, startModel, config, ctx.template(), levels).cache();
    }

    /** An init checkpoint from config, else the previous stage's final model, else null (fresh weights). */
    private Checkpoints.Loaded startingPoint() {
        if (!settings.init().isBlank())
            return StartingModels.load("posttrain.stages." + settings.stage() + ".init", settings.init(), ctx.tokenizer(), ctx.hadoop());
        if (previousStage == null) return null;
        StageCheckpoints previous = new StageCheckpoints(ctx.run(), previousStage);
        if (!previous.hasFinalModel()) {
            throw new IllegalStateException("stage " + settings.stage() + " needs the model of " + previousStage
                    + ", which is not complete in " + ctx.run().root());
        }
        return Checkpoints.load(previous.modelDir().toString(), ctx.hadoop());
    }

    private ModelInfo info(ModelConfig config, int step) {
        return new ModelInfo(config, ctx.tokenizer().kind(), settings.stage(), step,
                Map.of("run", ctx.run().id(), "inputs", String.join(",", settings.inputs()),
                        "seed", String.valueOf(ctx.config().seed())));
    }
}
