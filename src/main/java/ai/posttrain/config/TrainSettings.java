package ai.posttrain.config;

import com.typesafe.config.Config;

import java.io.Serializable;

/** posttrain.train, with a stage's own posttrain.stages.<stage>.train overrides applied. */
public record TrainSettings(int workers, int batchPerWorker, int averagingFrequency, int prefetch,
                            double lr, double minLr, int warmupSteps, double gradClip, double weightDecay,
                            int checkpointEvery)
        implements Serializable {

    static TrainSettings forStage(Config config, String stage) {
        String own = "posttrain.stages." + stage + ".train";
        Config merged = config.getConfig(own).withFallback(config.getConfig("posttrain.train"));
        // Errors name the stage's key when the stage set it, else the shared one.
        Settings s = new Settings(merged, "", path -> config.hasPath(own + "." + path) ? own + "." + path : "posttrain.train." + path);
        double lr = s.doubleIn("lr", 1e-7, 1.0);
        double minLr = s.doubleIn("min-lr", 0, 1.0);
        if (minLr > lr) throw new ConfigError(s.key("min-lr"), "must not exceed lr " + lr + ", got " + minLr);
        return new TrainSettings(s.intIn("workers", 1, 4096), s.intIn("batch-per-worker", 1, 65536),
                s.intIn("averaging-frequency", 1, 10_000), s.intIn("prefetch", 0, 64), lr, minLr,
                s.intIn("warmup-steps", 0, 1_000_000), s.doubleIn("grad-clip", 0, 1e6), s.doubleIn("weight-decay", 0, 1.0),
                s.intIn("checkpoint-every", 1, 1_000_000));
    }

}
