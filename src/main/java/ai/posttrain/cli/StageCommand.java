package ai.posttrain.cli;

import ai.posttrain.run.RunDir;
import ai.posttrain.stage.Pipeline;

import java.util.Set;

/** `stage NAME`: one stage in a run (new, or --run DIR to continue one). */
final class StageCommand implements Command {
    @Override public String name() { return "stage"; }

    @Override public String usage() { return "stage " + String.join("|", Pipeline.STAGES) + " [--run DIR [--" + RunConfig.ALLOW_CHANGE + "]]"; }

    @Override public Set<String> options() { return Set.of("run"); }

    @Override public Set<String> flags() { return Set.of(RunConfig.ALLOW_CHANGE); }

    @Override public boolean continuesRuns() { return true; }

    @Override
    public int run(Args args, Context ctx) {
        if (args.positional().size() != 1) throw new UsageException("expected one stage name");
        String stage = args.positional().get(0);
        if (!Pipeline.STAGES.contains(stage)) throw new UsageException("unknown stage '" + stage + "' (stages: " + Pipeline.STAGES + ")");
        RunDir run = ctx.runOrNew(args);
        ctx.err.println("run: " + run.root());
        new Pipeline(ctx.stageContext(run)).runStage(stage);
        ctx.out.println(run.root());
        return 0;
    }
}
