package ai.posttrain.cli;

import ai.posttrain.model.Benchmark;
import ai.posttrain.model.ModelConfig;
import ai.posttrain.stage.StageContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.Set;

/** `bench`: gemm peak, teacher/student training throughput and MFU, sampler throughput with and without the KV cache. */
final class BenchCommand implements Command {
    @Override public String name() { return "bench"; }

    @Override public String usage() { return "bench [--format text|json]"; }

    @Override public Set<String> options() { return Set.of("format"); }

    @Override
    public int run(Args args, Context ctx) throws Exception {
        String format = args.format("text", "json");
        int vocab = StageContext.tokenizerFor(ctx.config).vocabSize();
        // The configured architectures (posttrain.model.teacher and .student), as the stages build them.
        Map<String, Object> results = new Benchmark(Benchmark.Settings.defaults(
                ModelConfig.of(ctx.config.teacher(), vocab), ModelConfig.of(ctx.config.student(), vocab))).run();
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
