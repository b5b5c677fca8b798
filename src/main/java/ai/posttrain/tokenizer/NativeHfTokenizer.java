package ai.posttrain.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tokenizer.json run by DJL's native library, exactly as the file says: added tokens in the text become
 * their ids, no BOS/EOS, no truncation or padding. The bytes travel with the object; each JVM builds the
 * native tokenizer once per distinct file.
 */
final class NativeHfTokenizer implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Map<String, HuggingFaceTokenizer> NATIVE = new ConcurrentHashMap<>();

    private final String source;
    private final byte[] json;
    private final String digest;
    private transient volatile HuggingFaceTokenizer tokenizer;

    NativeHfTokenizer(String source, byte[] json) {
        this.source = source;
        this.json = json.clone();
        this.digest = sha256(json);
        get(); // fail here, on the driver, if the library or the file is unusable
    }

    String digest() { return digest; }

    /** The tokenizer.json as read (to copy it next to a checkpoint). */
    byte[] bytes() { return json.clone(); }

    int[] encode(String text) {
        if (text.isEmpty()) return new int[0];
        long[] ids = get().encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = (int) ids[i];
        return out;
    }

    String decode(long[] ids) { return ids.length == 0 ? "" : get().decode(ids, false); }

    private HuggingFaceTokenizer get() {
        HuggingFaceTokenizer t = tokenizer;
        if (t == null) {
            t = NATIVE.computeIfAbsent(digest, d -> create());
            tokenizer = t;
        }
        return t;
    }

    private HuggingFaceTokenizer create() {
        DjlOffline.configure();
        Map<String, String> options = new HashMap<>();
        options.put("addSpecialTokens", "false");
        options.put("truncation", "false"); // DJL's default truncates to 512 tokens
        options.put("padding", "false");
        try {
            return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), options);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot build a Hugging Face tokenizer from '" + source + "': " + e.getMessage(), e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
