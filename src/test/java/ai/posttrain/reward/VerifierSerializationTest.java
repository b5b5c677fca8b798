package ai.posttrain.reward;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/** Verifiers travel to Spark executors by Java serialization and run concurrently there. */
class VerifierSerializationTest {
    static Verifier roundTrip(Verifier v) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) { out.writeObject(v); }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) { return (Verifier) in.readObject(); }
    }

    @Test
    void everyVerifierWorksAfterSerialization() throws Exception {
        assertTrue(roundTrip(new MathVerifier()).verify("answer is 3/4", "0.75").passed());
        assertTrue(roundTrip(new StemVerifier()).verify("1.2 km", "1200 m").passed());
        assertTrue(roundTrip(new FormatVerifier()).verify("<think>x</think>y", null).passed());
        assertTrue(roundTrip(new ToolCallVerifier(Map.of("now", Set.of()))).verify("<tool_call>{\"name\": \"now\"}</tool_call>", null).passed());
        Verifier code = roundTrip(new CodeVerifier("python3", new SandboxLimits(5_000, 256L << 20, 5, 32, 1L << 20)));
        assertTrue(code.verify("def f(x):\n    return 2 * x + 1", "assert f(2) == 5").passed());
    }

    @Test
    void concurrentSandboxesDoNotInterfere() {
        CodeVerifier code = new CodeVerifier("python3", new SandboxLimits(10_000, 256L << 20, 5, 32, 1L << 20));
        List<VerifierResult> results = IntStream.range(0, 6).parallel()
                .mapToObj(i -> code.verifyTests("open('out.txt', 'w').write(str(" + i + "))\nN = " + i
                                + "\ndef written():\n    return open('out.txt').read()",
                        List.of("assert N == " + i, "assert written() == '" + i + "'")))
                .toList();
        results.forEach(r -> assertTrue(r.passed(), r.reason()));
    }
}
