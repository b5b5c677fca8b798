package ai.posttrain.run;

import ai.posttrain.LocalSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class TableWriterTest {
    private final SparkSession spark = LocalSpark.get();

    @Test
    void runDirHasAManifestWithConfigSeedsAndVersions(@TempDir Path dir) {
        RunDir run = RunDir.open(dir.resolve("r1").toString(), LocalSpark.config(), spark.sparkContext().hadoopConfiguration());
        Manifest m = run.manifest();
        assertEquals("r1", m.runId());
        assertEquals(42, m.json().path("config").path("seed").asInt());
        assertEquals(42, m.json().path("seeds").path("root").asInt());
        assertEquals(spark.version(), m.json().path("versions").path("spark").asText());
        run.writeManifest(m.withStageStatus("cold-start-sft", "complete"));
        assertEquals("complete", run.manifest().stageStatus("cold-start-sft"));
        assertEquals("pending", run.manifest().stageStatus("rl"));
    }

    @Test
    void replaceAppendAndPartitionsLeaveOnlyCompleteTables(@TempDir Path dir) throws Exception {
        RunDir run = RunDir.open(dir.resolve("r2").toString(), LocalSpark.config(), spark.sparkContext().hadoopConfiguration());
        TableWriter writer = new TableWriter(run);
        writer.replace("metrics", spark.sql("select id as step, cast(id as double) as loss from range(5)"));
        writer.append("metrics", spark.sql("select id + 5 as step, 0.5 as loss from range(3)"));
        assertEquals(8, writer.read(spark, "metrics").count());
        writer.replace("metrics", spark.sql("select 1L as step, 1.0 as loss"));
        assertEquals(1, writer.read(spark, "metrics").count());

        writer.writePartition("rollouts", Map.of("stage", "stem"), spark.sql("select id as prompt from range(4)"));
        writer.writePartition("rollouts", Map.of("stage", "code"), spark.sql("select id as prompt from range(2)"));
        writer.writePartition("rollouts", Map.of("stage", "stem"), spark.sql("select id as prompt from range(3)"));
        Dataset<Row> rollouts = writer.read(spark, "rollouts");
        assertEquals(3, rollouts.where("stage = 'stem'").count());
        assertEquals(2, rollouts.where("stage = 'code'").count());

        assertEquals(List.of("metrics", "rollouts"), run.tables());
        try (Stream<Path> files = Files.walk(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")
                    || p.getFileName().toString().startsWith(".old-")), "no temporary folders left behind");
        }
    }

    @Test
    void aFailedWriteLeavesTheOldTableIntact(@TempDir Path dir) {
        RunDir run = RunDir.open(dir.resolve("r3").toString(), LocalSpark.config(), spark.sparkContext().hadoopConfiguration());
        TableWriter writer = new TableWriter(run);
        writer.replace("eval", spark.sql("select 'math' as suite, cast(0.5 as double) as accuracy"));
        // A query that fails while its rows are computed: the write must not replace the table.
        Dataset<Row> failing = spark.sql("select 'math' as suite, assert_true(id < 0) as accuracy from range(3)");
        assertThrows(Exception.class, () -> writer.replace("eval", failing));
        List<Row> rows = writer.read(spark, "eval").collectAsList();
        assertEquals(1, rows.size());
        assertEquals(0.5, rows.get(0).getDouble(1));
    }

    @Test
    void aSwapKilledHalfWayIsFinishedByTheNextWrite(@TempDir Path dir) throws Exception {
        RunDir run = RunDir.open(dir.resolve("r4").toString(), LocalSpark.config(), spark.sparkContext().hadoopConfiguration());
        TableWriter writer = new TableWriter(run);
        writer.replace("metrics", spark.sql("select id as step from range(4)"));
        // Killed after moving the old table aside, before the new one was renamed in: no table in place.
        Path table = dir.resolve("r4/metrics");
        Files.move(table, dir.resolve("r4/.old-metrics-" + java.util.UUID.randomUUID()));
        writer.appendReplacing("metrics", spark.sql("select id + 2 as step from range(3)"), org.apache.spark.sql.functions.col("step").geq(2));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), writer.read(spark, "metrics").orderBy("step").as(org.apache.spark.sql.Encoders.LONG()).collectAsList(),
                "the old rows came back, the rewritten steps once each");

        // Killed after the new table was in place, before the old one was deleted: the leftover goes.
        Files.createDirectories(dir.resolve("r4/.old-metrics-" + java.util.UUID.randomUUID()));
        assertEquals(5, writer.read(spark, "metrics").count());
        try (Stream<Path> files = Files.list(dir.resolve("r4"))) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".old-")), "leftover removed");
        }
    }
}
