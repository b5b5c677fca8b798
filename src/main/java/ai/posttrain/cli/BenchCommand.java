package ai.posttrain.cli;

import ai.posttrain.model.Benchmark;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.model.NamedShapes;
import ai.posttrain.model.ShapeBenchmark;
import ai.posttrain.stage.StageContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.Set;

/**
 * `bench`: gemm peak, teacher/student training throughput and MFU, sampler throughput with and without the KV cache
 * (sample.batched.* and sample.unbatched.*: the cache speed-up at equal batching).
 */
final class BenchCommand implements Command {
    @Override public String name() { return "bench"; }

    @Override public String usage() { return "bench [--shape NAME|DIR [--threads N]] [--format text|json]   (NAME: " + String.join(", ", NamedShapes.names()) + ")"; }

    @Override public Set<String> options() { return Set.of("format", "shape", "threads"); }

    @Override
    public int run(Args args, Context ctx) throws Exception {
        String format = args.format("text", "json");
        String shapeName = args.option("shape");
        Map<String, Object> results;
        if (shapeName != null) {
            ModelConfig shape = NamedShapes.get(shapeName);
            if (shape == null && new java.io.File(shapeName, "config.json").isFile())   // a Hugging Face folder's architecture
                shape = ai.posttrain.format.hf.HfModelConfigs.toModelConfig(
                        ai.posttrain.format.hf.HfConfigReader.read(shapeName, new org.apache.hadoop.conf.Configuration()), 0);
            if (shape == null) throw new UsageException("--shape: unknown shape '" + shapeName + "' (known: "
                    + String.join(", ", NamedShapes.names()) + ", or a Hugging Face model folder)");
            int threads = args.intOption("threads", Runtime.getRuntime().availableProcessors());
            results = new ShapeBenchmark(ShapeBenchmark.Settings.defaults(shape, threads)).run();
        } else {
            int vocab = StageContext.tokenizerFor(ctx.config).vocabSize();
            // The configured architectures (posttrain.model.teacher and .student), as the stages build them.
            results = new Benchmark(Benchmark.Settings.defaults(
                    ModelConfig.of(ctx.config.teacher(), vocab), ModelConfig.of(ctx.config.student(), vocab))).run();
        }
        if (format.equals("json")) {
            ObjectMapper json = new ObjectMapper();
            ObjectNode root = json.createObjectNode();
            // "train.teacher.tokens_per_s" becomes {"train":{"teacher":{"tokens_per_s":…}}}.
            results.forEach((key, value) -> {
                ObjectNode node = root;
                String[] parts = key.split("\\.");
                for (int i = 0; i < parts.length - 1; i++) {
                    node = node.has(parts[i]) ? (ObjectNode) node.get(parts[i]) : node.putObject(parts[i]);
                }
                node.set(parts[parts.length - 1], json.valueToTree(value));
            });
            ctx.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } else {
            results.forEach((k, v) -> ctx.out.println(k + " = " + v));
        }
        return 0;
    }
}
