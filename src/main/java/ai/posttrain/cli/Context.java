package ai.posttrain.cli;

import ai.posttrain.config.PosttrainConfig;
import ai.posttrain.data.BuiltinData;
import ai.posttrain.data.TokenCounter;
import ai.posttrain.tokenizer.ChatTemplate;
import ai.posttrain.stage.StageContext;
import ai.posttrain.run.RunDir;
import ai.posttrain.run.SparkSessions;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;

/** What a command needs: its output streams, the resolved config, and (created on first use) Spark. */
final class Context {
    final PrintStream out;
    final PrintStream err;
    final PosttrainConfig config;
    private final RunConfig.Loaded loaded;
    private SparkSession spark;

    Context(PrintStream out, PrintStream err, RunConfig.Loaded loaded) {
        this.out = out;
        this.err = err;
        this.config = loaded.config();
        this.loaded = loaded;
    }

    SparkSession spark() {
        if (spark == null) spark = SparkSessions.getOrCreate(config.spark());
        return spark;
    }

    org.apache.hadoop.conf.Configuration hadoopConfiguration() { return spark().sparkContext().hadoopConfiguration(); }

    BuiltinData builtinData() { return StageContext.builtinFor(config); }

    /** Counts a conversation's tokens as training will see them (the chat template's full render). */
    TokenCounter tokenCounter() {
        ChatTemplate template = StageContext.templateFor(config);
        return template::count;
    }

    /** The run named by --run, or a new one under posttrain.run.root. */
    RunDir runOrNew(Args args) {
        RunDir run = runOrNull(args);
        return run != null ? run : RunDir.create(config, hadoopConfiguration());
    }

    StageContext stageContext(RunDir run) { return StageContext.create(spark(), config, run, err); }

    /** The run named by --run, or null when the command was given none. */
    RunDir runOrNull(Args args) {
        String dir = args.option("run");
        if (dir == null) return null;
        RunDir run = RunDir.open(dir, config, spark().sparkContext().hadoopConfiguration());
        if (loaded.resumed()) {
            err.println("settings: the run's own (" + run.root() + "/" + RunDir.MANIFEST + ")"
                    + (loaded.changes().isEmpty() ? "" : ", changed: " + loaded.changes()));
            if (!loaded.changes().isEmpty()) run.writeManifest(run.manifest().withConfig(config, loaded.changes()));
        }
        return run;
    }
}
