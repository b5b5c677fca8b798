package ai.posttrain.model;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ND4J garbage far beyond the cap, made in a JVM of its own with a 1 GiB physical cap and JavaCPP's per-allocation
 * guard off: with the guard the process stays under the cap; without it (the control) it holds the garbage.
 */
class OffHeapGuardTest {
    /**
     * Allocates args[1] MiB as 1 MiB arrays (small enough that the C allocator keeps freed memory in the process, so the
     * resident size need not fall after a collection), dropping each, and prints the largest resident size it saw (MiB).
     */
    public static void main(String[] args) {
        if (args[0].equals("guard")) OffHeapGuard.start();
        long peak = 0;
        List<INDArray> live = new ArrayList<>();   // a little live data, as a model has
        for (int i = 0, n = Integer.parseInt(args[1]); i < n; i++) {
            INDArray a = Nd4j.create(DataType.FLOAT, 1L << 18).addi(1);   // 1 MiB, touched
            if (i % 2048 == 0) live.add(a);
            peak = Math.max(peak, Pointer.physicalBytes());
        }
        System.out.println("peak_mb=" + (peak >> 20) + " live=" + live.size());
    }

    private static long peakMb(String mode, int mib) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "@submit/java-opens.txt", "-Xmx1g", "-Dorg.bytedeco.javacpp.maxbytes=0",
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=0", "-D" + OffHeapGuard.CAP_PROPERTY + "=1g"));
        if (!mode.equals("guard")) command.addAll(List.of("-XX:+DisableExplicitGC", "-Xms1g", "-Xmn512m"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), OffHeapGuardTest.class.getName(), mode,
                String.valueOf(mib)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("OMP_NUM_THREADS", "1");
        Process child = builder.start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, child.exitValue(), out);
        int at = out.indexOf("peak_mb=");
        assertTrue(at >= 0, out);
        return Long.parseLong(out.substring(at + 8, out.indexOf(' ', at)));
    }

    @Test
    void keepsTheProcessNearItsCapWhileGarbageIsMadeFarBeyondIt() throws Exception {
        // A threshold raised after each collection (a first version) let this reach 1622 MiB. Nothing but the guard
        // may collect the control's garbage: it turns off the System.gc() calls ND4J makes on its own (on CI they
        // freed some: peak 1747 of 2048 MiB), and gets a fixed young generation far larger than the heap it
        // allocates, as a small default one collected as it went (.ci/run on a fresh clone here: 1422 MiB);
        // here -Xmn8m gave 712 MiB, these settings 0 collections and 2211 MiB. The guarded run keeps the defaults.
        long guarded = peakMb("guard", 8192), unguarded = peakMb("none", 2048);
        assertTrue(unguarded > 1800, "the control holds its 2 GiB of garbage: peak " + unguarded + " MiB");
        assertTrue(guarded < 1200, "the guard keeps 8 GiB of garbage under the 1 GiB cap: peak " + guarded + " MiB");
    }

    @Test
    void theCHeapCanBeTrimmed() {
        assertTrue(OffHeapGuard.trimCHeap(), "JavaCPP's malloc_trim is reachable: without it collected memory stays resident");
    }

    @Test
    void capComesFromTheProperty() {
        String before = System.getProperty(OffHeapGuard.CAP_PROPERTY);
        try {
            System.setProperty(OffHeapGuard.CAP_PROPERTY, "3g");
            assertEquals(3L << 30, OffHeapGuard.cap());
            System.setProperty(OffHeapGuard.CAP_PROPERTY, "lots");
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, OffHeapGuard::cap);
            assertTrue(e.getMessage().contains("lots"), e.getMessage());
        } finally {
            if (before == null) System.clearProperty(OffHeapGuard.CAP_PROPERTY);
            else System.setProperty(OffHeapGuard.CAP_PROPERTY, before);
        }
    }
}
