package ai.posttrain.stage;

import ai.posttrain.model.Checkpoints;
import ai.posttrain.report.RunReport;
import ai.posttrain.run.Manifest;

import java.util.List;

/**
 * Runs stages in order, recording each one's status in the run's manifest: a stage that is
 * complete is skipped, an interrupted one resumes from its last checkpoint. After a stage trains,
 * its model is evaluated on every held-out suite; after the last, the run's report is written.
 */
public final class Pipeline {
    public static final List<String> STAGES = List.of("cold-start-sft", "overall-sft", "distill", RlStage.NAME);

    private final StageContext ctx;

    public Pipeline(StageContext ctx) { this.ctx = ctx; }

    /** Every stage, then the run's report (index.html with plots), whose path it prints. */
    public void runAll() {
        for (String stage : STAGES) runStage(stage);
        ctx.console().println("report: " + RunReport.write(ctx.spark(), ctx.run()));
    }

    public void runStage(String name) {
        Runnable stage = switch (name) {
            case "cold-start-sft" -> new SftStage(ctx, ctx.config().coldStartSft(), null)::run;
            case "overall-sft" -> new SftStage(ctx, ctx.config().overallSft(), "cold-start-sft")::run;
            case "distill" -> new DistillStage(ctx, ctx.config().distill())::run;
            case RlStage.NAME -> new RlStage(ctx)::run;
            default -> throw new IllegalArgumentException("unknown stage '" + name + "' (stages: " + STAGES + ")");
        };
        Manifest manifest = ctx.run().manifest();
        StageCheckpoints outputs = new StageCheckpoints(ctx.run(), name);
        if ("complete".equals(manifest.stageStatus(name)) && outputs.hasFinalModel()) {
            ctx.console().printf("[%s] complete in %s: skipped%n", name, ctx.run().root());
            return;
        }
        ctx.run().writeManifest(manifest.withStageStatus(name, "running"));
        long t0 = System.nanoTime();
        try {
            stage.run();
            Checkpoints.Loaded model = Checkpoints.load(outputs.modelDir().toString(), ctx.hadoop());
            StageEvaluation.run(ctx, name, "end", model.graph(), model.info().config());
        } catch (RuntimeException e) {
            ctx.run().writeManifest(ctx.run().manifest().withStageStatus(name, "failed"));
            throw e;
        }
        ctx.run().writeManifest(ctx.run().manifest().withStageStatus(name, "complete"));
        ctx.console().printf("[%s] complete in %.0fs%n", name, (System.nanoTime() - t0) / 1e9);
    }
}
