package ai.posttrain.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * llama.cpp for tests, through the npm package node-llama-cpp (its prebuilt CPU binaries; nothing is
 * compiled). The first use installs the package with npm into a cache folder shared by builds
 * (~/.cache/spark-posttrain/llama-cpp-VERSION, or $POSTTRAIN_LLAMA_CPP_DIR), under a file lock so parallel
 * builds install it once; only the platform package this machine needs is fetched (about 85 MB, not 732).
 * Tests are skipped, not failed, where node/npm are missing.
 */
public final class LlamaCpp {
    public static final String VERSION = "3.21.1";
    private static final String SCRIPT = "evaluate.mjs";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path installed;

    /**
     * What llama.cpp computed for one request, and the settings it ran with.
     *
     * @param kvCacheF32 both KV cache tensors were F32 (ggml type 0)
     */
    public record Result(List<double[][]> logProbs, List<int[]> greedy, List<int[]> tokenized, List<String> detokenized,
                         boolean kvCacheF32, boolean flashAttention) {
    }

    private LlamaCpp() {}

    /**
     * Runs {@code sequences} through the model (next-token log-probabilities at every position) and greedy
     * continuations of {@code greedyPrompts}, with an F32 KV cache and without flash attention.
     */
    public static Result evaluate(Path gguf, int vocab, List<int[]> sequences, List<int[]> greedyPrompts, int greedyTokens)
            throws IOException, InterruptedException {
        return evaluate(gguf, vocab, sequences, greedyPrompts, greedyTokens, List.of(), List.of());
    }

    /** As above, and llama.cpp's own tokenization of {@code tokenize} (no BOS) and text of {@code detokenize}. */
    public static Result evaluate(Path gguf, int vocab, List<int[]> sequences, List<int[]> greedyPrompts, int greedyTokens,
                                  List<String> tokenize, List<int[]> detokenize) throws IOException, InterruptedException {
        Path dir = install();
        ObjectNode req = JSON.createObjectNode();
        req.put("model", gguf.toAbsolutePath().toString());
        req.put("vocab", vocab);
        req.put("kvCache", "F32");
        ArrayNode seqs = req.putArray("sequences");
        for (int[] s : sequences) ids(seqs.addArray(), s);
        ArrayNode greedy = req.putArray("greedy");
        for (int[] p : greedyPrompts) {
            ObjectNode g = greedy.addObject();
            ids(g.putArray("prompt"), p);
            g.put("maxTokens", greedyTokens);
        }
        tokenize.forEach(req.putArray("tokenize")::add);
        ArrayNode detok = req.putArray("detokenize");
        for (int[] d : detokenize) ids(detok.addArray(), d);
        Process p = new ProcessBuilder("node", dir.resolve(SCRIPT).toString()).directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(JSON.writeValueAsBytes(req));
        }
        byte[] out;
        try (InputStream stdout = p.getInputStream()) {
            out = stdout.readAllBytes();
        }
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0)
            throw new IOException("node " + SCRIPT + " failed (exit " + p.exitValue() + "): " + new String(out, StandardCharsets.UTF_8));
        JsonNode res = JSON.readTree(out);
        List<double[][]> logProbs = new ArrayList<>();
        for (JsonNode seq : res.path("logProbs")) {
            double[][] rows = new double[seq.size()][];
            for (int t = 0; t < rows.length; t++) {
                JsonNode row = seq.get(t);
                rows[t] = new double[row.size()];
                for (int v = 0; v < rows[t].length; v++)
                    rows[t][v] = row.get(v).isNull() ? Double.NEGATIVE_INFINITY : row.get(v).asDouble();
            }
            logProbs.add(rows);
        }
        List<String> texts = new ArrayList<>();
        res.path("detokenized").forEach(t -> texts.add(t.asText()));
        boolean f32 = res.path("kvCacheKey").asInt(-1) == 0 && res.path("kvCacheValue").asInt(-1) == 0;
        return new Result(logProbs, idLists(res.path("greedy")), idLists(res.path("tokenized")), texts, f32,
                res.path("flashAttention").asBoolean());
    }

    private static List<int[]> idLists(JsonNode lists) {
        List<int[]> out = new ArrayList<>();
        for (JsonNode g : lists) {
            int[] ids = new int[g.size()];
            for (int i = 0; i < ids.length; i++) ids[i] = g.get(i).asInt();
            out.add(ids);
        }
        return out;
    }

    private static void ids(ArrayNode a, int[] ids) {
        for (int id : ids) a.add(id);
    }

    /** The folder holding node_modules/node-llama-cpp and the evaluation script; installs on first use. */
    public static synchronized Path install() throws IOException, InterruptedException {
        if (installed != null) return installed;
        Assumptions.assumeTrue(onPath("node") && onPath("npm"), "node and npm are needed for the llama.cpp comparison");
        String override = System.getenv("POSTTRAIN_LLAMA_CPP_DIR");
        Path dir = override != null && !override.isBlank() ? Path.of(override)
                : Path.of(System.getProperty("user.home"), ".cache", "spark-posttrain", "llama-cpp-" + VERSION);
        Files.createDirectories(dir);
        try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            Path done = dir.resolve(".installed");
            if (!Files.exists(done)) {
                Files.writeString(dir.resolve("package.json"), "{\"name\":\"posttrain-llama-cpp\",\"private\":true,\"type\":\"module\"}\n");
                List<String> cmd = List.of("npm", "install", "--no-audit", "--no-fund", "--omit=optional", "--ignore-scripts",
                        "--save-exact", "node-llama-cpp@" + VERSION, "@node-llama-cpp/" + platformPackage() + "@" + VERSION);
                Process npm = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
                String log = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!npm.waitFor(15, TimeUnit.MINUTES) || npm.exitValue() != 0)
                    throw new IOException(String.join(" ", cmd) + " failed in " + dir + ":\n" + log);
                Files.writeString(done, VERSION + "\n");
            }
            try (InputStream script = LlamaCpp.class.getResourceAsStream("/llama-cpp/" + SCRIPT)) {
                Files.write(dir.resolve(SCRIPT), script.readAllBytes());
            }
        }
        installed = dir;
        return dir;
    }

    /** node-llama-cpp's prebuilt package for this machine (CPU builds only). */
    private static String platformPackage() {
        String os = System.getProperty("os.name").toLowerCase();
        boolean arm = System.getProperty("os.arch").contains("aarch64") || System.getProperty("os.arch").contains("arm");
        if (os.contains("linux")) return arm ? "linux-arm64" : "linux-x64";
        if (os.contains("mac")) return arm ? "mac-arm64-metal" : "mac-x64";
        if (os.contains("win")) return arm ? "win-arm64" : "win-x64";
        throw new IllegalStateException("no node-llama-cpp prebuilt binaries for " + os);
    }

    private static boolean onPath(String tool) {
        try {
            Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
