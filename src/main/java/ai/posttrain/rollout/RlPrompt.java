package ai.posttrain.rollout;

import org.apache.spark.sql.Row;

import java.io.Serializable;
import java.util.List;

/** One RL prompt: what is asked, and what its verifier needs ({@code answer} or {@code tests}). */
public record RlPrompt(String id, String domain, String prompt, String answer, List<String> tests) implements Serializable {
    public RlPrompt {
        tests = tests == null ? List.of() : List.copyOf(tests);
    }

    /** From a valid RL record row (RecordSchemas.RL). */
    public static RlPrompt of(Row r) {
        int ti = r.fieldIndex("tests"), ai = r.fieldIndex("answer");
        return new RlPrompt(r.getString(r.fieldIndex("id")), r.getString(r.fieldIndex("domain")),
                r.getString(r.fieldIndex("prompt")), r.isNullAt(ai) ? null : r.getString(ai),
                r.isNullAt(ti) ? List.of() : r.getList(ti));
    }
}
