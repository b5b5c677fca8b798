package ai.posttrain.eval;

import ai.posttrain.data.BuiltinData;
import ai.posttrain.data.BuiltinInput;
import ai.posttrain.data.Message;
import ai.posttrain.data.ReadResult;
import ai.posttrain.data.RecordKind;
import ai.posttrain.data.RecordReader;
import ai.posttrain.data.RecordSchemas;
import ai.posttrain.data.Split;
import ai.posttrain.data.TokenCounter;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads evaluation inputs into {@link EvalItem}s. RL-style records (prompt, answer, tests) are the
 * default; the conversation and agent suites are chats, so their prompt is every turn before the
 * first assistant turn and that turn is the gold reply.
 */
public final class EvalItems {
    private static final Set<String> CHAT_SUITES = Set.of("conversation", "agent");

    /** The items of every input plus what the readers rejected (to report, never to drop silently). */
    public record Read(List<EvalItem> items, List<Dataset<Row>> rejected) {}

    private EvalItems() {}

    public static Read read(SparkSession spark, List<String> inputs, BuiltinData builtin, TokenCounter counter,
                            int maxTokens, int perSuite) {
        return read(spark, inputs, builtin, counter, maxTokens, perSuite, List.of());
    }

    /** As above, keeping only records at {@code difficulties} ([] = all) before the per-suite cap. */
    public static Read read(SparkSession spark, List<String> inputs, BuiltinData builtin, TokenCounter counter,
                            int maxTokens, int perSuite, List<Integer> difficulties) {
        List<EvalItem> items = new ArrayList<>();
        List<Dataset<Row>> rejected = new ArrayList<>();
        for (String input : inputs) {
            String suite = suiteName(input);
            boolean chat = BuiltinInput.isBuiltin(input) && CHAT_SUITES.contains(BuiltinInput.parse(input).suite().id());
            ReadResult result = RecordReader.read(spark, chat ? RecordKind.SFT : RecordKind.RL, List.of(input),
                    counter, maxTokens, builtin);
            if (result.rejectedCount() > 0) rejected.add(result.rejected());
            List<Row> rows = RecordSchemas.atLevels(result.valid(), difficulties).orderBy("source", "line").limit(perSuite)
                    .collectAsList();
            for (Row r : rows) items.add(chat ? fromChat(suite, r) : fromPrompt(suite, r));
        }
        return new Read(items, rejected);
    }

    /** builtin:math:heldout → math; builtin:math:reworded → math_reworded; /data/my_eval.jsonl → my_eval. */
    public static String suiteName(String input) {
        if (BuiltinInput.isBuiltin(input)) {
            BuiltinInput b = BuiltinInput.parse(input);
            return b.suite().id() + (b.split() == Split.REWORDED ? "_reworded" : "");
        }
        String name = new Path(input).getName();
        int dot = name.indexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static EvalItem fromPrompt(String suite, Row r) {
        List<String> tests = r.isNullAt(r.fieldIndex("tests")) ? List.of() : r.getList(r.fieldIndex("tests"));
        return new EvalItem(suite, r.getString(r.fieldIndex("id")), r.getString(r.fieldIndex("domain")), difficulty(r),
                List.of(Message.user(r.getString(r.fieldIndex("prompt")))), nullable(r, "answer"), List.copyOf(tests), null);
    }

    private static EvalItem fromChat(String suite, Row r) {
        List<Message> prompt = new ArrayList<>();
        String gold = null;
        for (Row m : r.<Row>getList(r.fieldIndex("messages"))) {
            String role = m.getString(m.fieldIndex("role"));
            String content = m.getString(m.fieldIndex("content"));
            if (role.equals("assistant")) {
                gold = content;
                break;
            }
            prompt.add(new Message(role, content));
        }
        return new EvalItem(suite, r.getString(r.fieldIndex("id")), r.getString(r.fieldIndex("domain")), difficulty(r),
                List.copyOf(prompt), null, List.of(), gold);
    }

    private static Integer difficulty(Row r) {
        int i = r.fieldIndex("difficulty");
        return r.isNullAt(i) ? null : r.getInt(i);
    }

    private static String nullable(Row r, String field) {
        int i = r.fieldIndex(field);
        return r.isNullAt(i) ? null : r.getString(i);
    }
}
