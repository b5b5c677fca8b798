package ai.posttrain.stage;

import ai.posttrain.LocalSpark;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Progress lines of a Spark phase: tasks done/total, rate and ETA while its jobs run, nothing after it closes. */
class SparkProgressTest {
    @Test
    void aRunningPhasePrintsDoneTotalRateAndEta() throws Exception {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(LocalSpark.get().sparkContext());
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        PrintStream console = new PrintStream(lines, true, StandardCharsets.UTF_8);
        try (SparkProgress progress = new SparkProgress(sc, console, "[test] slow phase", 300)) {
            // 6 tasks of 1 s on two cores: about 3 s, ten 0.3 s periods.
            sc.parallelize(List.of(1, 2, 3, 4, 5, 6), 6).map(x -> {
                Thread.sleep(1000);
                return x;
            }).collect();
        }
        String out = lines.toString(StandardCharsets.UTF_8);
        assertTrue(out.lines().count() >= 2, out);
        assertTrue(out.lines().allMatch(l -> l.matches("\\[test] slow phase: [0-6]/[06] tasks, [0-9.]+ tasks/s, eta (\\?|\\d+s), \\d+s so far")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches(".*: [1-5]/6 tasks.*")), "a line mid-phase: " + out);
        Thread.sleep(700);
        assertEquals(out, lines.toString(StandardCharsets.UTF_8), "no line after the phase closed");
    }

    @Test
    void etaIsTheRemainingTasksAtTheRateSoFar() {
        assertEquals("[x] p: 3/8 tasks, 0.30 tasks/s, eta 17s, 10s so far", SparkProgress.line("[x] p", 3, 8, 10));
        assertEquals("[x] p: 0/8 tasks, 0.00 tasks/s, eta ?, 5s so far", SparkProgress.line("[x] p", 0, 8, 5));
        assertEquals("[x] p: 2/62 tasks, 0.02 tasks/s, eta 50m00s, 1m40s so far", SparkProgress.line("[x] p", 2, 62, 100));
    }
}
