package ai.posttrain.tokenizer;

/**
 * Keeps DJL's tokenizer library off the network. Read from DJL 0.30.0 sources (LibUtils, Platform, Ec2Utils):
 * <ul>
 *   <li>The tokenizers jar carries {@code native/lib/linux-x86_64/cpu/libtokenizers.so}, which DJL copies to
 *   {@code $DJL_CACHE_DIR} (default {@code ~/.djl.ai}, or {@code java.io.tmpdir} when home is read-only).
 *   But on a machine where JNA can load libcudart and finds an sm_80/86/89/90 GPU with CUDA 12.2+, DJL picks
 *   the "cu122" flavor, which the jar does not carry, and downloads it from publish.djl.ai.
 *   {@code RUST_FLAVOR=cpu} forces the bundled CPU library.</li>
 *   <li>Each {@code HuggingFaceTokenizer.newInstance} "calls home" (EC2 metadata + an S3 telemetry URL) once a
 *   day unless {@code OPT_OUT_TRACKING=true} or offline mode.</li>
 * </ul>
 * An environment variable or -D property the user set wins over these defaults.
 */
final class DjlOffline {
    private DjlOffline() {}

    static void configure() {
        setIfUnset("RUST_FLAVOR", "cpu");
        setIfUnset("OPT_OUT_TRACKING", "true");
    }

    private static void setIfUnset(String name, String value) {
        if (System.getenv(name) == null && System.getProperty(name) == null) System.setProperty(name, value);
    }
}
