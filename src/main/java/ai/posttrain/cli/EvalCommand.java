package ai.posttrain.cli;

import ai.posttrain.format.ModelDirs;

import ai.posttrain.eval.EvalItems;
import ai.posttrain.eval.EvalReport;
import ai.posttrain.eval.Evaluator;
import ai.posttrain.model.Checkpoints;
import ai.posttrain.model.ModelBytes;
import ai.posttrain.stage.StageContext;
import ai.posttrain.tokenizer.ChatTemplate;
import ai.posttrain.eval.EvalOutcome;
import ai.posttrain.run.FolderSwap;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/** `eval --model DIR --data FILE|builtin:SUITE ...`: greedy decoding on executors, per-suite metrics as JSON. */
final class EvalCommand implements Command {
    @Override public String name() { return "eval"; }

    @Override public String usage() {
        return "eval --model DIR [--data FILE|builtin:SUITE ...] [--limit N] [--samples OUT_DIR] [--format json]";
    }

    @Override public Set<String> options() { return Set.of("model", "data", "limit", "samples", "format"); }

    @Override
    public int run(Args args, Context ctx) throws Exception {
        String modelDir = args.option("model");
        if (modelDir == null) throw new UsageException("--model DIR is required (a stage's model/ or a checkpoint)");
        args.format("json");
        List<String> data = args.options("data").isEmpty() ? ctx.config.eval().suites() : args.options("data");
        int limit = args.intOption("limit", ctx.config.eval().perSuite());
        Path samples = samplesFolder(args.option("samples"), ctx);
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
        if (samples != null) writeSamples(samples, report, ctx);
        ctx.out.println(report.toJson());
        return 0;
    }

    /** The folder for --samples, checked before any decoding: it must not exist (no user folder is overwritten). */
    private static Path samplesFolder(String option, Context ctx) throws IOException {
        if (option == null) return null;
        Path out = new Path(option);
        if (out.getFileSystem(ctx.hadoopConfiguration()).exists(out))
            throw new UsageException("--samples " + option + " exists; give a folder that does not");
        return out;
    }

    /** Every scored completion as Parquet (the columns of a run's eval_samples table), written whole or not at all. */
    private static void writeSamples(Path out, EvalReport report, Context ctx) throws IOException {
        Dataset<Row> table = EvalOutcome.table(ctx.spark(), report.outcomes()).coalesce(1);
        FolderSwap.replace(out.getFileSystem(ctx.hadoopConfiguration()), out,
                tmp -> table.write().mode(SaveMode.ErrorIfExists).parquet(tmp.toString()));
        ctx.err.println("samples: " + report.outcomes().size() + " scored completions in " + out);
    }
}
