package ai.posttrain.train;

import java.io.Serializable;

/** Linear warm-up to {@code peak}, then cosine decay to {@code floor} at {@code totalSteps}. */
public record LrSchedule(double peak, double floor, int warmupSteps, int totalSteps) implements Serializable {
    public LrSchedule {
        if (totalSteps < 1) throw new IllegalArgumentException("totalSteps must be >= 1");
        if (warmupSteps < 0 || warmupSteps > totalSteps) throw new IllegalArgumentException("warmupSteps must be in [0, totalSteps]");
    }

    /** The learning rate for step {@code step} (0-based). */
    public double at(int step) {
        if (step < warmupSteps) return peak * (step + 1) / (warmupSteps + 1);
        if (totalSteps == warmupSteps) return peak;
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        return floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * progress));
    }
}
