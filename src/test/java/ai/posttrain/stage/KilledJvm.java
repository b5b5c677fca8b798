package ai.posttrain.stage;

import ai.posttrain.cli.Main;
import ai.posttrain.run.KillPoints;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CLI in its own JVM, stopped by {@code kill -9} (Process.destroyForcibly sends SIGKILL) once it reaches a
 * named {@link KillPoints kill point}: the JVM blocks there, so the kill lands in the middle of that phase.
 */
final class KilledJvm {
    private KilledJvm() {}

    /** Runs {@code argv} until {@code point} (NAME@N) is reached, then kills the JVM; returns its log. */
    static String killAt(String point, Path log, String... argv) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "@submit/java-opens.txt", "-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=2g",
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=5g", "-D" + KillPoints.PROPERTY + "=" + point,
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(argv));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");   // as the test JVM: the same arithmetic
        Process job = builder.start();
        String reached = "[kill-point] " + point + " reached";
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (job.isAlive() && System.nanoTime() < deadline && !Files.readString(log).contains(reached)) Thread.sleep(100);
            assertTrue(Files.readString(log).contains(reached), "the run never reached " + point + ":\n" + Files.readString(log));
        } finally {
            job.destroyForcibly().waitFor();
        }
        return Files.readString(log);
    }
}
