package ai.posttrain.data;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.col;

/**
 * Reads training records of one {@link RecordKind} from JSONL or Parquet files (a path, a directory
 * or a glob on any Hadoop filesystem) and from {@code builtin:<suite>} / {@code builtin:<suite>:heldout}.
 *
 * <p>Each file becomes an RDD of (line number, JSON text): JSONL lines numbered from 1 in file order
 * (zipWithIndex over the text file, so large files are split across executors), Parquet rows turned
 * into JSON with {@code toJSON} and numbered the same way. {@link RecordValidator} then checks every
 * line on the executors, so JSONL and Parquet go through the same rules.
 *
 * <p>An input that does not exist, or that yields no valid record, fails the read with a
 * {@link DataException} naming its files and why.
 */
public final class RecordReader {
    private RecordReader() {}

    /** Reads with the default built-in data ({@link BuiltinData#defaults()}) for builtin inputs. */
    public static ReadResult read(SparkSession spark, RecordKind kind, List<String> inputs, TokenCounter counter,
                                  int maxTokens) {
        return read(spark, kind, inputs, counter, maxTokens, BuiltinData.defaults());
    }

    /**
     * @param counter   measures a record's conversation for the over-long check (null: no check)
     * @param maxTokens records counting more are rejected as too_long (&lt;= 0: no check)
     * @param builtin   seed and counts used for {@code builtin:} inputs
     */
    public static ReadResult read(SparkSession spark, RecordKind kind, List<String> inputs, TokenCounter counter,
                                  int maxTokens, BuiltinData builtin) {
        if (inputs == null || inputs.isEmpty()) throw new DataException("No input given for " + kind + " data");
        RecordValidator validator = new RecordValidator(kind, counter, maxTokens);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());

        List<JavaRDD<Row>> parts = new ArrayList<>();
        List<List<String>> sourcesPerInput = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            String input = inputs.get(i);
            List<String> sources = new ArrayList<>();
            if (BuiltinInput.isBuiltin(input)) {
                BuiltinInput b = BuiltinInput.parse(input);
                List<String> lines = builtin.generate(b.suite(), b.split()).stream().map(BuiltinRecord::toJson).toList();
                parts.add(checked(sc.parallelize(lines, Math.max(1, sc.defaultParallelism())), validator, i, input));
                sources.add(input);
            } else {
                for (InputFiles.DataFile f : InputFiles.resolve(input, sc.hadoopConfiguration())) {
                    parts.add(checked(jsonLines(spark, sc, f), validator, i, f.path()));
                    sources.add(f.path());
                }
            }
            sourcesPerInput.add(sources);
        }

        JavaRDD<Row> all = parts.size() == 1 ? parts.get(0) : sc.union(parts.toArray(JavaRDD[]::new));
        Dataset<Row> outcomes = spark.createDataFrame(all, RecordSchemas.outcome(kind))
                .persist(StorageLevel.MEMORY_AND_DISK());
        return tally(kind, inputs, sourcesPerInput, outcomes);
    }

    private static JavaRDD<String> jsonLines(SparkSession spark, JavaSparkContext sc, InputFiles.DataFile f) {
        // minPartitions 1: one partition per filesystem block, so a small file needs no extra job to be numbered.
        if (f.format() == InputFiles.Format.JSONL) return sc.textFile(f.path(), 1);
        try {
            return spark.read().parquet(f.path()).toJSON().javaRDD();
        } catch (RuntimeException e) {
            throw new DataException("Cannot read Parquet file " + f.path() + ": " + e.getMessage(), e);
        }
    }

    /** Numbers the lines 1.. in order (before blank lines are set aside) and validates each. */
    private static JavaRDD<Row> checked(JavaRDD<String> lines, RecordValidator validator, int input, String source) {
        return lines.zipWithIndex().map(t -> validator.check(input, source, t._2() + 1, t._1()));
    }

    /** One aggregation over all outcomes gives every count; inputs without a valid record fail the read. */
    private static ReadResult tally(RecordKind kind, List<String> inputs, List<List<String>> sourcesPerInput,
                                    Dataset<Row> outcomes) {
        long[] valid = new long[inputs.size()];
        long[] rejected = new long[inputs.size()];
        long blank = 0;
        Map<String, Long> reasons = new TreeMap<>();
        List<Map<String, Long>> reasonsPerInput = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) reasonsPerInput.add(new TreeMap<>());
        for (Row r : outcomes.groupBy("input", "status", "reason").count().collectAsList()) {
            int input = r.getInt(0);
            long n = r.getLong(3);
            switch (r.getString(1)) {
                case "valid" -> valid[input] += n;
                case "blank" -> blank += n;
                default -> {
                    rejected[input] += n;
                    reasons.merge(r.getString(2), n, Long::sum);
                    reasonsPerInput.get(input).put(r.getString(2), n);
                }
            }
        }

        List<String> failures = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            if (valid[i] > 0) continue;
            String what = describe(inputs.get(i), sourcesPerInput.get(i));
            if (rejected[i] == 0) {
                failures.add(what + " has no records");
            } else {
                Row first = outcomes.where(col("input").equalTo(i).and(col("status").equalTo("rejected")))
                        .select("rejected.*").orderBy("source", "line").first();
                failures.add(what + " has no valid " + kind + " record: " + rejected[i] + " rejected ("
                        + reasonsPerInput.get(i).entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", ")) + "); first: " + first.getString(0) + " line "
                        + first.getLong(1) + ": " + first.getString(3) + " (" + first.getString(4) + ")");
            }
        }
        if (!failures.isEmpty()) {
            outcomes.unpersist();
            throw new DataException(String.join("\n", failures));
        }
        List<String> sources = sourcesPerInput.stream().flatMap(List::stream).collect(Collectors.toList());
        return new ReadResult(kind, outcomes, sources, sum(valid), blank, reasons);
    }

    private static String describe(String input, List<String> sources) {
        if (sources.size() == 1 && (sources.get(0).equals(input) || sources.get(0).endsWith(input)))
            return "Input " + sources.get(0);
        String shown = sources.stream().limit(5).collect(Collectors.joining(", "));
        return "Input " + input + " (files: " + shown + (sources.size() > 5 ? ", ... " + sources.size() + " in all" : "") + ")";
    }

    private static long sum(long[] xs) {
        long s = 0;
        for (long x : xs) s += x;
        return s;
    }
}
