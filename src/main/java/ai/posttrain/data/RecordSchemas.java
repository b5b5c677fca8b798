package ai.posttrain.data;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The normalised schemas of valid records, per {@link RecordKind}, and of rejected records.
 *
 * <p>Common columns: {@code id} (the record's "id", or {@code <file name>:<line>} when absent),
 * {@code source} (the file, or {@code builtin:<suite>[:heldout]}), {@code line} (1-based line in a
 * JSONL file, 1-based row number in a Parquet file), {@code domain} ({@link #DEFAULT_DOMAIN} when
 * an SFT or preference record has none).
 * <ul>
 * <li>SFT: id, source, line, domain, difficulty (nullable int), messages array&lt;struct&lt;role,content&gt;&gt;</li>
 * <li>PREFERENCE: id, source, line, domain, prompt (messages array; a "prompt" string becomes one user
 *     turn), chosen, rejected</li>
 * <li>RL: id, source, line, domain (one of {@link #RL_DOMAINS}), prompt, answer (nullable),
 *     tests array&lt;string&gt; (empty when absent), difficulty (nullable int)</li>
 * <li>rejected: source, line, field (nullable: the offending field, e.g. "messages[1].role"),
 *     reason ({@link RejectReason#code()}), detail (readable), raw (the input text, cut at
 *     {@link #RAW_LIMIT} characters)</li>
 * </ul>
 */
public final class RecordSchemas {
    public static final String DEFAULT_DOMAIN = "general";
    /** Domains an RL prompt may have; the verifier picked downstream depends on it. */
    public static final Set<String> RL_DOMAINS = Set.of("math", "stem", "code", "chat", "agent", "reasoning");
    /** RL domains whose prompts must carry a reference {@code answer}. */
    public static final Set<String> RL_DOMAINS_WITH_ANSWER = Set.of("math", "stem", "reasoning");
    /** RL domains whose prompts must carry {@code tests}. */
    public static final Set<String> RL_DOMAINS_WITH_TESTS = Set.of("code");
    public static final int RAW_LIMIT = 8192;

    public static final StructType MESSAGE = new StructType()
            .add("role", DataTypes.StringType, false)
            .add("content", DataTypes.StringType, false);
    public static final ArrayType MESSAGES = DataTypes.createArrayType(MESSAGE, false);

    public static final StructType SFT = common()
            .add("difficulty", DataTypes.IntegerType, true)
            .add("messages", MESSAGES, false);

    public static final StructType PREFERENCE = common()
            .add("prompt", MESSAGES, false)
            .add("chosen", DataTypes.StringType, false)
            .add("rejected", DataTypes.StringType, false);

    public static final StructType RL = common()
            .add("prompt", DataTypes.StringType, false)
            .add("answer", DataTypes.StringType, true)
            .add("tests", DataTypes.createArrayType(DataTypes.StringType, false), false)
            .add("difficulty", DataTypes.IntegerType, true);

    public static final StructType REJECTED = new StructType()
            .add("source", DataTypes.StringType, false)
            .add("line", DataTypes.LongType, false)
            .add("field", DataTypes.StringType, true)
            .add("reason", DataTypes.StringType, false)
            .add("detail", DataTypes.StringType, true)
            .add("raw", DataTypes.StringType, true);

    public static final List<String> REJECTED_COLUMNS = List.of(REJECTED.fieldNames());

    private RecordSchemas() {}

    /** The valid records whose difficulty is one of {@code difficulties}; all of them when it is empty. */
    public static Dataset<Row> atLevels(Dataset<Row> records, List<Integer> difficulties) {
        return atLevels(records, difficulties, Map.of());
    }

    /**
     * As above, except that the records of a domain in {@code byDomain} are kept at that domain's levels instead
     * (one filter, so the selection stays one scan).
     */
    public static Dataset<Row> atLevels(Dataset<Row> records, List<Integer> difficulties, Map<String, List<Integer>> byDomain) {
        if (byDomain.isEmpty()) return difficulties.isEmpty() ? records : records.where(col("difficulty").isin(difficulties.toArray()));
        Column others = difficulties.isEmpty() ? lit(true) : col("difficulty").isin(difficulties.toArray());
        Column keep = not(col("domain").isin(byDomain.keySet().toArray())).and(others);
        for (Map.Entry<String, List<Integer>> e : byDomain.entrySet())
            keep = keep.or(col("domain").equalTo(e.getKey()).and(col("difficulty").isin(e.getValue().toArray())));
        return records.where(keep);
    }

    public static StructType valid(RecordKind kind) {
        return switch (kind) {
            case SFT -> SFT;
            case PREFERENCE -> PREFERENCE;
            case RL -> RL;
        };
    }

    /**
     * One row per input line, before splitting into valid and rejected: which input (index into the
     * reader's input list) it came from, status "valid" | "rejected" | "blank", the reject reason,
     * and exactly one of the two structs (none for a blank line).
     */
    static StructType outcome(RecordKind kind) {
        return new StructType()
                .add("input", DataTypes.IntegerType, false)
                .add("status", DataTypes.StringType, false)
                .add("reason", DataTypes.StringType, true)
                .add("valid", valid(kind), true)
                .add("rejected", REJECTED, true);
    }

    private static StructType common() {
        return new StructType()
                .add("id", DataTypes.StringType, false)
                .add("source", DataTypes.StringType, false)
                .add("line", DataTypes.LongType, false)
                .add("domain", DataTypes.StringType, false);
    }
}
