package ai.posttrain.train;

import ai.posttrain.model.LanguageModels;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.List;

/**
 * Trains a ComputationGraph on an RDD of ready minibatches with DL4J-on-Spark parameter averaging,
 * one averaging round per step, so that the driver sets the learning rate, records metrics and
 * checkpoints between steps. Step s always reads the same minibatches (a fixed cyclic order), so a
 * run resumed at step s continues exactly where it stopped. Its Spark jobs run in job group
 * {@value #JOB_GROUP}: they are where the model travels (parameters out, averaged parameters back).
 */
public final class SparkTrainer {
    /**
     * What the trainer reports after every step. {@code workerSeconds}: of {@code seconds}, the executors' work (the
     * longest task of each of the step's Spark stages); the rest is the driver's part of averaging and Spark's
     * scheduling. NaN where a step is not one averaging round.
     */
    public record Step(int step, int totalSteps, double loss, double lr, long tokens, double seconds, double workerSeconds) {
        public Step(int step, int totalSteps, double loss, double lr, long tokens, double seconds) {
            this(step, totalSteps, loss, lr, tokens, seconds, Double.NaN);
        }

        public double tokensPerSecond() { return seconds > 0 ? tokens / seconds : 0; }
    }

    public interface StepListener {
        void afterStep(Step step, ComputationGraph net);
    }

    /** The Spark job group of the averaging rounds. */
    public static final String JOB_GROUP = "posttrain-parameter-averaging";

    private final JavaSparkContext sc;
    private final TrainerSettings settings;
    private double workerSeconds;

    public SparkTrainer(JavaSparkContext sc, TrainerSettings settings) {
        this.sc = sc;
        this.settings = settings;
    }

    /**
     * Runs steps {@code [from, to)} and returns the trained network. Step s reads the minibatches at
     * positions {@code (s - dataOrigin) * batchesPerStep} onwards, cycling through the data, so the
     * same step always sees the same data. {@code tokensPerBatch[i]} counts minibatch i's trained tokens.
     */
    public ComputationGraph train(ComputationGraph net, JavaRDD<MultiDataSet> minibatches, long[] tokensPerBatch,
                                  int from, int to, int dataOrigin, StepListener listener) {
        JavaPairRDD<Long, MultiDataSet> indexed = minibatches.zipWithIndex()
                .mapToPair(Tuple2::swap)
                .persist(StorageLevel.MEMORY_AND_DISK());
        long batchCount = tokensPerBatch.length;
        if (batchCount == 0) throw new IllegalArgumentException("no minibatches to train on");
        // Direct: each worker trains on exactly the partition we built; Never: DL4J must not reshuffle it.
        ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(settings.batchPerWorker())
                .batchSizePerWorker(settings.batchPerWorker())
                .averagingFrequency(settings.averagingFrequency())
                .workerPrefetchNumBatches(settings.prefetch())
                .saveUpdater(true)   // the Javadoc says true, the code defaults to false: Adam state must travel
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .repartionData(Repartition.Never)
                .build();
        LanguageModels.setWeightDecay(net, settings.weightDecay());
        SparkComputationGraph sparkNet = new SparkComputationGraph(sc, net, master);
        int perStep = settings.batchesPerStep();
        WorkerTime workerTime = new WorkerTime(JOB_GROUP);
        sc.sc().addSparkListener(workerTime);
        double workedBefore = 0;
        try {
            for (int step = from; step < to; step++) {
                long first = (long) (step - dataOrigin) * perStep;
                long tokens = 0;
                for (int i = 0; i < perStep; i++) tokens += tokensPerBatch[(int) ((first + i) % batchCount)];
                double lr = settings.lr().at(step);
                sparkNet.getNetwork().setLearningRate(lr);
                long t0 = System.nanoTime();
                sc.setJobGroup(JOB_GROUP, "parameter averaging, step " + step, false);
                try {
                    sparkNet.fitMultiDataSet(roundOf(indexed, first, perStep, batchCount));
                } finally {
                    sc.clearJobGroup();
                }
                collectOffHeapGarbage();
                double seconds = (System.nanoTime() - t0) / 1e9;
                double worked = workerTime.seconds();
                listener.afterStep(new Step(step, settings.lr().totalSteps(), sparkNet.getScore(), lr, tokens, seconds,
                        worked - workedBefore), sparkNet.getNetwork());
                workedBefore = worked;
            }
        } finally {
            indexed.unpersist(false);
            sc.sc().removeSparkListener(workerTime);
            workerSeconds = workerTime.seconds();
        }
        return sparkNet.getNetwork();
    }

    /**
     * Each round leaves whole networks (parameters, Adam state, activation caches) as garbage whose memory is
     * off the Java heap, so a near-empty heap lets it pile up. A full collection after every round cost 0.1-0.2 s
     * each (hundreds of rounds per pipeline): collect once the process holds half of its physical cap.
     */
    private static void collectOffHeapGarbage() {
        if (Pointer.physicalBytes() > ai.posttrain.model.OffHeapGuard.cap() / 2) System.gc();
    }

    /**
     * Of the last {@link #train} call's step time, the seconds the executors worked (per averaging round, its
     * longest task): the rest is the driver's part of averaging and Spark's scheduling.
     */
    public double workerSeconds() { return workerSeconds; }

    /** The minibatches of one step, spread evenly over the workers, in a fixed order. */
    private JavaRDD<MultiDataSet> roundOf(JavaPairRDD<Long, MultiDataSet> indexed, long first, int count, long batchCount) {
        long last = first + count;
        int workers = settings.workers();
        return indexed
                .flatMapToPair(t -> slotsOf(t._1(), first, last, batchCount).stream()
                        .map(slot -> new Tuple2<>(slot, t._2())).iterator())
                // Sorted within each worker's partition: a fixed minibatch order per step.
                .repartitionAndSortWithinPartitions(new SlotPartitioner(workers))
                .values();
    }

    /** Slots (positions within the step) that batch {@code index} fills; several when the data is small. */
    static List<Long> slotsOf(long index, long first, long last, long batchCount) {
        List<Long> slots = new ArrayList<>();
        long start = first + Math.floorMod(index - first, batchCount);
        for (long pos = start; pos < last; pos += batchCount) slots.add(pos - first);
        return slots;
    }

    /** Slot s goes to worker s mod workers. */
    static final class SlotPartitioner extends HashPartitioner {
        SlotPartitioner(int workers) { super(workers); }

        @Override public int getPartition(Object key) { return (int) Math.floorMod((Long) key, (long) numPartitions()); }
    }
}
