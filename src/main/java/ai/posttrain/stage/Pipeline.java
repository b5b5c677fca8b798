package ai.posttrain.stage;

import ai.posttrain.format.ModelExport;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;

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
        checkStartingModelTokenizers();
        for (String stage : STAGES) runStage(stage);
        ctx.console().println("report: " + RunReport.write(ctx.spark(), ctx.run()));
    }

    /**
     * Every Hugging Face folder the stages will start from must use the run's tokenizer: checked before the
     * first stage, so a teacher/student mismatch stops the run before any training rather than at distillation.
     */
    private void checkStartingModelTokenizers() {
        var c = ctx.config();
        java.util.Map<String, String> starts = new java.util.LinkedHashMap<>();
        starts.put("posttrain.stages.cold-start-sft.init", c.coldStartSft().init());
        starts.put("posttrain.stages.overall-sft.init", c.overallSft().init());
        starts.put("posttrain.stages.distill.teacher", c.distill().teacher());
        starts.put("posttrain.stages.distill.init", c.distill().init());
        starts.put("posttrain.stages.rl.init", c.rl().init());
        starts.forEach((key, dir) -> {
            if (!dir.isBlank() && StartingModels.isModelFolder(dir, ctx.hadoop()))
                StartingModels.checkSameTokenizer(key, dir, ctx.tokenizer());
        });
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
            exportOpenFormats(name, outputs);
        } catch (RuntimeException e) {
            ctx.run().writeManifest(ctx.run().manifest().withStageStatus(name, "failed"));
            throw e;
        }
        ctx.run().writeManifest(ctx.run().manifest().withStageStatus(name, "complete"));
        ctx.console().printf("[%s] complete in %.0fs%n", name, (System.nanoTime() - t0) / 1e9);
    }

    /** posttrain.export.formats: the stage's final model also as <stage>/export/<format> (replaced on a rerun). */
    private void exportOpenFormats(String stage, StageCheckpoints outputs) {
        for (String format : ctx.config().export().formats()) {
            Path out = new Path(new Path(ctx.run().stageDir(stage), "export"), format);
            try {
                FileSystem fs = out.getFileSystem(ctx.hadoop());
                if (fs.exists(out)) fs.delete(out, true);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String written = ModelExport.exportModelDir(outputs.modelDir().toString(),
                    new ModelExport.Options(format, ctx.config().export().precision(), ctx.run().id() + "-" + stage),
                    out.toString(), ctx.hadoop());
            ctx.console().printf("[%s] exported %s: %s%n", stage, format, written);
        }
    }
}
