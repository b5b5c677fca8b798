package ai.posttrain.format.gguf;

import ai.posttrain.tokenizer.TokenizerExport;
import ai.posttrain.format.ModelFormatException;
import ai.posttrain.tokenizer.SpecialToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds the GGUF view of a tokenizer: from a byte-level BPE {@code tokenizer.json}, or the built-in byte
 * tokenizer as a GPT-2-style byte-level vocabulary with no merges. (Minimal stand-in for the tokenizer
 * package's export.)
 */
public final class TokenizerExports {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenizerExports() {}

    /** GPT-2's printable stand-in for each byte (bytes_to_unicode), indexed by byte value. */
    public static String[] byteSymbols() {
        List<Integer> keep = new ArrayList<>();
        for (int b = '!'; b <= '~'; b++) keep.add(b);
        for (int b = 0xA1; b <= 0xAC; b++) keep.add(b);
        for (int b = 0xAE; b <= 0xFF; b++) keep.add(b);
        String[] table = new String[256];
        int extra = 0;
        for (int b = 0; b < 256; b++)
            table[b] = new String(Character.toChars(keep.contains(b) ? b : 256 + extra++));
        return table;
    }

    /** The built-in byte tokenizer: ids 0..255 are bytes, then its special tokens as control tokens. */
    public static TokenizerExport byteTokenizer(String chatTemplate) {
        List<String> tokens = new ArrayList<>(Arrays.asList(byteSymbols()));
        for (SpecialToken s : SpecialToken.values()) tokens.add(s.text());
        int[] types = new int[tokens.size()];
        Arrays.fill(types, 0, 256, TokenizerExport.NORMAL);
        Arrays.fill(types, 256, types.length, TokenizerExport.CONTROL);
        return new TokenizerExport("gpt2", "default", tokens, types, List.of(),
                256 + SpecialToken.BOS.ordinal(), 256 + SpecialToken.END_OF_TURN.ordinal(),
                256 + SpecialToken.PAD.ordinal(), chatTemplate);
    }

    /**
     * A byte-level BPE tokenizer.json; the vocabulary is padded with unused "[PADi]" tokens up to
     * {@code modelVocab} (as llama.cpp's converter does when the embedding has spare rows).
     */
    public static TokenizerExport bpe(String file, byte[] tokenizerJson, int modelVocab, String pre, int bos, int eos,
                                      int pad, String chatTemplate) {
        JsonNode root;
        try {
            root = JSON.readTree(tokenizerJson);
        } catch (IOException e) {
            throw new ModelFormatException(file, "json", e.getMessage());
        }
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText()))
            throw new ModelFormatException(file, "model.type", "'" + model.path("type").asText() + "' is not supported (BPE only)");
        String[] tokens = new String[modelVocab];
        int[] types = new int[modelVocab];
        model.path("vocab").fields().forEachRemaining(e -> place(file, tokens, types, e.getValue().asInt(), e.getKey(), TokenizerExport.NORMAL));
        for (JsonNode added : root.path("added_tokens"))
            place(file, tokens, types, added.path("id").asInt(), added.path("content").asText(),
                    added.path("special").asBoolean() ? TokenizerExport.CONTROL : TokenizerExport.USER_DEFINED);
        for (int i = 0; i < modelVocab; i++) {
            if (tokens[i] == null) {
                tokens[i] = "[PAD" + i + "]";
                types[i] = TokenizerExport.UNUSED;
            }
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges"))
            merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
        return new TokenizerExport("gpt2", pre, Arrays.asList(tokens), types, merges, bos, eos, pad, chatTemplate);
    }

    private static void place(String file, String[] tokens, int[] types, int id, String text, int type) {
        if (id < 0 || id >= tokens.length)
            throw new ModelFormatException(file, "vocab", "token id " + id + " ('" + text + "') is outside the model's vocabulary of " + tokens.length);
        tokens[id] = text;
        types[id] = type;
    }
}
