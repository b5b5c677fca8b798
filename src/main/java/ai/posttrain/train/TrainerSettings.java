package ai.posttrain.train;

import java.io.Serializable;

/**
 * How a stage trains on Spark. A step is one parameter-averaging round: each of {@code workers}
 * trains on {@code averagingFrequency} minibatches of {@code batchPerWorker} rows, then the
 * driver averages their parameters (and Adam state). The schedule spans the whole stage. {@code weightDecay}:
 * decoupled (AdamW) decay of the weight matrices per update, times the learning rate (0: none).
 */
public record TrainerSettings(int workers, int batchPerWorker, int averagingFrequency, int prefetch,
                              LrSchedule lr, double weightDecay) implements Serializable {
    /** Minibatches consumed by one step. */
    public int batchesPerStep() { return workers * averagingFrequency; }
}
