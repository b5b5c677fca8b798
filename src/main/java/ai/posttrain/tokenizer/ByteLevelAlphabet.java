package ai.posttrain.tokenizer;

/**
 * GPT-2's byte-level alphabet ({@code bytes_to_unicode}): each byte is one printable character, so a
 * byte-level BPE vocabulary stores tokens as ordinary strings. Printable Latin-1 bytes stand for themselves;
 * the others (controls, space, DEL, NBSP, soft hyphen) take code points from U+0100 up, in byte order
 * (space is 'Ġ', newline 'Ċ').
 */
public final class ByteLevelAlphabet {
    private ByteLevelAlphabet() {}

    private static final char[] CHARS = build();

    /** The character that stands for byte {@code b} (0..255). */
    public static char charOf(int b) {
        if (b < 0 || b > 255) throw new IllegalArgumentException("not a byte: " + b);
        return CHARS[b];
    }

    /** The bytes of {@code utf8} written in the alphabet, as a byte-level BPE vocabulary spells them. */
    public static String encode(byte[] utf8) {
        StringBuilder out = new StringBuilder(utf8.length);
        for (byte b : utf8) out.append(CHARS[b & 0xFF]);
        return out.toString();
    }

    private static char[] build() {
        char[] chars = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            chars[b] = printable ? (char) b : (char) next++;
        }
        return chars;
    }
}
