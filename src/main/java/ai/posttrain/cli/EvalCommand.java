package ai.posttrain.cli;

import ai.posttrain.format.ModelDirs;

import ai.posttrain.eval.EvalItems;
import ai.posttrain.eval.EvalReport;
import ai.posttrain.eval.Evaluator;
import ai.posttrain.model.Checkpoints;
import ai.posttrain.model.ModelBytes;
import ai.posttrain.stage.StageContext;
import ai.posttrain.tokenizer.ChatTemplate;

import java.util.List;
import java.util.Set;

/** `eval --model DIR --data FILE|builtin:SUITE ...`: greedy decoding on executors, per-suite metrics as JSON. */
final class EvalCommand implements Command {
    @Override public String name() { return "eval"; }

    @Override public String usage() { return "eval --model DIR [--data FILE|builtin:SUITE ...] [--limit N] [--format json]"; }

    @Override public Set<String> options() { return Set.of("model", "data", "limit", "format"); }

    @Override
    public int run(Args args, Context ctx) throws Exception {
        String modelDir = args.option("model");
        if (modelDir == null) throw new UsageException("--model DIR is required (a stage's model/ or a checkpoint)");
        args.format("json");
        List<String> data = args.options("data").isEmpty() ? ctx.config.eval().suites() : args.options("data");
        int limit = args.intOption("limit", ctx.config.eval().perSuite());
        // a checkpoint carries its tokenizer, a Hugging Face folder is one: the model's own chat template renders
        ModelDirs.Loaded model = ModelDirs.load(modelDir, ctx.hadoopConfiguration());
        ChatTemplate template = ChatTemplate.of(model.tokenizer());
        EvalItems.Read items = EvalItems.read(ctx.spark(), data, ctx.builtinData(), template::count,
                ctx.config.data().maxTokens(), limit);
        EvalReport report = new Evaluator(org.apache.spark.api.java.JavaSparkContext.fromSparkContext(ctx.spark().sparkContext()), template,
                ctx.config.eval().maxNewTokens(), ctx.config.eval().batchSize())
                .evaluate(ModelBytes.of(model.graph(), model.config()), items.items());
        long rejected = items.rejected().stream().mapToLong(d -> d.count()).sum();
        if (rejected > 0) ctx.err.println(rejected + " input records were rejected (run validate to see why)");
        ctx.out.println(report.toJson());
        return 0;
    }
}
