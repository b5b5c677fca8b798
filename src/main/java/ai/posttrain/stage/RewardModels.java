package ai.posttrain.stage;

import ai.posttrain.config.RlSettings;
import ai.posttrain.config.TrainSettings;
import ai.posttrain.data.ReadResult;
import ai.posttrain.data.RecordKind;
import ai.posttrain.model.Checkpoints;
import ai.posttrain.model.ModelBytes;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.ModelInfo;
import ai.posttrain.reward.RewardModel;
import ai.posttrain.tokenizer.ChatTemplate;
import ai.posttrain.train.LrSchedule;
import ai.posttrain.train.Minibatches;
import ai.posttrain.train.SparkTrainer;
import ai.posttrain.train.TrainerSettings;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;


/**
 * The run's Bradley-Terry reward model ({@code <run>/rl/reward-model}): trained once, the first time a
 * sub-stage needs it, from the RL stage's starting policy on the preference pairs with the same Spark
 * trainer as every other model; later sub-stages and reruns load it.
 */
final class RewardModels {
    /** A ready reward model and the score that maps to reward 0.5 (the mean score of its training pairs). */
    record Loaded(ModelBytes bytes, double midpoint, double heldoutAccuracy) {}

    private final StageContext ctx;
    private final RlSettings settings;
    private final ComputationGraph start;
    private final ModelConfig arch;
    private Loaded loaded;

    RewardModels(StageContext ctx, RlSettings settings, ComputationGraph start, ModelConfig arch) {
        this.ctx = ctx;
        this.settings = settings;
        this.start = start;
        this.arch = arch;
    }

    Loaded get() {
        if (loaded != null) return loaded;
        StageCheckpoints store = new StageCheckpoints(ctx.run(), RlStage.NAME + "/reward-model");
        if (!store.hasFinalModel()) train(store);
        Checkpoints.Loaded ck = Checkpoints.load(store.modelDir().toString(), ctx.hadoop());
        Map<String, String> p = ck.info().provenance();
        loaded = new Loaded(ModelBytes.of(ck.graph(), arch), Double.parseDouble(p.get("midpoint")),
                Double.parseDouble(p.get("heldout_accuracy")));
        ctx.console().printf(Locale.ROOT, "[rl] reward model: held-out pair accuracy %.3f, midpoint score %.3f%n",
                loaded.heldoutAccuracy(), loaded.midpoint());
        return loaded;
    }

    private void train(StageCheckpoints store) {
        RlSettings.RewardModel rm = settings.rewardModel();
        TrainSettings train = settings.train();
        ChatTemplate template = ctx.template();
        ReadResult data = ctx.read(RecordKind.PREFERENCE, rm.inputs(), "rl:reward-model");
        List<RewardModel.Pair> pairs = new ArrayList<>();
        for (Row r : data.valid().orderBy("source", "line").collectAsList()) pairs.add(RewardModel.Pair.of(r));
        data.unpersist();
        Collections.shuffle(pairs, new Random(ctx.config().seed()));
        int heldoutCount = Math.max(1, Math.min(64, pairs.size() / 10));
        List<RewardModel.Pair> heldout = pairs.subList(0, heldoutCount), trainPairs = pairs.subList(heldoutCount, pairs.size());
        if (trainPairs.isEmpty()) throw new IllegalStateException("the reward model has no training pairs in " + rm.inputs());

        int rows = Math.max(2, train.batchPerWorker()), perBatch = rows / 2;
        List<List<RewardModel.Pair>> plan = new ArrayList<>();
        for (int from = 0; from < trainPairs.size(); from += perBatch)
            plan.add(new ArrayList<>(trainPairs.subList(from, Math.min(trainPairs.size(), from + perBatch))));
        JavaRDD<MultiDataSet> batches = ctx.sc().parallelize(plan, Math.max(1, Math.min(plan.size(), train.workers())))
                .map(b -> RewardModel.batch(b, template, rows)).persist(StorageLevel.MEMORY_AND_DISK());
        long[] tokens = Minibatches.trainedTokens(batches);
        TrainerSettings trainer = new TrainerSettings(train.workers(), rows, train.averagingFrequency(), train.prefetch(),
                new LrSchedule(rm.lr(), rm.lr() * 0.1, 0, rm.steps()), train.weightDecay());
        ctx.console().printf("[rl] training the reward model: %d pairs, %d steps%n", trainPairs.size(), rm.steps());
        MetricsLog metrics = new MetricsLog(ctx.spark(), ctx.tables(), RlStage.NAME + ":reward-model");
        ProgressPrinter progress = new ProgressPrinter(ctx.console(), RlStage.NAME + ":reward-model");
        ComputationGraph net = new SparkTrainer(ctx.sc(), trainer).train(RewardModel.fromPolicy(start, rm.beta()),
                batches, tokens, 0, rm.steps(), 0, (s, g) -> {
                    metrics.add("reward-model", s);
                    progress.step(s);
                });
        batches.unpersist(false);
        metrics.flush();

        RewardModel model = new RewardModel(net);
        double[][] held = model.pairScores(heldout, template);
        int correct = 0;
        for (double[] s : held) if (s[0] > s[1]) correct++;
        double[][] seen = model.pairScores(trainPairs.subList(0, Math.min(64, trainPairs.size())), template);
        double sum = 0;
        for (double[] s : seen) sum += (s[0] + s[1]) / 2;
        double midpoint = sum / seen.length, accuracy = (double) correct / held.length;
        store.saveFinal(net, new ModelInfo(arch, ctx.tokenizer().kind(), RlStage.NAME, rm.steps(),
                Map.of("run", ctx.run().id(), "role", "reward-model", "midpoint", Double.toString(midpoint),
                        "heldout_accuracy", Double.toString(accuracy), "inputs", String.join(",", rm.inputs()))));
    }
}
