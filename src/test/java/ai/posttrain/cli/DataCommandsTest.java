package ai.posttrain.cli;

import ai.posttrain.LocalSpark;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static ai.posttrain.cli.SqlCommandTest.cli;
import static org.junit.jupiter.api.Assertions.*;

/** `data`, `validate` and `sql` through Main on real files, as a user runs them. */
class DataCommandsTest {
    static final String GOOD = "{\"messages\":[{\"role\":\"user\",\"content\":\"What is 2 + 3?\"},{\"role\":\"assistant\",\"content\":\"<think>2+3+0=5 d5 c0</think>5\"}],\"domain\":\"math\"}";

    @Test
    void dataWritesEverySuiteAndSqlReadsIt(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("d");
        SqlCommandTest.Result r = cli("data", "--out", out.toString(), "--train", "30", "--heldout", "10");
        assertEquals(0, r.code(), r.err());
        for (String suite : List.of("math", "stem", "code", "conversation", "agent", "reasoning", "preference")) {
            assertTrue(Files.isRegularFile(out.resolve(suite + ".train.jsonl")), suite);
            assertEquals(10, Files.readAllLines(out.resolve(suite + ".heldout.jsonl")).size(), suite);
        }
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".crc")), "no checksum side files");
        }
        SqlCommandTest.Result q = cli("sql", "select count(*) as n from m", "--table", "m=" + out.resolve("math.heldout.jsonl"), "--format", "json");
        assertEquals(0, q.code(), q.err());
        assertEquals(10, new ObjectMapper().readTree(q.out()).get(0).get("n").asInt());
    }

    @Test
    void validateCountsEachKindOfBadLineAndWritesTheRejectedTable(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("mixed.jsonl");
        Files.write(f, List.of(
                GOOD,                                                                               // 1 valid
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assist",          // 2 truncated JSON
                "this is not json",                                                                 // 3 not JSON
                "{\"domain\":\"math\"}",                                                            // 4 missing messages
                "{\"messages\":\"hello\"}",                                                         // 5 wrong type
                "{\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"x\"}]}", // 6 unknown role
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"\"}]}",    // 7 empty assistant
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",                          // 8 no assistant
                GOOD));                                                                             // 9 valid
        Path run = dir.resolve("run");
        SqlCommandTest.Result r = cli("validate", "--kind", "sft", f.toString(), "--run", run.toString(), "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonNode report = new ObjectMapper().readTree(r.out());
        assertEquals(2, report.get("valid").asInt());
        assertEquals(7, report.get("rejected").asInt());
        assertEquals(2, report.get("reasons").get("bad_json").asInt());
        assertEquals(1, report.get("reasons").get("missing_field").asInt());
        assertEquals(1, report.get("reasons").get("wrong_type").asInt());
        assertEquals(1, report.get("reasons").get("unknown_role").asInt());
        assertEquals(1, report.get("reasons").get("empty_assistant").asInt());
        assertEquals(1, report.get("reasons").get("no_assistant").asInt());

        List<Row> rows = LocalSpark.get().read().parquet(run.resolve("rejected").toString()).orderBy("line").collectAsList();
        Map<Long, String> reasonByLine = rows.stream().collect(Collectors.toMap(
                row -> row.getLong(row.fieldIndex("line")), row -> row.getString(row.fieldIndex("reason"))));
        assertEquals(Map.of(2L, "bad_json", 3L, "bad_json", 4L, "missing_field", 5L, "wrong_type",
                6L, "unknown_role", 7L, "empty_assistant", 8L, "no_assistant"), reasonByLine);
        for (Row row : rows) {
            assertTrue(row.getString(row.fieldIndex("source")).endsWith("mixed.jsonl"));
            assertEquals("validate", row.getString(row.fieldIndex("origin")));
            assertFalse(row.getString(row.fieldIndex("raw")).isEmpty());
        }
        // The table is queryable by name through sql --run.
        SqlCommandTest.Result q = cli("sql", "select reason, count(*) as n from rejected group by reason order by reason",
                "--run", run.toString(), "--format", "json");
        assertEquals(0, q.code(), q.err());
        assertEquals(6, new ObjectMapper().readTree(q.out()).size());
    }

    @Test
    void aFileWithOnlyBadLinesFailsNamingTheFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("all-bad.jsonl");
        Files.write(f, List.of("nope", "{\"messages\":[]}"));
        SqlCommandTest.Result r = cli("validate", "--kind", "sft", f.toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("all-bad.jsonl"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void usageMistakesExitTwo(@TempDir Path dir) throws Exception {
        assertEquals(2, cli("validate", "--kind", "dpo", "x.jsonl").code());
        assertEquals(2, cli("validate", "x.jsonl").code());
        assertEquals(2, cli("data").code());
        assertEquals(2, cli("data", "--out", dir.toString(), "--train", "0").code());
        assertEquals(2, cli("no-such-command").code());
    }
}
