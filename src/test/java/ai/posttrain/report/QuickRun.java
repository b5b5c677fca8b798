package ai.posttrain.report;

import ai.posttrain.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One real, small run shared by the report and notebook tests: the cold-start SFT stage on
 * conf/quick.conf (3 steps, 2 held-out records per suite) through the CLI, so it has real
 * {@code metrics}, {@code eval} and {@code eval_samples} tables and a manifest. Made once per test
 * JVM; tests that add tables work on a {@link #copy}.
 */
final class QuickRun {
    private static Path run;

    private QuickRun() {}

    static synchronized Path sft() throws Exception {
        if (run != null) return run;
        Path dir = Files.createTempDirectory("posttrain-report-run");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        Path target = dir.resolve("run");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[]{"stage", "cold-start-sft", "--run", target.toString(), "--conf", "conf/quick.conf",
                        "--set", "posttrain.spark.master=\"local[2]\"", "--set", "posttrain.stages.cold-start-sft.curriculum=[{name=all,steps=3}]",
                        "--set", "posttrain.eval.per-suite=2", "--set", "posttrain.eval.max-new-tokens=16"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String log = err.toString(StandardCharsets.UTF_8);
        if (code != 0) throw new IllegalStateException("quick run failed (" + code + "): " + log);
        System.out.println("quick run: " + log);
        run = target;
        return run;
    }

    /** A copy of the shared run under {@code dir}, for a test that changes it. */
    static Path copy(Path dir) throws Exception {
        Path source = sft();
        Path target = dir.resolve("run");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path to = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(to);
                else Files.copy(p, to);
            }
        }
        return target;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
