package ai.posttrain.cli;

import ai.posttrain.LocalSpark;
import ai.posttrain.run.RunDir;
import ai.posttrain.run.TableWriter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The sql command through Main, on real Parquet and JSONL files. */
class SqlCommandTest {
    private final SparkSession spark = LocalSpark.get();

    record Result(int code, String out, String err) {}

    static Result cli(String... argv) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void runTablesAreViews(@TempDir Path dir) throws Exception {
        String runPath = dir.resolve("run").toString();
        RunDir run = RunDir.open(runPath, LocalSpark.config(), spark.sparkContext().hadoopConfiguration());
        new TableWriter(run).replace("metrics", spark.sql("select id as step, 1.0 / (id + 1) as loss from range(4)"));
        Result r = cli("sql", "select count(*) as n, min(loss) as best from metrics", "--run", runPath, "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonNode rows = new ObjectMapper().readTree(r.out());
        assertEquals(4, rows.get(0).get("n").asInt());
        assertEquals(0.25, rows.get(0).get("best").asDouble(), 1e-9);
    }

    @Test
    void tableOptionReadsJsonl(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.jsonl");
        Files.writeString(f, "{\"prompt\":\"1+1\",\"answer\":\"2\"}\n{\"prompt\":\"2+2\",\"answer\":\"4\"}\n{\"prompt\":\"3+3\",\"answer\":\"6\"}\n");
        Result r = cli("sql", "select count(*) as n from m", "--table", "m=" + f);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().equals("3")), r.out());
        assertTrue(r.out().contains("(1 row)"));
    }

    @Test
    void userMistakesAreOneLineWithoutStackTrace(@TempDir Path dir) throws Exception {
        Result missing = cli("sql", "select 1", "--table", "m=" + dir.resolve("absent.jsonl"));
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no such file"), missing.err());
        Result badSql = cli("sql", "select * from nowhere");
        assertEquals(1, badSql.code());
        assertFalse(badSql.err().contains("\tat "), "no stack trace: " + badSql.err());
        Result badKey = cli("sql", "select 1", "--set", "posttrain.no-such-key=1");
        assertEquals(2, badKey.code());
        assertEquals(1, badKey.err().strip().lines().count(), badKey.err());
        assertTrue(badKey.err().contains("posttrain.no-such-key"));
        Result badType = cli("sql", "select 1", "--set", "posttrain.seed=abc");
        assertEquals(2, badType.code());
        assertTrue(badType.err().contains("posttrain.seed"));
        Result badOption = cli("sql", "select 1", "--fromat", "json");
        assertEquals(2, badOption.code());
        assertTrue(badOption.err().contains("--fromat"));
    }
}
