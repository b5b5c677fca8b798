package ai.posttrain.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An SFT stage: its inputs, its training settings and its curriculum, an ordered list of phases.
 * A phase without difficulties takes every level; one without a mixture takes the domains in the
 * data's own proportions.
 */
public record SftStageSettings(String stage, List<String> inputs, String init, List<Phase> phases, TrainSettings train)
        implements Serializable {

    /**
     * One curriculum phase: records of these difficulty levels, sampled per domain in these proportions.
     * {@code domainDifficulties} gives some domains their own levels instead of {@code difficulties} (e.g. the
     * harder chat a phase can afford where harder math would be too long or too hard).
     */
    public record Phase(String name, List<Integer> difficulties, Map<String, List<Integer>> domainDifficulties, int steps,
                        Map<String, Double> mixture, double lr, double minLr) implements Serializable {
        /** Whether the phase runs a learning-rate schedule of its own (warm-up, cosine from lr to minLr over its steps). */
        public boolean ownSchedule() { return lr > 0; }

        /** This selection with a learning-rate schedule of its own (lr 0: the stage's; minLr -1: the stage's floor). */
        Phase withSchedule(double lr, double minLr) {
            return new Phase(name, difficulties, domainDifficulties, steps, mixture, lr, minLr);
        }

        /** All difficulties and domains, in the data's own proportions. */
        public boolean unrestricted() { return difficulties.isEmpty() && domainDifficulties.isEmpty() && mixture.isEmpty(); }

        /** The highest level the phase names (0: none). */
        public int maxLevel() {
            return java.util.stream.Stream.concat(difficulties.stream(), domainDifficulties.values().stream().flatMap(List::stream))
                    .mapToInt(Integer::intValue).max().orElse(0);
        }
    }

    private static final Set<String> PHASE_KEYS = Set.of("name", "difficulties", "domain-difficulties", "steps", "mixture", "lr", "min-lr", "restart-schedule", "lr-scale");

    public int totalSteps() { return phases.stream().mapToInt(Phase::steps).sum(); }

    static SftStageSettings coldStart(Config config) {
        return of(config, "cold-start-sft");
    }

    static SftStageSettings overall(Config config) {
        return of(config, "overall-sft");
    }

    /** Both SFT stages read the same keys: inputs, init, curriculum (ordered phases), train overrides. */
    private static SftStageSettings of(Config config, String stage) {
        Settings s = new Settings(config, "posttrain.stages." + stage);
        List<Phase> phases = new ArrayList<>();
        List<? extends Config> list;
        try {
            list = config.getConfigList(s.key("curriculum"));
        } catch (ConfigException e) {
            throw new ConfigError(s.key("curriculum"), "must be a list of phases: " + ConfigLoader.oneLine(e));
        }
        if (list.isEmpty()) throw new ConfigError(s.key("curriculum"), "needs at least one phase");
        TrainSettings train = TrainSettings.forStage(config, stage);
        for (int i = 0; i < list.size(); i++) phases.add(phase(list.get(i), s.key("curriculum") + "[" + i + "]", train.lr(), train.minLr()));
        return new SftStageSettings(stage, nonEmpty(s, "inputs"), s.string("init"), List.copyOf(phases), train);
    }

    private static Phase phase(Config c, String where, double stageLr, double stageMinLr) {
        for (Map.Entry<String, ConfigValue> e : c.root().entrySet()) {
            if (!PHASE_KEYS.contains(e.getKey())) throw new ConfigError(where + "." + e.getKey(), "unknown key (a phase has " + PHASE_KEYS + ")");
        }
        Settings s = new Settings(c, "", k -> where + "." + k);
        // A phase that names its own lr restarts the schedule: warm-up, then cosine to its min-lr (default: the
        // stage's) over its own steps. `restart-schedule = true` does so from the stage's lr, so that a stage override
        // (a pretrained model's small lr) reaches every phase. Otherwise the phase follows the stage's single cosine.
        // `lr-scale` restarts it at that fraction of the stage's lr and floor (a low-rate review phase that still
        // follows an override).
        boolean restart = c.hasPath("restart-schedule") && s.bool("restart-schedule");
        boolean scaled = c.hasPath("lr-scale");
        if (scaled && (c.hasPath("lr") || c.hasPath("min-lr")))
            throw new ConfigError(s.key("lr-scale"), "sets the phase's lr and min-lr from the stage's: give it or lr / min-lr, not both");
        double scale = scaled ? s.doubleIn("lr-scale", 1e-6, 1.0) : 1.0;
        double lr = c.hasPath("lr") ? s.doubleIn("lr", 1e-9, 1.0) : restart || scaled ? stageLr * scale : 0;
        if (lr == 0 && c.hasPath("min-lr")) throw new ConfigError(s.key("min-lr"), "needs the phase's own lr or restart-schedule = true beside it");
        double minLr = c.hasPath("min-lr") ? s.doubleIn("min-lr", 0, lr) : scaled ? stageMinLr * scale : -1;
        return selection(s.string("name"), c, s, where, s.intIn("steps", 1, 10_000_000)).withSchedule(lr, minLr);
    }

    /** A record selection ({@code difficulties}, {@code domain-difficulties}, {@code mixture}) at {@code where}. */
    static Phase selection(String name, Config c, Settings s, String where, int steps) {
        return new Phase(name, difficulties(c, where), domainDifficulties(c, where), steps, mixture(c, s), 0, -1);
    }

    /** Optional {@code domain-difficulties = { domain = [levels] }}: those domains' levels instead of difficulties. */
    static Map<String, List<Integer>> domainDifficulties(Config c, String where) {
        String key = where + ".domain-difficulties";
        if (!c.hasPath("domain-difficulties")) return Map.of();
        Map<String, List<Integer>> byDomain = new LinkedHashMap<>();
        try {
            for (String domain : c.getConfig("domain-difficulties").root().keySet()) {
                List<Integer> levels = difficulties(c, com.typesafe.config.ConfigUtil.joinPath("domain-difficulties", domain), key + "." + domain);
                if (levels.isEmpty()) throw new ConfigError(key + "." + domain, "needs at least one level (leave the domain out to use difficulties)");
                byDomain.put(domain, levels);
            }
        } catch (ConfigException e) {
            throw new ConfigError(key, "must be an object of domain = [levels]: " + ConfigLoader.oneLine(e));
        }
        return Map.copyOf(byDomain);
    }

    /** Optional {@code difficulties = [levels]} of a record selection at {@code where} (empty: every level). */
    static List<Integer> difficulties(Config c, String where) {
        return difficulties(c, "difficulties", where + ".difficulties");
    }

    /** The list at {@code path} of {@code c}; errors name {@code key}, its full name in the user's config. */
    static List<Integer> difficulties(Config c, String path, String key) {
        List<Integer> difficulties = new ArrayList<>();
        if (c.hasPath(path)) {
            try {
                for (int d : c.getIntList(path)) {
                    if (d < 1) throw new ConfigError(key, "levels start at 1, got " + d);
                    difficulties.add(d);
                }
            } catch (ConfigException e) {
                throw new ConfigError(key, "must be a list of integers: " + ConfigLoader.oneLine(e));
            }
        }
        return List.copyOf(difficulties);
    }

    /** Optional {@code mixture = { domain = weight }} of a record selection (absent or {}: the data's own proportions). */
    static Map<String, Double> mixture(Config c, Settings s) {
        Map<String, Double> mixture = new LinkedHashMap<>();
        if (c.hasPath("mixture") && !isEmptyObject(c, "mixture")) {
            Settings mix = s.child("mixture");
            try {
                for (String domain : c.getConfig("mixture").root().keySet()) {
                    double w = mix.doubleIn(domain, 0, 1e9);
                    if (w > 0) mixture.put(domain, w);
                }
            } catch (ConfigException e) {
                throw new ConfigError(s.key("mixture"), "must be an object of domain = weight: " + ConfigLoader.oneLine(e));
            }
            if (mixture.isEmpty()) throw new ConfigError(s.key("mixture"), "needs at least one domain with a positive weight");
        }
        return Map.copyOf(mixture);
    }

    private static boolean isEmptyObject(Config c, String path) {
        return c.getValue(path) instanceof com.typesafe.config.ConfigObject o && o.isEmpty();
    }

    private static List<String> nonEmpty(Settings s, String path) {
        List<String> v = s.strings(path);
        if (v.isEmpty()) throw new ConfigError(s.key(path), "needs at least one input");
        return List.copyOf(v);
    }
}
