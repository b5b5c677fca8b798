package ai.posttrain.run;

import ai.posttrain.config.PosttrainConfig.SparkSettings;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.Map;

/** One way to get the Spark session: spark-submit's when there is one, else an embedded local[*]. */
public final class SparkSessions {
    /** ND4J's arrays, and our records (see {@link RecordKryoRegistrator}). */
    public static final String KRYO_REGISTRATORS = "org.nd4j.kryo.Nd4jRegistrator," + RecordKryoRegistrator.class.getName();

    private SparkSessions() {}

    public static SparkSession getOrCreate(SparkSettings settings) {
        SparkConf conf = new SparkConf();
        // spark-submit sets spark.master as a system property; only local runs take it from our config.
        if (!conf.contains("spark.master")) conf.setMaster(settings.master());
        if (!conf.contains("spark.app.name")) conf.setAppName(settings.appName());
        // DL4J-on-Spark ships INDArrays: Kryo with ND4J's registrator is required for them.
        conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
        conf.setIfMissing("spark.kryo.registrator", KRYO_REGISTRATORS);
        for (Map.Entry<String, String> e : settings.conf().entrySet()) conf.setIfMissing(e.getKey(), e.getValue());
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
