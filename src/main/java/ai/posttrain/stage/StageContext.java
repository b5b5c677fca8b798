package ai.posttrain.stage;

import ai.posttrain.config.ConfigError;
import ai.posttrain.config.PosttrainConfig;
import ai.posttrain.data.BuiltinData;
import ai.posttrain.data.builtin.Wording;
import ai.posttrain.data.ReadResult;
import ai.posttrain.data.RecordKind;
import ai.posttrain.data.RecordReader;
import ai.posttrain.data.TokenCounter;
import ai.posttrain.run.RunDir;
import ai.posttrain.run.TableWriter;
import ai.posttrain.tokenizer.ChatTemplate;
import ai.posttrain.tokenizer.Tokenizer;
import ai.posttrain.tokenizer.Tokenizers;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;

/** What every stage works with: Spark, the run and its tables, the config, the tokenizer and template. */
public record StageContext(SparkSession spark, PosttrainConfig config, RunDir run, TableWriter tables,
                           ChatTemplate template, BuiltinData builtin, PrintStream console) {

    public static StageContext create(SparkSession spark, PosttrainConfig config, RunDir run, PrintStream console) {
        return new StageContext(spark, config, run, new TableWriter(run), templateFor(config),
                builtinFor(config), console);
    }

    /** The configured tokenizer; a file that cannot be loaded is a configuration error naming the key. */
    public static Tokenizer tokenizerFor(PosttrainConfig config) {
        try {
            return Tokenizers.create(config.tokenizer().kind(), config.tokenizer().path());
        } catch (IllegalArgumentException e) {
            throw new ConfigError("posttrain.tokenizer.path", e.getMessage());
        }
    }

    /** The configured tokenizer's chat template; a model folder without one is a configuration error. */
    public static ChatTemplate templateFor(PosttrainConfig config) {
        Tokenizer tokenizer = tokenizerFor(config);
        try {
            return ChatTemplate.of(tokenizer);
        } catch (IllegalArgumentException e) {
            throw new ConfigError("posttrain.tokenizer.path", e.getMessage());
        }
    }

    /** The built-in data sets at the configured seed and sizes. */
    public static BuiltinData builtinFor(PosttrainConfig config) {
        return new BuiltinData(config.seed(), config.data().builtinTrainPerSuite(), config.data().builtinHeldoutPerSuite(),
                Wording.ofTraining(config.data().builtinWordings()), config.data().builtinNoise(),
                config.data().builtinScramble(), config.data().builtinRestateNumbers(), config.data().builtinProblemLine());
    }

    public JavaSparkContext sc() { return JavaSparkContext.fromSparkContext(spark.sparkContext()); }

    public Tokenizer tokenizer() { return template.tokenizer(); }

    public TokenCounter tokenCounter() {
        ChatTemplate t = template;
        return t::count;
    }

    public org.apache.hadoop.conf.Configuration hadoop() { return spark.sparkContext().hadoopConfiguration(); }

    /**
     * Reads and validates {@code inputs} as {@code kind} records; the rejected ones replace the rows of the run's
     * {@code rejected} table that carry {@code origin} (the reader that rejected them).
     */
    public ReadResult read(RecordKind kind, java.util.List<String> inputs, String origin) {
        ReadResult data = RecordReader.read(spark, kind, inputs, tokenCounter(), config.data().maxTokens(), builtin());
        tables.appendReplacing("rejected", data.rejected().withColumn("origin", org.apache.spark.sql.functions.lit(origin)),
                org.apache.spark.sql.functions.col("origin").equalTo(origin));
        return data;
    }
}
