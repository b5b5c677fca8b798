package ai.posttrain.stage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One real, uninterrupted tiny RL run shared by the tests of this JVM (KillAndResumeTest's reference, the
 * notebook's SQL test): {@link KillAndResumeTest#rl} from a random tiny policy, made once.
 */
public final class TinyRlRun {
    private static Path dir;
    private static String policy;

    private TinyRlRun() {}

    /** The random tiny policy the run starts from. */
    static synchronized String policy() {
        if (policy == null) policy = RlStageTest.tinyPolicy(tempDir());
        return policy;
    }

    /** The run directory (complete: rl stage, its evaluation, rollouts, metrics). */
    public static synchronized String run() throws Exception {
        Path run = tempDir().resolve("rl-reference/run");
        if (Files.isRegularFile(run.resolve("rl/model/model.zip"))) return run.toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SftStagesTest.cli(err, KillAndResumeTest.rl(run.toString()));
        if (code != 0) throw new IllegalStateException("tiny RL run failed (" + code + "): " + err.toString(StandardCharsets.UTF_8));
        return run.toString();
    }

    private static Path tempDir() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("posttrain-tiny-rl");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path d = dir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (Stream<Path> files = Files.walk(d)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException ignored) {
                    // best effort at exit
                }
            }));
        }
        return dir;
    }
}
