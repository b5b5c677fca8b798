package ai.posttrain.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The resolved configuration as typed, immutable values; built once by the CLI. */
public record PosttrainConfig(long seed, RunSettings run, SparkSettings spark, TokenizerSettings tokenizer,
                              DataSettings data, ModelSettings teacher, ModelSettings student,
                              SftStageSettings coldStartSft, SftStageSettings overallSft,
                              DistillStageSettings distill, RlSettings rl, EvalSettings eval,
                              ExportSettings export, String resolvedJson) implements Serializable {

    public record RunSettings(String root, String id) implements Serializable {}

    public record SparkSettings(String master, String appName, Map<String, String> conf) implements Serializable {}

    public record TokenizerSettings(String kind, String path) implements Serializable {}

    public record EvalSettings(List<String> suites, int perSuite, int maxNewTokens, int batchSize,
                               boolean beforeTraining) implements Serializable {}

    /** Open formats each stage's final model is also written in (hf, gguf), and their precision. */
    public record ExportSettings(List<String> formats, String precision) implements Serializable {}

    /**
     * {@code builtinWordings}: few | many, the sentences built-in train and held-out records are asked in;
     * {@code builtinNoise}: the share of math, STEM and code train prompts set among random sentences;
     * {@code builtinScramble}: the share of math train prompts that are their numbers and operator among random words;
     * {@code builtinRestateNumbers}: math traces open with the prompt's numbers; {@code builtinProblemLine}: then (or
     * first, without them) the problem as the columns solve it.
     */
    public record DataSettings(int maxTokens, int builtinTrainPerSuite, int builtinHeldoutPerSuite, String builtinWordings,
                               double builtinNoise, double builtinScramble, boolean builtinRestateNumbers,
                               boolean builtinProblemLine)
            implements Serializable {}

    public static PosttrainConfig load(String confFile, List<String> sets) {
        return from(ConfigLoader.load(confFile, sets));
    }

    /** The configuration a run recorded (its manifest's {@code config}, the {@code posttrain} object as JSON). */
    public static Config recorded(String resolvedJson) {
        return com.typesafe.config.ConfigFactory.parseString(resolvedJson).atPath("posttrain");
    }

    public static PosttrainConfig from(Config config) {
        Settings p = new Settings(config, "posttrain");
        Settings run = p.child("run");
        Settings spark = p.child("spark");
        Settings tok = p.child("tokenizer");
        Settings data = p.child("data");
        String tokenizerKind = tok.oneOf("kind", List.of("byte", "hf", "hf-model"));
        String tokenizerPath = tok.string("path");
        if (tokenizerKind.equals("hf-model") && tokenizerPath.isBlank()) {
            throw new ConfigError(tok.key("path"), "required when tokenizer.kind = hf-model (a Hugging Face model folder)");
        }
        if (tokenizerKind.equals("hf") && tokenizerPath.isBlank()) {
            throw new ConfigError(tok.key("path"), "required when tokenizer.kind = hf (a tokenizer.json)");
        }
        return new PosttrainConfig(
                p.longAtLeast("seed", 0),
                new RunSettings(run.string("root"), run.string("id")),
                new SparkSettings(spark.string("master"), spark.string("app-name"), stringMap(config, spark.key("conf"))),
                new TokenizerSettings(tokenizerKind, tokenizerPath),
                new DataSettings(data.intIn("max-tokens", 8, 1 << 16),
                        data.intIn("builtin.train-per-suite", 1, 10_000_000),
                        data.intIn("builtin.heldout-per-suite", 1, 10_000_000),
                        data.oneOf("builtin.wordings", List.of("few", "many")), data.doubleIn("builtin.noise", 0, 1),
                        data.doubleIn("builtin.scramble", 0, 1), data.bool("builtin.restate-numbers"),
                        data.bool("builtin.problem-line")),
                ModelSettings.from(p.child("model.teacher")),
                ModelSettings.from(p.child("model.student")),
                SftStageSettings.coldStart(config),
                SftStageSettings.overall(config),
                DistillStageSettings.from(config),
                RlSettings.from(config),
                new EvalSettings(List.copyOf(p.strings("eval.suites")), p.intIn("eval.per-suite", 1, 1_000_000),
                        p.intIn("eval.max-new-tokens", 1, 65536), p.intIn("eval.batch-size", 1, 4096),
                        p.bool("eval.before-training")),
                exportSettings(p),
                config.getConfig("posttrain").root().render(ConfigRenderOptions.concise()));
    }

    private static ExportSettings exportSettings(Settings p) {
        List<String> formats = List.copyOf(p.strings("export.formats"));
        for (String f : formats)
            if (!f.equals("hf") && !f.equals("gguf"))
                throw new ConfigError(p.key("export.formats"), "each format must be hf or gguf, got '" + f + "'");
        return new ExportSettings(formats, p.oneOf("export.precision", List.of("f32", "f16", "bf16")));
    }

    private static Map<String, String> stringMap(Config config, String path) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> e : config.getConfig(path).entrySet()) {
            // Keys such as "spark.ui.enabled" are quoted in HOCON; entrySet returns them quoted.
            out.put(e.getKey().replace("\"", ""), String.valueOf(e.getValue().unwrapped()));
        }
        return Map.copyOf(out);
    }
}
