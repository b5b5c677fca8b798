package ai.posttrain.cli;

import ai.posttrain.run.RunDir;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.util.Set;

/** `sql "QUERY"`: every table of a run, plus any --table NAME=PATH, as views; prints the result. */
final class SqlCommand implements Command {
    @Override public String name() { return "sql"; }

    @Override public String usage() {
        return "sql \"QUERY\" [--run DIR] [--table NAME=PATH ...] [--format table|json] [--limit N]";
    }

    @Override public Set<String> options() { return Set.of("run", "table", "format", "limit"); }

    @Override
    public int run(Args args, Context ctx) throws Exception {
        if (args.positional().size() != 1) throw new UsageException("expected exactly one query");
        String format = args.format("table", "json");
        int limit = args.intOption("limit", 1000);
        SparkSession spark = ctx.spark();
        RunDir run = ctx.runOrNull(args);
        if (run != null) {
            for (String table : run.tables()) {
                spark.read().parquet(run.tablePath(table).toString()).createOrReplaceTempView(table);
            }
        }
        for (String spec : args.options("table")) registerTable(spark, spec);
        Dataset<Row> result;
        try {
            result = spark.sql(args.positional().get(0));
        } catch (Exception e) {
            // Scala's AnalysisException (bad SQL, unknown table or column) is the user's mistake.
            if (!(e instanceof AnalysisException)) throw e;
            throw new UserError("query failed: " + e.getMessage().replaceAll("\\s+", " ").trim());
        }
        ResultPrinter.print(result, format, limit, ctx.out);
        return 0;
    }

    private static void registerTable(SparkSession spark, String spec) throws IOException {
        int eq = spec.indexOf('=');
        if (eq <= 0 || eq == spec.length() - 1) throw new UsageException("--table expects NAME=PATH, got '" + spec + "'");
        String name = spec.substring(0, eq);
        String path = spec.substring(eq + 1);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) throw new UsageException("--table name '" + name + "' is not a SQL identifier");
        Path p = new Path(path);
        var fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (fs.globStatus(p) == null || fs.globStatus(p).length == 0) throw new UserError("--table " + name + ": no such file: " + path);
        String lower = path.toLowerCase();
        Dataset<Row> df = lower.endsWith(".jsonl") || lower.endsWith(".json") || lower.endsWith(".jsonl.gz")
                ? spark.read().json(path)
                : spark.read().parquet(path);
        df.createOrReplaceTempView(name);
    }

}
