package ai.posttrain.stage;

import ai.posttrain.model.Checkpoints;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Two runs of the same command and seed compared as a user would: every table's rows (as a sorted multiset, so
 * a duplicated or missing row fails) and a model's parameters, bit for bit. Wall-clock columns and map entries
 * (seconds, tokens/s, timestamps) are left out: they are the only values that may differ.
 */
final class RunTablesComparison {
    private static final Pattern TIMING = Pattern.compile(".*(seconds|per_s|^time)$");

    private RunTablesComparison() {}

    /** Rows per table of a run directory (folders holding Parquet). */
    static Map<String, Long> rowCounts(SparkSession spark, String run) {
        Map<String, Long> out = new TreeMap<>();
        for (String t : tables(run)) out.put(t, spark.read().parquet(run + "/" + t).count());
        return out;
    }

    static void assertSameTables(SparkSession spark, String expectedRun, String actualRun) {
        assertEquals(tables(expectedRun), tables(actualRun), "the same tables");
        for (String t : tables(expectedRun)) {
            List<String> expected = rows(spark, expectedRun + "/" + t), actual = rows(spark, actualRun + "/" + t);
            assertEquals(expected.size(), actual.size(), "rows in " + t);
            for (int i = 0; i < expected.size(); i++) assertEquals(expected.get(i), actual.get(i), "table " + t + ", row " + i);
        }
    }

    static void assertSameModel(String expectedDir, String actualDir) {
        float[] expected = Checkpoints.load(expectedDir).graph().params().toFloatVector();
        float[] actual = Checkpoints.load(actualDir).graph().params().toFloatVector();
        assertArrayEquals(expected, actual, "the parameters of " + actualDir);
    }

    private static List<String> tables(String run) {
        List<String> out = new ArrayList<>();
        File[] dirs = new File(run).listFiles(File::isDirectory);
        for (File d : dirs == null ? new File[0] : dirs) {
            if (d.getName().startsWith(".") || d.getName().startsWith("_")) continue;
            try (var files = java.nio.file.Files.walk(d.toPath())) {
                if (files.anyMatch(p -> p.toString().endsWith(".parquet") && !p.toString().contains("/checkpoints/")
                        && !p.toString().contains("/model/"))) out.add(d.getName());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        out.sort(null);
        return out;
    }

    /** Each row as text without its timing values, sorted. */
    private static List<String> rows(SparkSession spark, String path) {
        Dataset<Row> table = spark.read().parquet(path);
        String[] kept = Arrays.stream(table.columns()).filter(c -> !TIMING.matcher(c).matches()).toArray(String[]::new);
        List<String> out = new ArrayList<>();
        for (Row r : table.selectExpr(kept).collectAsList()) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < r.size(); i++) {
                Object v = r.get(i);
                if (v instanceof scala.collection.Map<?, ?>) {
                    Map<String, Object> m = new TreeMap<>();
                    r.getJavaMap(i).forEach((k, x) -> {
                        if (!TIMING.matcher(String.valueOf(k)).matches()) m.put(String.valueOf(k), x);
                    });
                    v = m;
                }
                b.append(kept[i]).append('=').append(v).append(' ');
            }
            out.add(b.toString());
        }
        out.sort(null);
        return out;
    }
}
