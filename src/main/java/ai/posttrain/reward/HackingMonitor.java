package ai.posttrain.reward;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches one sub-stage's iterations for reward hacking and decides when to act. Flags (each 0/1):
 * <ul>
 *   <li>{@code proxy_up_verifier_down}: a proxy reward (format, reward model, length pay: anything a model
 *       can please without being right) rose since the sub-stage's first iteration while verifier accuracy
 *       fell, each by more than the trend epsilon (each proxy is watched on its own);</li>
 *   <li>{@code length_up_reward_flat}: mean length grew by more than {@code lengthTrend} (a fraction) since
 *       the first iteration while the reward earned otherwise than by length did not rise;</li>
 *   <li>{@code length_blowup}: mean completion length above the absolute bound, or above
 *       {@code lengthGrowth} times the first iteration's;</li>
 *   <li>{@code flagged_rate_high}: the share of flagged samples (crash, timeout, sandbox) above its bound;</li>
 *   <li>{@code kl_over_bound}: mean KL to the reference above the sub-stage's bound.</li>
 * </ul>
 * Any flag is a signal; a signal that holds for {@code patience} consecutive iterations fires once (the
 * stage then rolls back, fails or warns), and a clean iteration resets the count.
 */
public final class HackingMonitor {
    /** What the stage does when the monitor fires. */
    public enum Action { ROLLBACK, FAIL, WARN }

    /** The monitor's settings; {@code klBound} is the sub-stage's. */
    public record Bounds(double maxMeanLength, double lengthGrowth, double lengthTrend, double maxFlaggedRate,
                         double epsilon, double klBound, int patience) {}

    /**
     * One iteration's aggregates: each proxy component's mean by name ("format", "reward_model", "length"),
     * verifier accuracy (NaN without a verifier), the mean total reward, length, flagged share and KL (NaN when
     * not computed).
     */
    public record Observation(Map<String, Double> proxies, double accuracy, double reward, double meanLength,
                              double flaggedRate, double kl) {}

    /**
     * The decision after one iteration. {@code streak}: consecutive iterations with a signal, this one included;
     * {@code fires}: the streak has just reached the patience; {@code lastGood}: the index (in observation order,
     * from 0) of the last iteration without a signal before the streak, or -1 when every iteration had one.
     */
    public record Verdict(Map<String, Boolean> flags, List<String> risingProxies, int streak, boolean fires, int lastGood) {
        public boolean signal() { return flags.containsValue(true); }

        /** "proxy_up_verifier_down[format],kl_over_bound" or "none". */
        public String describe() {
            List<String> on = new ArrayList<>();
            flags.forEach((k, v) -> {
                if (v) on.add(k.equals("proxy_up_verifier_down") ? k + risingProxies : k);
            });
            return on.isEmpty() ? "none" : String.join(",", on).replace(", ", "+");
        }
    }

    private final Bounds b;
    private Observation first;
    private int observed, streak, lastGood = -1;

    public HackingMonitor(Bounds bounds) {
        if (bounds.patience() < 1) throw new IllegalArgumentException("patience must be at least 1");
        this.b = bounds;
    }

    /** Adds an iteration and returns the decision. */
    public Verdict observe(Observation o) {
        if (first == null) first = o;
        int index = observed++;
        List<String> rising = new ArrayList<>();
        boolean accuracyDown = rose(o.accuracy(), first.accuracy());
        o.proxies().forEach((name, v) -> {
            if (accuracyDown && rose(first.proxies().getOrDefault(name, Double.NaN), v)) rising.add(name);
        });
        Map<String, Boolean> flags = new LinkedHashMap<>();
        flags.put("proxy_up_verifier_down", !rising.isEmpty());
        boolean longer = first.meanLength() > 0 && o.meanLength() > (1 + b.lengthTrend()) * first.meanLength();
        flags.put("length_up_reward_flat", longer && !rose(earnedOtherwise(first), earnedOtherwise(o)));
        flags.put("length_blowup", o.meanLength() > b.maxMeanLength() || o.meanLength() > b.lengthGrowth() * Math.max(1.0, first.meanLength()));
        flags.put("flagged_rate_high", o.flaggedRate() > b.maxFlaggedRate());
        flags.put("kl_over_bound", Double.isFinite(o.kl()) && o.kl() > b.klBound());
        boolean signal = flags.containsValue(true);
        if (signal) {
            streak++;
        } else {
            streak = 0;
            lastGood = index;
        }
        return new Verdict(flags, List.copyOf(rising), streak, signal && streak == b.patience(), signal ? lastGood : index);
    }

    /** The reward not paid for length (a length pay rises with length by construction). */
    private static double earnedOtherwise(Observation o) {
        return o.reward() - o.proxies().getOrDefault("length", 0.0);
    }

    private boolean rose(double from, double to) {
        return Double.isFinite(from) && Double.isFinite(to) && to - from > b.epsilon();
    }

    /** Parses {@code monitor.on-hacking}. */
    public static Action action(String name) {
        return Action.valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
}
