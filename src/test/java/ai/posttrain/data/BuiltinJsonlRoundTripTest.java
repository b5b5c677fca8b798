package ai.posttrain.data;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** BuiltinData.writeJsonl writes every suite and split; RecordReader reads all of it back as valid. */
class BuiltinJsonlRoundTripTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = ai.posttrain.LocalSpark.get();
    }

    @Test
    void writtenSuitesReadBackAllValidUnderEveryKindTheyServe(@TempDir Path dir) {
        BuiltinData data = new BuiltinData(11, 45, 15);
        String out = dir.resolve("builtin").toString();
        List<String> written = data.writeJsonl(out, spark.sparkContext().hadoopConfiguration());
        assertEquals(17, written.size());   // train and held out for each suite, reworded for math, stem and code
        for (BuiltinSuite suite : BuiltinSuite.values())
            for (Split split : Split.values())
                assertEquals(split != Split.REWORDED || suite.reworded(),
                        Files.isRegularFile(dir.resolve("builtin/" + suite.id() + "." + split.id() + ".jsonl")), suite + " " + split);

        // SFT: every suite, both splits, in one read; ids and order come back as generated.
        ReadResult sft = RecordReader.read(spark, RecordKind.SFT, List.of(out), RecordReaderTest.CHARS, 4096);
        assertEquals(7 * (45 + 15) + 3 * 15, sft.validCount());
        assertEquals(0, sft.rejectedCount());
        List<String> mathIds = sft.valid().where("source like '%/math.heldout.jsonl'").orderBy("line")
                .collectAsList().stream().map(r -> r.getString(0)).toList();
        assertEquals(data.generate(BuiltinSuite.MATH, Split.HELDOUT).stream().map(BuiltinRecord::id).toList(), mathIds);
        Map<String, Long> domains = sft.valid().groupBy("domain").count().collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getString(0), r -> r.getLong(1)));
        assertEquals(Set.of("math", "stem", "code", "chat", "agent", "reasoning"), domains.keySet());
        sft.unpersist();

        // RL: the verifiable suites and chat carry what their verifiers need.
        ReadResult rl = RecordReader.read(spark, RecordKind.RL, List.of(out + "/{math,stem,code,reasoning,conversation}.*.jsonl"),
                RecordReaderTest.CHARS, 4096);
        assertEquals(5 * 60 + 3 * 15, rl.validCount());
        assertEquals(0, rl.rejectedCount());
        assertEquals(0, rl.valid().where("domain = 'code' and size(tests) < 3").count());
        assertEquals(0, rl.valid().where("domain in ('math', 'stem', 'reasoning') and answer is null").count());
        rl.unpersist();

        // Preference, and the builtin: input reads the same records as the written file.
        ReadResult pref = RecordReader.read(spark, RecordKind.PREFERENCE, List.of(out + "/preference.train.jsonl"), RecordReaderTest.CHARS, 4096);
        assertEquals(45, pref.validCount());
        ReadResult prefBuiltin = RecordReader.read(spark, RecordKind.PREFERENCE, List.of("builtin:preference"), RecordReaderTest.CHARS, 4096, data);
        assertEquals(rows(pref), rows(prefBuiltin));
        pref.unpersist();
        prefBuiltin.unpersist();
    }

    private static List<String> rows(ReadResult r) {
        return r.valid().drop("source").orderBy("line").collectAsList().stream().map(Row::toString).toList();
    }
}
