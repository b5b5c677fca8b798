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
        return records.select("id", "domain", "messages").javaRDD()
                .map(row -> render(row.getString(0), row.getString(1), row.getList(2), template));
    }

    /** One record's messages (rows of role, content) rendered with the chat template. */
    public static SftExample render(String id, String domain, List<Row> messages, ChatTemplate template) {
        RenderedChat chat = template.render(messages(messages), false);
        return new SftExample(id, domain, chat.ids(), chat.trained());
    }

    static List<Message> messages(List<Row> rows) {
        List<Message> out = new ArrayList<>(rows.size());
        for (Row m : rows) out.add(new Message(m.getString(m.fieldIndex("role")), m.getString(m.fieldIndex("content"))));
        return out;
    }

    /** A rendered prompt then a completion sampled for it, trained on the completion's tokens. */
    public static SftExample ofCompletion(String id, String domain, int[] prompt, int[] completion) {
        int[] tokens = DpoPair.sequence(prompt, completion);
        boolean[] trained = new boolean[tokens.length];
        java.util.Arrays.fill(trained, prompt.length, tokens.length, true);
        return new SftExample(id, domain, tokens, trained);
    }

    /** Positions the model predicts: every token but the first. */
    public int predictedLength() { return tokens.length - 1; }

}
