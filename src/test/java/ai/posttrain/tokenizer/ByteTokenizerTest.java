package ai.posttrain.tokenizer;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class ByteTokenizerTest {
    private final ByteTokenizer tok = new ByteTokenizer();

    @Test
    void roundTripsEverySample() {
        for (String s : SampleTexts.ALL) assertEquals(s, tok.decode(tok.encode(s)), () -> "round trip of " + s);
    }

    @Test
    void plainTextIsItsUtf8Bytes() {
        String s = "Crème 日本 🙂";
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        int[] ids = tok.encode(s);
        assertEquals(utf8.length, ids.length);
        for (int i = 0; i < ids.length; i++) assertEquals(utf8[i] & 0xFF, ids[i]);
    }

    @Test
    void specialsFollowTheBytesWithDistinctIds() {
        assertEquals(256 + SpecialToken.values().length, tok.vocabSize());
        Set<Integer> ids = new HashSet<>();
        for (SpecialToken t : SpecialToken.values()) {
            int id = tok.specialId(t);
            assertTrue(id >= 256 && id < tok.vocabSize());
            assertTrue(ids.add(id));
            assertEquals(t.text(), tok.decode(new int[]{id}));
        }
    }

    @Test
    void thinkMarkersAreSingleTokensButRoleTextIsNot() {
        int[] ids = tok.encode("<think>a</think>");
        assertArrayEquals(new int[]{tok.specialId(SpecialToken.THINK), 'a', tok.specialId(SpecialToken.END_THINK)}, ids);
        int[] roles = tok.encode("<|user|><|end|><bos>");
        assertEquals("<|user|><|end|><bos>".length(), roles.length);
        assertTrue(Arrays.stream(roles).allMatch(id -> id < 256), "role text must not become special ids");
    }

    @Test
    void invalidUtf8DecodesWithoutThrowing() {
        byte[] emoji = "🙂".getBytes(StandardCharsets.UTF_8);
        int[] cut = {emoji[0] & 0xFF, emoji[1] & 0xFF, 'o', 'k'};           // emoji cut after two bytes
        assertTrue(tok.decode(cut).endsWith("ok"));
        assertTrue(tok.decode(cut).contains("\uFFFD"));
        assertEquals("\uFFFD", tok.decode(new int[]{0xFF}));
        int[] split = {0xC3, tok.specialId(SpecialToken.THINK), 0xA9};      // a special inside a 2-byte char
        assertEquals("\uFFFD<think>\uFFFD", tok.decode(split));
    }

    @Test
    void outOfRangeIdsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[]{tok.vocabSize()}));
        assertTrue(e.getMessage().contains(String.valueOf(tok.vocabSize())));
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[]{-1}));
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) { out.writeObject(tok); }
        Tokenizer copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) { copy = (Tokenizer) in.readObject(); }
        String s = SampleTexts.ALL.get(11);
        assertArrayEquals(tok.encode(s), copy.encode(s));
        assertEquals(s, copy.decode(copy.encode(s)));
    }
}
