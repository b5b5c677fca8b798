package ai.posttrain.reward;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches one sub-stage's iterations for reward hacking. Flags (each 0/1):
 * <ul>
 *   <li>{@code proxy_up_verifier_down}: the proxy reward (reward model, length pay: anything a model can
 *       please without being right) rose since the sub-stage's first iteration while verifier accuracy fell,
 *       each by more than the trend epsilon;</li>
 *   <li>{@code length_blowup}: mean completion length above the absolute bound, or above
 *       {@code lengthGrowth} times the first iteration's;</li>
 *   <li>{@code flagged_rate_high}: the share of flagged samples (crash, timeout, sandbox) above its bound;</li>
 *   <li>{@code kl_over_bound}: mean KL to the reference above the sub-stage's bound.</li>
 * </ul>
 */
public final class HackingMonitor {
    /** One iteration's aggregates. {@code proxy}/{@code accuracy} are NaN where the sub-stage has none. */
    public record Observation(double proxy, double accuracy, double meanLength, double flaggedRate, double kl) {}

    private final double maxMeanLength, lengthGrowth, maxFlaggedRate, epsilon, klBound;
    private final List<Observation> history = new ArrayList<>();

    public HackingMonitor(double maxMeanLength, double lengthGrowth, double maxFlaggedRate, double epsilon, double klBound) {
        this.maxMeanLength = maxMeanLength;
        this.lengthGrowth = lengthGrowth;
        this.maxFlaggedRate = maxFlaggedRate;
        this.epsilon = epsilon;
        this.klBound = klBound;
    }

    /** Adds an iteration and returns its flags, in a fixed order. */
    public Map<String, Boolean> observe(Observation o) {
        history.add(o);
        Observation first = history.get(0);
        Map<String, Boolean> flags = new LinkedHashMap<>();
        boolean proxyUp = rose(first.proxy(), o.proxy());
        boolean accuracyDown = rose(o.accuracy(), first.accuracy());
        flags.put("proxy_up_verifier_down", proxyUp && accuracyDown);
        flags.put("length_blowup", o.meanLength() > maxMeanLength || o.meanLength() > lengthGrowth * Math.max(1.0, first.meanLength()));
        flags.put("flagged_rate_high", o.flaggedRate() > maxFlaggedRate);
        flags.put("kl_over_bound", Double.isFinite(o.kl()) && o.kl() > klBound);
        return flags;
    }

    private boolean rose(double from, double to) {
        return Double.isFinite(from) && Double.isFinite(to) && to - from > epsilon;
    }

    /** "length_blowup,flagged_rate_high" or "none". */
    public static String describe(Map<String, Boolean> flags) {
        List<String> on = flags.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
        return on.isEmpty() ? "none" : String.join(",", on);
    }
}
