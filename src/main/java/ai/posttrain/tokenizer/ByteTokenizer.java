package ai.posttrain.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The embedded default: UTF-8 bytes are ids 0..255 and the {@link SpecialToken}s follow in declaration order
 * (id = 256 + ordinal). Needs no files and can encode any string.
 */
public final class ByteTokenizer implements Tokenizer {
    private static final long serialVersionUID = 1L;
    private static final int BYTES = 256;

    @Override public String kind() { return "byte"; }

    @Override public int vocabSize() { return BYTES + SpecialToken.values().length; }

    @Override public int specialId(SpecialToken token) { return BYTES + token.ordinal(); }

    @Override
    public int[] encode(String text) {
        IntList ids = new IntList(text.length() + 8);
        for (ThinkMarkers.Piece piece : ThinkMarkers.split(text)) {
            if (piece.marker() != null) {
                ids.add(specialId(piece.marker()));
            } else {
                for (byte b : piece.text().getBytes(StandardCharsets.UTF_8)) ids.add(b & 0xFF);
            }
        }
        return ids.toArray();
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder text = new StringBuilder(ids.length);
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        for (int id : ids) {
            if (id < 0 || id >= vocabSize()) throw new IllegalArgumentException("token id " + id + " is outside the byte vocabulary [0, " + vocabSize() + ")");
            if (id < BYTES) {
                pending.write(id);
            } else {
                flush(pending, text);
                text.append(SpecialToken.values()[id - BYTES].text());
            }
        }
        flush(pending, text);
        return text.toString();
    }

    /** Invalid UTF-8 (e.g. a sampled sequence cut mid-character) becomes U+FFFD rather than an error. */
    private static void flush(ByteArrayOutputStream pending, StringBuilder text) {
        if (pending.size() == 0) return;
        text.append(new String(pending.toByteArray(), StandardCharsets.UTF_8));
        pending.reset();
    }

    @Override public String toString() { return "ByteTokenizer(vocab=" + vocabSize() + ")"; }
}
