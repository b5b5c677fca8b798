package ai.posttrain.data;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * What {@link RecordReader#read} found: the valid records in their normalised schema
 * ({@link RecordSchemas#valid}), the rejected ones ({@link RecordSchemas#REJECTED}), and counts.
 * Every non-blank input line is in exactly one of the two tables. The underlying data is
 * persisted; call {@link #unpersist()} when done with it.
 */
public final class ReadResult {
    private final RecordKind kind;
    private final Dataset<Row> outcomes;
    private final List<String> sources;
    private final long validCount;
    private final long blankLines;
    private final Map<String, Long> reasonCounts;

    ReadResult(RecordKind kind, Dataset<Row> outcomes, List<String> sources, long validCount, long blankLines,
               Map<String, Long> reasonCounts) {
        this.kind = kind;
        this.outcomes = outcomes;
        this.sources = List.copyOf(sources);
        this.validCount = validCount;
        this.blankLines = blankLines;
        this.reasonCounts = Map.copyOf(reasonCounts);
    }

    public RecordKind kind() { return kind; }

    public Dataset<Row> valid() { return outcomes.where(col("status").equalTo("valid")).select("valid.*"); }

    public Dataset<Row> rejected() { return outcomes.where(col("status").equalTo("rejected")).select("rejected.*"); }

    public long validCount() { return validCount; }

    public long rejectedCount() { return reasonCounts.values().stream().mapToLong(Long::longValue).sum(); }

    /** Whitespace-only lines: skipped, in neither table, counted here. */
    public long blankLines() { return blankLines; }

    /** Rejected records per reason code ({@link RejectReason#code()}); reasons with no record are absent. */
    public Map<String, Long> reasonCounts() { return reasonCounts; }

    /** The files (and builtin sources) that were read, as they appear in the {@code source} column. */
    public List<String> sources() { return sources; }

    public void unpersist() { outcomes.unpersist(); }

    @Override
    public String toString() {
        return kind + ": " + validCount + " valid, " + rejectedCount() + " rejected " + new java.util.TreeMap<>(reasonCounts)
                + (blankLines > 0 ? ", " + blankLines + " blank lines skipped" : "");
    }
}
