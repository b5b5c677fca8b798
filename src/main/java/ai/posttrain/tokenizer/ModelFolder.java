package ai.posttrain.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokenizer files of a Hugging Face model folder, as bytes (so they travel with Spark tasks and can be
 * written next to a checkpoint unchanged). Only tokenizer.json is required.
 */
public final class ModelFolder implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String TOKENIZER = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    public static final String CHAT_TEMPLATE = "chat_template.jinja";
    public static final String GENERATION_CONFIG = "generation_config.json";
    public static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";
    public static final String CONFIG = "config.json";
    /** What is read and copied; config.json travels too so a rebuilt tokenizer keeps the embedding's vocab_size. */
    static final List<String> FILES = List.of(TOKENIZER, TOKENIZER_CONFIG, CHAT_TEMPLATE, GENERATION_CONFIG, SPECIAL_TOKENS_MAP, CONFIG);
    static final List<String> COPIED = FILES;

    private final String dir;
    private final Map<String, byte[]> files;

    public ModelFolder(String dir, Map<String, byte[]> files) {
        this.dir = dir;
        this.files = new LinkedHashMap<>(files);
        if (!this.files.containsKey(TOKENIZER)) throw new IllegalArgumentException("model folder '" + dir + "' has no " + TOKENIZER);
    }

    /** Reads the tokenizer files of a folder on any Hadoop filesystem (file:, hdfs:, s3a:, or a local path). */
    public static ModelFolder read(String dir, Configuration conf) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try {
            Path root = new Path(dir);
            FileSystem fs = root.getFileSystem(conf);
            for (String name : FILES) {
                Path p = new Path(root, name);
                if (!fs.exists(p)) continue;
                try (FSDataInputStream in = fs.open(p)) { files.put(name, in.readAllBytes()); }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read model folder '" + dir + "': " + e.getMessage(), e);
        }
        return new ModelFolder(dir, files);
    }

    /** Writes the files as read into dir, e.g. a checkpoint's tokenizer/ folder. */
    public void write(String target, Configuration conf) {
        try {
            Path root = new Path(target);
            FileSystem fs = root.getFileSystem(conf);
            fs.mkdirs(root);
            for (String name : COPIED) {
                byte[] bytes = files.get(name);
                if (bytes == null) continue;
                try (FSDataOutputStream out = fs.create(new Path(root, name), true)) { out.write(bytes); }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write tokenizer files to '" + target + "': " + e.getMessage(), e);
        }
    }

    public String dir() { return dir; }

    public boolean has(String name) { return files.containsKey(name); }

    public byte[] bytes(String name) { return files.get(name).clone(); }

    /** The file's text, or null when the folder has no such file. */
    String text(String name) {
        byte[] b = files.get(name);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** The file as a JSON object; an empty object when absent; an error naming the file when malformed. */
    JsonObject json(String name) {
        String text = text(name);
        if (text == null) return new JsonObject();
        try {
            JsonElement e = new JsonParser().parse(text);
            if (!e.isJsonObject()) throw new IllegalArgumentException("not a JSON object");
            return e.getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where(name) + " is not a JSON object: " + e.getMessage(), e);
        }
    }

    /** "model folder 'dir': file" for error messages. */
    String where(String name) { return "model folder '" + dir + "': " + name; }
}
