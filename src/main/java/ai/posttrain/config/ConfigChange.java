package ai.posttrain.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One setting whose value differs between a run's recorded configuration and the one a resume would use.
 * {@link #between} compares two resolved configs key by key (a list is one value); {@link #affectsResults}
 * says whether the change can alter what the run computes, by the deliberate list {@link #SPEED_OR_OUTPUT}.
 */
public record ConfigChange(String key, String before, String after) {

    /**
     * Settings that only decide where a run lives, how fast it goes or what else it writes, not the models or
     * table rows it produces. Everything else affects results (seed, data, models, curricula, steps, rewards,
     * evaluation suites and sizes, tokenizer, sandbox limits that can turn a pass into a timeout, ...).
     * <ul>
     *   <li>{@code run.*}: where runs live and the run's name.</li>
     *   <li>{@code spark.*}: master, app name, Spark settings. Speed in intent; note that a different number of
     *   cores changes how records are partitioned, so a resumed run equals an uninterrupted one only on the
     *   same master (the README says so).</li>
     *   <li>{@code eval.batch-size}: prompts decoded together by one task (greedy decoding per prompt).</li>
     *   <li>{@code train.prefetch} and its per-stage overrides: minibatches prepared ahead.</li>
     *   <li>{@code export.*}: extra open-format copies of each final model.</li>
     *   <li>{@code reward.sandbox.max-concurrent}: jails at once per executor.</li>
     * </ul>
     */
    static final List<Pattern> SPEED_OR_OUTPUT = List.of(
            Pattern.compile("posttrain\\.run\\..*"),
            Pattern.compile("posttrain\\.spark\\..*"),
            Pattern.compile("posttrain\\.eval\\.batch-size"),
            Pattern.compile("posttrain\\.(stages\\.[^.]+\\.)?train\\.prefetch"),
            Pattern.compile("posttrain\\.export\\..*"),
            Pattern.compile("posttrain\\.reward\\.sandbox\\.max-concurrent"));

    public boolean affectsResults() {
        return SPEED_OR_OUTPUT.stream().noneMatch(p -> p.matcher(key).matches());
    }

    /** Every key whose value differs (present in one only, or another value), sorted by key; values as HOCON. */
    public static List<ConfigChange> between(Config recorded, Config now) {
        Map<String, ConfigValue> a = leaves(recorded), b = leaves(now);
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        List<ConfigChange> out = new ArrayList<>();
        for (String k : keys) {
            ConfigValue x = a.get(k), y = b.get(k);
            if (x == null || y == null || !canonical(x.unwrapped()).equals(canonical(y.unwrapped())))
                out.add(new ConfigChange(k, rendered(x), rendered(y)));
        }
        return out;
    }

    private static Map<String, ConfigValue> leaves(Config c) {
        Map<String, ConfigValue> out = new TreeMap<>();
        // Quoted keys (spark.conf's "spark.ui.enabled") lose their quotes so both sides spell them alike.
        for (Map.Entry<String, ConfigValue> e : c.entrySet()) out.put(e.getKey().replace("\"", ""), e.getValue());
        return out;
    }

    private static String rendered(ConfigValue v) {
        return v == null ? "unset" : v.render(ConfigRenderOptions.concise());
    }

    /** Values as text that does not depend on spelling: 1e-3, 0.001 and 0.0010 are one number. */
    private static String canonical(Object v) {
        if (v instanceof Number n) return Double.toString(n.doubleValue());
        if (v instanceof List<?> l) return l.stream().map(ConfigChange::canonical).toList().toString();
        if (v instanceof Map<?, ?> m) {
            Map<String, String> sorted = new TreeMap<>();
            m.forEach((k, x) -> sorted.put(String.valueOf(k), canonical(x)));
            return sorted.toString();
        }
        return String.valueOf(v);
    }

    @Override public String toString() { return key + " (" + before + " -> " + after + ")"; }
}
