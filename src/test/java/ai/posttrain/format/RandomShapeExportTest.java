package ai.posttrain.format;

import ai.posttrain.tokenizer.ByteLevelAlphabet;
import ai.posttrain.tokenizer.TokenizerExport;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The benchmark artifact's synthetic vocabulary and the refusals of `export --shape` (the 135M write itself is measured, not unit-tested). */
class RandomShapeExportTest {
    @TempDir Path tmp;

    @Test
    void syntheticVocabularyIsBytesThenFillersThenOneEos() {
        TokenizerExport v = RandomShapeExport.syntheticVocabulary(49152);
        assertEquals(49152, v.tokens().size());
        for (int b = 0; b < 256; b++) assertEquals(String.valueOf(ByteLevelAlphabet.charOf(b)), v.tokens().get(b));
        assertEquals("t256", v.tokens().get(256));
        assertEquals("t49150", v.tokens().get(49150));
        assertEquals(49151, v.eos());
        assertEquals(TokenizerExport.CONTROL, v.tokenTypes()[49151]);
        assertEquals(49152, new java.util.HashSet<>(v.tokens()).size(), "token strings are unique");
        assertTrue(v.merges().isEmpty());
        assertFalse(v.addBos());
        assertNull(v.chatTemplate());
    }

    @Test
    void unknownShapesAndExistingFoldersAreRefused() throws Exception {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> RandomShapeExport.write("gpt-5", "gguf", "f32", 1, tmp.resolve("a").toString(), new Configuration()));
        assertTrue(e.getMessage().contains("unknown shape") && e.getMessage().contains("smollm2-135m"), e.getMessage());
        java.nio.file.Files.createDirectories(tmp.resolve("b"));
        assertThrows(ModelFormatException.class,
                () -> RandomShapeExport.write("smollm2-135m", "gguf", "f32", 1, tmp.resolve("b").toString(), new Configuration()));
    }
}
