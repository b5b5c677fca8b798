package ai.posttrain.cli;

import ai.posttrain.run.RunDir;
import ai.posttrain.stage.Pipeline;

import java.util.Set;

/** `pipeline`: every stage in order; with --run DIR, completes an earlier run (skips finished stages). */
final class PipelineCommand implements Command {
    @Override public String name() { return "pipeline"; }

    @Override public String usage() { return "pipeline [--run DIR [--" + RunConfig.ALLOW_CHANGE + "]]"; }

    @Override public Set<String> options() { return Set.of("run"); }

    @Override public Set<String> flags() { return Set.of(RunConfig.ALLOW_CHANGE); }

    @Override public boolean continuesRuns() { return true; }

    @Override
    public int run(Args args, Context ctx) {
        if (!args.positional().isEmpty()) throw new UsageException("unexpected argument '" + args.positional().get(0) + "'");
        RunDir run = ctx.runOrNew(args);
        ctx.err.println("run: " + run.root());
        new Pipeline(ctx.stageContext(run)).runAll();
        ctx.out.println(run.root());
        return 0;
    }
}
