package ai.posttrain.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.io.File;
import java.util.List;
import java.util.Map;

/**
 * Layers the configuration: reference.conf (every default) ← --conf FILE ← --set key=value (last wins).
 * Every user-supplied key must exist in reference.conf with a compatible type, except below the
 * free-form maps listed in {@link #FREE_FORM}.
 */
public final class ConfigLoader {
    /** Paths whose children are user-defined (passed through to Spark, keyed by a domain; checked where they are read). */
    private static final List<String> FREE_FORM = List.of("posttrain.spark.conf", "posttrain.stages.distill.kd.domain-difficulties",
            "posttrain.stages.rl.replay.domain-difficulties");
    private static final java.util.regex.Pattern STAGE_TRAIN = java.util.regex.Pattern.compile("^posttrain\\.stages\\.[^.]+\\.train\\.");

    private ConfigLoader() {}

    public static Config reference() {
        return ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf").resolve();
    }

    /** Resolves the layered config and checks every user key against reference.conf. */
    public static Config load(String confFile, List<String> sets) {
        return load(confFile, sets, ConfigFactory.empty());
    }

    /**
     * As {@link #load(String, List)}, with {@code recorded} (a run's own resolved configuration) between
     * reference.conf and the user's layers: a resumed run keeps its settings unless --conf/--set change them.
     */
    public static Config load(String confFile, List<String> sets, Config recorded) {
        Config reference = reference();
        Config user = ConfigFactory.empty();
        if (confFile != null) {
            File f = new File(confFile);
            if (!f.isFile()) throw new ConfigError("--conf", "file not found: " + confFile);
            try {
                user = ConfigFactory.parseFile(f);
            } catch (ConfigException e) {
                throw new ConfigError("--conf", "cannot parse " + confFile + ": " + oneLine(e));
            }
        }
        for (String set : sets) user = parseSet(set).withFallback(user);
        try {
            Config resolved = user.withFallback(recorded).withFallback(reference).resolve();
            // the user's keys, checked with their values as resolved (substitutions such as ${?ENV} included)
            checkKeys(userKeys(user.root(), new java.util.ArrayList<>(), new java.util.ArrayList<>()), resolved, reference);
            return resolved;
        } catch (ConfigException e) {
            throw new ConfigError("config", oneLine(e));
        }
    }

    /** "a.b=1" as a one-key config; the value is HOCON, so numbers, booleans, lists and strings work. */
    static Config parseSet(String set) {
        int eq = set.indexOf('=');
        if (eq <= 0) throw new ConfigError("--set", "expected key=value, got '" + set + "'");
        String key = set.substring(0, eq).trim();
        String value = set.substring(eq + 1).trim();
        try {
            return ConfigFactory.parseString(key + " = " + value);
        } catch (ConfigException e) {
            // An unquoted string HOCON cannot parse (e.g. a path with ':'): take it literally.
            return ConfigFactory.parseMap(Map.of(key, value));
        }
    }

    /** Leaf paths of an unresolved config (a substitution is a leaf), as entrySet() would name them. */
    private static List<String> userKeys(com.typesafe.config.ConfigObject node, List<String> prefix, List<String> out) {
        for (Map.Entry<String, ConfigValue> e : node.entrySet()) {
            List<String> path = new java.util.ArrayList<>(prefix);
            path.add(e.getKey());
            if (e.getValue() instanceof com.typesafe.config.ConfigObject child && !child.isEmpty()) userKeys(child, path, out);
            else out.add(com.typesafe.config.ConfigUtil.joinPath(path));
        }
        return out;
    }

    private static void checkKeys(List<String> keys, Config resolved, Config reference) {
        for (String key : keys) {
            Map.Entry<String, ConfigValue> e = Map.entry(key, resolved.getValue(key));
            if (FREE_FORM.stream().anyMatch(p -> key.startsWith(p + "."))) continue;
            // posttrain.stages.<stage>.train.X overrides posttrain.train.X: check it against that key.
            String template = STAGE_TRAIN.matcher(key).replaceFirst("posttrain.train.");
            if (!template.equals(key) && reference.hasPath(template)
                    && reference.hasPath(key.substring(0, key.indexOf(".train.") + ".train".length()))) {
                checkType(key, reference.getValue(template).valueType(), e.getValue());
                continue;
            }
            if (!reference.hasPathOrNull(key)) {
                throw new ConfigError(key, "unknown key (see reference.conf for the settings that exist)");
            }
            checkType(key, reference.getValue(key).valueType(), e.getValue());
        }
    }

    private static void checkType(String key, ConfigValueType expected, ConfigValue value) {
        if (!compatible(expected, value.valueType(), value)) {
            throw new ConfigError(key, "expected " + describe(expected) + ", got " + describe(value.valueType())
                    + " '" + value.unwrapped() + "'");
        }
    }

    private static boolean compatible(ConfigValueType expected, ConfigValueType given, ConfigValue value) {
        if (expected == given || given == ConfigValueType.NULL) return true;
        if (given != ConfigValueType.STRING) return expected == ConfigValueType.STRING;
        // --set values and HOCON strings like "8" or "true" are coerced by typesafe-config.
        String s = String.valueOf(value.unwrapped()).trim();
        return switch (expected) {
            case NUMBER -> s.matches("[-+]?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
            case BOOLEAN -> s.matches("(?i)true|false|yes|no|on|off");
            default -> false;
        };
    }

    private static String describe(ConfigValueType t) {
        return switch (t) {
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case STRING -> "a string";
            case LIST -> "a list";
            case OBJECT -> "an object";
            case NULL -> "null";
        };
    }

    static String oneLine(Exception e) {
        return String.valueOf(e.getMessage()).replaceAll("\\s+", " ").trim();
    }
}
