package ai.posttrain.tokenizer;

import ai.posttrain.data.Message;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The GGUF tokenizer facts of the byte tokenizer and of real-shaped model folders. */
class TokenizerExportTest {
    @TempDir Path dir;

    private static final JsonObject TINY_BPE = new JsonParser().parse(ModelFolders.resource("tiny-bpe.json")).getAsJsonObject();

    // --- the byte tokenizer ---

    @Test
    void byteTokenizerIsGpt2ByteAlphabetWithoutMerges() {
        ByteTokenizer bytes = new ByteTokenizer();
        TokenizerExport e = TokenizerExport.of(bytes);
        assertEquals("gpt2", e.model());
        assertEquals("default", e.pre());
        assertEquals(bytes.vocabSize(), e.tokens().size());
        assertTrue(e.merges().isEmpty());
        // tiny-bpe.json's first 256 tokens are GPT-2's byte alphabet, written by a separate Python script
        Map<Integer, String> tiny = tinyVocabById();
        for (int b = 0; b < 256; b++) {
            assertEquals(tiny.get(b), e.tokens().get(b), "byte " + b);
            assertEquals(TokenizerExport.NORMAL, e.tokenTypes()[b]);
        }
        assertEquals("Ġ", e.tokens().get(' '));
        assertEquals("Ċ", e.tokens().get('\n'));
        assertEquals("Ń", e.tokens().get(0xAD));
        for (SpecialToken t : SpecialToken.values()) assertEquals(t.text(), e.tokens().get(bytes.specialId(t)));
        assertEquals(TokenizerExport.CONTROL, e.tokenTypes()[bytes.specialId(SpecialToken.END_OF_TURN)]);
        assertEquals(TokenizerExport.CONTROL, e.tokenTypes()[bytes.specialId(SpecialToken.USER)]);
        assertEquals(TokenizerExport.USER_DEFINED, e.tokenTypes()[bytes.specialId(SpecialToken.THINK)]);
        assertEquals(bytes.specialId(SpecialToken.BOS), e.bos());
        assertEquals(bytes.specialId(SpecialToken.END_OF_TURN), e.eos());
        assertEquals(bytes.specialId(SpecialToken.PAD), e.pad());
    }

    @Test
    void byteChatTemplateRendersTheBuiltinLayoutsIds() {
        ByteTokenizer bytes = new ByteTokenizer();
        TokenizerExport e = TokenizerExport.of(bytes);
        JinjaTemplate jinja = new JinjaTemplate("byte export", e.chatTemplate(), Map.of());
        ChatTemplate builtin = ChatTemplate.of(bytes);
        List<List<Message>> chats = List.of(
                List.of(new Message("system", "You are terse."), Message.user("What is 12+30?"), Message.assistant("<think>2+0=2, 1+3=4</think>42")),
                List.of(Message.user("Weather in Zürich? ☕"), Message.assistant("<tool_call>{\"name\": \"weather\"}</tool_call>"),
                        new Message("tool", "{\"temp\": 21}"), Message.assistant("21 °C.")),
                List.of(Message.user("line one\nline two\n\n  indented")));
        for (List<Message> chat : chats) {
            for (boolean prompt : new boolean[] {false, true}) {
                String text = jinja.render(maps(chat), prompt);
                assertArrayEquals(builtin.render(chat, prompt).ids(), encodeAsLlamaCpp(e, text, true), text);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> jinja.render(List.of(Map.of("role", "critic", "content", "x")), false));
    }

    /** Ordinary text (no special parsing, as llama.cpp tokenizes a prompt) gives ByteTokenizer.encode's ids, think markers included. */
    @Test
    void byteExportEncodesOrdinaryTextAsTheByteTokenizer() {
        ByteTokenizer bytes = new ByteTokenizer();
        TokenizerExport e = TokenizerExport.of(bytes);
        String text = "<think>3·4 = 12</think> so <|end|> stays text";
        assertArrayEquals(bytes.encode(text), encodeAsLlamaCpp(e, text, false));
    }

    // --- model folders ---

    @Test
    void qwenFolderPadsToVocabSizeAndTypesAddedTokens() throws Exception {
        ModelFolderTokenizer tok = ModelFolders.load(ModelFolders.qwen25(dir));
        TokenizerExport e = TokenizerExport.of(tok);
        assertEquals("gpt2", e.model());
        assertEquals("gpt-2", e.pre()); // the tiny file's pre-tokenizer is plain GPT-2 ByteLevel
        assertEquals(320, e.tokens().size());
        Map<Integer, String> tiny = tinyVocabById();
        for (int id = 0; id < 295; id++) {
            assertEquals(tiny.get(id), e.tokens().get(id));
            assertEquals(TokenizerExport.NORMAL, e.tokenTypes()[id]);
        }
        assertEquals(List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<tool_call>"), e.tokens().subList(295, 299));
        assertArrayEquals(new int[] {3, 3, 3, 4}, java.util.Arrays.copyOfRange(e.tokenTypes(), 295, 299));
        for (int id = 299; id < 320; id++) {
            assertEquals("[PAD" + id + "]", e.tokens().get(id));
            assertEquals(TokenizerExport.UNUSED, e.tokenTypes()[id]);
        }
        assertEquals(tinyMerges(), e.merges());
        assertEquals(-1, e.bos());
        assertEquals(297, e.eos());
        assertEquals(295, e.pad());
        assertEquals(ModelFolders.resource("templates/qwen2.5-instruct.jinja"), e.chatTemplate());
    }

    @Test
    void smolLm2AndLlamaFoldersExportTheirSpecialIds() throws Exception {
        TokenizerExport smol = TokenizerExport.of(ModelFolders.load(ModelFolders.smolLm2(dir)));
        assertEquals(298, smol.tokens().size()); // config's vocab_size 297 is below the tokenizer's 298 ids
        assertEquals(296, smol.bos());
        assertEquals(297, smol.eos());
        assertEquals(297, smol.pad());
        assertEquals(ModelFolders.resource("templates/smollm2-instruct.jinja"), smol.chatTemplate());

        TokenizerExport llama = TokenizerExport.of(ModelFolders.load(ModelFolders.llama32(dir)));
        assertEquals(300, llama.tokens().size());
        assertEquals("<|eot_id|>", llama.tokens().get(299));
        assertEquals(295, llama.bos());
        assertEquals(299, llama.eos());
        assertEquals(-1, llama.pad()); // the folder names no pad token
    }

    @Test
    void realPreTokenizersGetLlamaCppsNames() throws Exception {
        assertEquals("smollm", exportWithPreTokenizer("smollm", SMOLLM2_PRE).pre());
        assertEquals("llama-bpe", exportWithPreTokenizer("llama", LLAMA3_PRE).pre());
        TokenizerExport qwen = exportWithPreTokenizer("qwen", QWEN25_PRE);
        assertEquals("qwen2", qwen.pre());
        assertEquals(tinyMerges(), qwen.merges()); // written as [a, b] pairs, read back as "a b"
        // one digit more per number than Llama 3 splits: no llama.cpp pre-tokenizer splits this way
        assertEquals("default", exportWithPreTokenizer("other", LLAMA3_PRE.replace("\\\\p{N}{1,3}", "\\\\p{N}{1,4}")).pre());
        assertEquals("default", GgufPreTokenizer.nameOf(json(SMOLLM2_PRE.replace("\"individual_digits\": true", "\"individual_digits\": false"))));
        assertEquals("default", GgufPreTokenizer.nameOf(null));
    }

    @Test
    void onlyByteAndModelFolderTokenizersExport() {
        HfTokenizer hf = new HfTokenizer("tiny-bpe.json", ModelFolders.resource("tiny-bpe.json").getBytes(StandardCharsets.UTF_8));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenizerExport.of(hf));
        assertTrue(e.getMessage().contains("'hf'"), e.getMessage());
        assertFalse(GgufPreTokenizer.isByteLevel(json(
                "{\"type\": \"Metaspace\", \"replacement\": \"▁\", \"prepend_scheme\": \"first\", \"split\": false}")));
    }

    // --- helpers ---

    // The pre_tokenizer sections of SmolLM2-Instruct, Llama-3.2-Instruct and Qwen2.5-Instruct's tokenizer.json.
    private static final String SMOLLM2_PRE = "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Digits\", \"individual_digits\": true},"
            + " {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": true}]}";
    private static final String LLAMA3_PRE = "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": "
            + "\"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}{1,3}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+\"},"
            + " \"behavior\": \"Isolated\", \"invert\": false}, {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": false}]}";
    private static final String QWEN25_PRE = "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": "
            + "\"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\\\r\\\\n\\\\p{L}\\\\p{N}]?\\\\p{L}+|\\\\p{N}| ?[^\\\\s\\\\p{L}\\\\p{N}]+[\\\\r\\\\n]*|\\\\s*[\\\\r\\\\n]+|\\\\s+(?!\\\\S)|\\\\s+\"},"
            + " \"behavior\": \"Isolated\", \"invert\": false}, {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": false, \"use_regex\": false}]}";

    /** The Qwen-shaped tiny folder with another pre_tokenizer and its merges as [a, b] pairs (tokenizers 0.20+). */
    private TokenizerExport exportWithPreTokenizer(String name, String preTokenizer) throws Exception {
        Path folder = ModelFolders.qwen25(dir.resolve(name));
        Path file = folder.resolve("tokenizer.json");
        JsonObject tok = json(Files.readString(file)).getAsJsonObject();
        tok.add("pre_tokenizer", json(preTokenizer));
        JsonArray pairs = new JsonArray();
        for (String m : tinyMerges()) {
            JsonArray pair = new JsonArray();
            for (String side : m.split(" ")) pair.add(side);
            pairs.add(pair);
        }
        tok.getAsJsonObject("model").add("merges", pairs);
        Files.writeString(file, tok.toString());
        return TokenizerExport.of(ModelFolders.load(folder)); // loading also proves the native library accepts the file
    }

    private static Map<Integer, String> tinyVocabById() {
        Map<Integer, String> out = new HashMap<>();
        for (Map.Entry<String, JsonElement> e : TINY_BPE.getAsJsonObject("model").getAsJsonObject("vocab").entrySet()) out.put(e.getValue().getAsInt(), e.getKey());
        return out;
    }

    private static List<String> tinyMerges() {
        List<String> out = new ArrayList<>();
        for (JsonElement m : TINY_BPE.getAsJsonObject("model").getAsJsonArray("merges")) out.add(m.getAsString());
        return out;
    }

    private static JsonElement json(String text) { return new JsonParser().parse(text); }

    private static List<Map<String, String>> maps(List<Message> chat) {
        return chat.stream().map(m -> Map.of("role", m.role(), "content", m.content())).toList();
    }

    /**
     * Tokenizes as llama.cpp does a vocabulary without merges: user-defined tokens (and control tokens when
     * parsing special tokens, as for a rendered chat) matched by their text, longest first; every other byte
     * its GPT-2 alphabet token.
     */
    private static int[] encodeAsLlamaCpp(TokenizerExport e, String text, boolean parseSpecial) {
        assertTrue(e.merges().isEmpty(), "only for vocabularies without merges");
        Map<String, Integer> normal = new HashMap<>();
        List<Integer> literals = new ArrayList<>();
        for (int id = 0; id < e.tokens().size(); id++) {
            int type = e.tokenTypes()[id];
            if (type == TokenizerExport.NORMAL) normal.put(e.tokens().get(id), id);
            if (type == TokenizerExport.USER_DEFINED || (parseSpecial && type == TokenizerExport.CONTROL)) literals.add(id);
        }
        literals.sort((a, b) -> e.tokens().get(b).length() - e.tokens().get(a).length());
        List<Integer> ids = new ArrayList<>();
        int i = 0;
        StringBuilder plain = new StringBuilder();
        scan:
        while (i < text.length()) {
            for (int id : literals) {
                if (text.startsWith(e.tokens().get(id), i)) {
                    addBytes(normal, plain, ids);
                    ids.add(id);
                    i += e.tokens().get(id).length();
                    continue scan;
                }
            }
            plain.append(text.charAt(i++));
        }
        addBytes(normal, plain, ids);
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void addBytes(Map<String, Integer> normal, StringBuilder plain, List<Integer> ids) {
        String symbols = ByteLevelAlphabet.encode(plain.toString().getBytes(StandardCharsets.UTF_8));
        for (int k = 0; k < symbols.length(); k++) ids.add(normal.get(String.valueOf(symbols.charAt(k))));
        plain.setLength(0);
    }
}
