package ai.posttrain.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Tiny model folders shaped like SmolLM2-Instruct, Qwen2.5-Instruct and Llama-3.2-Instruct: the tiny byte-level
 * BPE of tiny-bpe.json (ids 0..294) with each family's added tokens from id 295 and its real chat template.
 */
public final class ModelFolders {
    private ModelFolders() {}

    /** 5 Sep 2024, so Llama's "Today Date" is fixed. */
    public static final Clock CLOCK = Clock.fixed(Instant.parse("2024-09-05T12:00:00Z"), ZoneOffset.UTC);

    public static String resource(String name) {
        try (InputStream in = ModelFolders.class.getResourceAsStream("/tokenizer/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path smolLm2(Path dir) throws IOException {
        return folder(dir.resolve("smollm2"), List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"), List.of(),
                "{\"bos_token\": \"<|im_start|>\", \"eos_token\": \"<|im_end|>\", \"pad_token\": \"<|im_end|>\", \"unk_token\": \"<|endoftext|>\"}",
                "smollm2-instruct.jinja", "{\"bos_token_id\": 296, \"eos_token_id\": 297}", 297);
    }

    public static Path qwen25(Path dir) throws IOException {
        return folder(dir.resolve("qwen2.5"), List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"), List.of("<tool_call>"),
                "{\"bos_token\": null, \"eos_token\": \"<|im_end|>\", \"pad_token\": \"<|endoftext|>\"}",
                "qwen2.5-instruct.jinja", "{\"bos_token_id\": 295, \"eos_token_id\": [297, 295], \"pad_token_id\": 295}", 320);
    }

    public static Path llama32(Path dir) throws IOException {
        return folder(dir.resolve("llama3.2"), List.of("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"), List.of(),
                "{\"bos_token\": {\"__type\": \"AddedToken\", \"content\": \"<|begin_of_text|>\"}, \"eos_token\": \"<|eot_id|>\"}",
                "llama3.2-instruct.jinja", "{\"bos_token_id\": 295, \"eos_token_id\": [296, 299]}", 300);
    }

    /** Writes tokenizer.json, tokenizer_config.json (chat_template inside), generation_config.json, config.json. */
    static Path folder(Path dir, List<String> special, List<String> normal, String tokenizerConfig, String template,
                       String generationConfig, int vocabSize) throws IOException {
        Files.createDirectories(dir);
        JsonObject tok = new JsonParser().parse(resource("tiny-bpe.json")).getAsJsonObject();
        JsonArray added = new JsonArray();
        int id = 295;
        for (String s : special) added.add(HfTokenizerFiles.addedToken(id++, s, true));
        for (String s : normal) added.add(HfTokenizerFiles.addedToken(id++, s, false));
        tok.add("added_tokens", added);
        Files.writeString(dir.resolve("tokenizer.json"), tok.toString());
        JsonObject config = new JsonParser().parse(tokenizerConfig).getAsJsonObject();
        config.addProperty("chat_template", resource("templates/" + template));
        Files.writeString(dir.resolve("tokenizer_config.json"), config.toString());
        Files.writeString(dir.resolve("generation_config.json"), generationConfig);
        Files.writeString(dir.resolve("config.json"), "{\"vocab_size\": " + vocabSize + "}");
        return dir;
    }

    public static ModelFolderTokenizer load(Path dir) {
        return new ModelFolderTokenizer(ai.posttrain.tokenizer.ModelFolder.read(dir.toString(), new org.apache.hadoop.conf.Configuration()), CLOCK);
    }
}
