package ai.posttrain.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import java.util.List;
import java.util.function.Function;

/** Typed, range-checked reads from a resolved config; every failure is a {@link ConfigError} naming the key. */
public final class Settings {
    private final Config config;
    private final String prefix;
    private final Function<String, String> displayName;

    public Settings(Config config, String prefix) { this(config, prefix, Function.identity()); }

    /** {@code displayName} maps a looked-up key to the key errors should name (for merged configs). */
    public Settings(Config config, String prefix, Function<String, String> displayName) {
        this.config = config;
        this.prefix = prefix;
        this.displayName = displayName;
    }

    public Settings child(String path) { return new Settings(config, lookupKey(path), displayName); }

    public Config raw() { return config; }

    private String lookupKey(String path) { return prefix.isEmpty() ? path : prefix + "." + path; }

    /** The key as the user wrote it, for error messages. */
    public String key(String path) { return displayName.apply(lookupKey(path)); }

    public int intIn(String path, int min, int max) {
        long v = read(path, config::getLong);
        if (v < min || v > max) throw new ConfigError(key(path), "must be in [" + min + ", " + max + "], got " + v);
        return (int) v;
    }

    public long longAtLeast(String path, long min) {
        long v = read(path, config::getLong);
        if (v < min) throw new ConfigError(key(path), "must be >= " + min + ", got " + v);
        return v;
    }

    public double doubleIn(String path, double min, double max) {
        double v = read(path, config::getDouble);
        if (!(v >= min && v <= max)) throw new ConfigError(key(path), "must be in [" + min + ", " + max + "], got " + v);
        return v;
    }

    public boolean bool(String path) { return read(path, config::getBoolean); }

    public String string(String path) { return read(path, config::getString); }

    public String oneOf(String path, List<String> allowed) {
        String v = string(path);
        if (!allowed.contains(v)) throw new ConfigError(key(path), "must be one of " + allowed + ", got '" + v + "'");
        return v;
    }

    public List<String> strings(String path) { return read(path, config::getStringList); }

    private <T> T read(String path, Function<String, T> getter) {
        String k = key(path);
        try {
            return getter.apply(lookupKey(path));
        } catch (ConfigException.Missing e) {
            throw new ConfigError(k, "missing");
        } catch (ConfigException.WrongType e) {
            throw new ConfigError(k, "wrong type: " + ConfigLoader.oneLine(e).replaceFirst("^.*?: ", ""));
        } catch (ConfigException e) {
            throw new ConfigError(k, ConfigLoader.oneLine(e));
        }
    }
}
