package ai.posttrain.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Linear warm-up to a peak, then cosine decay to a floor: over the whole run, or restarted in stretches of it
 * (a curriculum phase with a learning rate of its own). A step reads the last stretch that holds it.
 */
public record LrSchedule(List<Stretch> stretches, int totalSteps) implements Serializable {
    /** Steps [from, to) under a warm-up of {@code warmupSteps} and a cosine from {@code peak} to {@code floor}. */
    public record Stretch(int from, int to, double peak, double floor, int warmupSteps) implements Serializable {
        public Stretch {
            if (to <= from) throw new IllegalArgumentException("a stretch needs at least one step");
            if (warmupSteps < 0 || warmupSteps > to - from) throw new IllegalArgumentException("warmupSteps must be in [0, steps]");
        }

        double at(int step) {
            int local = step - from, steps = to - from;
            if (local < warmupSteps) return peak * (local + 1) / (warmupSteps + 1);
            if (steps == warmupSteps) return peak;
            double progress = Math.min(1.0, (double) (local - warmupSteps) / (steps - warmupSteps));
            return floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * progress));
        }
    }

    public LrSchedule {
        if (totalSteps < 1) throw new IllegalArgumentException("totalSteps must be >= 1");
        if (stretches.isEmpty()) throw new IllegalArgumentException("a schedule needs a stretch");
        stretches = List.copyOf(stretches);
    }

    /** One warm-up and cosine over all {@code totalSteps}. */
    public LrSchedule(double peak, double floor, int warmupSteps, int totalSteps) {
        this(List.of(new Stretch(0, Math.max(1, totalSteps), peak, floor, warmupSteps)), totalSteps);
    }

    /** This schedule with steps [from, to) restarted: their own warm-up and cosine from {@code peak} to {@code floor}. */
    public LrSchedule restarted(int from, int to, double peak, double floor, int warmupSteps) {
        List<Stretch> all = new ArrayList<>(stretches);
        all.add(new Stretch(from, to, peak, floor, Math.min(warmupSteps, to - from)));
        return new LrSchedule(all, totalSteps);
    }

    /** The learning rate for step {@code step} (0-based). */
    public double at(int step) {
        for (int i = stretches.size() - 1; i > 0; i--) {
            Stretch s = stretches.get(i);
            if (step >= s.from() && step < s.to()) return s.at(step);
        }
        return stretches.get(0).at(step);
    }
}
