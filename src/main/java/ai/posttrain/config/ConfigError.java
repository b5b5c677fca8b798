package ai.posttrain.config;

/** A user's configuration mistake: the CLI prints the message (which names the key) and exits 2. */
public class ConfigError extends RuntimeException {
    private final String key;

    public ConfigError(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    public String key() { return key; }
}
