package ai.posttrain.cli;

import ai.posttrain.LocalSpark;
import ai.posttrain.TestModels;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static ai.posttrain.cli.SqlCommandTest.cli;
import static org.junit.jupiter.api.Assertions.*;

/** `eval --samples`: every scored completion as Parquet, agreeing with the printed aggregates. */
class EvalSamplesTest {
    @Test
    void samplesHoldEveryScoredCompletionAndAgreeWithTheMetrics(@TempDir Path dir) throws Exception {
        String model = TestModels.randomTeacher(dir);
        Path samples = dir.resolve("samples");
        SqlCommandTest.Result r = cli("eval", "--conf", "conf/quick.conf", "--model", model, "--data", "builtin:math:heldout",
                "--data", "builtin:code:heldout", "--limit", "5", "--samples", samples.toString(), "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonNode metrics = new ObjectMapper().readTree(r.out());
        Dataset<Row> rows = LocalSpark.get().read().parquet(samples.toString());
        assertEquals(10, rows.count());
        for (String suite : List.of("math", "code")) {
            Dataset<Row> ofSuite = rows.where(rows.col("suite").equalTo(suite));
            JsonNode m = metrics.get(suite);
            assertEquals(m.get("n").asInt(), ofSuite.count(), suite);
            // the aggregates printed are the means of the rows written
            Row means = ofSuite.selectExpr("avg(new_tokens)", "avg(cast(stopped as double))", "avg(cast(format_ok as double))",
                    "avg(cast(passed as double))", "count(distinct id)", "min(length(prompt))").first();
            assertEquals(m.get("mean_new_tokens").asDouble(), means.getDouble(0), 1e-4, suite);
            assertEquals(m.get("stop_rate").asDouble(), means.getDouble(1), 1e-4, suite);
            assertEquals(m.get("format_rate").asDouble(), means.getDouble(2), 1e-4, suite);
            assertEquals(m.get(suite.equals("math") ? "accuracy" : "pass_rate").asDouble(), means.getDouble(3), 1e-4, suite);
            assertEquals(5L, means.getLong(4), suite + ": one row per item");
            assertTrue(means.getInt(5) > 0, suite + ": the prompt is kept");
        }
        assertTrue(rows.where("completion is null or metric is null").isEmpty());
    }

    @Test
    void anExistingSamplesFolderIsRefusedBeforeDecoding(@TempDir Path dir) throws Exception {
        Path existing = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(existing.resolve("keep.txt"), "user data");
        SqlCommandTest.Result r = cli("eval", "--conf", "conf/quick.conf", "--model", dir.resolve("no-model").toString(),
                "--data", "builtin:math:heldout", "--samples", existing.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--samples " + existing + " exists"), r.err());
        assertEquals("user data", Files.readString(existing.resolve("keep.txt")));
    }
}
