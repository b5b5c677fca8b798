package ai.posttrain.train;

import ai.posttrain.data.Message;
import ai.posttrain.tokenizer.ChatTemplate;
import ai.posttrain.tokenizer.RenderedChat;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** A rendered conversation: its token ids and which of them the loss trains (assistant turns). */
public record SftExample(String id, String domain, int[] tokens, boolean[] trained) implements Serializable {

    /** Renders SFT records (the reader's normalised schema) with the chat template, on the executors. */
    public static JavaRDD<SftExample> fromRecords(Dataset<Row> records, ChatTemplate template) {
        return records.select("id", "domain", "messages").javaRDD().map(row -> {
            RenderedChat chat = template.render(messages(row.getList(2)), false);
            return new SftExample(row.getString(0), row.getString(1), chat.ids(), chat.trained());
        });
    }

    static List<Message> messages(List<Row> rows) {
        List<Message> out = new ArrayList<>(rows.size());
        for (Row m : rows) out.add(new Message(m.getString(m.fieldIndex("role")), m.getString(m.fieldIndex("content"))));
        return out;
    }

    /** Positions the model predicts: every token but the first. */
    public int predictedLength() { return tokens.length - 1; }

}
