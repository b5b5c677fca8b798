package ai.posttrain;

import ai.posttrain.config.PosttrainConfig;
import ai.posttrain.run.SparkSessions;
import org.apache.spark.sql.SparkSession;

import java.util.List;

/** The test JVM's one local[2] Spark session, built the way the CLI builds it (tests never stop it). */
public final class LocalSpark {
    private LocalSpark() {}

    public static synchronized SparkSession get() {
        PosttrainConfig config = PosttrainConfig.load(null, List.of("posttrain.spark.master=\"local[2]\""));
        return SparkSessions.getOrCreate(config.spark());
    }

    public static PosttrainConfig config() {
        return PosttrainConfig.load(null, List.of());
    }
}
