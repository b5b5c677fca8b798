package ai.posttrain.run;

/** Versions recorded in manifests and printed by the CLI. */
public final class Versions {
    private Versions() {}

    public static String app() {
        String v = Versions.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }

    /** The implementation version of the jar holding {@code className}, or {@code fallback}. */
    static String of(String className, String fallback) {
        try {
            String v = Class.forName(className).getPackage().getImplementationVersion();
            return v != null ? v : fallback;
        } catch (ClassNotFoundException e) {
            return "absent";
        }
    }
}
