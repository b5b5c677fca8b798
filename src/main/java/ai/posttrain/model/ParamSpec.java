package ai.posttrain.model;

/**
 * One parameter array of a custom layer: its key, shape and how it starts.
 *
 * @param init "zeros", "ones" or "normal" (N(0, std))
 */
public record ParamSpec(String key, long[] shape, String init, double std, boolean bias) {

    public static ParamSpec weight(String key, double std, long... shape) {
        return new ParamSpec(key, shape, "normal", std, false);
    }

    public static ParamSpec zeros(String key, long... shape) {
        return new ParamSpec(key, shape, "zeros", 0, true);
    }

    public static ParamSpec ones(String key, long... shape) {
        return new ParamSpec(key, shape, "ones", 0, false);
    }

    /** A randomly initialised matrix (projection, embedding): what weight decay reaches, unlike biases and norm gains. */
    public boolean decays() {
        return init.equals("normal");
    }

    public long length() {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }
}
