package ai.posttrain.cli;

import ai.posttrain.config.ConfigChange;
import ai.posttrain.config.ConfigError;
import ai.posttrain.config.ConfigLoader;
import ai.posttrain.config.PosttrainConfig;
import ai.posttrain.run.Manifest;
import ai.posttrain.run.RunDir;
import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The configuration a command runs with. A command that continues a run (pipeline, stage) given
 * {@code --run DIR} of an existing run starts from the configuration in the run's manifest, so a run started
 * with {@code --conf conf/quick.conf} resumes on quick settings without it. {@code --conf}/{@code --set} still
 * apply on top; a change that affects results ({@link ConfigChange#affectsResults}) stops the command with
 * exit 2 listing the keys, unless {@code --allow-config-change} is given.
 */
final class RunConfig {
    static final String ALLOW_CHANGE = "allow-config-change";

    /** The resolved config, and what differs from the run's recorded one (empty for a new run). */
    record Loaded(PosttrainConfig config, boolean resumed, List<ConfigChange> changes) {}

    private RunConfig() {}

    static Loaded load(Args args, boolean continuesRuns) {
        String conf = args.option("conf");
        List<String> sets = args.options("set");
        String dir = continuesRuns ? args.option("run") : null;
        // A plain Hadoop configuration: Spark is not up yet, and core-site.xml (hdfs:, s3a:) is on the classpath.
        Optional<Manifest> manifest = dir == null ? Optional.empty() : RunDir.existingManifest(dir, new Configuration());
        if (manifest.isEmpty() || manifest.get().config() == null)
            return new Loaded(PosttrainConfig.load(conf, sets), false, List.of());

        Config recorded = PosttrainConfig.recorded(manifest.get().config());
        Config now = ConfigLoader.load(conf, sets, recorded);
        // Against the recording filled up with today's defaults: a key added to reference.conf since is no change.
        List<ConfigChange> changes = ConfigChange.between(recorded.withFallback(ConfigLoader.reference()).resolve(), now);
        List<ConfigChange> affecting = changes.stream().filter(ConfigChange::affectsResults).toList();
        if (!affecting.isEmpty() && !args.flag(ALLOW_CHANGE)) {
            throw new ConfigError("--run " + dir, "the run was started with other settings, and these change its results: "
                    + affecting.stream().map(ConfigChange::toString).collect(Collectors.joining(", "))
                    + "; resume without them (the run keeps its own settings), or pass --" + ALLOW_CHANGE
                    + " to go on with them (recorded in manifest.json)");
        }
        return new Loaded(PosttrainConfig.from(now), true, changes);
    }
}
