package ai.posttrain.cli;

import ai.posttrain.report.RunReport;
import ai.posttrain.run.RunDir;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.Set;

/** `report --run DIR`: (re)builds DIR/report/index.html with its plots and prints its path. */
final class ReportCommand implements Command {
    @Override public String name() { return "report"; }

    @Override public String usage() { return "report --run DIR"; }

    @Override public Set<String> options() { return Set.of("run"); }

    @Override
    public int run(Args args, Context ctx) throws IOException {
        if (!args.positional().isEmpty()) throw new UsageException("unexpected argument '" + args.positional().get(0) + "'");
        String dir = args.option("run");
        if (dir == null) throw new UsageException("--run DIR is required");
        // Opening a run creates it; a report of a directory that holds no run is a mistake, not an empty run.
        Path manifest = new Path(dir, RunDir.MANIFEST);
        FileSystem fs = manifest.getFileSystem(ctx.hadoopConfiguration());
        if (!fs.exists(manifest)) throw new UserError("no run at " + dir + " (" + RunDir.MANIFEST + " not found)");
        Path index = RunReport.write(ctx.spark(), ctx.runOrNull(args));
        ctx.out.println(index);
        return 0;
    }
}
