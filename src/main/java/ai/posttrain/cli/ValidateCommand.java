package ai.posttrain.cli;

import ai.posttrain.data.ReadResult;
import ai.posttrain.data.RecordKind;
import ai.posttrain.data.RecordReader;
import ai.posttrain.run.RunDir;
import ai.posttrain.run.TableWriter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.lit;

/** `validate`: checks input files before a long job; with --run, their rejected rows go to the run's table. */
final class ValidateCommand implements Command {
    @Override public String name() { return "validate"; }

    @Override public String usage() { return "validate --kind sft|preference|rl FILE... [--run DIR] [--format text|json]"; }

    @Override public Set<String> options() { return Set.of("kind", "run", "format"); }

    @Override
    public int run(Args args, Context ctx) throws Exception {
        String kindName = args.option("kind");
        if (kindName == null) throw new UsageException("--kind is required");
        RecordKind kind;
        try {
            kind = RecordKind.valueOf(kindName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--kind must be sft, preference or rl, got '" + kindName + "'");
        }
        if (args.positional().isEmpty()) throw new UsageException("give at least one FILE");
        String format = args.format("text", "json");

        ReadResult result = RecordReader.read(ctx.spark(), kind, args.positional(), ctx.tokenCounter(),
                ctx.config.data().maxTokens(), ctx.builtinData());
        RunDir run = ctx.runOrNull(args);
        if (run != null && result.rejectedCount() > 0) {
            new TableWriter(run).append("rejected", result.rejected().withColumn("origin", lit("validate")));
        }
        Map<String, Long> reasons = new TreeMap<>(result.reasonCounts());
        if (format.equals("json")) {
            ObjectMapper json = new ObjectMapper();
            ObjectNode root = json.createObjectNode();
            root.put("kind", kind.name().toLowerCase(Locale.ROOT));
            root.put("valid", result.validCount());
            root.put("rejected", result.rejectedCount());
            ObjectNode r = root.putObject("reasons");
            reasons.forEach(r::put);
            root.put("blank_lines", result.blankLines());
            if (run != null) root.put("run", run.root().toString());
            ctx.out.println(json.writeValueAsString(root));
        } else {
            ctx.out.println("valid:    " + result.validCount());
            ctx.out.println("rejected: " + result.rejectedCount());
            reasons.forEach((reason, n) -> ctx.out.println("  " + reason + ": " + n));
            if (result.blankLines() > 0) ctx.out.println("blank lines skipped: " + result.blankLines());
            if (run != null && result.rejectedCount() > 0) ctx.out.println("rejected rows: table 'rejected' of " + run.root());
        }
        result.unpersist();
        return 0;
    }
}
