package ai.posttrain.stage;

import ai.posttrain.LocalSpark;
import ai.posttrain.data.RecordSchemas;
import ai.posttrain.model.LanguageModels;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.head.LmHeadOutputLayer;
import ai.posttrain.tokenizer.ByteTokenizer;
import ai.posttrain.tokenizer.ChatTemplate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Loss-based difficulty levels with a real model, real Spark and MLlib's QuantileDiscretizer. */
class LossDifficultyTest {
    private final SparkSession spark = LocalSpark.get();

    @Test
    void recordsWithoutDifficultyGetEqualCountLevelsOrderedByLoss() {
        ChatTemplate template = new ChatTemplate(new ByteTokenizer());
        ModelConfig cfg = new ModelConfig(template.tokenizer().vocabSize(), 32, 1, 2, 64, 128, ModelConfig.ROTARY, false);
        ComputationGraph model = LanguageModels.create(cfg, new LmHeadOutputLayer.Builder(), 1e-3, 1.0, 7);

        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            // Answers of growing length and variety: the untrained model's mean loss differs per record.
            String answer = "x".repeat(1 + i % 5) + " " + Integer.toString(i * 7919, 36);
            Integer difficulty = i < 6 ? 3 : null;   // the first six keep the difficulty they came with
            rows.add(RowFactory.create("r" + i, "file:/data/a.jsonl", (long) (i + 1), "chat", difficulty,
                    List.of(RowFactory.create("user", "question " + i), RowFactory.create("assistant", answer))));
        }
        // Same id in another file: records are matched back by source and line, not by id alone.
        rows.add(RowFactory.create("r10", "file:/data/b.jsonl", 1L, "chat", null,
                List.of(RowFactory.create("user", "q"), RowFactory.create("assistant", "a"))));
        Dataset<Row> records = spark.createDataFrame(rows, RecordSchemas.SFT);

        Dataset<Row> levelled = LossDifficulty.fillMissing(spark, records, model, cfg, template, 3);
        assertEquals(records.count(), levelled.count(), "no record lost or duplicated");
        assertArrayEquals(records.columns(), levelled.columns());

        Map<String, Double> loss = new HashMap<>();
        for (Row r : LossDifficulty.perRecordLoss(spark, records.where("difficulty is null"), model, cfg, template).collectAsList()) {
            assertTrue(r.getDouble(3) > 0, "a positive loss per record");
            loss.put(r.getString(0) + ":" + r.getLong(1), r.getDouble(3));
        }
        assertEquals(25, loss.size());

        Map<Integer, List<Double>> byLevel = new HashMap<>();
        for (Row r : levelled.collectAsList()) {
            String key = r.getString(r.fieldIndex("source")) + ":" + r.getLong(r.fieldIndex("line"));
            int level = r.getInt(r.fieldIndex("difficulty"));
            if (r.getString(r.fieldIndex("source")).endsWith("a.jsonl") && r.getLong(r.fieldIndex("line")) <= 6) {
                assertEquals(3, level, "a given difficulty is kept");
                continue;
            }
            byLevel.computeIfAbsent(level, k -> new ArrayList<>()).add(loss.get(key));
        }
        assertEquals(List.of(1, 2, 3), byLevel.keySet().stream().sorted().toList());
        for (int level = 1; level <= 3; level++) {
            int n = byLevel.get(level).size();
            assertTrue(n >= 6 && n <= 11, "about a third of 25 records at level " + level + ": " + n);
        }
        // Lower levels hold lower losses.
        for (int level = 1; level < 3; level++) {
            double max = byLevel.get(level).stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            double nextMin = byLevel.get(level + 1).stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            assertTrue(max <= nextMin, "level " + level + " max loss " + max + " <= level " + (level + 1) + " min " + nextMin);
        }
    }
}
