package ai.posttrain.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} run by DJL's native (Rust) tokenizers library.
 *
 * <p>The file runs in a {@link NativeHfTokenizer} (its bytes travel with the object; each JVM builds the native
 * tokenizer once per distinct file). Special tokens reuse the file's added tokens whose text matches
 * {@link SpecialToken#text()}; the others get ids appended after the file's vocabulary.
 *
 * <p>Encoding rules: "&lt;think&gt;"/"&lt;/think&gt;" become their special ids; any other added token of the
 * file that appears literally in text is encoded as ordinary pieces (so user text can never inject an
 * end-of-turn or role token). No truncation, no padding, no BOS/EOS from the file's post-processor.
 */
public final class HfTokenizer implements Tokenizer {
    private static final long serialVersionUID = 2L;

    private final String source;
    private final NativeHfTokenizer file;
    private final int fileVocabSize;
    private final int[] specialIds;           // by SpecialToken ordinal
    private final int vocabSize;
    private final List<String> guardedLiterals; // the file's added tokens other than the think markers

    /** Reads a tokenizer.json from any Hadoop filesystem path (file:, hdfs:, s3a:, or a plain local path). */
    public static HfTokenizer load(String path) {
        Path p = new Path(path);
        try {
            FileSystem fs = p.getFileSystem(new Configuration());
            try (FSDataInputStream in = fs.open(p)) {
                return new HfTokenizer(path, in.readAllBytes());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read tokenizer file '" + path + "': " + e.getMessage(), e);
        }
    }

    /** @param source a name for messages (usually the path) */
    public HfTokenizer(String source, byte[] json) {
        this.source = source;
        JsonObject root;
        try {
            root = new JsonParser().parse(new String(json, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("tokenizer file '" + source + "' is not a JSON object: " + e.getMessage(), e);
        }
        Map<String, Integer> added = addedTokens(root);
        this.fileVocabSize = Math.max(maxModelId(root, source), added.values().stream().max(Integer::compare).orElse(-1)) + 1;
        this.specialIds = new int[SpecialToken.values().length];
        int next = fileVocabSize;
        for (SpecialToken t : SpecialToken.values()) {
            Integer id = added.get(t.text());
            specialIds[t.ordinal()] = id != null ? id : next++;
        }
        this.vocabSize = next;
        List<String> guarded = new ArrayList<>(added.keySet());
        guarded.remove(SpecialToken.THINK.text());
        guarded.remove(SpecialToken.END_THINK.text());
        guarded.removeIf(String::isEmpty);
        guarded.sort((a, b) -> b.length() - a.length()); // longest first when two match at one position
        this.guardedLiterals = guarded;
        this.file = new NativeHfTokenizer(source, json); // fails here, on the driver, if the library or the file is unusable
    }

    @Override public String kind() { return "hf"; }

    @Override public int vocabSize() { return vocabSize; }

    /** Size of the file's own vocabulary (added tokens included); ids from here on are appended specials. */
    public int fileVocabSize() { return fileVocabSize; }

    public String source() { return source; }

    /** The tokenizer.json as read (to copy it next to a checkpoint). */
    public byte[] fileBytes() { return file.bytes(); }

    @Override public int specialId(SpecialToken token) { return specialIds[token.ordinal()]; }

    @Override
    public int[] encode(String text) {
        IntList ids = new IntList(text.length() / 3 + 8);
        for (ThinkMarkers.Piece piece : ThinkMarkers.split(text)) {
            if (piece.marker() != null) ids.add(specialId(piece.marker()));
            else encodeGuarded(piece.text(), ids);
        }
        return ids.toArray();
    }

    /** Encodes text, splitting each literal added-token occurrence in two so the file's matcher cannot fire. */
    private void encodeGuarded(String text, IntList out) {
        int start = 0;
        while (true) {
            int at = -1;
            String hit = null;
            for (String literal : guardedLiterals) {
                int i = text.indexOf(literal, start);
                if (i >= 0 && (at < 0 || i < at)) { at = i; hit = literal; }
            }
            if (hit == null) { out.addAll(file.encode(text.substring(start))); return; }
            out.addAll(file.encode(text.substring(start, at)));
            int cut = hit.offsetByCodePoints(0, 1);
            out.addAll(file.encode(hit.substring(0, cut)));
            out.addAll(file.encode(hit.substring(cut)));
            start = at + hit.length();
        }
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder text = new StringBuilder();
        int runStart = 0;
        for (int i = 0; i <= ids.length; i++) {
            SpecialToken special = i < ids.length ? specialOf(ids[i]) : null;
            if (i < ids.length && special == null) continue;
            if (i > runStart) text.append(file.decode(toLongs(ids, runStart, i)));
            if (special != null) text.append(special.text());
            runStart = i + 1;
        }
        return text.toString();
    }

    private SpecialToken specialOf(int id) {
        if (id < 0 || id >= vocabSize) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocabSize + ") of " + source);
        for (SpecialToken t : SpecialToken.values()) if (specialIds[t.ordinal()] == id) return t;
        return null;
    }

    private static Map<String, Integer> addedTokens(JsonObject root) {
        Map<String, Integer> added = new HashMap<>();
        JsonElement list = root.get("added_tokens");
        if (list != null && list.isJsonArray()) {
            for (JsonElement e : list.getAsJsonArray()) {
                JsonObject token = e.getAsJsonObject();
                added.put(token.get("content").getAsString(), token.get("id").getAsInt());
            }
        }
        return added;
    }

    /** BPE/WordLevel/WordPiece store {token: id}; Unigram stores [[piece, score], ...] with ids by position. */
    private static int maxModelId(JsonObject root, String source) {
        JsonElement model = root.get("model");
        JsonElement vocab = model != null && model.isJsonObject() ? model.getAsJsonObject().get("vocab") : null;
        if (vocab == null) throw new IllegalArgumentException("tokenizer file '" + source + "' has no model.vocab");
        if (vocab.isJsonArray()) return vocab.getAsJsonArray().size() - 1;
        int max = -1;
        for (Map.Entry<String, JsonElement> e : vocab.getAsJsonObject().entrySet()) max = Math.max(max, e.getValue().getAsInt());
        return max;
    }

    private static long[] toLongs(int[] ids, int from, int to) {
        long[] out = new long[to - from];
        for (int i = from; i < to; i++) out[i - from] = ids[i];
        return out;
    }

    @Override public String toString() { return "HfTokenizer(" + source + ", vocab=" + vocabSize + ")"; }

    @Override public boolean equals(Object o) { return o instanceof HfTokenizer h && h.file.digest().equals(file.digest()); }

    @Override public int hashCode() { return file.digest().hashCode(); }
}
