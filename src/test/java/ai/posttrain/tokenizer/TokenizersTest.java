package ai.posttrain.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class TokenizersTest {
    @Test
    void byteIsTheDefault() {
        assertEquals("byte", Tokenizers.create(null, null).kind());
        assertEquals("byte", Tokenizers.create("", " ").kind());
        assertEquals("byte", Tokenizers.create("byte", null).kind());
    }

    @Test
    void unknownKindIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.create("sentencepiece", null));
        assertTrue(e.getMessage().contains("'sentencepiece'"), e.getMessage());
    }

    @Test
    void missingOrBrokenFilesAreNamed(@TempDir Path dir) throws Exception {
        String missing = dir.resolve("nope/tokenizer.json").toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.create("hf", missing));
        assertTrue(e.getMessage().contains(missing), e.getMessage());

        Path notJson = Files.writeString(dir.resolve("bad.json"), "this is not json");
        e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.create("hf", notJson.toString()));
        assertTrue(e.getMessage().contains(notJson.toString()), e.getMessage());

        Path notATokenizer = Files.writeString(dir.resolve("other.json"), "{\"model\": {\"type\": \"Nope\", \"vocab\": {\"a\": 0}}}");
        e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.create("hf", notATokenizer.toString()));
        assertTrue(e.getMessage().contains(notATokenizer.toString()), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> Tokenizers.create("hf", null));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tokenizers.create("byte", "/some/file.json"));
    }
}
