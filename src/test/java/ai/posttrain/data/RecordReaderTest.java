package ai.posttrain.data;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** RecordReader on real files through a local Spark: counts, reasons, line numbers, formats, failures. */
class RecordReaderTest {
    /** Length in characters: the tests' stand-in for the chat template's token count. */
    static final TokenCounter CHARS = ms -> ms.stream().mapToInt(m -> m.content().length()).sum();

    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = ai.posttrain.LocalSpark.get();
    }

    static final String OK = "{\"messages\":[{\"role\":\"user\",\"content\":\"What is 2 + 3?\"},{\"role\":\"assistant\",\"content\":\"5\"}]}";

    @Test
    void mixedJsonlGivesExactCountsReasonsAndLineNumbers(@TempDir Path dir) throws IOException {
        String tool = "{\"id\":\"agent-1\",\"domain\":\"agent\",\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Oslo?\"},"
                + "{\"role\":\"assistant\",\"content\":\"<tool_call>{\\\"name\\\":\\\"get_weather\\\",\\\"arguments\\\":{\\\"city\\\":\\\"Oslo\\\"}}</tool_call>\"},"
                + "{\"role\":\"tool\",\"content\":\"{\\\"temperature\\\":3}\"},{\"role\":\"assistant\",\"content\":\"It is 3 degrees.\"}]}";
        List<String> lines = List.of(
                OK,                                                                                     // 1 valid
                "{\"messages\":[{\"role\":\"user\"",                                                    // 2 truncated
                "not json at all",                                                                      // 3
                "   ",                                                                                  // 4 blank: skipped
                "{\"domain\":\"math\"}",                                                                // 5 no messages
                "{\"messages\":\"hello\"}",                                                             // 6 messages not an array
                "{\"difficulty\":\"2\"," + OK.substring(1),                                             // 7 difficulty a string
                "{\"messages\":[{\"role\":\"robot\",\"content\":\"beep\"},{\"role\":\"assistant\",\"content\":\"x\"}]}", // 8
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"  \"}]}",   // 9
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",                              // 10 no assistant
                "{\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(300) + "\"},{\"role\":\"assistant\",\"content\":\"y\"}]}", // 11
                tool,                                                                                   // 12 valid agent
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":\"<tool_call>{\\\"name\\\":}</tool_call>\"}]}", // 13
                OK + " trailing",                                                                       // 14
                "{\"id\":7,\"domain\":\"math\",\"difficulty\":2," + OK.substring(1));                   // 15 valid
        Path file = Files.write(dir.resolve("mixed.jsonl"), lines);

        ReadResult r = RecordReader.read(spark, RecordKind.SFT, List.of(file.toString()), CHARS, 200);

        assertEquals(3, r.validCount());
        assertEquals(11, r.rejectedCount());
        assertEquals(1, r.blankLines());
        assertEquals(Map.of("bad_json", 3L, "missing_field", 1L, "wrong_type", 2L, "unknown_role", 1L, "empty_assistant", 1L,
                "no_assistant", 1L, "too_long", 1L, "bad_tool_call", 1L), r.reasonCounts());

        Map<Long, String> byLine = new TreeMap<>();
        for (Row row : r.rejected().collectAsList())
            byLine.put(row.getLong(1), row.getString(3) + " " + row.getString(2));
        Map<Long, String> expected = new TreeMap<>(Map.of(2L, "bad_json null", 3L, "bad_json null", 5L, "missing_field messages",
                6L, "wrong_type messages", 7L, "wrong_type difficulty", 8L, "unknown_role messages[0].role",
                9L, "empty_assistant messages[1].content", 10L, "no_assistant messages", 11L, "too_long null"));
        expected.put(13L, "bad_tool_call messages[1].content");
        expected.put(14L, "bad_json null");
        assertEquals(expected, byLine);
        Row tooLong = r.rejected().where("line = 11").first();
        assertEquals("301 tokens > max 200", tooLong.getString(4));
        assertEquals(lines.get(10), tooLong.getString(5));
        assertTrue(tooLong.getString(0).endsWith("mixed.jsonl"));

        assertEquals(RecordSchemas.SFT.simpleString(), r.valid().schema().simpleString());
        assertEquals(RecordSchemas.REJECTED.simpleString(), r.rejected().schema().simpleString());
        List<Row> valid = r.valid().orderBy("line").collectAsList();
        assertEquals(List.of(1L, 12L, 15L), valid.stream().map(v -> v.getLong(2)).toList());
        assertEquals(List.of("mixed.jsonl:1", "agent-1", "7"), valid.stream().map(v -> v.getString(0)).toList());
        assertEquals(List.of("general", "agent", "math"), valid.stream().map(v -> v.getString(3)).toList());
        assertTrue(valid.get(0).isNullAt(4));
        assertEquals(2, valid.get(2).getInt(4));
        List<Row> agentTurns = valid.get(1).getList(5);
        assertEquals(List.of("user", "assistant", "tool", "assistant"), agentTurns.stream().map(m -> m.getString(0)).toList());
        assertEquals("It is 3 degrees.", agentTurns.get(3).getString(1));
        r.unpersist();
    }

    @Test
    void parquetRowsAreValidatedByTheSameRulesWithRowNumbers(@TempDir Path dir) {
        StructType message = new StructType().add("role", DataTypes.StringType).add("content", DataTypes.StringType);
        StructType schema = new StructType().add("domain", DataTypes.StringType)
                .add("messages", DataTypes.createArrayType(message)).add("difficulty", DataTypes.IntegerType);
        List<Row> rows = List.of(
                RowFactory.create("math", List.of(RowFactory.create("user", "1+1?"), RowFactory.create("assistant", "2")), 1),
                RowFactory.create("chat", List.of(RowFactory.create("user", "hi"), RowFactory.create("assistant", "")), null),
                RowFactory.create(null, List.of(RowFactory.create("user", "hey"), RowFactory.create("assistant", "hello")), 3));
        String out = dir.resolve("sft.parquet").toString();
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(out);

        for (String input : List.of(out, out + "/*.parquet")) {
            ReadResult r = RecordReader.read(spark, RecordKind.SFT, List.of(input), CHARS, 1000);
            assertEquals(2, r.validCount(), input);
            assertEquals(Map.of("empty_assistant", 1L), r.reasonCounts());
            Row rejected = r.rejected().first();
            assertEquals(2L, rejected.getLong(1));
            assertEquals("messages[1].content", rejected.getString(2));
            assertTrue(rejected.getString(0).endsWith(".parquet"));
            List<Row> valid = r.valid().orderBy("line").collectAsList();
            assertEquals(List.of("math", "general"), valid.stream().map(v -> v.getString(3)).toList());
            assertEquals(3, valid.get(1).getInt(4));
            assertEquals(1, r.sources().size(), "only the part file, not _SUCCESS or .crc files");
            r.unpersist();
        }
    }

    @Test
    void directoriesAreReadRecursivelyAndGlobsPickFiles(@TempDir Path dir) throws IOException {
        Path data = Files.createDirectories(dir.resolve("data/sub"));
        Files.write(dir.resolve("data/a.jsonl"), List.of(OK, OK));
        Files.write(dir.resolve("data/b.jsonl"), List.of(OK, "{broken"));
        Files.write(data.resolve("c.jsonl"), List.of(OK));
        Files.write(dir.resolve("data/_SUCCESS"), List.of("not data"));
        Files.write(dir.resolve("data/.hidden.jsonl"), List.of("not data"));

        ReadResult all = RecordReader.read(spark, RecordKind.SFT, List.of(dir.resolve("data").toString()), CHARS, 0);
        assertEquals(4, all.validCount());
        assertEquals(1, all.rejectedCount());
        assertEquals(3, all.sources().size());
        Row broken = all.rejected().first();
        assertTrue(broken.getString(0).endsWith("data/b.jsonl"));
        assertEquals(2L, broken.getLong(1));
        all.unpersist();

        ReadResult glob = RecordReader.read(spark, RecordKind.SFT, List.of(dir + "/data/*.jsonl"), CHARS, 0);
        assertEquals(3, glob.validCount());
        assertEquals(2, glob.sources().size());
        glob.unpersist();
    }

    @Test
    void anInputWithNoValidRecordFailsNamingTheFileAndWhy(@TempDir Path dir) throws IOException {
        Path good = Files.write(dir.resolve("good.jsonl"), List.of(OK));
        Path bad = Files.write(dir.resolve("all-bad.jsonl"), List.of("{oops", "{\"messages\":[]}", "[1,2]"));
        DataException e = assertThrows(DataException.class,
                () -> RecordReader.read(spark, RecordKind.SFT, List.of(good.toString(), bad.toString()), CHARS, 0));
        assertTrue(e.getMessage().contains("all-bad.jsonl"), e.getMessage());
        assertTrue(e.getMessage().contains("3 rejected (bad_json 2, empty_field 1)"), e.getMessage());
        assertTrue(e.getMessage().contains("line 1: bad_json"), e.getMessage());
        assertFalse(e.getMessage().contains("good.jsonl"), e.getMessage());

        Path empty = Files.write(dir.resolve("empty.jsonl"), List.of("", " "));
        DataException none = assertThrows(DataException.class,
                () -> RecordReader.read(spark, RecordKind.SFT, List.of(empty.toString()), CHARS, 0));
        assertTrue(none.getMessage().contains("empty.jsonl has no records"), none.getMessage());

        String missing = dir.resolve("nope.jsonl").toString();
        DataException absent = assertThrows(DataException.class,
                () -> RecordReader.read(spark, RecordKind.SFT, List.of(missing), CHARS, 0));
        assertEquals("Input " + missing + " does not exist", absent.getMessage());
        DataException noMatch = assertThrows(DataException.class,
                () -> RecordReader.read(spark, RecordKind.SFT, List.of(dir + "/*.parquet"), CHARS, 0));
        assertTrue(noMatch.getMessage().contains("matches no files"), noMatch.getMessage());
    }

    @Test
    void preferenceRecordsNormaliseThePromptToMessages(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("pref.jsonl"), List.of(
                "{\"prompt\":\"Say hi\",\"chosen\":\"Hi!\",\"rejected\":\"No.\"}",
                "{\"messages\":[{\"role\":\"system\",\"content\":\"Be kind.\"},{\"role\":\"user\",\"content\":\"Say hi\"}],\"chosen\":\"Hi!\",\"rejected\":\"Go away.\",\"domain\":\"chat\"}",
                "{\"prompt\":\"Say hi\",\"chosen\":\"Hi!\"}",
                "{\"prompt\":\"Say hi\",\"chosen\":\"Hi!\",\"rejected\":\"Hi!\"}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":\"b\"}],\"chosen\":\"c\",\"rejected\":\"d\"}",
                "{\"prompt\":\"Say hi\",\"chosen\":\"\",\"rejected\":\"x\"}",
                "{\"chosen\":\"a\",\"rejected\":\"b\"}"));
        ReadResult r = RecordReader.read(spark, RecordKind.PREFERENCE, List.of(file.toString()), CHARS, 100);
        assertEquals(2, r.validCount());
        assertEquals(Map.of("missing_field", 2L, "bad_value", 2L, "empty_assistant", 1L), r.reasonCounts());
        assertEquals(RecordSchemas.PREFERENCE.simpleString(), r.valid().schema().simpleString());
        List<Row> valid = r.valid().orderBy("line").collectAsList();
        assertEquals(List.of("user"), valid.get(0).<Row>getList(4).stream().map(m -> m.getString(0)).toList());
        assertEquals(List.of("system", "user"), valid.get(1).<Row>getList(4).stream().map(m -> m.getString(0)).toList());
        assertEquals("Go away.", valid.get(1).getString(6));
        assertEquals("chat", valid.get(1).getString(3));
        r.unpersist();
    }

    @Test
    void rlPromptsNeedWhatTheirDomainsVerifierNeeds(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("rl.jsonl"), List.of(
                "{\"prompt\":\"What is 6 * 7?\",\"domain\":\"math\",\"answer\":42,\"difficulty\":2}",
                "{\"prompt\":\"Write f(x) returning x + 3\",\"domain\":\"code\",\"tests\":[\"assert f(2) == 5\"]}",
                "{\"prompt\":\"Tell me a joke\",\"domain\":\"chat\"}",
                "{\"prompt\":\"What is 6 * 7?\",\"domain\":\"math\"}",
                "{\"prompt\":\"Write f\",\"domain\":\"code\"}",
                "{\"prompt\":\"Write f\",\"domain\":\"code\",\"tests\":[1]}",
                "{\"prompt\":\"Hi\",\"domain\":\"poetry\"}",
                "{\"prompt\":\"\",\"domain\":\"chat\"}",
                "{\"domain\":\"chat\"}"));
        ReadResult r = RecordReader.read(spark, RecordKind.RL, List.of(file.toString()), CHARS, 100);
        assertEquals(3, r.validCount());
        assertEquals(Map.of("missing_field", 3L, "wrong_type", 1L, "bad_value", 1L, "empty_field", 1L), r.reasonCounts());
        assertEquals(RecordSchemas.RL.simpleString(), r.valid().schema().simpleString());
        List<Row> valid = r.valid().orderBy("line").collectAsList();
        assertEquals("42", valid.get(0).getString(5));
        assertEquals(2, valid.get(0).getInt(7));
        assertEquals(List.of("assert f(2) == 5"), valid.get(1).getList(6));
        assertTrue(valid.get(2).isNullAt(5));
        assertEquals(List.of(), valid.get(2).getList(6));
        Map<Long, String> fields = r.rejected().collectAsList().stream()
                .collect(Collectors.toMap(x -> x.getLong(1), x -> String.valueOf(x.getString(2))));
        assertEquals(Map.of(4L, "answer", 5L, "tests", 6L, "tests[0]", 7L, "domain", 8L, "prompt", 9L, "prompt"), fields);
        r.unpersist();
    }

    @Test
    void builtinInputsGoThroughTheSameValidation() {
        BuiltinData small = new BuiltinData(3, 30, 12);
        ReadResult sft = RecordReader.read(spark, RecordKind.SFT, List.of("builtin:math", "builtin:math:heldout"), CHARS, 400, small);
        assertEquals(42, sft.validCount());
        assertEquals(0, sft.rejectedCount());
        assertEquals(List.of("builtin:math", "builtin:math:heldout"), sft.sources());
        Dataset<Row> heldout = sft.valid().where("source = 'builtin:math:heldout'");
        assertEquals(12, heldout.count());
        assertEquals(List.of(1L, 2L, 3L), heldout.orderBy("line").limit(3).collectAsList().stream().map(x -> x.getLong(2)).toList());
        sft.unpersist();

        DataException e = assertThrows(DataException.class,
                () -> RecordReader.read(spark, RecordKind.SFT, List.of("builtin:poems"), CHARS, 0, small));
        assertTrue(e.getMessage().startsWith("Unknown builtin suite 'poems'; known: math, stem"), e.getMessage());
        DataException wrongKind = assertThrows(DataException.class,
                () -> RecordReader.read(spark, RecordKind.PREFERENCE, List.of("builtin:math"), CHARS, 0, small));
        assertTrue(wrongKind.getMessage().contains("Input builtin:math has no valid PREFERENCE record: 30 rejected (missing_field 30)"),
                wrongKind.getMessage());
    }
}
