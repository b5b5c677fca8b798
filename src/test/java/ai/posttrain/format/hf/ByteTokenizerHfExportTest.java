package ai.posttrain.format.hf;

import ai.posttrain.data.Message;
import ai.posttrain.format.ModelExport;
import ai.posttrain.model.Checkpoints;
import ai.posttrain.model.LanguageModels;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.ModelInfo;
import ai.posttrain.model.head.LmHeadOutputLayer;
import ai.posttrain.tokenizer.ByteTokenizer;
import ai.posttrain.tokenizer.ChatTemplate;
import ai.posttrain.tokenizer.ModelFolderTokenizer;
import ai.posttrain.tokenizer.RenderedChat;
import ai.posttrain.tokenizer.SpecialToken;
import ai.posttrain.tokenizer.Tokenizers;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A built-in llama-architecture model (byte tokenizer) exported to HF is a complete model folder: its generated
 * tokenizer.json / tokenizer_config.json, read back as any HF folder is, render and encode chats to the built-in
 * layout's ids and mask, and the weights import back bit-exact.
 */
class ByteTokenizerHfExportTest {
    @TempDir Path tmp;

    static final List<List<Message>> CHATS = List.of(
            List.of(new Message("system", "You are terse."), Message.user("What is 12+30?"), Message.assistant("<think>2+0=2, 1+3=4</think>42")),
            List.of(Message.user("Weather in Zürich? ☕"), Message.assistant("<tool_call>{\"name\": \"weather\"}</tool_call>"),
                    new Message("tool", "{\"temp\": 21}"), Message.assistant("21 °C.")),
            List.of(Message.user("line one\nline two\n\n  indented  "), Message.assistant(" leading space, <|end|> as text")));

    @Test
    void exportedFolderRendersTheBuiltinChatsAndReimportsBitExact() throws Exception {
        ByteTokenizer bytes = new ByteTokenizer();
        ModelConfig cfg = ModelConfig.llama(bytes.vocabSize(), 32, 2, 4, 2, 64, 64, false, 10000.0, 1e-5, false);
        ComputationGraph g = LanguageModels.create(cfg, new LmHeadOutputLayer.Builder(), 1e-3, 1.0, 3);
        Nd4j.getRandom().setSeed(3);
        g.params().assign(Nd4j.randn(DataType.FLOAT, g.params().shape()).muli(0.3));
        g.getLayer("lm_head").getParam("b").assign(0);   // the llama head's bias stays zero and is exported nowhere
        String ckpt = tmp.resolve("ckpt").toString();
        Checkpoints.save(g, new ModelInfo(cfg, "byte", "overall-sft", 1, Map.of()), ckpt);

        String out = ModelExport.exportModelDir(ckpt, new ModelExport.Options("hf", "f32", "byte-llama"),
                tmp.resolve("hf").toString(), new Configuration());
        for (String f : List.of("config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
                "tokenizer_config.json", "special_tokens_map.json"))
            assertTrue(Files.exists(Path.of(out, f)), f);

        ModelFolderTokenizer folder = Tokenizers.fromModelFolder(out);
        assertEquals(bytes.vocabSize(), folder.vocabSize());
        assertEquals(bytes.specialId(SpecialToken.END_OF_TURN), folder.eosId());
        assertEquals(List.of(bytes.specialId(SpecialToken.END_OF_TURN)), folder.stopIds());
        for (SpecialToken t : SpecialToken.values())
            if (t != SpecialToken.SYSTEM && t != SpecialToken.USER && t != SpecialToken.ASSISTANT && t != SpecialToken.TOOL)
                assertEquals(bytes.specialId(t), folder.specialId(t), t.name());
        ChatTemplate builtin = ChatTemplate.of(bytes), exported = ChatTemplate.of(folder);
        for (List<Message> chat : CHATS) {
            for (boolean prompt : new boolean[]{false, true}) {
                RenderedChat want = builtin.render(chat, prompt), got = exported.render(chat, prompt);
                assertArrayEquals(want.ids(), got.ids(), chat + " prompt=" + prompt);
                assertArrayEquals(want.trained(), got.trained(), "trained mask of " + chat);
            }
            for (Message m : chat) {
                assertArrayEquals(bytes.encode(m.content()), folder.encode(m.content()), m.content());
                assertEquals(m.content(), folder.decode(bytes.encode(m.content())));
            }
        }

        HfImport.Imported back = HfImport.load(out, 0);
        assertEquals(cfg, back.config());
        assertEquals(0.0, g.params().sub(back.graph().params()).amaxNumber().doubleValue(), 0.0, "bit-exact weights");
    }
}
