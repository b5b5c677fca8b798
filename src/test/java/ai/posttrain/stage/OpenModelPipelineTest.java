package ai.posttrain.stage;

import ai.posttrain.cli.Main;
import ai.posttrain.data.Message;
import ai.posttrain.format.LlamaCpp;
import ai.posttrain.format.RandomHfModels;
import ai.posttrain.format.hf.HfConfig;
import ai.posttrain.format.hf.HfConfigWriter;
import ai.posttrain.format.hf.HfImport;
import ai.posttrain.format.safetensors.DType;
import ai.posttrain.format.safetensors.SafetensorsWriter;
import ai.posttrain.model.Checkpoints;
import ai.posttrain.model.Sample;
import ai.posttrain.model.Sampler;
import ai.posttrain.model.SamplingOptions;
import ai.posttrain.tokenizer.ChatTemplate;
import ai.posttrain.tokenizer.ModelFolders;
import ai.posttrain.tokenizer.Tokenizer;
import ai.posttrain.tokenizer.Tokenizers;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The pipeline on imported open models: a tiny random Hugging Face teacher (SmolLM2 layout) and a smaller student
 * with the same tokenizer and ChatML template; the quick pipeline runs cold-start SFT from the teacher, distils into
 * the student and runs RL, exporting every stage's model to HF and GGUF. The final model's HF export re-imports
 * bit-exact, and llama.cpp chats with its GGUF exactly as the engine's sampler does (greedy).
 */
class OpenModelPipelineTest {
    private static final int VOCAB = RandomHfModels.VOCAB;

    @TempDir
    Path tmp;

    /** A random-weight HF folder with the tiny ChatML tokenizer (<|im_start|> 296, <|im_end|> 297). */
    private Path modelFolder(String name, int d, int layers, int heads, int kvHeads, int ff, long seed) throws IOException {
        Path tokenizerFiles = ModelFolders.smolLm2(tmp.resolve("tokenizer-" + name));
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        for (String f : List.of("tokenizer.json", "tokenizer_config.json"))
            Files.copy(tokenizerFiles.resolve(f), dir.resolve(f));
        HfConfig c = new HfConfig(HfConfig.LLAMA, VOCAB, d, ff, layers, heads, kvHeads, 1024, 100000.0, 1e-5, true, false,
                "float32", 296, List.of(297));
        Files.write(dir.resolve("config.json"), HfConfigWriter.config(c));
        Files.write(dir.resolve("generation_config.json"), HfConfigWriter.generationConfig(c));
        // small weights, as a pretrained model's: the quick stages' lr then trains them without blowing up
        var weights = RandomHfModels.weights(c, seed);
        weights.replaceAll((k, t) -> k.contains("norm") ? t : scaled(t, 0.1f));
        SafetensorsWriter.write(dir.resolve("model.safetensors").toString(), weights, DType.F32);
        return dir;
    }

    private static ai.posttrain.format.Tensor scaled(ai.posttrain.format.Tensor t, float s) {
        float[] v = t.data().clone();
        for (int i = 0; i < v.length; i++) v[i] *= s;
        return new ai.posttrain.format.Tensor(t.shape(), v);
    }

    private static String[] pipelineArgs(Path run, Path teacher, Path student) {
        return new String[]{"pipeline", "--run", run.toString(), "--conf", "conf/quick.conf",
                "--set", "posttrain.spark.master=\"local[2]\"",
                "--set", "posttrain.tokenizer.kind=hf-model", "--set", "posttrain.tokenizer.path=\"" + teacher + "\"",
                "--set", "posttrain.stages.cold-start-sft.init=\"" + teacher + "\"",
                "--set", "posttrain.stages.distill.init=\"" + student + "\"",
                "--set", "posttrain.export.formats=[hf, gguf]",
                "--set", "posttrain.stages.cold-start-sft.curriculum=[{name=all,steps=2}]",
                "--set", "posttrain.stages.distill.steps=2",
                "--set", "posttrain.eval.per-suite=2", "--set", "posttrain.eval.max-new-tokens=8"};
    }

    @Test
    void quickPipelineFromImportedModelsExportsWhatLlamaCppChatsWith() throws Exception {
        Path teacher = modelFolder("teacher", 96, 2, 3, 1, 192, 1);
        Path student = modelFolder("student", 64, 1, 2, 1, 128, 2);
        Path run = tmp.resolve("run");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(pipelineArgs(run, teacher, student), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String log = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, log);
        for (String stage : Pipeline.STAGES) {
            assertTrue(Files.isDirectory(run.resolve(stage).resolve("export/hf")), stage + " hf export\n" + log);
            assertTrue(Files.isRegularFile(run.resolve(stage).resolve("export/gguf/model.gguf")), stage + " gguf export");
        }
        assertTrue(log.contains("teacher"), log);

        // The final (RL) model: its checkpoint carries the tokenizer; HF export -> import is bit-exact.
        Path finalModel = run.resolve("rl/model");
        Checkpoints.Loaded ck = Checkpoints.load(finalModel.toString());
        assertEquals(64, ck.info().config().dModel(), "the student's architecture came from its HF folder");
        Tokenizer tokenizer = Tokenizers.fromCheckpoint(ck.info().tokenizer(), finalModel.toString());
        ComputationGraph reimported = HfImport.load(run.resolve("rl/export/hf").toString(), 0).graph();
        assertArrayEquals(ck.graph().params().toFloatVector(), reimported.params().toFloatVector(),
                "HF export -> import is bit-exact");

        // Chat: the same rendered prompt, greedy, in the engine and in llama.cpp on the exported GGUF.
        ChatTemplate template = ChatTemplate.of(tokenizer);
        int[] prompt = template.render(List.of(new Message("user", "What is 12 + 7?")), true).ids();
        Sampler sampler = new Sampler(ck.graph(), ck.info().config());
        Sample ours = sampler.generate(List.of(prompt), SamplingOptions.greedy(12, Set.copyOf(template.stopIds()))).get(0);
        LlamaCpp.Result llama = LlamaCpp.evaluate(run.resolve("rl/export/gguf/model.gguf"), VOCAB, List.of(),
                List.of(prompt), 12);
        int[] theirs = llama.greedy().get(0);
        int n = Math.min(ours.tokens().length, theirs.length);
        assertTrue(n > 0, "both generated");
        assertArrayEquals(Arrays.copyOf(ours.tokens(), n), Arrays.copyOf(theirs, n),
                "llama.cpp continues the chat as the engine does: ours " + Arrays.toString(ours.tokens())
                        + " vs llama.cpp " + Arrays.toString(theirs));

        // and `generate` (the CLI) renders the same prompt and replies with the same tokens
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, Main.run(new String[]{"generate", "--model", finalModel.toString(), "--prompt", "What is 12 + 7?",
                        "--max-new-tokens", "12", "--ids"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("prompt_ids " + Arrays.toString(prompt)), printed);
        assertTrue(printed.contains("reply_ids " + Arrays.toString(ours.tokens())), printed);
    }

    @Test
    void studentWithAnotherTokenizerStopsBeforeAnyTraining() throws Exception {
        Path teacher = modelFolder("teacher", 32, 1, 2, 1, 64, 1);
        Path student = modelFolder("student", 32, 1, 2, 1, 64, 2);
        // one merge fewer: another vocabulary, so token-level distillation cannot pair their ids
        Path tokenizerJson = student.resolve("tokenizer.json");
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tokenizerJson.toFile());
        ((com.fasterxml.jackson.databind.node.ArrayNode) json.path("model").path("merges")).remove(0);
        Files.writeString(tokenizerJson, json.toString());
        Path run = tmp.resolve("run");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(pipelineArgs(run, teacher, student), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String log = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, log);
        assertTrue(log.contains("posttrain.stages.distill.init") && log.contains("tokenizer"), log);
        assertFalse(Files.exists(run.resolve("cold-start-sft/model")), "nothing trained");
    }
}
