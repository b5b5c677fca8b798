package ai.posttrain.tokenizer;

import ai.posttrain.data.BuiltinData;
import ai.posttrain.data.BuiltinRecord;
import ai.posttrain.data.BuiltinSuite;
import ai.posttrain.data.Message;
import ai.posttrain.data.Split;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Every built-in suite survives both tokenizers and the chat template, text for text. */
class BuiltinSuitesRoundTripTest {
    static Stream<Tokenizer> tokenizers() throws Exception {
        String hf = Paths.get(BuiltinSuitesRoundTripTest.class.getResource("/tokenizer/tiny-bpe.json").toURI()).toString();
        return Stream.of(new ByteTokenizer(), Tokenizers.create("hf", hf));
    }

    @ParameterizedTest
    @MethodSource("tokenizers")
    void everySuiteRoundTrips(Tokenizer tokenizer) {
        ChatTemplate template = new ChatTemplate(tokenizer);
        BuiltinData data = new BuiltinData(42, 60, 20);
        int checked = 0;
        for (BuiltinSuite suite : BuiltinSuite.values()) {
            for (Split split : Split.values()) {
                if (split == Split.REWORDED && !suite.reworded()) continue;
                for (BuiltinRecord r : data.generate(suite, split)) {
                    List<String> texts = new ArrayList<>();
                    r.messages().forEach(m -> texts.add(m.content()));
                    if (r.chosen() != null) texts.add(r.chosen());
                    if (r.rejected() != null) texts.add(r.rejected());
                    for (String text : texts) {
                        assertEquals(text, tokenizer.decode(tokenizer.encode(text)), suite + " " + r.id());
                    }
                    if (!r.messages().isEmpty()) checkTrainedTokens(template, tokenizer, r);
                    checked++;
                }
            }
        }
        assertEquals(7 * 80 + 3 * 20, checked);   // and the reworded splits of math, stem and code
    }

    /** The trained tokens are exactly the assistant turns, each closed by END_OF_TURN. */
    private static void checkTrainedTokens(ChatTemplate template, Tokenizer tokenizer, BuiltinRecord r) {
        RenderedChat chat = template.render(r.messages(), false);
        StringBuilder expected = new StringBuilder();
        for (Message m : r.messages()) {
            if (m.role().equals("assistant")) expected.append(m.content()).append(SpecialToken.END_OF_TURN.text());
        }
        List<Integer> trained = new ArrayList<>();
        for (int i = 0; i < chat.length(); i++) if (chat.trained()[i]) trained.add(chat.ids()[i]);
        String decoded = tokenizer.decode(trained.stream().mapToInt(Integer::intValue).toArray());
        assertEquals(expected.toString(), decoded, r.id());
    }
}
