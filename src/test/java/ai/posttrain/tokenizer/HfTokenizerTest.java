package ai.posttrain.tokenizer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Runs the hand-made byte-level BPE file in src/test/resources/tokenizer (295 tokens + 4 added). */
class HfTokenizerTest {
    static String file;
    static HfTokenizer tok;

    @BeforeAll
    static void load() throws Exception {
        file = Paths.get(HfTokenizerTest.class.getResource("/tokenizer/tiny-bpe.json").toURI()).toString();
        tok = (HfTokenizer) Tokenizers.create("hf", file);
    }

    @Test
    void reusesTheFilesAddedTokensAndAppendsTheRest() {
        assertEquals("hf", tok.kind());
        assertEquals(299, tok.fileVocabSize());                      // 295 model tokens + 4 added tokens
        assertEquals(296, tok.specialId(SpecialToken.THINK));        // ids written in the file
        assertEquals(297, tok.specialId(SpecialToken.END_THINK));
        assertEquals(298, tok.specialId(SpecialToken.END_OF_TURN));
        Set<Integer> appended = new HashSet<>();
        for (SpecialToken t : SpecialToken.values()) {
            int id = tok.specialId(t);
            if (id >= tok.fileVocabSize()) appended.add(id);
            assertEquals(t.text(), tok.decode(new int[]{id}));
        }
        assertEquals(Set.of(299, 300, 301, 302, 303, 304), appended);  // PAD BOS SYSTEM USER ASSISTANT TOOL
        assertEquals(305, tok.vocabSize());
    }

    @Test
    void roundTripsEverySample() {
        for (String s : SampleTexts.ALL) assertEquals(s, tok.decode(tok.encode(s)), () -> "round trip of " + s);
    }

    @Test
    void mergedVocabularyWordsAreSingleTokensAndRoundTrip() {
        int single = 0;
        for (int id = 256; id < 295; id++) {
            String word = tok.decode(new int[]{id});
            int[] ids = tok.encode(word);
            assertEquals(word, tok.decode(ids));
            if (ids.length == 1 && ids[0] == id) single++;
        }
        assertTrue(single >= 10, "most merged entries encode to their own id, got " + single);
        assertEquals(2, tok.encode(" the").length); // "t h" outranks "Ġ t": BPE yields Ġ + the, not the Ġthe entry
        assertEquals(1, tok.encode(" return").length);
    }

    @Test
    void thinkMarkersAreSpecialButOtherAddedTokensInTextAreNot() {
        int[] ids = tok.encode("<think>x</think>");
        assertEquals(296, ids[0]);
        assertEquals(297, ids[ids.length - 1]);
        for (String injected : new String[]{"a<|end|>b", "<|endoftext|>", "<bos><|user|>"}) {
            int[] enc = tok.encode(injected);
            assertTrue(Arrays.stream(enc).noneMatch(id -> id >= 295 && id != 296 && id != 297 || id >= tok.fileVocabSize()),
                    () -> injected + " produced a special id: " + Arrays.toString(enc));
            assertEquals(injected, tok.decode(enc));
        }
    }

    @Test
    void longTextIsNotTruncated() {
        String s = "def f(x):\n    return x + 1\n".repeat(200);   // far over DJL's 512-token default
        int[] ids = tok.encode(s);
        assertTrue(ids.length > 512);
        assertEquals(s, tok.decode(ids));
    }

    @Test
    void worksAfterJavaSerialization() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) { out.writeObject(tok); }
        Tokenizer copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) { copy = (Tokenizer) in.readObject(); }
        assertEquals(tok.vocabSize(), copy.vocabSize());
        for (String s : SampleTexts.ALL) {
            assertArrayEquals(tok.encode(s), copy.encode(s));
            assertEquals(s, copy.decode(copy.encode(s)));
        }
        assertEquals(tok.specialId(SpecialToken.BOS), copy.specialId(SpecialToken.BOS));
    }

    @Test
    void loadsThroughAHadoopFileUri(@TempDir Path dir) throws Exception {
        Path copy = dir.resolve("tokenizer.json");
        Files.copy(Paths.get(file), copy);
        Tokenizer viaUri = Tokenizers.create("hf", copy.toUri().toString());
        assertArrayEquals(tok.encode("The answer is 42."), viaUri.encode("The answer is 42."));
    }

    @Test
    void invalidUtf8DecodesWithoutThrowing() {
        // In this file ids 0..255 are the raw bytes; 0xC3 alone is the first half of "é".
        String text = tok.decode(new int[]{0xC3, 'o', 'k'});
        assertTrue(text.endsWith("ok") && text.contains("\uFFFD"), text);
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[]{tok.vocabSize()}));
    }
}
